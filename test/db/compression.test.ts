/**
 * Large values are compressed with lz4 where the server has it (migration 0930): a document's
 * JSON and the raw bytes received and sent. With pglz, compressing a document was about a
 * quarter of its insert. Embedded PGlite has no lz4 and keeps pglz; the migration still applies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDb, type TestDb } from '../helpers/db.ts'

describe('compression of large values', () => {
  let db: TestDb
  let lz4 = false
  beforeAll(async () => {
    db = await testDb()
    try {
      await db.sql.begin(async (tx) => { await tx`create temp table lz4_probe (v text compression lz4) on commit drop` })
      lz4 = true
    } catch {
      lz4 = false
    }
  })
  afterAll(async () => db.close())

  it('sets lz4 on the large columns when the server supports it, and leaves the default otherwise', async () => {
    const rows = await db.sql<{ rel: string; att: string; c: string }[]>`
      select c.relname as rel, a.attname as att, a.attcompression::text as c
      from pg_attribute a join pg_class c on c.oid = a.attrelid
      where c.relnamespace = current_schema()::regnamespace
        and (c.relname, a.attname) in (('documents', 'doc'), ('transactions', 'segments'), ('transactions', 'body'),
          ('payload_chunks', 'data'), ('deliveries', 'bytes'))
      order by 1, 2`
    expect(rows.map((r) => `${r.rel}.${r.att}`)).toEqual(['deliveries.bytes', 'documents.doc', 'payload_chunks.data', 'transactions.body', 'transactions.segments'])
    for (const r of rows) expect(r.c, `${r.rel}.${r.att}`).toBe(lz4 ? 'l' : '')
  })

  it('stores a compressible value of received bytes compressed, with lz4 where available', async () => {
    const text = Array.from({ length: 4000 }, (_, i) => `LIN*${i}*BP*ABC-${i % 10}*VP*V-77~`).join('')
    await db.sql`insert into payloads (id, transport, sha256, size) values ('pl_cmp', 'sftp', md5(${text}), ${text.length})`
    await db.sql`insert into payload_chunks (payload_id, seq, data) values ('pl_cmp', 0, ${Buffer.from(text)})`
    const [r] = await db.sql<{ method: string | null; stored: number; raw: number }[]>`
      select pg_column_compression(data) as method, pg_column_size(data) as stored, octet_length(data) as raw
      from payload_chunks where payload_id = 'pl_cmp'`
    expect(r.raw).toBe(text.length)
    expect(r.stored).toBeLessThan(r.raw / 4)
    expect(r.method).toBe(lz4 ? 'lz4' : 'pglz')
  })
})
