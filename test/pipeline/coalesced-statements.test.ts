/**
 * A parse batch (up to 64 small files in one transaction, their handlers at once) owes an ack per
 * file, and its matching a warehouse delivery per matched ASN. Each of them used to cost its own
 * statements: the control numbers (an upsert on control_numbers) and the delivery row with its
 * deliver job, so 16 files sent 32 statements for their acks. Requests on one transaction at
 * about the same time are now sent together (src/db/coalesce.ts): ONE control_numbers statement
 * and ONE deliveries statement for all the acks of a batch, of several partners, and one each for
 * all the warehouse deliveries of a match; the interchanges' duplicate claims and rows, one
 * statement for the batch. Statements are counted as postgres.js sends them (its
 * `debug` hook), as bench/scale-worker.ts does.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { erpCsv, edifactFile, x12File } from '../../bench/gen/e2e.ts'
import { createTablesErp } from '../../src/db/erp.ts'
import { parseX12 } from '../../src/edi/x12/index.ts'
import { parsePurchaseOrders } from '../../src/erp/import.ts'
import { matchMany } from '../../src/pipeline/match.ts'
import { parseBatch } from '../../src/pipeline/parse-batch.ts'
import { POOL_MAX, scannersCreated } from '../../src/edi/edifact/scan-wasm.ts'
import { repoProfile, tempConfigDir } from '../helpers/config.ts'
import { testDb, type TestDb } from '../helpers/db.ts'
import { statementsOf } from '../helpers/statements.ts'
import { testPipeline, type TestPipeline } from '../helpers/pipeline.ts'

/** The repository's partners, the X12 supplier's matched ASNs also going to an EDI warehouse as 856s. */
function config(): string {
  const profiles = Object.fromEntries(readdirSync('partners').filter((f) => f.endsWith('.yaml')).map((f) => {
    const id = f.slice(0, -'.yaml'.length)
    return [id, readFileSync(`partners/${f}`, 'utf8')]
  }))
  profiles['demo-x12-supplier'] = repoProfile('demo-x12-supplier', /warehouse:[\s\S]*$/,
    'warehouse:\n  destinations:\n    - { type: sftp, name: dc-east, partner: demo-warehouse, path: outbox/ }\n    - { type: x12_856, name: dc-edi, partner: dc-edi }\n')
  profiles['dc-edi'] = `id: dc-edi\nname: DC on EDI\nstatus: live\nkind: warehouse\nidentities:\n  x12: [{ qualifier: 'ZZ', id: 'DCEDI' }]\nus:\n  x12: { qualifier: 'ZZ', id: 'OURCO' }\noutbound: sftp_mailbox\nx12: { version: '004010' }\ndocuments:\n  - { direction: out, standard: x12, version: '004010', docType: '856' }\n`
  return tempConfigDir(profiles)
}

const count = (sent: string[], re: RegExp) => sent.filter((s) => re.test(s)).length
const CONTROL_NUMBERS = /insert into control_numbers/
const DELIVERIES = /insert into deliveries/
const INTERCHANGES = /insert into interchanges/

