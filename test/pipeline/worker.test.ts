import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { enqueue } from '../../src/db/jobs.ts'
import { listExceptions } from '../../src/db/exceptions.ts'
import { silentLogger } from '../../src/lib/log.ts'
import { BATCH_SIZE, createWorker } from '../../src/pipeline/worker.ts'
import { parseWeight } from '../../src/pipeline/receive.ts'
import { testDb, type TestDb } from '../helpers/db.ts'

describe('job worker', () => {
  let db: TestDb
  beforeAll(async () => {
    db = await testDb()
    await db.sql`create table runs (job text, attempt int)`
    await db.sql`create table batch_runs (job text, xid text)`
  })
  afterAll(async () => db.close())

  it('retries with backoff and dead-letters an exhausted job into a stage_failed exception', async () => {
    const id = await enqueue(db.sql, 'flaky', { messageId: 'msg_x' }, { maxAttempts: 3 })
    const worker = createWorker({
      sql: db.sql,
      log: silentLogger,
      backoffBaseMs: 5,
      handlers: {
        flaky: {
          async run(q, _p, job) {
            await q`insert into runs values (${job.id}, ${job.attempts})`
            throw new Error(`boom on attempt ${job.attempts}`)
          },
        },
      },
    })
    await worker.drain({ timeoutMs: 10_000 })
    const [job] = await db.sql<{ state: string; attempts: number; last_error: { message: string } }[]>`select state, attempts, last_error from jobs where id = ${id!}`
    expect(job).toMatchObject({ state: 'failed', attempts: 3 })
    expect(job.last_error.message).toBe('boom on attempt 3')
    // The failed attempts' own writes were rolled back with them.
    const [runs] = await db.sql<{ n: number }[]>`select count(*)::int as n from runs`
    expect(runs.n).toBe(0)
    const exc = await listExceptions(db.sql, { code: 'stage_failed' })
    expect(exc).toHaveLength(1)
    expect(exc[0].payload_id).toBe('msg_x')
    expect(exc[0].reason).toMatchObject({ code: 'stage_failed', stage: 'flaky', attempts: 3 })
  })

  it('succeeds after transient failures and completes once', async () => {
    const id = await enqueue(db.sql, 'twice', {}, { maxAttempts: 5 })
    let calls = 0
    const worker = createWorker({
      sql: db.sql,
      log: silentLogger,
      backoffBaseMs: 5,
      handlers: {
        twice: {
          async run(q, _p, job) {
            calls++
            if (job.attempts < 3) throw new Error('transient')
            await q`insert into runs values (${job.id}, ${job.attempts})`
          },
        },
      },
    })
    await worker.drain({ timeoutMs: 10_000 })
    expect(calls).toBe(3)
    const rows = await db.sql`select * from runs where job = ${id!}`
    expect(rows).toHaveLength(1)
    const [job] = await db.sql<{ state: string }[]>`select state from jobs where id = ${id!}`
    expect(job.state).toBe('completed')
  })

  it('takes over a job whose worker died (lease expired)', async () => {
    const id = await enqueue(db.sql, 'orphan', {})
    // Simulate a worker killed mid-job: active, locked long ago.
    await db.sql`update jobs set state = 'active', attempts = 1, locked_by = 'dead', locked_at = now() - interval '1 hour' where id = ${id!}`
    const worker = createWorker({ sql: db.sql, log: silentLogger, handlers: { orphan: { async run() {} } } })
    await worker.drain({ timeoutMs: 5_000 })
    const [job] = await db.sql<{ state: string; attempts: number }[]>`select state, attempts from jobs where id = ${id!}`
    expect(job).toEqual({ state: 'completed', attempts: 2 })
  })

  it('deduplicates pending jobs by key', async () => {
    const a = await enqueue(db.sql, 'dedupe', {}, { dedupeKey: 'k1' })
    const b = await enqueue(db.sql, 'dedupe', {}, { dedupeKey: 'k1' })
    expect(a).toBeDefined()
    expect(b).toBeUndefined()
  })

  it('runs a backlog in batches: several jobs per claim and transaction, each job once', async () => {
    const ids: string[] = []
    for (let i = 0; i < 10; i++) ids.push((await enqueue(db.sql, 'batched', { i }))!)
    const worker = createWorker({
      sql: db.sql,
      log: silentLogger,
      batchSize: 4,
      handlers: { batched: { async run(q, _p, job) { await q`insert into batch_runs values (${job.id}, txid_current()::text)` } } },
    })
    await worker.drain({ timeoutMs: 10_000 })
    const runs = await db.sql<{ job: string; xid: string }[]>`select job, xid from batch_runs where job = any(${ids})`
    expect(runs.map((r) => r.job).sort()).toEqual([...ids].sort())
    const perTx = new Map<string, number>()
    for (const r of runs) perTx.set(r.xid, (perTx.get(r.xid) ?? 0) + 1)
    expect([...perTx.values()].sort((a, b) => b - a)).toEqual([4, 4, 2])
    const states = await db.sql<{ state: string }[]>`select state from jobs where id = any(${ids}::bigint[])`
    expect(states.every((j) => j.state === 'completed')).toBe(true)
  })

  it('by default a batch is BATCH_SIZE (64) light jobs, and parse weights keep it within 1 MiB of payloads', async () => {
    expect(BATCH_SIZE).toBe(64)
    const ids: string[] = []
    for (let i = 0; i < 70; i++) ids.push((await enqueue(db.sql, 'dflt', { i }))!)
    const worker = createWorker({
      sql: db.sql,
      log: silentLogger,
      handlers: { dflt: { async run(q, _p, job) { await q`insert into batch_runs values (${job.id}, txid_current()::text)` } } },
    })
    await worker.drain({ timeoutMs: 10_000 })
    const runs = await db.sql<{ job: string; xid: string }[]>`select job, xid from batch_runs where job = any(${ids})`
    const perTx = new Map<string, number>()
    for (const r of runs) perTx.set(r.xid, (perTx.get(r.xid) ?? 0) + 1)
    expect([...perTx.values()].sort((a, b) => b - a)).toEqual([64, 6])
    // A 2 KB file and a 16 KiB one weigh 1; 1 MiB fills a batch alone; 64 files of 16 KiB fit one.
    expect([2_000, 16 * 1024, 16 * 1024 + 1, 1 << 20, (1 << 20) + 1].map(parseWeight)).toEqual([1, 1, 2, 64, 65])
  })

  it('runs the jobs of a batch one after another: no handler starts before the previous one ended', async () => {
    // Handlers are written for a transaction of their own (read-then-write steps such as a
    // control number range or a duplicate check); interleaved on one transaction they broke.
    const events: string[] = []
    for (let i = 0; i < 6; i++) await enqueue(db.sql, 'serial', { i })
    const worker = createWorker({
      sql: db.sql,
      log: silentLogger,
      batchSize: 6,
      handlers: {
        serial: {
          async run(q, p) {
            events.push(`start ${p.i}`)
            await q`select pg_sleep(0.01)`
            await q`select 1`
            events.push(`end ${p.i}`)
          },
        },
      },
    })
    await worker.drain({ timeoutMs: 10_000 })
    expect(events).toHaveLength(12)
    for (let k = 0; k < events.length; k += 2) {
      expect(events[k].replace('start', 'end')).toBe(events[k + 1])
    }
  })

  it('a job failing inside a batch takes nobody down: the others complete once, it is retried and dead-lettered alone', async () => {
    const ids: string[] = []
    for (let i = 0; i < 6; i++) ids.push((await enqueue(db.sql, 'mixed', { i }, { maxAttempts: 2 }))!)
    const bad = ids[2]
    const worker = createWorker({
      sql: db.sql,
      log: silentLogger,
      batchSize: 8,
      backoffBaseMs: 5,
      handlers: {
        mixed: {
          async run(q, p, job) {
            await q`insert into batch_runs values (${job.id}, txid_current()::text)`
            if (p.i === 2) throw new Error('bad one')
          },
        },
      },
    })
    await worker.drain({ timeoutMs: 10_000 })
    const jobs = await db.sql<{ id: string; state: string; attempts: number }[]>`select id, state, attempts from jobs where id = any(${ids}::bigint[]) order by id`
    expect(jobs.map((j) => [String(j.id), j.state])).toEqual(ids.map((id) => [id, id === bad ? 'failed' : 'completed']))
    // The good jobs' first run (in the batch) was rolled back with it: one committed run each.
    const runs = await db.sql<{ job: string; n: number }[]>`select job, count(*)::int as n from batch_runs where job = any(${ids}) group by job`
    expect(Object.fromEntries(runs.map((r) => [r.job, r.n]))).toEqual(Object.fromEntries(ids.filter((id) => id !== bad).map((id) => [id, 1])))
    // Attempts count claims, not batch rollbacks: the bad job used up its two and no more.
    expect(jobs.find((j) => String(j.id) === bad)?.attempts).toBe(2)
    const exc = (await listExceptions(db.sql, { code: 'stage_failed' })).filter((e) => (e.reason as { stage?: string }).stage === 'mixed')
    expect(exc).toHaveLength(1)
  })

  it('runs a non-transactional job as the only job its worker holds', async () => {
    const ids: string[] = []
    for (let i = 0; i < 6; i++) ids.push((await enqueue(db.sql, i % 2 ? 'net' : 'local', { i }))!)
    const heldWhileSending: number[] = []
    const worker = createWorker({
      sql: db.sql,
      log: silentLogger,
      batchSize: 8,
      handlers: {
        local: { async run(q, _p, job) { await q`insert into batch_runs values (${job.id}, txid_current()::text)` } },
        net: {
          transactional: false,
          async run(q, _p, job) {
            const [r] = await q<{ n: number }[]>`select count(*)::int as n from jobs
              where state = 'active' and locked_by = (select locked_by from jobs where id = ${job.id})`
            heldWhileSending.push(r.n)
          },
        },
      },
    })
    await worker.drain({ timeoutMs: 10_000 })
    expect(heldWhileSending).toEqual([1, 1, 1])
    const states = await db.sql<{ state: string }[]>`select state from jobs where id = any(${ids}::bigint[])`
    expect(states.map((j) => j.state)).toEqual(Array(6).fill('completed'))
  })

  // A second connection steals a lease while the batch runs: PostgreSQL only (PGlite has one).
  it.runIf(Boolean(process.env.DATABASE_URL))('a batch whose lease on one job was taken over commits nothing of that job', async () => {
    const ids: string[] = []
    for (let i = 0; i < 4; i++) ids.push((await enqueue(db.sql, 'stolen', { i }))!)
    const victim = ids[1]
    let stolen = false
    const worker = createWorker({
      sql: db.sql,
      log: silentLogger,
      batchSize: 8,
      handlers: {
        stolen: {
          async run(q, _p, job) {
            if (job.id === victim && !stolen) {
              stolen = true
              await db.sql`update jobs set locked_by = 'thief', locked_at = now() where id = ${job.id}`
            }
            await q`insert into batch_runs values (${job.id}, txid_current()::text)`
          },
        },
      },
    })
    await worker.drain({ timeoutMs: 10_000 })
    const jobs = await db.sql<{ id: string; state: string; locked_by: string | null }[]>`select id, state, locked_by from jobs where id = any(${ids}::bigint[]) order by id`
    expect(jobs.map((j) => [String(j.id), j.state])).toEqual(ids.map((id) => [id, id === victim ? 'active' : 'completed']))
    expect(jobs.find((j) => String(j.id) === victim)?.locked_by).toBe('thief')
    const runs = await db.sql<{ job: string }[]>`select job from batch_runs where job = any(${ids})`
    expect(runs.map((r) => r.job).sort()).toEqual(ids.filter((id) => id !== victim).sort())
  })

  // A large file's parse can run longer than the lease. Its worker renews the lease while the
  // stage runs, so another worker never takes the job over from a live worker (it would parse
  // the file again, then again at each expiry, until the attempts ran out). Needs a second
  // connection: PostgreSQL only.
  it.runIf(Boolean(process.env.DATABASE_URL))('renews the lease of a job that runs longer than it: no other worker takes it over', async () => {
    const id = await enqueue(db.sql, 'slow', {})
    const ran: string[] = []
    const slow = (who: string) => ({ slow: { async run() { ran.push(who); await new Promise((r) => setTimeout(r, who === 'a' ? 3_500 : 0)) } } })
    const a = createWorker({ sql: db.sql, log: silentLogger, leaseSeconds: 1, handlers: slow('a') })
    const b = createWorker({ sql: db.sql, log: silentLogger, leaseSeconds: 1, handlers: slow('b') })
    const running = a.drain({ timeoutMs: 10_000 })
    await new Promise((r) => setTimeout(r, 300))
    expect(ran).toEqual(['a'])
    // For three seconds (the 1 s lease ran out three times over) b keeps looking for work.
    for (const until = Date.now() + 3_000; Date.now() < until; ) {
      await b.drain({ timeoutMs: 200 })
      await new Promise((r) => setTimeout(r, 100))
    }
    await running
    expect(ran).toEqual(['a'])
    const [job] = await db.sql<{ state: string; attempts: number }[]>`select state, attempts from jobs where id = ${id!}`
    expect(job).toEqual({ state: 'completed', attempts: 1 })
  })
})
