/**
 * First start: `node bin/edi-gateway.js serve` on a fresh DATA_DIR (embedded PGlite: initdb,
 * migrations, our AS2 key pair, SFTP host key, demo seed) until GET /healthz answers 200, as a
 * new user's `npm start` after `npm install`. Also a second start on the same DATA_DIR, and the
 * phases the gateway logs at LOG_LEVEL=debug (median per phase over the first starts).
 * Clock: spawn to the first 200 from /healthz (polled every 20 ms).
 */
import { spawn } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { loadavg } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { median } from './harness.ts'
import type { BenchContext, Figure } from './harness.ts'

const group = 'Startup (node bin/edi-gateway.js serve → healthy /healthz)'
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..')

interface Start {
  ms: number
  phases: Record<string, number>
}

async function start(dataDir: string): Promise<Start> {
  const t0 = performance.now()
  const child = spawn(process.execPath, [join(repo, 'bin/edi-gateway.js'), 'serve'], {
    cwd: repo,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, PORT: '0', SFTP_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'debug' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (err += d))
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`gateway exited ${child.exitCode}\n${out}\n${err}`)
      if (performance.now() - t0 > 180_000) throw new Error(`not healthy after 180 s\n${out}`)
      const port = /HTTP\s+http:\/\/[^:\s]+:(\d+)/.exec(out)?.[1]
      if (port) {
        const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status === 200, () => false)
        if (ok) break
      }
      await new Promise((r) => setTimeout(r, 20))
    }
    const ms = performance.now() - t0
    const phases: Record<string, number> = {}
    for (const line of err.split('\n')) {
      if (!line.includes('"startup phase"')) continue
      const j = JSON.parse(line) as { phase: string; ms: number }
      phases[j.phase] = j.ms
    }
    return { ms, phases }
  } finally {
    child.kill('SIGTERM')
    await exited
  }
}

export async function run(ctx: BenchContext): Promise<Figure[]> {
  const base = join(ctx.dir, 'startup')
  rmSync(base, { recursive: true, force: true })
  mkdirSync(base, { recursive: true })
  const firsts: Start[] = []
  const seconds: Start[] = []
  const load = loadavg()[0].toFixed(1)
  for (let i = 0; i < ctx.runs; i++) {
    const dir = join(base, `data-${i}`)
    firsts.push(await start(dir))
    seconds.push(await start(dir))
  }
  rmSync(base, { recursive: true, force: true })
  const firstMs = median(firsts.map((s) => s.ms))
  const names = Object.keys(firsts[0].phases)
  const breakdown = names.map((n) => `${n} ${(median(firsts.map((s) => s.phases[n] ?? 0)) / 1000).toFixed(2)} s`).join('; ')
  return [
    { group, name: 'first start (fresh DATA_DIR, embedded database) to healthy /healthz', value: firstMs / 1000, unit: 's', note: `target < 10 s; load ${load}; phases (median): ${breakdown}` },
    { group, name: 'second start (same DATA_DIR)', value: median(seconds.map((s) => s.ms)) / 1000, unit: 's', note: `load ${load}` },
  ]
}
