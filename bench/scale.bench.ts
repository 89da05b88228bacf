/**
 * Scale-out: pipeline throughput (JSON ASNs through parse → translate → match, each stage a job)
 * with 1 and then 2 worker processes on one PostgreSQL. The queue is filled first, then the
 * processes are released together; the figure is messages per second from "go" until the queue
 * is empty. Target (issue 10): ≥1.7× from 1 to 2 processes on a 2-core machine. Needs PostgreSQL
 * (DATABASE_URL, else the local one from INFRA.md); the embedded database is single-process.
 *
 * Wall-clock rates are only meaningful on a quiet machine, so every run also reports where the
 * CPU went, per message: the worker processes (process.cpuUsage), their own PostgreSQL backends
 * and all PostgreSQL processes (utime + stime from /proc, which includes the WAL writer,
 * checkpointer, autovacuum and anyone else's sessions), plus the statements sent per message.
 * When PostgreSQL runs on the same cores, two processes can at best reach
 * 2 / (1 + pg/worker) × the one-process rate once one process fills a core; the report gives
 * that bound from the measured split (docs/scaling.md explains it).
 *
 * The jobs table is vacuumed and analyzed after the preload, as autovacuum would have done on a
 * live system (the shared test server may run without autovacuum): the claim's plan then matches
 * a queue of that size, the same for 1 and 2 processes. The other tables start empty and are not
 * analyzed during a run, so the workers' cached plans stay those made for small tables, as on a
 * young system (docs/scaling.md). `SCALE_BATCH` sets the workers' batch
 * size (1 = one job per claim and transaction) to compare, `SCALE_WORKERS` / `SCALE_POOL` the
 * loops and pool per process (default 4 and 5); `SCALE_NODE_ARGS` passes node flags
 * (e.g. --cpu-prof) to the workers. once() can also sample the backends' wait events and call
 * hooks at go/done (perf record on the backends) for analysis.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { appendFileSync, readdirSync, readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { performance } from 'node:perf_hooks'
import { migrate } from '../src/db/migrate.ts'
import { openDatabase } from '../src/db/sql.ts'
import { receive } from '../src/pipeline/receive.ts'
import { median, type BenchContext, type Figure } from './harness.ts'

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
/** /proc/<pid>/stat counts CPU in clock ticks; 100 per second on Linux (USER_HZ). */
const TICK_MS = 10

function asn(n: number): Buffer {
  return Buffer.from(JSON.stringify({
    asnNumber: `SCALE-${n}`, shippedAt: '2025-03-06T16:20:00Z',
    orders: [{ poNumber: `SC-PO-${n}`, cartons: [{ lines: [{ poLine: 10, sku: 'WID-10', qty: 5, uom: 'EA' }, { poLine: 20, sku: 'WID-20', qty: 3, uom: 'CA' }] }] }],
  }))
}

/** utime + stime of a process in ms, or 0 when it is gone or not readable. */
export function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) * TICK_MS
  } catch {
    return 0
  }
}

/** Every PostgreSQL server process on this machine (postmaster, backends, background workers). */
export function postgresPids(): number[] {
  const pids: number[] = []
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      if (readFileSync(`/proc/${d}/comm`, 'latin1').trim() === 'postgres') pids.push(Number(d))
    } catch {
      // exited meanwhile
    }
  }
  return pids
}

/** Busy and total CPU time of the whole machine (all cores), in ticks, from /proc/stat. */
export function machineTicks(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'latin1').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0)
  return { busy: total - f[3] - f[4], total }
}

export interface WorkerDone { completed: number; cpuMs: number; sysMs?: number; statements: number; peakRssMb?: number }
export interface Child { ready: Promise<{ pids: number[] }>; done: Promise<WorkerDone>; go(): void; exit(): void }

