/**
 * Completed jobs are history (a message's detail lists them); housekeeping deletes those older
 * than JOBS_RETENTION_DAYS, so the jobs table does not grow by a few rows per file for ever.
 * Jobs waiting, running or dead-lettered stay whatever their age.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { housekeep } from '../../src/app/housekeeping.ts'
import { loadConfig } from '../../src/app/gateway.ts'
import { loadEnv } from '../../src/config/env.ts'
import { pruneCompletedJobs } from '../../src/db/jobs.ts'
import { testDb, type TestDb } from '../helpers/db.ts'

describe('pruning completed jobs', () => {
  let db: TestDb
  beforeAll(async () => {
    db = await testDb()
  })
  afterAll(async () => db.close())

  /**
   * A job in each state, 40 and then 10 days old (completed_at too, for the completed ones),
   * inserted oldest first as the queue does; `extra` more completed ones 50 days old before them.
   */
  async function seed(extra = 0): Promise<void> {
    await db.sql`delete from jobs`
    for (let i = 0; i < extra; i++)
      await db.sql`insert into jobs (stage, payload, state, created_at, completed_at)
        values ('match', ${db.sql.json({ tag: `completed:old${i}` })}, 'completed', now() - interval '50 days', now() - interval '50 days')`
    for (const age of [40, 10])
      for (const state of ['created', 'retry', 'active', 'failed', 'completed'])
        await db.sql`insert into jobs (stage, payload, state, created_at, run_after, completed_at)
          values ('parse', ${db.sql.json({ tag: `${state}:${age}` })}, ${state}, now() - make_interval(days => ${age}),
            now() - make_interval(days => ${age}), ${state === 'completed' ? db.sql`now() - make_interval(days => ${age})` : null})`
  }
  const left = async () => (await db.sql<{ tag: string }[]>`select payload->>'tag' as tag from jobs order by 1`).map((r) => r.tag)

  it('deletes completed jobs past the retention only, a page of the key at a time', async () => {
    await seed(3)
    // pages of 2 rows: the three old ones span two pages, and the walk goes on past them
    expect(await pruneCompletedJobs(db.sql, 30, 2)).toBe(4)
    expect(await left()).toEqual(['active:10', 'active:40', 'completed:10', 'created:10', 'created:40', 'failed:10', 'failed:40', 'retry:10', 'retry:40'])
  })

  it('stops at the first job created after the cutoff: nothing past it is old enough', async () => {
    await seed()
    // a completed job behind a young one (only a clock step back could make one) is left for a later run
    await db.sql`insert into jobs (stage, payload, state, created_at, completed_at)
      values ('match', ${db.sql.json({ tag: 'completed:straggler' })}, 'completed', now() - interval '60 days', now() - interval '60 days')`
    expect(await pruneCompletedJobs(db.sql, 30, 3)).toBe(1)
    expect(await left()).toContain('completed:straggler')
    expect(await left()).not.toContain('completed:40')
  })

  it('housekeeping uses JOBS_RETENTION_DAYS (default 30; 0 keeps everything)', async () => {
    const { registry } = loadConfig(process.cwd())
    expect(loadEnv({}).JOBS_RETENTION_DAYS).toBe(30)
    await seed()
    expect((await housekeep(db.sql, registry, { jobsRetentionDays: 0 })).jobsPruned).toBe(0)
    expect(await left()).toContain('completed:40')
    expect((await housekeep(db.sql, registry, { jobsRetentionDays: 5 })).jobsPruned).toBe(2)
    expect(await left()).not.toContain('completed:10')
  })
})
