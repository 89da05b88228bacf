/** Run the real CLI (`node bin/edi-gateway.js ...`) as a child process against the test schema. */
import { spawn } from 'node:child_process'
import type { TestDb } from './db.ts'

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

export function cliEnv(db: TestDb, extra: Record<string, string> = {}): Record<string, string> {
  // One connection: the embedded test database multiplexes sessions and cannot run concurrent transactions.
  return { DATABASE_URL: db.url, DATABASE_SCHEMA: db.schema, DATABASE_POOL: '1', LOG_LEVEL: 'error', ...extra }
}

export function runCli(args: string[], env: Record<string, string> = {}, cwd = process.cwd()): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/edi-gateway.js', ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}
