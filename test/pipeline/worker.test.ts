import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { enqueue } from '../../src/db/jobs.ts'
import { listExceptions } from '../../src/db/exceptions.ts'
import { silentLogger } from '../../src/lib/log.ts'
import { createWorker } from '../../src/pipeline/worker.ts'
import { testDb, type TestDb } from '../helpers/db.ts'

describe('job worker', () => {
  let db: TestDb
  beforeAll(async () => {
    db = await testDb()
    await db.sql`create table runs (job text, attempt int)`
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
})
