/**
 * EDI end to end on PostgreSQL: X12 856/810 and EDIFACT DESADV/INVOIC files from the demo
 * suppliers, stored as a transport would store them, then parse → translate (map) → match →
 * persist → our 997/CONTRL queued, by 1 and by 2 worker processes (bench/scale-worker.ts with the
 * repository's partners and maps). The workload (bench/gen/e2e.ts) matches open ERP POs loaded
 * first, so every document takes the full path, warehouse 856 for matched ASNs included.
 *
 * Two shapes: large files (E2E_LARGE_SETS sets per file, default 1000) and small files (one set
 * each, as AS2 and SFTP deliver them). Figures per run: sets (or files) per second from "go" until
 * the queue holds nothing but deliveries, CPU per set of the workers and of their PostgreSQL
 * backends (/proc), statements sent per set (postgres.js debug hook, claim/begin/commit
 * included), peak worker RSS, the machine's load; and, where pg_stat_statements is loaded, its
 * statement count and time. Then the measured bound for two processes on these cores,
 * 2 / (1 + PostgreSQL ms / worker ms), next to the ratio measured in the same run.
 *
 * E2E_SETS (default 2000; quick 400) sets of each kind; E2E_SHAPES=large,small picks shapes.
 * Small files: E2E_SMALL_SETS of each kind (default E2E_SETS, at most 1000: 4,000 files, 63
 * batches of 64 in a worker; at 500, a process's JIT warm-up was a large share of a 3 s run).
 */
import { randomBytes } from 'node:crypto'
import { loadavg } from 'node:os'
import { performance } from 'node:perf_hooks'
import { migrate } from '../src/db/migrate.ts'
import { openDatabase, type Sql } from '../src/db/sql.ts'
import { createTablesErp } from '../src/db/erp.ts'
import { parsePurchaseOrders } from '../src/erp/import.ts'
import { receive } from '../src/pipeline/receive.ts'
import { median, type BenchContext, type Figure } from './harness.ts'
import { e2eFiles, erpCsv } from './gen/e2e.ts'
import { machineTicks, postgresPids, procCpuMs, worker, type Child } from './scale.bench.ts'

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

export interface Shape {
  name: 'large' | 'small'
  /** Sets of each of the four kinds. */
  sets: number
  perFile: number
}

export interface E2eRun {
  shape: Shape['name']
  procs: number
  sets: number
  files: number
  seconds: number
  workerMs: number
  /** Of workerMs, the time in the kernel (socket writes and reads, mostly). */
  workerSysMs: number
  backendMs: number
  pgMs: number
  statements: number
  busy: number
  peakRssMb: number
  documents: Record<string, number>
  exceptions: Record<string, number>
  acks: number
  pgss?: PgssTotals
}

/**
 * pg_stat_statements over the run: every statement, and the control-number upsert alone (its
 * execution time includes the wait for a partner's counter rows another transaction holds).
 */
interface PgssTotals {
  calls: number
  ms: number
  counterCalls: number
  counterMs: number
}

async function pgssAvailable(sql: Sql): Promise<boolean> {
  try {
    await sql`create extension if not exists pg_stat_statements schema public`
    await sql`select 1 from public.pg_stat_statements limit 1`
    return true
  } catch {
    return false
  }
}

async function pgssTotals(sql: Sql): Promise<PgssTotals> {
  // Every statement of the bench's database; the parent's own few are noise against thousands.
  const [r] = await sql<PgssTotals[]>`select coalesce(sum(calls), 0)::float8 as calls,
      coalesce(sum(total_exec_time), 0)::float8 as ms,
      coalesce(sum(calls) filter (where s.query like 'insert into control_numbers%'), 0)::float8 as "counterCalls",
      coalesce(sum(total_exec_time) filter (where s.query like 'insert into control_numbers%'), 0)::float8 as "counterMs"
    from public.pg_stat_statements s join pg_database d on d.oid = s.dbid where d.datname = current_database()`
  return r
}

