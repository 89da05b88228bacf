/**
 * Migration 0920: a document may point at a transaction row stored later in the same database
 * transaction (the parse stage stores the rows after matching); at commit the row must be there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDb, type TestDb } from '../helpers/db.ts'

describe('documents → transactions foreign key, checked at commit', () => {
  let db: TestDb
  beforeAll(async () => {
    db = await testDb()
    await db.sql`insert into payloads (id, transport, sha256, size) values ('pl_fk', 'sftp', 'x', 1)`
  })
  afterAll(async () => db.close())


  it('the document first, its transaction row later in the same transaction: committed', async () => {
    await db.sql.begin(async (tx) => {
      await tx`insert into documents (id, payload_id, transaction_id, partner_id, kind, business_key, content_hash, doc, status)
        values ('doc_a', 'pl_fk', 'txn_a', 'p', 'asn', 'asn:a', 'h', '{}'::jsonb, 'matched')`
      await tx`insert into transactions (id, payload_id, standard, doc_type, version, control_number, status)
        values ('txn_a', 'pl_fk', 'x12', '856', '004010', '0001', 'matched')`
    })
    const [row] = await db.sql<{ transaction_id: string }[]>`select transaction_id from documents where id = 'doc_a'`
    expect(row.transaction_id).toBe('txn_a')
  })

  it('a transaction row that never comes: the commit fails and nothing is stored', async () => {
    await expect(db.sql.begin(async (tx) => {
      await tx`insert into documents (id, payload_id, transaction_id, partner_id, kind, business_key, content_hash, doc, status)
        values ('doc_b', 'pl_fk', 'txn_missing', 'p', 'asn', 'asn:b', 'h', '{}'::jsonb, 'matched')`
    })).rejects.toThrow(/foreign key/)
    const rows = await db.sql`select 1 from documents where id = 'doc_b'`
    expect(rows).toHaveLength(0)
  })
})
