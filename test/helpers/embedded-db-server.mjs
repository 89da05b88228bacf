/**
 * One in-memory PGlite behind pglite-socket, in its own process, for the embedded test run
 * (test/global-setup.ts starts one per vitest worker). Prints `{"port":N}` on stdout once it
 * listens, and exits when its parent closes stdin.
 */
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'

const db = await PGlite.create()
const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 16 })
await server.start()
const port = Number(server.getServerConn().split(':').pop())
process.stdout.write(JSON.stringify({ port }) + '\n')

let stopping = false
async function stop() {
  if (stopping) return
  stopping = true
  await server.stop().catch(() => {})
  await db.close().catch(() => {})
  process.exit(0)
}
process.stdin.on('end', stop)
process.stdin.on('close', stop)
process.stdin.resume()
