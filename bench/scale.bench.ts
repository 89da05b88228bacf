/**
 * Scale-out: pipeline throughput (JSON ASNs through parse → translate → match, each stage a job)
 * with 1 and then 2 worker processes on one PostgreSQL. The queue is filled first, then the
 * processes are released together; the figure is messages per second from "go" until the queue
 * is empty. Target (issue 10): ≥1.7× from 1 to 2 processes on a 2-core machine. Needs PostgreSQL
 * (DATABASE_URL, else the local one from INFRA.md); the embedded database is single-process.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { migrate } from '../src/db/migrate.ts'
import { openDatabase } from '../src/db/sql.ts'
import { receive } from '../src/pipeline/receive.ts'
import { medianOf, type BenchContext, type Figure } from './harness.ts'

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

function asn(n: number): Buffer {
  return Buffer.from(JSON.stringify({
    asnNumber: `SCALE-${n}`, shippedAt: '2025-03-06T16:20:00Z',
    orders: [{ poNumber: `SC-PO-${n}`, cartons: [{ lines: [{ poLine: 10, sku: 'WID-10', qty: 5, uom: 'EA' }, { poLine: 20, sku: 'WID-20', qty: 3, uom: 'CA' }] }] }],
  }))
}

interface Child { ready: Promise<void>; done: Promise<number>; go(): void }

function worker(schema: string): Child {
  const child = spawn(process.execPath, ['bin/run-ts.js', 'bench/scale-worker.ts'], {
    env: { ...process.env, DATABASE_URL: url, DATABASE_SCHEMA: schema, DATABASE_POOL: '5', WORKERS: '4' },
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  let out = ''
  let onReady: () => void
  const ready = new Promise<void>((r) => (onReady = r))
  const done = new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d
      if (out.includes('ready')) onReady()
      const m = /done (\d+)/.exec(out)
      if (m) resolve(Number(m[1]))
    })
    child.on('exit', (code) => (code ? reject(new Error(`scale worker exited ${code}`)) : undefined))
  })
  return { ready, done, go: () => child.stdin.end('go\n') }
}

/** Messages per second with `procs` processes draining `n` preloaded messages. */
async function once(procs: number, n: number): Promise<number> {
  const schema = `bench_scale_${randomBytes(4).toString('hex')}`
  const db = await openDatabase({ databaseUrl: url, schema, dataDir: '.tmp/unused', max: 4 })
  try {
    await migrate(db.sql)
    for (let i = 0; i < n; i++) await receive({ sql: db.sql }, { transport: 'http', partnerId: 'demo-3pl', contentType: 'application/json', meta: { docType: 'asn', version: 'v1' }, body: asn(i) })
    const children = Array.from({ length: procs }, () => worker(schema))
    await Promise.all(children.map((c) => c.ready))
    const t0 = performance.now()
    for (const c of children) c.go()
    await Promise.all(children.map((c) => c.done))
    const secs = (performance.now() - t0) / 1000
    const [{ docs }] = await db.sql<{ docs: number }[]>`select count(*)::int as docs from documents`
    if (docs !== n) throw new Error(`expected ${n} documents, got ${docs}`)
    return n / secs
  } finally {
    await db.sql.unsafe(`drop schema if exists "${schema}" cascade`).catch(() => {})
    await db.close()
  }
}

export async function run(ctx: BenchContext): Promise<Figure[]> {
  const n = ctx.quick ? 200 : 1500
  const group = 'Scale-out (pipeline jobs on one PostgreSQL)'
  const one = await medianOf(ctx.runs, () => once(1, n))
  const two = await medianOf(ctx.runs, () => once(2, n))
  return [
    { group, name: `1 worker process, ${n} JSON ASNs (3 jobs each)`, value: Math.round(one), unit: 'msg/s' },
    { group, name: '2 worker processes', value: Math.round(two), unit: 'msg/s', ratio: { against: '1 process', value: Number((two / one).toFixed(2)) }, note: 'target ≥ 1.7× on 2 cores' },
  ]
}