export function worker(schema: string, env: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, [...(process.env.SCALE_NODE_ARGS?.split(' ').filter(Boolean) ?? []), 'bin/run-ts.js', 'bench/scale-worker.ts'], {
    env: { ...process.env, DATABASE_URL: url, DATABASE_SCHEMA: schema, DATABASE_POOL: process.env.SCALE_POOL ?? '5', WORKERS: process.env.SCALE_WORKERS ?? '4', ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  let out = ''
  let onReady: (v: { pids: number[] }) => void
  const ready = new Promise<{ pids: number[] }>((r) => (onReady = r))
  const done = new Promise<WorkerDone>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d
      // CHILD_OUT=<file>: the worker's stdout copied there (what --trace-gc-nvp and the like print).
      if (process.env.CHILD_OUT) appendFileSync(process.env.CHILD_OUT, d)
      const r = /ready (\{.*\})/.exec(out)
      if (r) onReady(JSON.parse(r[1]))
      const m = /done (\{.*\})/.exec(out)
      if (m) resolve(JSON.parse(m[1]))
    })
    child.on('exit', (code) => (code ? reject(new Error(`scale worker exited ${code}`)) : undefined))
  })
  return { ready, done, go: () => child.stdin.write('go\n'), exit: () => child.stdin.end() }
}

export interface ScaleRun {
  procs: number
  n: number
  rate: number
  seconds: number
  /** Worker processes' CPU per message (user + system). */
  workerMs: number
  /** CPU of the workers' own PostgreSQL backends per message. */
  backendMs: number
  /** CPU of every postgres process per message (background writers, autovacuum, others' sessions too). */
  pgMs: number
  statements: number
  /** Share of the machine's CPU time that was busy during the run (all processes, 1 = every core). */
  busy: number
  jobsPerProc: number[]
  /** With `sampleWaits`: what the workers' backends were doing, sampled every 5 ms (state/wait event → samples). */
  waits?: Record<string, number>
}

/** Messages per second with `procs` processes draining `n` preloaded messages, and where the CPU went. */
export async function once(procs: number, n: number, opts: { sampleWaits?: boolean; onGo?: (backends: number[]) => Promise<void>; onDone?: () => Promise<void> } = {}): Promise<ScaleRun> {
  const schema = `bench_scale_${randomBytes(4).toString('hex')}`
  const db = await openDatabase({ databaseUrl: url, schema, dataDir: '.tmp/unused', max: 4 })
  const children: Child[] = []
  try {
    await migrate(db.sql)
    for (let i = 0; i < n; i++) await receive({ sql: db.sql }, { transport: 'http', partnerId: 'demo-3pl', contentType: 'application/json', meta: { docType: 'asn', version: 'v1' }, body: asn(i) })
    await db.sql`vacuum analyze jobs`.catch(() => {})
    for (let i = 0; i < procs; i++) children.push(worker(schema))
    const backends = (await Promise.all(children.map((c) => c.ready))).flatMap((r) => r.pids)
    const pg = postgresPids()
    const cpu = () => ({ backends: backends.reduce((s, p) => s + procCpuMs(p), 0), pg: pg.concat(postgresPids().filter((p) => !pg.includes(p))).reduce((s, p) => s + procCpuMs(p), 0) })
    await opts.onGo?.(backends)
    const waits: Record<string, number> = {}
    let sampling = opts.sampleWaits === true
    const sampler = (async () => {
      while (sampling) {
        const rows = await db.sql<{ w: string }[]>`select coalesce(wait_event_type || ':' || wait_event, 'CPU') || ' (' || state || ')' as w
          from pg_stat_activity where pid = any(${backends})`
        for (const r of rows) waits[r.w] = (waits[r.w] ?? 0) + 1
        await new Promise((r) => setTimeout(r, 5))
      }
    })()
    const m0 = machineTicks()
    const c0 = cpu()
    const t0 = performance.now()
    for (const c of children) c.go()
    const done = await Promise.all(children.map((c) => c.done))
    const seconds = (performance.now() - t0) / 1000
    const c1 = cpu()
    await opts.onDone?.()
    const m1 = machineTicks()
    sampling = false
    await sampler
    for (const c of children) c.exit()
    const [{ docs }] = await db.sql<{ docs: number }[]>`select count(*)::int as docs from documents`
    if (docs !== n) throw new Error(`expected ${n} documents, got ${docs}`)
    return {
      procs, n, seconds,
      rate: n / seconds,
      workerMs: done.reduce((s, d) => s + d.cpuMs, 0) / n,
      backendMs: (c1.backends - c0.backends) / n,
      pgMs: (c1.pg - c0.pg) / n,
      statements: done.reduce((s, d) => s + d.statements, 0) / n,
      busy: (m1.busy - m0.busy) / (m1.total - m0.total),
      jobsPerProc: done.map((d) => d.completed),
      waits: opts.sampleWaits ? waits : undefined,
    }
  } finally {
    for (const c of children) c.exit()
    await db.sql.unsafe(`drop schema if exists "${schema}" cascade`).catch(() => {})
    await db.close()
  }
}

