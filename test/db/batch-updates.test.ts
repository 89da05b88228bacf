/**
 * Set-based updates probe their table's key, whatever its size and statistics. A batch of 16
 * payload outcomes against a few thousand payloads was planned as a hash join over a scan of the
 * whole table (jsonb_to_recordset is estimated at 100 rows), so every parse batch read every
 * payload ever received. Counted with pg_stat_xact_user_tables: the rows this transaction read by
 * sequential scan.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setPayloadStatuses } from '../../src/db/payloads.ts'
import type { Q } from '../../src/db/sql.ts'
import { testDb, type TestDb } from '../helpers/db.ts'

class Rollback extends Error {}

async function seqRead(q: Q, table: string): Promise<number> {
  const [r] = await q<{ n: string | null }[]>`select coalesce(seq_tup_read, 0)::text as n from pg_stat_xact_user_tables
    where schemaname = current_schema() and relname = ${table}`
  return Number(r?.n ?? 0)
}

describe('set-based updates on a table of thousands of rows', () => {
  let db: TestDb
  beforeAll(async () => {
    db = await testDb()
    await db.sql`insert into payloads (id, transport, sha256, size)
      select 'pl_' || i, 'sftp', md5(i::text), 10 from generate_series(1, 3000) as i`
    await db.sql`analyze payloads`
  })
  afterAll(async () => db.close())

  it('16 payload outcomes read 16 payload rows, not the table', async () => {
    const ids = Array.from({ length: 16 }, (_, i) => `pl_${100 + i * 7}`)
    let read = -1
    let statuses: string[] = []
    await db.sql.begin(async (tx) => {
      const before = await seqRead(tx as unknown as Q, 'payloads')
      await setPayloadStatuses(tx as unknown as Q, ids.map((id) => ({ id, status: 'parsed', standard: 'x12' })))
      read = (await seqRead(tx as unknown as Q, 'payloads')) - before
      statuses = (await tx<{ status: string }[]>`select status from payloads where id = any(${ids}) order by id`).map((r) => r.status)
      throw new Rollback()
    }).catch((e) => { if (!(e instanceof Rollback)) throw e })
    expect(statuses).toEqual(ids.map(() => 'parsed'))
    expect(read).toBe(0)
  })
})
