/**
 * The web console: static files from src/http/console, read once at install. GET / serves the
 * page; GET /console/<file> its scripts and styles. A strict Content-Security-Policy allows only
 * same-origin scripts, styles and API calls: nothing can be loaded from the internet, and an
 * injected inline script would not run. Data comes from the operations API (operator token).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { problem } from '../app.ts'
import type { RouteInstaller } from '../context.ts'

export const CONSOLE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'console')

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
}

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

export const installConsole: RouteInstaller = (app) => {
  const files = new Map<string, { body: string; type: string }>()
  for (const f of readdirSync(CONSOLE_DIR)) {
    const ext = f.split('.').pop() ?? ''
    if (TYPES[ext]) files.set(f, { body: readFileSync(join(CONSOLE_DIR, f), 'utf8'), type: TYPES[ext] })
  }
  const headers = (type: string) => ({
    'content-type': type,
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  })
  app.get('/', (c) => c.body(files.get('index.html')!.body, 200, headers(TYPES.html)))
  app.get('/console/:file', (c) => {
    const f = files.get(c.req.param('file'))
    return f ? c.body(f.body, 200, headers(f.type)) : problem(404, 'Not Found', 'no such console file')
  })
}
