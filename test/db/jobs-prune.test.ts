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

  /** A job in each state, each 10 and 40 days old (completed_at too, for the completed ones). */
  async function seed(): Promise<void> {
    await db.sql`delete from jobs`
    for (const state of ['created', 'retry', 'active', 'failed', 'completed'])
      for (const age of [10, 40])
        await db.sql`insert into jobs (stage, payload, state, created_at, run_after, completed_at)
          values ('parse', ${db.sql.json({ tag: `${state}:${age}` })}, ${state}, now() - make_interval(days => ${age}),
            now() - make_interval(days => ${age}), ${state === 'completed' ? db.sql`now() - make_interval(days => ${age})` : null})`
  }
  const left = async () => (await db.sql<{ tag: string }[]>`select payload->>'tag' as tag from jobs order by 1`).map((r) => r.tag)

  it('deletes completed jobs past the retention only, in batches', async () => {
    await seed()
    // two more old completed ones, so a batch of 2 needs a second round
    await db.sql`insert into jobs (stage, payload, state, completed_at)
      select 'match', jsonb_build_object('tag', 'completed:old' || g), 'completed', now() - interval '50 days' from generate_series(1, 2) g`
    expect(await pruneCompletedJobs(db.sql, 30, 2)).toBe(3)
    expect(await left()).toEqual(['active:10', 'active:40', 'completed:10', 'created:10', 'created:40', 'failed:10', 'failed:40', 'retry:10', 'retry:40'])
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
