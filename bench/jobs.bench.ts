/**
 * Raw job-queue throughput (src/db/jobs.ts): enqueue in one transaction, then claim + complete
 * with a no-op stage until the queue is empty, with 1 loop and (PostgreSQL only: the embedded
 * database has one connection) 4 concurrent loops; one job per claim, and batches of 16 as the
 * worker claims a backlog (one claim, one completion and one commit for all 16). Embedded PGlite
 * always; PostgreSQL when DATABASE_URL is set.
 */
import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { claim, complete, completeAll, enqueue } from '../src/db/jobs.ts'
import { migrate } from '../src/db/migrate.ts'
import { openDatabase, type Sql } from '../src/db/sql.ts'
import { medianOf, type BenchContext, type Figure } from './harness.ts'

async function fill(sql: Sql, n: number): Promise<number> {
  await sql`delete from jobs`
  const t0 = performance.now()
  await sql.begin(async (tx) => {
    for (let i = 0; i < n; i++) await enqueue(tx, 'bench', { i })
  })
  return n / ((performance.now() - t0) / 1000)
}

async function drain(sql: Sql, loops: number, batch = 1): Promise<number> {
  const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from jobs where state = 'created'`
  const t0 = performance.now()
  await Promise.all(Array.from({ length: loops }, async (_, k) => {
    const me = `bench:${k}`
    for (;;) {
      const jobs = await claim(sql, me, ['bench'], batch)
      if (jobs.length === 0) return
      if (batch === 1) await complete(sql, jobs[0], me)
      else await sql.begin((tx) => completeAll(tx, jobs, me))
    }
  }))
  return n / ((performance.now() - t0) / 1000)
}

async function backend(name: string, sql: Sql, n: number, runs: number, concurrent: boolean): Promise<Figure[]> {
  const group = `Job queue (enqueue, claim + complete), ${name}`
  const figures: Figure[] = []
  let enq = 0
  const single = await medianOf(runs, async () => {
    enq = await fill(sql, n)
    return drain(sql, 1)
  })
  figures.push({ group, name: `enqueue (one transaction, ${n} jobs)`, value: Math.round(enq), unit: 'jobs/s' })
  figures.push({ group, name: 'claim 1 + complete, 1 loop', value: Math.round(single), unit: 'jobs/s' })
  const batched = await medianOf(runs, async () => {
    await fill(sql, n)
    return drain(sql, 1, 16)
  })
  figures.push({ group, name: 'claim 16 + complete in one transaction, 1 loop', value: Math.round(batched), unit: 'jobs/s', ratio: { against: 'claim 1', value: Number((batched / single).toFixed(2)) } })
  if (concurrent) {
    const four = await medianOf(runs, async () => {
      await fill(sql, n)
      return drain(sql, 4)
    })
    figures.push({ group, name: 'claim 1 + complete, 4 loops', value: Math.round(four), unit: 'jobs/s', ratio: { against: '1 loop', value: Number((four / single).toFixed(2)) } })
  }
  return figures
}

export async function run(ctx: BenchContext): Promise<Figure[]> {
  const n = ctx.quick ? 500 : 5000
  const out: Figure[] = []
  const dataDir = join(ctx.dir, `jobs-pglite-${randomBytes(3).toString('hex')}`)
  const emb = await openDatabase({ dataDir })
  try {
    await migrate(emb.sql)
    out.push(...(await backend('embedded PGlite', emb.sql, n, ctx.runs, false)))
  } finally {
    await emb.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
  if (process.env.DATABASE_URL) {
    const schema = `bench_jobs_${randomBytes(4).toString('hex')}`
    const pg = await openDatabase({ databaseUrl: process.env.DATABASE_URL, schema, dataDir: '.tmp/unused', max: 5 })
    try {
      await migrate(pg.sql)
      out.push(...(await backend('PostgreSQL', pg.sql, n, ctx.runs, true)))
    } finally {
      await pg.sql.unsafe(`drop schema if exists "${schema}" cascade`).catch(() => {})
      await pg.close()
    }
  }
  return out
}