describe('statements a parse batch sends for its acks and warehouse deliveries', () => {
  let db: TestDb
  let p: TestPipeline
  beforeAll(async () => {
    db = await testDb()
    p = testPipeline(db, { configDir: config() })
  })
  afterAll(async () => db?.close())

  /** The files as a batch: received, then parsed, translated, matched and acknowledged in one transaction. */
  async function batch(files: Buffer[]): Promise<{ ids: string[]; sent: string[] }> {
    const ids: string[] = []
    for (const body of files) ids.push((await p.receive({ transport: 'cli', body })).messageId)
    const sent = await statementsOf(db.sql, () => db.sql.begin((tx) => parseBatch(p.deps, tx, ids)))
    return { ids, sent }
  }

  it('the acks of 16 files of two partners: ONE control_numbers statement and ONE deliveries statement, distinct control numbers', async () => {
    // No ERP orders: the documents wait for their POs, nothing goes to the warehouses.
    const files = Array.from({ length: 8 }, (_, i) => [x12File('856', i, 1, i), edifactFile('DESADV', i, 1, 100 + i)]).flat()
    const { ids, sent } = await batch(files)
    expect(count(sent, CONTROL_NUMBERS), 'control_numbers statements').toBe(1)
    expect(count(sent, DELIVERIES), 'deliveries statements').toBe(1)
    // The 16 interchanges' duplicate claims and rows: one statement too.
    expect(count(sent, INTERCHANGES), 'interchange statements').toBe(1)
    const [stored] = await db.sql<{ n: number; keys: number }[]>`select count(*)::int as n,
      (select count(*)::int from duplicate_keys k join interchanges i on i.id = k.interchange_id where i.payload_id = any(${ids})) as keys
      from interchanges where payload_id = any(${ids}) and status <> 'duplicate'`
    expect(stored).toEqual({ n: 16, keys: 16 })
    // Each set's row written once, after matching, with its final status (migration 0920).
    expect(count(sent, /insert into transactions/), 'transaction inserts').toBe(1)
    expect(count(sent, /update transactions/), 'transaction updates').toBe(0)
    const txs = await db.sql<{ status: string; segments: unknown }[]>`select status, segments from transactions where payload_id = any(${ids})`
    expect(txs.map((t) => [t.status, t.segments])).toEqual(Array(16).fill(['waiting', null]))

    const acks = await db.sql<{ id: string; partner_id: string; doc_type: string; text: string; control_number: string }[]>`
      select d.id, d.partner_id, d.doc_type, convert_from(d.bytes, 'LATIN1') as text, d.control_number from deliveries d
      join interchanges i on d.parent_table = 'interchanges' and d.parent_id = i.id
      where d.kind = 'ack' and i.payload_id = any(${ids})`
    expect(acks.map((a) => a.doc_type).sort()).toEqual([...Array(8).fill('997'), ...Array(8).fill('CONTRL')].sort())
    // Each 997 its own ISA13, GS06 and ST02: 1..8 for the partner; each CONTRL its own UNB 0020.
    const refs = acks.filter((a) => a.doc_type === '997').map((a) => parseX12(Buffer.from(a.text, 'latin1')).interchanges[0])
    const numbers = (v: string[]) => v.map(Number).sort((a, b) => a - b)
    const oneToEight = Array.from({ length: 8 }, (_, i) => i + 1)
    expect(numbers(refs.map((r) => r.controlNumber))).toEqual(oneToEight)
    expect(numbers(refs.map((r) => r.groups[0].controlNumber))).toEqual(oneToEight)
    expect(numbers(refs.map((r) => r.groups[0].transactions[0].controlNumber))).toEqual(oneToEight)
    expect(numbers(acks.filter((a) => a.doc_type === 'CONTRL').map((a) => a.control_number))).toEqual(oneToEight)
    // Each delivery has its deliver job.
    const jobs = await db.sql<{ payload: { deliveryId: string; partnerId: string }; dedupe_key: string }[]>`
      select payload, dedupe_key from jobs where stage = 'deliver' and payload->>'deliveryId' = any(${acks.map((a) => a.id)})`
    expect(jobs.map((j) => [j.payload.deliveryId, j.payload.partnerId, j.dedupe_key]).sort())
      .toEqual(acks.map((a) => [a.id, a.partner_id, `deliver:${a.id}`]).sort())
  })

  it('a batch of more one-chunk EDIFACT files than the scanner pool holds makes no new scanner: each file is read to its end before its first statement', async () => {
    const files = Array.from({ length: POOL_MAX + 8 }, (_, i) => edifactFile(i % 2 ? 'DESADV' : 'INVOIC', 200 + i, 1, 200 + i))
    await batch(files.slice(0, 1)) // the pool holds one scanner at least
    const before = scannersCreated()
    const { ids } = await batch(files.slice(1))
    // Held through the batch's statements, every file took its own (31 new ones here before).
    expect(scannersCreated() - before).toBe(0)
    const [parsed] = await db.sql<{ n: number }[]>`select count(*)::int as n from payloads where id = any(${ids}) and status = 'parsed'`
    expect(parsed.n).toBe(files.length - 1)
  })

  it('the warehouse deliveries of the ASNs a batch matches: ONE statement for their 856s\' control numbers, ONE for all of them', async () => {
    const { orders } = parsePurchaseOrders(erpCsv(40), 'csv')
    await createTablesErp(db.sql).upsertOrders(orders)
    const files = Array.from({ length: 8 }, (_, i) => x12File('856', 20 + i, 1, 20 + i))
    const { ids, sent } = await batch(files)
    const docs = await db.sql<{ id: string; status: string }[]>`select id, status from documents where payload_id = any(${ids})`
    expect(docs.map((d) => d.status)).toEqual(Array(8).fill('matched'))
    // One of each for the warehouse 856s (in the match), one of each for the acks (last).
    expect(count(sent, CONTROL_NUMBERS), 'control_numbers statements').toBe(2)
    expect(count(sent, DELIVERIES), 'deliveries statements').toBe(2)

    const out = await db.sql<{ id: string; partner_id: string; doc_type: string; parent_id: string; bytes: Buffer; interchange_control: string | null }[]>`
      select id, partner_id, doc_type, parent_id, bytes, interchange_control from deliveries
      where kind = 'warehouse' and parent_id = any(${docs.map((d) => d.id)})`
    expect(out.filter((d) => d.doc_type === 'asn')).toHaveLength(8)
    const edi = out.filter((d) => d.doc_type === '856')
    expect(edi.map((d) => d.partner_id)).toEqual(Array(8).fill('dc-edi'))
    // The 856s' ISA13 1..8, each the one its bytes carry.
    expect(edi.map((d) => Number(d.interchange_control)).sort((a, b) => a - b)).toEqual(Array.from({ length: 8 }, (_, i) => i + 1))
    for (const d of edi) expect(parseX12(d.bytes).interchanges[0].controlNumber).toBe(d.interchange_control)
    const jobs = await db.sql<{ payload: { deliveryId: string; partnerId: string; documentId: string } }[]>`
      select payload from jobs where stage = 'deliver' and payload->>'deliveryId' = any(${out.map((d) => d.id)})`
    expect(jobs.map((j) => [j.payload.deliveryId, j.payload.partnerId, j.payload.documentId]).sort())
      .toEqual(out.map((d) => [d.id, 'demo-x12-supplier', d.parent_id]).sort())
  })

  it('one file twice in a batch: its interchange is claimed once in the shared statement, the copy is the duplicate', async () => {
    const file = x12File('856', 60, 1, 60)
    const other = x12File('856', 61, 1, 61)
    const { ids, sent } = await batch([file, other, file])
    expect(count(sent, INTERCHANGES), 'interchange statements').toBe(1)
    const rows = await db.sql<{ payload_id: string; status: string; duplicate_of: string | null; id: string }[]>`
      select payload_id, status, duplicate_of, id from interchanges where payload_id = any(${ids})`
    const of = (id: string) => rows.find((r) => r.payload_id === id)!
    expect(of(ids[0]).status).not.toBe('duplicate')
    expect(of(ids[1]).status).not.toBe('duplicate')
    expect(of(ids[2])).toMatchObject({ status: 'duplicate', duplicate_of: of(ids[0]).id })
    const exc = await db.sql<{ code: string }[]>`select code from exceptions where payload_id = ${ids[2]}`
    expect(exc.map((e) => e.code)).toEqual(['duplicate_interchange'])
  })

  it('one file twice in a batch, the later copy handled first: the copy received first is the one processed', async () => {
    const file = x12File('856', 62, 1, 62)
    const first = (await p.receive({ transport: 'cli', body: file })).messageId
    await new Promise((r) => setTimeout(r, 5)) // payload ids are time-ordered to the millisecond
    const second = (await p.receive({ transport: 'cli', body: file })).messageId
    expect(first < second).toBe(true)
    await db.sql.begin((tx) => parseBatch(p.deps, tx, [second, first]))
    const rows = await db.sql<{ payload_id: string; status: string }[]>`
      select payload_id, status from interchanges where payload_id = any(${[first, second]})`
    expect(rows.find((r) => r.payload_id === first)?.status).not.toBe('duplicate')
    expect(rows.find((r) => r.payload_id === second)?.status).toBe('duplicate')
  })

  it('invoices matched again once their ASNs are: their stale exceptions resolved in ONE statement', async () => {
    const { orders } = parsePurchaseOrders(erpCsv(90), 'csv')
    await createTablesErp(db.sql).upsertOrders(orders)
    // Invoices before their ASNs: held, invoiced over shipped.
    const inv = await batch(Array.from({ length: 6 }, (_, i) => x12File('810', 70 + i, 1, 70 + i)))
    const invoices = await db.sql<{ id: string; status: string }[]>`select id, status from documents where payload_id = any(${inv.ids}) order by id`
    expect(invoices.map((d) => d.status)).toEqual(Array(6).fill('held'))
    const open = await db.sql<{ id: string }[]>`select id from exceptions where document_id = any(${invoices.map((d) => d.id)}) and state = 'open'`
    expect(open.length).toBeGreaterThanOrEqual(6)
    await batch(Array.from({ length: 6 }, (_, i) => x12File('856', 70 + i, 1, 80 + i)))
    const sent = await statementsOf(db.sql, () => db.sql.begin((tx) => matchMany(p.deps, tx, invoices.map((d) => d.id))))
    expect(count(sent, /update exceptions set state/), 'exception updates').toBe(1)
    const after = await db.sql<{ status: string }[]>`select status from documents where id = any(${invoices.map((d) => d.id)})`
    expect(after.map((d) => d.status)).toEqual(Array(6).fill('matched'))
    const states = await db.sql<{ state: string }[]>`select state from exceptions where id = any(${open.map((e) => e.id)})`
    expect(states.map((e) => e.state)).toEqual(open.map(() => 'resolved'))
  })
})