export async function once(shape: Shape, procs: number): Promise<E2eRun> {
  const schema = `bench_e2e_${randomBytes(4).toString('hex')}`
  const db = await openDatabase({ databaseUrl: url, schema, dataDir: '.tmp/unused', max: 4 })
  const children: Child[] = []
  try {
    await migrate(db.sql)
    const { orders, errors } = parsePurchaseOrders(erpCsv(shape.sets), 'csv')
    if (errors.length) throw new Error(`generated ERP CSV rejected: ${JSON.stringify(errors[0])}`)
    await db.sql.begin((tx) => createTablesErp(tx).upsertOrders(orders))
    const files = e2eFiles(shape.sets, shape.perFile)
    for (const f of files) {
      await receive({ sql: db.sql }, {
        transport: 'sftp', partnerId: f.partnerId, filename: `${f.kind}.edi`,
        contentType: f.kind === '856' || f.kind === '810' ? 'application/edi-x12' : 'application/edifact', meta: {}, body: f.body,
      })
    }
    await db.sql`vacuum analyze jobs`.catch(() => {})
    const pgss = await pgssAvailable(db.sql)
    for (let i = 0; i < procs; i++) children.push(worker(schema, { DONE_IGNORE_STAGES: 'deliver' }))
    const backends = (await Promise.all(children.map((c) => c.ready))).flatMap((r) => r.pids)
    const pg = postgresPids()
    const cpu = () => ({ backends: backends.reduce((s, p) => s + procCpuMs(p), 0), pg: pg.concat(postgresPids().filter((p) => !pg.includes(p))).reduce((s, p) => s + procCpuMs(p), 0) })
    if (pgss) await db.sql`select public.pg_stat_statements_reset()`
    const m0 = machineTicks()
    const c0 = cpu()
    const t0 = performance.now()
    for (const c of children) c.go()
    const done = await Promise.all(children.map((c) => c.done))
    const seconds = (performance.now() - t0) / 1000
    const c1 = cpu()
    const m1 = machineTicks()
    const pgssNow = pgss ? await pgssTotals(db.sql) : undefined
    for (const c of children) c.exit()
    const sets = files.reduce((s, f) => s + f.sets, 0)
    const docs = await db.sql<{ k: string; n: number }[]>`select kind || ' ' || status as k, count(*)::int as n from documents group by 1 order by 1`
    const exc = await db.sql<{ k: string; n: number }[]>`select code as k, count(*)::int as n from exceptions where state in ('open', 'assigned') group by 1 order by 2 desc limit 8`
    const [{ acks }] = await db.sql<{ acks: number }[]>`select count(*)::int as acks from deliveries where kind = 'ack'`
    const [{ txs }] = await db.sql<{ txs: number }[]>`select count(*)::int as txs from transactions`
    if (txs !== sets) throw new Error(`expected ${sets} transaction sets, stored ${txs}`)
    return {
      shape: shape.name, procs, sets, files: files.length, seconds,
      workerMs: done.reduce((s, d) => s + d.cpuMs, 0) / sets,
      workerSysMs: done.reduce((s, d) => s + (d.sysMs ?? 0), 0) / sets,
      backendMs: (c1.backends - c0.backends) / sets,
      pgMs: (c1.pg - c0.pg) / sets,
      statements: done.reduce((s, d) => s + d.statements, 0) / sets,
      busy: (m1.busy - m0.busy) / (m1.total - m0.total),
      peakRssMb: Math.max(...done.map((d) => d.peakRssMb ?? 0)),
      documents: Object.fromEntries(docs.map((d) => [d.k, d.n])),
      exceptions: Object.fromEntries(exc.map((d) => [d.k, d.n])),
      acks,
      pgss: pgssNow,
    }
  } finally {
    for (const c of children) c.exit()
    // E2E_KEEP_SCHEMA=1 leaves the run's tables for inspection (table sizes, plans).
    if (process.env.E2E_KEEP_SCHEMA) console.log(`kept schema ${schema}`)
    else await db.sql.unsafe(`drop schema if exists "${schema}" cascade`).catch(() => {})
    await db.close()
  }
}

const f2 = (x: number) => x.toFixed(2)
/** Mean execution of the control-number upsert, lock wait included (0 when none ran). */
const counterMs = (p: PgssTotals) => (p.counterCalls ? p.counterMs / p.counterCalls : 0)

export function describe(r: E2eRun): string {
  const unit = r.shape === 'small' ? `${(r.files / r.seconds).toFixed(0)} files/s` : `${(r.sets / r.seconds).toFixed(0)} sets/s`
  return `${r.shape} ${r.procs} proc: ${unit} (${r.sets} sets, ${r.files} files, ${r.seconds.toFixed(1)} s); per set: worker ${f2(r.workerMs)} ms (kernel ${f2(r.workerSysMs)}), ` +
    `own PG backends ${f2(r.backendMs)} ms, all postgres ${f2(r.pgMs)} ms, ${r.statements.toFixed(2)} statements` +
    `${r.pgss ? `, pg_stat_statements ${(r.pgss.calls / r.sets).toFixed(2)} calls ${(r.pgss.ms / r.sets).toFixed(3)} ms; control-number upsert ${counterMs(r.pgss).toFixed(1)} ms per call` : ''}; ` +
    `peak RSS ${r.peakRssMb.toFixed(0)} MiB; busy ${(r.busy * 100).toFixed(0)}%; docs ${JSON.stringify(r.documents)}; open exceptions ${JSON.stringify(r.exceptions)}; acks ${r.acks}`
}

