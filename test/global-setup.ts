/**
 * With DATABASE_URL the suite runs on that PostgreSQL. Without it, one embedded PGlite is started
 * here (in memory) behind pglite-socket, and every test file connects to it through postgres.js,
 * the same client the gateway uses; each file works in its own schema (test/helpers/db.ts).
 * Test files run one at a time on this backend (vitest.config.ts), as PGlite serves one
 * transaction at a time.
 */
import type { TestProject } from 'vitest/node'

let stop: (() => Promise<void>) | undefined

export default async function setup(_project: TestProject) {
  if (process.env.DATABASE_URL) return
  const { PGlite } = await import('@electric-sql/pglite')
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket')
  const db = await PGlite.create()
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 16 })
  await server.start()
  const port = Number(server.getServerConn().split(':').pop())
  process.env.TEST_EMBEDDED_DATABASE_URL = `postgres://postgres@127.0.0.1:${port}/postgres`
  stop = async () => {
    await server.stop()
    await db.close()
  }
  return async () => {
    await stop?.()
  }
}
