/**
 * `serve` on a port something else holds: one line naming the variable (PORT or SFTP_PORT) and
 * the port, exit 2, no stack trace, no listener announced before, and nothing left behind (the
 * embedded database lock released, so the next start works).
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../onboarding/config-dir.ts'

const root = mkdtempSync(join(tmpdir(), 'edi-busy-'))
let holder: Server
let busy: number

beforeAll(async () => {
  holder = createServer()
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()))
  busy = (holder.address() as { port: number }).port
})
afterAll(async () => {
  await new Promise<void>((r) => holder.close(() => r()))
  rmSync(root, { recursive: true, force: true })
})

function serve(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin/edi-gateway.js'), 'serve'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', DEMO_SEED: 'off', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

describe('serve on a busy port', { timeout: 120_000 }, () => {
  it('HTTP port taken: one line naming PORT, exit 2, SFTP never announced, lock released', async () => {
    const dataDir = join(root, 'http')
    const r = await serve({ DATA_DIR: dataDir, PORT: String(busy), SFTP_PORT: '0' })
    expect(r.code).toBe(2)
    expect(r.stderr).not.toMatch(/^\s+at /m)
    expect(r.stderr).not.toMatch(/sftp server listening/)
    expect(r.stdout).not.toMatch(/edi-gateway ready/)
    const lines = r.stderr.trim().split('\n')
    expect(lines).toEqual([`edi-gateway: cannot listen on 127.0.0.1:${busy} (PORT=${busy}): the port is in use by another process; stop it or set PORT to a free port`])
    expect(existsSync(join(dataDir, 'gateway.lock'))).toBe(false)
  })

  it('SFTP port taken: one line naming SFTP_PORT, exit 2, lock released', async () => {
    const dataDir = join(root, 'sftp')
    const r = await serve({ DATA_DIR: dataDir, PORT: '0', SFTP_PORT: String(busy) })
    expect(r.code).toBe(2)
    expect(r.stderr).not.toMatch(/^\s+at /m)
    expect(r.stdout).not.toMatch(/edi-gateway ready/)
    expect(r.stderr.trim().split('\n')).toEqual([`edi-gateway: cannot listen on 127.0.0.1:${busy} (SFTP_PORT=${busy}): the port is in use by another process; stop it, set SFTP_PORT to a free port, or SFTP=off`])
    expect(existsSync(join(dataDir, 'gateway.lock'))).toBe(false)
  })
  it('a port taken after the check (here by our own SFTP server): same one line, SFTP closed again, lock released', async () => {
    // PORT = SFTP_PORT passes the up-front check of each port alone; the SFTP server then takes
    // it and the HTTP listen fails late, after SFTP and the database are up.
    const holder2 = createServer()
    await new Promise<void>((r) => holder2.listen(0, '127.0.0.1', () => r()))
    const port = (holder2.address() as { port: number }).port
    await new Promise<void>((r) => holder2.close(() => r()))
    const dataDir = join(root, 'late')
    const r = await serve({ DATA_DIR: dataDir, PORT: String(port), SFTP_PORT: String(port), LOG_LEVEL: 'warn' })
    expect(r.code).toBe(2)
    expect(r.stderr).not.toMatch(/^\s+at /m)
    const ours = r.stderr.trim().split('\n').filter((l) => l.startsWith('edi-gateway:'))
    expect(ours).toEqual([`edi-gateway: cannot listen on 127.0.0.1:${port} (PORT=${port}): the port is in use by another process; stop it or set PORT to a free port`])
    expect(existsSync(join(dataDir, 'gateway.lock'))).toBe(false)
    // The SFTP listener that did start was closed: the port is free again.
    const again = createServer()
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject)
      again.listen(port, '127.0.0.1', () => resolve())
    })
    await new Promise<void>((r) => again.close(() => r()))
  })
})