export async function run(ctx: BenchContext): Promise<Figure[]> {
  const sets = Number(process.env.E2E_SETS ?? (ctx.quick ? 400 : 2000))
  const shapes = (process.env.E2E_SHAPES ?? 'large,small').split(',') as Shape['name'][]
  const largePer = Number(process.env.E2E_LARGE_SETS ?? 1000)
  const figures: Figure[] = []
  for (const name of shapes) {
    const shape: Shape = { name, sets: name === 'small' ? Number(process.env.E2E_SMALL_SETS ?? Math.min(sets, 1000)) : sets, perFile: name === 'small' ? 1 : largePer }
    const group = `EDI end to end, ${name} files (PostgreSQL, parse → map → match → persist → acks queued)`
    const load = loadavg()[0]
    const ones: E2eRun[] = []
    const twos: E2eRun[] = []
    for (let i = 0; i < ctx.runs; i++) {
      ones.push(await once(shape, 1))
      console.log(`  ${describe(ones.at(-1)!)}`)
      twos.push(await once(shape, 2))
      console.log(`  ${describe(twos.at(-1)!)}`)
    }
    const med = (rs: E2eRun[], k: keyof E2eRun) => median(rs.map((r) => r[k] as number))
    const rate = (r: E2eRun) => (name === 'small' ? r.files : r.sets) / r.seconds
    const one = median(ones.map(rate))
    const two = median(twos.map(rate))
    const workerMs = med(ones, 'workerMs')
    const pgMs = med(ones, 'pgMs')
    const unit = name === 'small' ? 'files/s' : 'sets/s'
    const cpuRate = 1000 / (workerMs + pgMs)
    const r0 = ones[0]
    const loadEnd = loadavg()[0]
    figures.push(
      { group, name: `1 process, ${r0.sets} sets in ${r0.files} files (${name === 'small' ? 'one set each' : `${shape.perFile} sets each`})`, value: Math.round(one), unit, note: `target ${name === 'small' ? '≥ 1,000 files/s' : '≥ 3,000 sets/s'}; CPU-time rate (worker + PostgreSQL CPU per set) ${cpuRate.toFixed(0)} ${unit}; machine busy ${(med(ones, 'busy') * 100).toFixed(0)}%; load ${load.toFixed(2)} at start, ${loadEnd.toFixed(2)} at end; documents ${JSON.stringify(r0.documents)}; acks queued ${r0.acks}` },
      { group, name: '2 processes', value: Math.round(two), unit, ratio: { against: '1 process', value: Number((two / one).toFixed(2)) }, note: `machine busy ${(med(twos, 'busy') * 100).toFixed(0)}%` },
      { group, name: 'worker CPU per set (1 process)', value: Number(workerMs.toFixed(3)), unit: 'ms', note: `2 processes: ${f2(med(twos, 'workerMs'))} ms` },
      { group, name: 'PostgreSQL CPU per set, all postgres processes (1 process)', value: Number(pgMs.toFixed(3)), unit: 'ms', note: `target ≤ 0.45 ms; own backends ${f2(med(ones, 'backendMs'))} ms; 2 processes: ${f2(med(twos, 'pgMs'))} ms` },
      { group, name: 'statements per set (1 process)', value: Number(med(ones, 'statements').toFixed(2)), unit: '', note: `target ≤ 6; sent by the worker (postgres.js debug hook), claim, begin and commit included${r0.pgss ? `; pg_stat_statements: ${(median(ones.map((r) => r.pgss!.calls)) / r0.sets).toFixed(2)} calls, ${(median(ones.map((r) => r.pgss!.ms)) / r0.sets).toFixed(3)} ms execution per set` : '; pg_stat_statements not loaded on this server (shared_preload_libraries)'}` },
      { group, name: 'bound for 2 processes when PostgreSQL shares the 2 cores', value: Number((2 / (1 + pgMs / workerMs)).toFixed(2)), unit: '×', note: `2 / (1 + ${f2(pgMs)} / ${f2(workerMs)}); measured ${(two / one).toFixed(2)}×` },
      ...(r0.pgss ? [{ group, name: 'control-number upsert, execution per call (1 process)', value: Number(median(ones.map((r) => counterMs(r.pgss!))).toFixed(1)), unit: 'ms', note: `2 processes: ${median(twos.map((r) => counterMs(r.pgss!))).toFixed(1)} ms; pg_stat_statements, lock wait included: how long a batch waits for the partner's counter rows another transaction holds until its commit (the statement alone takes 0.3–2 ms). What N gateway processes queue on for one busy partner (docs/scaling.md)` }] : []),
      { group, name: 'peak worker RSS (1 process)', value: Math.round(med(ones, 'peakRssMb')), unit: 'MiB', note: `2 processes: ${Math.round(med(twos, 'peakRssMb'))} MiB each at most` },
    )
  }
  return figures
}
