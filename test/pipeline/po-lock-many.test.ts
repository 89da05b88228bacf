/**
 * The per-PO lock that orders matching (match-context.ts lockPos) is held until commit, and a
 * large file is one transaction: it may lock every PO the file names. Reported by the 1 GB run:
 * an advisory lock per PO filled the server's shared lock table ("out of shared memory", about
 * 6,400 locks on a default server) and the file's parse job failed over and over. 20,000 POs
 * locked in one transaction must work, and the locks must still exclude another transaction's
 * matching, but not an ERP import (the locks are rows of their own, po_match_locks).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Database } from '../../src/db/sql.ts'
import { lockPos } from '../../src/pipeline/match-context.ts'
import { testDb, type TestDb } from '../helpers/db.ts'

const N = 20_000

describe('per-PO locks of a large transaction', () => {
  let db: TestDb
  beforeAll(async () => {
    db = await testDb()
  })
  afterAll(async () => db?.close())

  const numbers = Array.from({ length: N }, (_, i) => `PO${String(N - i).padStart(6, '0')}`)

  it(`locks ${N.toLocaleString('en')} POs in one transaction`, async () => {
    await db.sql.begin((tx) => lockPos(tx, [...numbers, 'PO-NOT-IN-ERP']))
  })

  it.runIf(Boolean(process.env.DATABASE_URL))('another transaction waits for them, an ERP import of those POs does not (PostgreSQL: two connections)', async () => {
    await db.sql`insert into erp_purchase_orders (po_number, supplier_id) values (${numbers[7]}, 'demo-x12-supplier')`
    const other: Database = await openDatabase({ databaseUrl: db.url, schema: db.schema, dataDir: '.tmp/unused', max: 1 })
    try {
      let release!: () => void
      let locked!: () => void
      const isLocked = new Promise<void>((r) => (locked = r))
      const first = db.sql.begin(async (tx) => {
        await lockPos(tx, numbers)
        locked()
        await new Promise<void>((r) => (release = r))
      })
      await isLocked
      // Every one of them is held: none can be taken by another transaction.
      const [free] = await other.sql<{ n: number }[]>`select count(*)::int as n from (select 1 from po_match_locks
        where po_number = any(${numbers}) for no key update skip locked) x`
      expect(free.n).toBe(0)
      const waited = other.sql.begin(async (tx) => {
        await tx`set local lock_timeout = '300ms'`
        await lockPos(tx, [numbers[123]])
      })
      await expect(waited).rejects.toThrow(/lock timeout/)
      // An ERP import of a locked PO does not wait for matching.
      await other.sql.begin(async (tx) => {
        await tx`set local lock_timeout = '300ms'`
        await tx`update erp_purchase_orders set status = 'closed', updated_at = now() where po_number = ${numbers[7]}`
      })
      release()
      await first
      await other.sql.begin((tx) => lockPos(tx, [numbers[123]]))
    } finally {
      await other.close()
    }
  })
})
