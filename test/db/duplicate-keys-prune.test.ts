/**
 * Duplicate keys (migration 0900) are deleted once held longer than their partner's window, so
 * the table does not grow by a key per file for ever; a key still inside its window stays and
 * still makes a resend a duplicate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { duplicateWindows, housekeep } from '../../src/app/housekeeping.ts'
import { loadConfig } from '../../src/app/gateway.ts'
import { claimDuplicateKey, pruneDuplicateKeys } from '../../src/db/lineage.ts'
import { testDb, type TestDb } from '../helpers/db.ts'

describe('pruning duplicate keys', () => {
  let db: TestDb
  beforeAll(async () => {
    db = await testDb()
  })
  afterAll(async () => db.close())

  async function seed(): Promise<void> {
    await db.sql`delete from duplicate_keys`
    for (const partner of ['a', 'b', 'gone']) {
      for (const age of [5, 20, 45, 90]) {
        await db.sql`insert into duplicate_keys (partner_id, key, interchange_id, payload_id, created_at)
          values (${partner}, ${`icn:x12:S:${age}`}, ${`ic_${partner}_${age}`}, ${`pl_${partner}_${age}`}, now() - make_interval(days => ${age}))`
      }
    }
  }

  const left = async () => (await db.sql<{ k: string }[]>`select partner_id || ':' || split_part(key, ':', 4) as k from duplicate_keys order by 1`).map((r) => r.k)

  it('each partner keeps the keys inside its own window; a partner no longer configured, the fallback', async () => {
    await seed()
    const n = await pruneDuplicateKeys(db.sql, { a: 10, b: 60 }, 30)
    expect(n).toBe(3 + 1 + 2)
    expect(await left()).toEqual(['a:5', 'b:20', 'b:45', 'b:5', 'gone:20', 'gone:5'])
    // A pruned key is claimed afresh; one inside the window is still held by its first interchange.
    const fresh = await claimDuplicateKey(db.sql, { partnerId: 'a', key: 'icn:x12:S:20', interchangeId: 'ic_new', payloadId: 'pl_new', windowDays: 10 })
    expect(fresh.interchange_id).toBe('ic_new')
    const held = await claimDuplicateKey(db.sql, { partnerId: 'b', key: 'icn:x12:S:45', interchangeId: 'ic_new2', payloadId: 'pl_new2', windowDays: 60 })
    expect(held.interchange_id).toBe('ic_b_45')
  })

  it('housekeeping reads the windows from the partner profiles', async () => {
    const { registry } = loadConfig(process.cwd())
    const { windows, fallbackDays } = duplicateWindows(registry)
    expect(Object.keys(windows).sort()).toEqual([...registry.partners.keys()].sort())
    expect(fallbackDays).toBeGreaterThanOrEqual(Math.max(...Object.values(windows)))
    const someone = [...registry.partners.values()][0]
    await db.sql`delete from duplicate_keys`
    await db.sql`insert into duplicate_keys (partner_id, key, interchange_id, payload_id, created_at) values
      (${someone.id}, 'old', 'i1', 'p1', now() - make_interval(days => ${someone.duplicates.windowDays + 1})),
      (${someone.id}, 'new', 'i2', 'p2', now() - make_interval(days => ${someone.duplicates.windowDays - 1}))`
    expect(await housekeep(db.sql, registry, { jobsRetentionDays: 0 })).toEqual({ duplicateKeysPruned: 1, jobsPruned: 0 })
    expect((await db.sql<{ key: string }[]>`select key from duplicate_keys`).map((r) => r.key)).toEqual(['new'])
  })
})
