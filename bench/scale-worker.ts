/**
 * One worker process for bench/scale.bench.ts: opens the gateway core on DATABASE_URL /
 * DATABASE_SCHEMA with the repository's partners, prints "ready", waits for "go" on stdin, runs
 * its job loops until no job is left in the queue, prints "done <jobs completed>" and exits.
 */
import { openGateway } from '../src/app/gateway.ts'
import { loadEnv } from '../src/config/env.ts'
import { silentLogger } from '../src/lib/log.ts'

const env = loadEnv({ ...process.env, LOG_LEVEL: 'silent', SFTP: 'off' })
let completed = 0
const gw = await openGateway({ env, log: silentLogger, deliver: false })
// Count through the worker's hook: wrap start after open (the worker was created without onDone).
const sql = gw.db.sql
console.log('ready')
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()))
const before = (await sql<{ n: number }[]>`select count(*)::int as n from jobs where state = 'completed'`)[0].n
gw.worker.start()
for (;;) {
  await new Promise((r) => setTimeout(r, 50))
  const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from jobs where state in ('created', 'retry', 'active')`
  if (n === 0) break
}
await gw.worker.stop()
completed = (await sql<{ n: number }[]>`select count(*)::int as n from jobs where state = 'completed'`)[0].n - before
console.log(`done ${completed}`)
await gw.close()
process.exit(0)
