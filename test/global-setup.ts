/**
 * With DATABASE_URL the suite runs on that PostgreSQL. Without it, embedded PGlite databases (in
 * memory, behind pglite-socket) are started here, one per vitest worker and each in its own
 * process (test/helpers/embedded-db-server.mjs), so the database work of parallel test files runs
 * on both cores. Every test file connects to its worker's database through postgres.js, the same
 * client the gateway uses, and works in its own schema (test/helpers/db.ts). One PGlite serves one
 * transaction at a time, so a worker's files share its database one after another, never two at
 * once.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import type { TestProject } from 'vitest/node'

function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [new URL('./helpers/embedded-db-server.mjs', import.meta.url).pathname], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    const fail = (why: string) => reject(new Error(`embedded test database did not start: ${why}`))
    child.once('exit', (code, signal) => fail(`exited with ${code ?? signal}`))
    child.once('error', (e) => fail(e.message))
    lines.once('line', (line) => {
      const { port } = JSON.parse(line) as { port: number }
      resolve({ child, url: `postgres://postgres@127.0.0.1:${port}/postgres` })
    })
  })
}

export default async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) return
  const workers = Math.max(1, Number(project.globalConfig.maxWorkers ?? project.config.maxWorkers) || 1)
  const servers = await Promise.all(Array.from({ length: workers }, () => startServer()))
  process.env.TEST_EMBEDDED_DATABASE_URLS = servers.map((s) => s.url).join(',')
  return async () => {
    // Closing stdin stops a server (embedded-db-server.mjs); one that hangs is killed.
    await Promise.all(
      servers.map(async ({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return
        const exited = once(child, 'exit')
        child.stdin!.end()
        setTimeout(() => child.kill('SIGKILL'), 5000).unref()
        await exited
      })
    )
  }
}
