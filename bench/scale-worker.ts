/**
 * One worker process for bench/scale.bench.ts: opens the gateway core on DATABASE_URL /
 * DATABASE_SCHEMA with the repository's partners, prints "ready <json>" (the PostgreSQL backend
 * pids of its pool, so the parent can read their CPU time), waits for "go" on stdin, runs its job
 * loops until no job is left in the queue, prints "done <json>" (jobs completed, its own CPU time
 * and the statements it sent while working) and exits when stdin closes.
 */
import { openGateway } from '../src/app/gateway.ts'
import { loadEnv } from '../src/config/env.ts'
import { silentLogger } from '../src/lib/log.ts'

const env = loadEnv({ ...process.env, LOG_LEVEL: 'silent', SFTP: 'off' })
let completed = 0
const gw = await openGateway({
  env, log: silentLogger, deliver: false, batchSize: process.env.SCALE_BATCH ? Number(process.env.SCALE_BATCH) : undefined,
  onJobDone: (_job, _ms, outcome) => void (outcome === 'completed' && completed++) })
const sql = gw.db.sql
// Every statement postgres.js sends goes through its `debug` hook (begin/commit included).
let statements = 0
;(sql as unknown as { options: { debug?: unknown } }).options.debug = () => void statements++
// Open the whole pool now (as many reserved connections as it may hold are distinct backends).
const reserved = await Promise.all(Array.from({ length: env.DATABASE_POOL }, () => sql.reserve()))
const pids = await Promise.all(reserved.map(async (r) => (await r<{ pid: number }[]>`select pg_backend_pid() as pid`)[0].pid))
for (const r of reserved) r.release()

const lines = (async function* () {
  let buf = ''
  for await (const d of process.stdin) {
    buf += d
    let i: number
    while ((i = buf.indexOf('\n')) >= 0) {
      yield buf.slice(0, i)
      buf = buf.slice(i + 1)
    }
  }
})()
console.log(`ready ${JSON.stringify({ pids })}`)
await lines.next()

const cpu0 = process.cpuUsage()
statements = 0
let polls = 0
gw.worker.start()
// Done when no job is waiting or running in any process: two index probes (the partial claim and
// active indexes), not a count over the queue.
for (;;) {
  await new Promise((r) => setTimeout(r, 50))
  polls++
  const [{ busy }] = await sql<{ busy: boolean }[]>`select exists (select 1 from jobs where state in ('created', 'retry'))
    or exists (select 1 from jobs where state = 'active') as busy`
  if (!busy) break
}
await gw.worker.stop()
const cpu = process.cpuUsage(cpu0)
const sent = statements - polls
console.log(`done ${JSON.stringify({ completed, cpuMs: (cpu.user + cpu.system) / 1000, statements: sent })}`)
// Stay connected until the parent has read the backends' CPU time.
await lines.next()
await gw.close()
process.exit(0)