const f1 = (x: number) => x.toFixed(2)

export function describe(r: ScaleRun): string {
  return `${r.procs} proc: ${r.rate.toFixed(0)} msg/s in ${r.seconds.toFixed(1)} s; per msg: worker ${f1(r.workerMs)} ms, ` +
    `own PG backends ${f1(r.backendMs)} ms, all postgres ${f1(r.pgMs)} ms, ${r.statements.toFixed(1)} statements; ` +
    `machine busy ${(r.busy * 100).toFixed(0)}%; jobs per process ${r.jobsPerProc.join('/')}`
}

export async function run(ctx: BenchContext): Promise<Figure[]> {
  const n = ctx.quick ? 300 : 1500
  const group = 'Scale-out (pipeline jobs on one PostgreSQL)'
  const load = loadavg()[0]
  // Interleaved (1, 2, 1, 2 …) so a change in the machine's load hits both sides alike.
  const ones: ScaleRun[] = []
  const twos: ScaleRun[] = []
  for (let i = 0; i < ctx.runs; i++) {
    ones.push(await once(1, n))
    console.log(`  ${describe(ones.at(-1)!)}`)
    twos.push(await once(2, n))
    console.log(`  ${describe(twos.at(-1)!)}`)
  }
  const med = (rs: ScaleRun[], k: keyof ScaleRun) => median(rs.map((r) => r[k] as number))
  const one = med(ones, 'rate')
  const two = med(twos, 'rate')
  const workerMs = med(ones, 'workerMs')
  const backendMs = med(ones, 'backendMs')
  const pgMs = med(ones, 'pgMs')
  const bound = 2 / (1 + pgMs / workerMs)
  const loadEnd = loadavg()[0]
  return [
    { group, name: `1 worker process, ${n} JSON ASNs (3 jobs each)`, value: Math.round(one), unit: 'msg/s', note: `machine busy ${(med(ones, 'busy') * 100).toFixed(0)}% (2 cores); load average ${load.toFixed(2)} at start, ${loadEnd.toFixed(2)} at end` },
    { group, name: '2 worker processes', value: Math.round(two), unit: 'msg/s', ratio: { against: '1 process', value: Number((two / one).toFixed(2)) }, note: `target ≥ 1.7× on 2 cores; machine busy ${(med(twos, 'busy') * 100).toFixed(0)}%; jobs per process ${twos.map((r) => r.jobsPerProc.join('/')).join(', ')}` },
    { group, name: 'worker CPU per message (1 process)', value: Number(workerMs.toFixed(2)), unit: 'ms', note: `2 processes: ${f1(med(twos, 'workerMs'))} ms; process.cpuUsage() of the workers` },
    { group, name: 'PostgreSQL CPU per message, own backends (1 process)', value: Number(backendMs.toFixed(2)), unit: 'ms', note: `2 processes: ${f1(med(twos, 'backendMs'))} ms; utime+stime of the workers' connections` },
    { group, name: 'PostgreSQL CPU per message, all postgres processes (1 process)', value: Number(pgMs.toFixed(2)), unit: 'ms', note: `2 processes: ${f1(med(twos, 'pgMs'))} ms; adds WAL writer, checkpointer, autovacuum (and other sessions on a shared machine)` },
    { group, name: 'statements per message', value: Number(med(ones, 'statements').toFixed(1)), unit: '', note: 'parse + translate + match jobs, claim, begin/commit included; done-polling excluded' },
    { group, name: 'bound for 2 processes when PostgreSQL shares the 2 cores', value: Number(bound.toFixed(2)), unit: '×', note: `2 / (1 + PostgreSQL ms / worker ms) = 2 / (1 + ${f1(pgMs)} / ${f1(workerMs)}); with PostgreSQL on cores of its own the bound is 2×` },
  ]
}
