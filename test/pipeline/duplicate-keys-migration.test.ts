/**
 * Migration 0700 makes a document's business key + content unique among non-duplicates. A
 * database from before may hold the same document twice (the race it closes): the migration must
 * not fail on them but keep the earliest, mark the later copies (and their transactions) as its
 * duplicates, and open a duplicate_document exception for each.
 */
import { describe, expect, it } from 'vitest'
import { listMigrations, migrate } from '../../src/db/migrate.ts'
import { testDb } from '../helpers/db.ts'

describe('migration 0700 on a database that already holds duplicate documents', () => {
  it('marks the later copies as duplicates of the first, opens an exception for each, then enforces the key', async () => {
    const db = await testDb({ migrate: false })
    try {
      const all = listMigrations()
      await migrate(db.sql, all.filter((m) => m.name < '0700'))
      await db.sql`insert into payloads (id, transport, sha256, size) values ('m1', 'cli', '', 0)`
      const doc = (id: string, key: string, hash: string, status: string, at: string, duplicateOf: string | null = null) => ({
        id, payload_id: 'm1', transaction_id: `t-${id}`, partner_id: 'demo-x12-supplier', kind: 'asn', business_key: key,
        content_hash: hash, doc: { kind: 'asn' }, status, created_at: at, duplicate_of: duplicateOf,
      })
      const docs = [
        doc('d1', 'asn:A', 'h1', 'held', '2026-01-01T00:00:00Z'),
        doc('d2', 'asn:A', 'h1', 'held', '2026-01-01T00:00:01Z'), // stored twice by the race
        doc('d3', 'asn:A', 'h1', 'matched', '2026-01-01T00:00:02Z'),
        doc('d4', 'asn:A', 'h1', 'duplicate', '2026-01-01T00:00:03Z', 'd1'), // caught at the time
        doc('d5', 'asn:A', 'h2', 'held', '2026-01-01T00:00:04Z'), // same key, changed content: not a copy
        doc('d6', 'asn:B', 'h1', 'matched', '2026-01-01T00:00:05Z'),
      ]
      for (const d of docs) {
        await db.sql`insert into transactions (id, payload_id, standard, doc_type, version, control_number, status)
          values (${d.transaction_id}, 'm1', 'x12', '856', '004010', ${d.id}, ${d.status})`
      }
      await db.sql`insert into documents ${db.sql(docs)}`
      await migrate(db.sql)
      const after = await db.sql<{ id: string; status: string; duplicate_of: string | null; tx: string }[]>`
        select d.id, d.status, d.duplicate_of, t.status as tx from documents d join transactions t on t.id = d.transaction_id order by d.id`
      expect(after).toEqual([
        { id: 'd1', status: 'held', duplicate_of: null, tx: 'held' },
        { id: 'd2', status: 'duplicate', duplicate_of: 'd1', tx: 'duplicate' },
        { id: 'd3', status: 'duplicate', duplicate_of: 'd1', tx: 'duplicate' },
        { id: 'd4', status: 'duplicate', duplicate_of: 'd1', tx: 'duplicate' },
        { id: 'd5', status: 'held', duplicate_of: null, tx: 'held' },
        { id: 'd6', status: 'matched', duplicate_of: null, tx: 'matched' },
      ])
      const exc = await db.sql<{ document_id: string; code: string; state: string; reason: unknown; explanation: string }[]>`
        select document_id, code, state, reason, explanation from exceptions order by document_id`
      expect(exc.map((e) => [e.document_id, e.code, e.state])).toEqual([['d2', 'duplicate_document', 'open'], ['d3', 'duplicate_document', 'open']])
      expect(exc[0].reason).toEqual({ code: 'duplicate_document', businessKey: 'asn:A', firstDocumentId: 'd1', sameContent: true })
      expect(exc[0].explanation).toMatch(/^Document asn:A was resent with identical content \(first as d1\)/)
      // From now on the database itself refuses a second live copy.
      const again = db.sql`insert into documents (id, payload_id, partner_id, kind, business_key, content_hash, doc, status)
        values ('d7', 'm1', 'demo-x12-supplier', 'asn', 'asn:A', 'h1', '{}', 'translated')`
      await expect(again).rejects.toMatchObject({ code: '23505' })
      await db.sql`insert into documents (id, payload_id, partner_id, kind, business_key, content_hash, doc, status, duplicate_of)
        values ('d8', 'm1', 'demo-x12-supplier', 'asn', 'asn:A', 'h1', '{}', 'duplicate', 'd1')`
    } finally {
      await db.close()
    }
  })
})
