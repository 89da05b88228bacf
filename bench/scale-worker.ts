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
import { peakRssMb } from './harness.ts'

const env = loadEnv({ ...process.env, LOG_LEVEL: 'silent', SFTP: 'off' })
let completed = 0
/** Stages left queued for a gateway that delivers (deliver: false here), not waited for. */
const ignore = (process.env.DONE_IGNORE_STAGES ?? 'deliver').split(',').filter(Boolean)
const gw = await openGateway({
  env, log: silentLogger, deliver: false, batchSize: process.env.SCALE_BATCH ? Number(process.env.SCALE_BATCH) : undefined,
  onJobDone: (_job, _ms, outcome) => void (outcome === 'completed' && completed++) })
const sql = gw.db.sql
// Every statement postgres.js sends goes through its `debug` hook (begin/commit included).
// With a debug hook, postgres.js also records a `new Error()` (a stack trace) for every query of a
// transaction, which the gateway without the hook does not pay: about 4 % of the worker's CPU on
// small files. Stack traces this short cost next to nothing, and only the bench's worker has them.
Error.stackTraceLimit = 3
let statements = 0
const hist = new Map<string, number>()
;(sql as unknown as { options: { debug?: unknown } }).options.debug = (_c: unknown, query: string) => { statements++; if (process.env.STMT_HIST) { const k = query.replace(/\s+/g, " ").slice(0, 90); hist.set(k, (hist.get(k) ?? 0) + 1) } }
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

// GC_STATS=1: the collector's pauses by kind (minor: scavenges; major: mark-compact), on stderr.
const gc = new Map<string, { n: number; ms: number }>()
if (process.env.GC_STATS) {
  const { PerformanceObserver, constants } = await import('node:perf_hooks')
  const kinds: Record<number, string> = { [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor', [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major', [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb' }
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const k = kinds[(e as unknown as { detail: { kind: number } }).detail.kind] ?? 'other'
      const g = gc.get(k) ?? { n: 0, ms: 0 }
      g.n++
      g.ms += e.duration
      gc.set(k, g)
    }
  }).observe({ entryTypes: ['gc'] })
}
// HEAP_PROF=<file>: a sampling allocation profile of the run (objects the collector freed
// included), written as a .heapprofile for Chrome DevTools or a script. With HEAP_PROF_SURVIVORS=1
// the objects scavenges freed are left out: what it shows is what survived a scavenge (copied
// once at least, and most of it promoted), by allocation site.
let heapSession: import('node:inspector').Session | undefined
if (process.env.HEAP_PROF) {
  const { Session } = await import('node:inspector')
  heapSession = new Session()
  heapSession.connect()
  const post = (m: string, p?: object) => new Promise((res, rej) => heapSession!.post(m, p ?? {}, (e, r) => (e ? rej(e) : res(r))))
  await post('HeapProfiler.enable')
  await post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: !process.env.HEAP_PROF_SURVIVORS })
}
const cpu0 = process.cpuUsage()
statements = 0
let polls = 0
gw.worker.start()
// Done when no job is due or running in any process (a recheck due later is not work now): two
// index probes (the partial claim and active indexes), not a count over the queue.
for (;;) {
  await new Promise((r) => setTimeout(r, 50))
  polls++
  const [{ busy }] = await sql<{ busy: boolean }[]>`select exists (select 1 from jobs where state in ('created', 'retry') and run_after <= now() and stage <> all(${ignore}))
    or exists (select 1 from jobs where state = 'active') as busy`
  if (!busy) break
}
await gw.worker.stop()
if (process.env.STMT_HIST) for (const [k, n] of [...hist].sort((a, b) => b[1] - a[1])) console.error(String(n).padStart(7), k)
if (heapSession) {
  const r = await new Promise<{ profile: unknown }>((res, rej) => heapSession!.post('HeapProfiler.stopSampling', (e, v) => (e ? rej(e) : res(v as { profile: unknown }))))
  const { writeFileSync } = await import('node:fs')
  writeFileSync(process.env.HEAP_PROF!, JSON.stringify(r.profile))
}
if (process.env.GC_STATS) console.error('gc', JSON.stringify(Object.fromEntries([...gc].map(([k, g]) => [k, { n: g.n, ms: Math.round(g.ms) }]))))
const cpu = process.cpuUsage(cpu0)
const sent = statements - polls
console.log(`done ${JSON.stringify({ completed, cpuMs: (cpu.user + cpu.system) / 1000, sysMs: cpu.system / 1000, statements: sent, peakRssMb: peakRssMb() })}`)
// Stay connected until the parent has read the backends' CPU time.
await lines.next()
await gw.close()
process.exit(0)
