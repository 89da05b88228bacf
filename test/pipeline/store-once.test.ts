/**
 * The parse stage's inline pass stores each document once, by match, with its outcome: translate
 * maps it and looks its copies up by the unique key (business key and content), match inserts it.
 * It was inserted by translate and updated by match in the same transaction, which rewrote the
 * row and every index entry. Copies are still recorded as duplicates of the stored document: of
 * one stored before, of one earlier in the same batch, and of one another transaction stored
 * while this one was matching (the pass then falls back to translate jobs, which find it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { erpCsv, sscc, x12File } from '../../bench/gen/e2e.ts'
import { createTablesErp } from '../../src/db/erp.ts'
import { openDatabase, type Database } from '../../src/db/sql.ts'
import { parsePurchaseOrders } from '../../src/erp/import.ts'
import { parseBatch } from '../../src/pipeline/parse-batch.ts'
import { testDb, type TestDb } from '../helpers/db.ts'
import { statementsOf } from '../helpers/statements.ts'
import { testPipeline, type TestPipeline } from '../helpers/pipeline.ts'

const onPostgres = Boolean(process.env.DATABASE_URL)

describe('documents stored once by the inline pass', () => {
  let db: TestDb
  let p: TestPipeline
  beforeAll(async () => {
    db = await testDb()
    p = testPipeline(db)
    const { orders } = parsePurchaseOrders(erpCsv(100), 'csv')
    await createTablesErp(db.sql).upsertOrders(orders)
  })
  afterAll(async () => db?.close())

  async function received(files: Buffer[]): Promise<string[]> {
    const ids: string[] = []
    for (const body of files) ids.push((await p.receive({ transport: 'cli', body })).messageId)
    return ids
  }

  const docsOf = (ids: string[]) => db.sql<{ id: string; payload_id: string; kind: string; status: string; match: unknown; business_key: string; duplicate_of: string | null }[]>`
    select id, payload_id, kind, status, match, business_key, duplicate_of from documents where payload_id = any(${ids}) order by payload_id`

  it('ASNs and their invoices in one batch: an insert per round, no update; each stored with its outcome', async () => {
    const ids = await received([1, 2, 3, 4].flatMap((n) => [x12File('856', n, 1, n), x12File('810', n, 1, 10 + n)]))
    const sent = await statementsOf(db.sql, () => db.sql.begin((tx) => parseBatch(p.deps, tx, ids)))
    // Two rounds: the ASNs, then the invoices that depend on them.
    expect(sent.filter((s) => /insert into documents/.test(s)), 'document inserts').toHaveLength(2)
    expect(sent.filter((s) => /update documents/.test(s)), 'document updates').toHaveLength(0)
    // The ASNs' round stores them before it asks for held invoices of their POs to be matched
    // again (that statement reads documents), the order the update had.
    const firstInsert = sent.findIndex((s) => /insert into documents/.test(s))
    const rematch = sent.findIndex((s) => /insert into jobs \(stage, payload, dedupe_key\) select distinct 'match'/.test(s))
    expect(rematch, 'the re-match of held invoices').toBeGreaterThan(-1)
    expect(firstInsert).toBeLessThan(rematch)
    const docs = await docsOf(ids)
    expect(docs.map((d) => `${d.kind}:${d.status}`).sort()).toEqual([...Array(4).fill('asn:matched'), ...Array(4).fill('invoice:matched')])
    for (const d of docs) expect(d.match, d.id).toMatchObject({ status: 'matched' })
  })

  // Matching's reads cannot see documents not stored yet; what they would have found among them
  // comes from memory. Two ASNs of one batch sharing a label, and two invoices sharing a number
  // (not copies: other content), each see the other, as when both were stored before matching.
  it('two ASNs of one batch with one SSCC, two invoices with one number: each flags the other', async () => {
    const a = x12File('856', 50, 1, 500)
    const b = Buffer.from(x12File('856', 51, 1, 501).toString('latin1').replace(`MAN*GM*00${sscc(51 * 4)}`, `MAN*GM*00${sscc(50 * 4)}`), 'latin1')
    const i1 = x12File('810', 52, 1, 502)
    const i2 = Buffer.from(x12File('810', 53, 1, 503).toString('latin1').replace('*INV-53*', '*INV-52*'), 'latin1')
    const ids = await received([a, b, i1, i2])
    await db.sql.begin((tx) => parseBatch(p.deps, tx, ids))
    const exc = await db.sql<{ payload_id: string; code: string; other: string | null }[]>`
      select payload_id, code, reason->>'otherShipmentId' as other from exceptions
      where payload_id = any(${ids}) and code in ('sscc_reused', 'invoice_duplicate')`
    const found = exc.map((e) => [ids.indexOf(e.payload_id), e.code, e.other]).sort((x, y) => Number(x[0]) - Number(y[0]))
    expect(found).toEqual([[0, 'sscc_reused', 'ASN-51'], [1, 'sscc_reused', 'ASN-50'], [2, 'invoice_duplicate', null], [3, 'invoice_duplicate', null]])
  })

  it('a copy in the same batch, and one of a document stored before: duplicates of the stored one', async () => {
    const [first, second] = await received([x12File('856', 20, 1, 200), x12File('856', 20, 1, 201)])
    await db.sql.begin((tx) => parseBatch(p.deps, tx, [first, second]))
    const [third] = await received([x12File('856', 20, 1, 202)])
    await db.sql.begin((tx) => parseBatch(p.deps, tx, [third]))
    const docs = await docsOf([first, second, third])
    const stored = docs.find((d) => d.payload_id === first)!
    expect(stored.status).toBe('matched')
    expect(docs.filter((d) => d.payload_id !== first).map((d) => [d.status, d.duplicate_of])).toEqual([['duplicate', stored.id], ['duplicate', stored.id]])
    const exc = await db.sql<{ payload_id: string }[]>`select payload_id from exceptions where code = 'duplicate_document' and payload_id = any(${[second, third]}) order by payload_id`
    expect(exc.map((e) => e.payload_id)).toEqual([second, third].sort())
    const txs = await db.sql<{ status: string }[]>`select status from transactions where payload_id = any(${[second, third]})`
    expect(txs.map((t) => t.status)).toEqual(['duplicate', 'duplicate'])
  })

  it.runIf(onPostgres)('a copy another transaction stores while this one matches: translate jobs take the sets, the copy is a duplicate', async () => {
    const conc: Database = await openDatabase({ databaseUrl: db.url, schema: db.schema, dataDir: '.tmp/unused', max: 2 })
    try {
      const [a, b] = await received([x12File('856', 30, 1, 300), x12File('856', 30, 1, 301)])
      let release!: () => void
      const gate = new Promise<void>((r) => (release = r))
      let parsedA!: () => void
      const aParsed = new Promise<void>((r) => (parsedA = r))
      // A is parsed and matched, not committed: B's look-up cannot see its document.
      const ta = conc.sql.begin(async (tx) => {
        await parseBatch(p.deps, tx, [a])
        parsedA()
        await gate
      })
      await aParsed
      const tb = conc.sql.begin((tx) => parseBatch(p.deps, tx, [b]))
      // B waits for A (the PO's match lock); then A commits.
      for (let i = 0; i < 200; i++) {
        const [w] = await db.sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`
        if (w.n > 0) break
        await new Promise((r) => setTimeout(r, 10))
      }
      release()
      await Promise.all([ta, tb])
      // B's pass fell back: its set went to a translate job.
      const [queued] = await db.sql<{ n: number }[]>`select count(*)::int as n from jobs where stage = 'translate' and payload->>'messageId' = ${b}`
      expect(queued.n).toBe(1)
      await p.drain()
      const docs = await docsOf([a, b])
      const stored = docs.find((d) => d.payload_id === a)!
      expect(stored.status).toBe('matched')
      expect(docs.find((d) => d.payload_id === b)).toMatchObject({ status: 'duplicate', duplicate_of: stored.id })
      const live = await db.sql<{ n: number }[]>`select count(*)::int as n from documents where business_key = ${stored.business_key} and status <> 'duplicate'`
      expect(live[0].n).toBe(1)
    } finally {
      await conc.close()
    }
  })
})
