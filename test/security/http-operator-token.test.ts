/**
 * A short OPERATOR_TOKEN (or METRICS_TOKEN) is refused at start by the real CLI
 * (`node bin/edi-gateway.js serve`): exit code 2, one line on stderr naming the variable, never
 * its value, never a stack trace.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliEnv } from '../helpers/cli.ts'
import { testDb, type TestDb } from '../helpers/db.ts'
import { repoRoot } from '../helpers/gateway-process.ts'

/** Run `serve`; a gateway that starts instead of refusing is killed after `ms`. */
function serve(env: Record<string, string>, ms = 30_000): Promise<{ code: number | null; stderr: string; started: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/edi-gateway.js', 'serve'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', HOST: '127.0.0.1', SFTP: 'off', DEMO_SEED: 'off', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), ms)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stderr, started: /edi-gateway ready/.test(stdout) })
    })
  })
}

describe('operator token strength at start', () => {
  let db: TestDb
  let dir: string
  beforeAll(async () => {
    db = await testDb()
    dir = mkdtempSync(join(tmpdir(), 'edi-token-'))
  })
  afterAll(async () => {
    await db?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it.each([
    ['OPERATOR_TOKEN', 'short'],
    ['OPERATOR_TOKEN', 'ops-demo-token'],
    ['OPERATOR_TOKEN', 'x'.repeat(23)],
    ['METRICS_TOKEN', 'scrape-me-1234'],
  ])('%s of %s: exit 2 with one line on stderr', async (name, value) => {
    const r = await serve({ ...cliEnv(db), DATA_DIR: join(dir, name + value.length), [name]: value })
    expect(r.started).toBe(false)
    expect(r.code).toBe(2)
    const lines = r.stderr.trim().split('\n')
    expect(lines, r.stderr).toHaveLength(1)
    expect(lines[0]).toMatch(new RegExp(`^edi-gateway: invalid environment: ${name}: must be at least 24 characters`))
    expect(r.stderr).not.toContain(value)
  }, 60_000)
})
