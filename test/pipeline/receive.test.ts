import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getPayloadForParse, readPayload } from '../../src/db/payloads.ts'
import { openDatabase } from '../../src/db/sql.ts'
import { receive } from '../../src/pipeline/receive.ts'
import { testDb, type TestDb } from '../helpers/db.ts'

describe('receive()', () => {
  let db: TestDb
  beforeAll(async () => {
    db = await testDb()
  })
  afterAll(async () => db.close())

  it('has committed the raw bytes and the parse job before it resolves (before any ack)', async () => {
    const body = Buffer.concat([randomBytes(3 << 20), Buffer.from('\r\n\x00ISA*', 'latin1')]) // > 3 chunks, binary
    const r = await receive({ sql: db.sql }, { transport: 'cli', filename: 'x.bin', body })
    // A separate connection sees the rows: they are committed, not just inside our session.
    const other = await openDatabase({ databaseUrl: db.url, schema: db.schema, dataDir: '.tmp/unused', max: 1 })
    try {
      const [row] = await other.sql<{ size: string; sha256: string; transport: string }[]>`select size, sha256, transport from payloads where id = ${r.messageId}`
      expect(Number(row.size)).toBe(body.length)
      expect(row.sha256).toBe(r.sha256)
      expect((await readPayload(other.sql, r.messageId)).equals(body)).toBe(true)
      const jobs = await other.sql<{ stage: string; weight: number }[]>`select stage, weight from jobs where payload->>'messageId' = ${r.messageId}`
      // A worker's batch counts the parse job as its size in 16 KiB units (3 MiB and a few bytes: 193).
      expect(jobs.map((j) => [j.stage, j.weight])).toEqual([['parse', 193]])
      // What the parse stage reads: the row, then the same bytes chunk by chunk (1 MiB each), only while unparsed.
      const got = await getPayloadForParse(other.sql, r.messageId)
      expect(got?.row).toMatchObject({ id: r.messageId, status: 'received', sha256: r.sha256 })
      expect(got?.row).not.toHaveProperty('chunk')
      const chunks: Buffer[] = []
      for await (const c of got!.chunks!) chunks.push(c)
      expect(chunks.map((c) => c.length)).toEqual([1 << 20, 1 << 20, 1 << 20, body.length - (3 << 20)])
      expect(Buffer.concat(chunks).equals(body)).toBe(true)
      await other.sql`update payloads set status = 'parsed' where id = ${r.messageId}`
      expect((await getPayloadForParse(other.sql, r.messageId))?.chunks).toBeUndefined()
      expect(await getPayloadForParse(other.sql, 'msg_none')).toBeUndefined()
    } finally {
      await other.close()
    }
  })

  it('streams an async body and stores it byte-exact', async () => {
    const parts = [Buffer.from('ISA*00*'), randomBytes(1 << 20), Buffer.from('~\n')]
    async function* gen() {
      for (const p of parts) yield p
    }
    const r = await receive({ sql: db.sql }, { transport: 'sftp', partnerId: 'p1', body: gen() })
    expect((await readPayload(db.sql, r.messageId)).equals(Buffer.concat(parts))).toBe(true)
  })

  it('answers a resent transport id with the first message and stores nothing new', async () => {
    const first = await receive({ sql: db.sql }, { transport: 'as2', partnerId: 'p1', externalId: '<m1@x>', body: Buffer.from('a') })
    const again = await receive({ sql: db.sql }, { transport: 'as2', partnerId: 'p1', externalId: '<m1@x>', body: Buffer.from('a') })
    expect(first.duplicate).toBe(false)
    expect(again).toMatchObject({ messageId: first.messageId, duplicate: true })
    const [n] = await db.sql<{ n: number }[]>`select count(*)::int as n from payloads where external_id = '<m1@x>'`
    expect(n.n).toBe(1)
    // The same id from another partner is a different message.
    const other = await receive({ sql: db.sql }, { transport: 'as2', partnerId: 'p2', externalId: '<m1@x>', body: Buffer.from('a') })
    expect(other.messageId).not.toBe(first.messageId)
  })

  it('rejects (and acknowledges nothing) when the store fails, leaving no half row', async () => {
    async function* broken() {
      yield Buffer.from('ISA*')
      throw new Error('client disconnected mid-upload')
    }
    await expect(receive({ sql: db.sql }, { transport: 'sftp', filename: 'half.edi', body: broken() })).rejects.toThrow('client disconnected')
    const [n] = await db.sql<{ n: number }[]>`select count(*)::int as n from payloads where filename = 'half.edi'`
    expect(n.n).toBe(0)
  })
})
