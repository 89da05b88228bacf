import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTablesErp } from '../../src/db/erp.ts'
import { listExceptions, setExceptionState } from '../../src/db/exceptions.ts'
import { parsePurchaseOrders } from '../../src/erp/import.ts'
import { releaseIfClear, rematchForOrders } from '../../src/pipeline/match.ts'
import { repoProfile, tempConfigDir } from '../helpers/config.ts'
import { testDb, type TestDb } from '../helpers/db.ts'
import { pipelineSuite, testPipeline } from '../helpers/pipeline.ts'

const ASN = readFileSync('fixtures/demo-x12-supplier/856-asn-20250305-01.edi', 'latin1')
const INVOICE = readFileSync('fixtures/demo-x12-supplier/810-inv-7781.edi', 'latin1')
const ERP = readFileSync('fixtures/erp/demo-purchase-orders.csv', 'utf8')

/** Same document under a new interchange control number (ISA13/IEA02). */
function withIsa13(edi: string, n: number): string {
  const ctl = String(n).padStart(9, '0')
  return edi.replace(/(ISA\*(?:[^*]*\*){12})\d{9}/, `$1${ctl}`).replace(/IEA\*1\*\d{9}/, `IEA*1*${ctl}`)
}

async function importErp(db: TestDb): Promise<string[]> {
  const { orders } = parsePurchaseOrders(ERP, 'csv')
  await createTablesErp(db.sql).upsertOrders(orders)
  return orders.map((o) => o.poNumber)
}

async function docStatus(db: TestDb, key: string): Promise<string[]> {
  return (await db.sql<{ status: string }[]>`select status from documents where business_key = ${key} order by created_at`).map((r) => r.status)
}

describe('matching in the pipeline', () => {
  const suite = pipelineSuite()

  it('holds an ASN that arrives before its PO and matches it when the PO arrives', async () => {
    await suite.p.ingest({ transport: 'cli', body: Buffer.from(withIsa13(ASN, 901), 'latin1') })
    expect(await docStatus(suite.db, 'asn:ASN-20250305-01')).toEqual(['waiting'])
    const waiting = await listExceptions(suite.db.sql, { code: 'po_not_found', state: 'open' })
    expect(waiting).toHaveLength(1)
    // No warehouse delivery and no "validated" ERP event while it waits.
    const [wh] = await suite.db.sql<{ n: number }[]>`select count(*)::int as n from deliveries where kind = 'warehouse'`
    expect(wh.n).toBe(0)

    const pos = await importErp(suite.db)
    expect(await rematchForOrders(suite.db.sql, pos)).toBe(1)
    await suite.p.drain()
    expect(await docStatus(suite.db, 'asn:ASN-20250305-01')).toEqual(['matched'])
    const after = await listExceptions(suite.db.sql, { code: 'po_not_found' })
    expect(after.map((e) => e.state)).toEqual(['resolved'])
    const [wh2] = await suite.db.sql<{ n: number }[]>`select count(*)::int as n from deliveries where kind = 'warehouse'`
    expect(wh2.n).toBe(1)
  })

  it('releases a held ASN only when its exception is resolved', async () => {
    // 30 EA against 24 ordered: over the profile's 5 % tolerance (and nothing left open).
    const over = withIsa13(ASN, 902).replace('ASN-20250305-01', 'ASN-OVER-1').replace('SN1**24*EA', 'SN1**30*EA')
    await suite.p.ingest({ transport: 'cli', body: Buffer.from(over, 'latin1') })
    const [doc] = await suite.db.sql<{ id: string; status: string }[]>`select id, status from documents where business_key = 'asn:ASN-OVER-1'`
    expect(doc.status).toBe('held')
    const open = await listExceptions(suite.db.sql, { documentId: doc.id, state: 'open' })
    expect(open.length).toBeGreaterThan(0)
    // Resolving one of several blocking exceptions is not enough.
    await setExceptionState(suite.db.sql, open[0].id, 'resolved', { note: 'supplier confirmed' })
    const released = await suite.db.sql.begin((tx) => releaseIfClear(suite.p.deps, tx, doc.id))
    expect(released).toBe(open.length === 1)
    for (const e of open.slice(1)) await setExceptionState(suite.db.sql, e.id, 'ignored', { note: 'accepted over-shipment' })
    if (!released) expect(await suite.db.sql.begin((tx) => releaseIfClear(suite.p.deps, tx, doc.id))).toBe(true)
    expect(await docStatus(suite.db, 'asn:ASN-OVER-1')).toEqual(['released'])
    const events = await suite.db.sql<{ type: string }[]>`select type from erp_events where document_id = ${doc.id} order by seq`
    expect(events.map((e) => e.type)).toEqual(['asn_held', 'asn_released'])
    const [wh] = await suite.db.sql<{ n: number }[]>`select count(*)::int as n from deliveries where kind = 'warehouse' and parent_id = ${doc.id}`
    expect(wh.n).toBe(1)
  })

  it('never processes an invoice twice when it is resent under a new ISA13', async () => {
    await suite.p.ingest({ transport: 'cli', body: Buffer.from(withIsa13(INVOICE, 910), 'latin1') })
    await suite.p.ingest({ transport: 'cli', body: Buffer.from(withIsa13(INVOICE, 911), 'latin1') })
    expect(await docStatus(suite.db, 'inv:INV-7781')).toEqual(['matched', 'duplicate'])
    const dup = await listExceptions(suite.db.sql, { code: 'duplicate_document' })
    expect(dup).toHaveLength(1)
    const events = await suite.db.sql<{ n: number }[]>`select count(*)::int as n from erp_events where type = 'invoice_matched'`
    expect(events[0].n).toBe(1)
  })
})

describe('warehouse webhook delivery', () => {
  let db: TestDb
  let server: Server
  let url: string
  const seen: { key: string; signature: string; body: string }[] = []
  let failures = 2
  beforeAll(async () => {
    db = await testDb()
    server = createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        seen.push({ key: String(req.headers['idempotency-key']), signature: String(req.headers['x-edi-gateway-signature']), body })
        res.statusCode = failures-- > 0 ? 503 : 200
        res.end()
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/asn`
  })
  afterAll(async () => {
    server.close()
    await db.close()
  })

  it('retries a failing webhook and delivers once, with one idempotency key and a valid HMAC', async () => {
    const dir = tempConfigDir({
      'demo-x12-supplier': repoProfile('demo-x12-supplier', /warehouse:[\s\S]*$/, `warehouse:\n  destinations:\n    - { type: webhook, name: dc-hook, url: '${url}', secret: 'env:TEST_WH_SECRET' }\n`),
    })
    process.env.TEST_WH_SECRET = 'whsec-test-123'
    const p = testPipeline(db, { configDir: dir, backoffBaseMs: 10 })
    await importErp(db)
    await p.ingest({ transport: 'cli', body: Buffer.from(ASN, 'latin1') })
    for (let i = 0; i < 20 && seen.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 50))
      await p.drain()
    }
    expect(seen).toHaveLength(3)
    expect(new Set(seen.map((s) => s.key)).size).toBe(1)
    for (const s of seen) {
      expect(s.signature).toBe(`sha256=${createHmac('sha256', 'whsec-test-123').update(s.body).digest('hex')}`)
    }
    expect(JSON.parse(seen[0].body).asn.shipmentId).toBe('ASN-20250305-01')
    const [d] = await db.sql<{ status: string; attempts: number; history: { status: string; attempts: number }[] }[]>`
      select status, attempts, history from deliveries where kind = 'warehouse'`
    expect({ status: d.status, attempts: d.attempts }).toEqual({ status: 'acknowledged', attempts: 3 })
    // Queued through the two refusals, acknowledged by the 2xx.
    expect(d.history.map((h) => [h.status, h.attempts])).toEqual([['pending', 0], ['queued', 1], ['acknowledged', 3]])
    // Nothing more is sent once delivered.
    await p.drain()
    expect(seen).toHaveLength(3)
  })
})

describe('an invoice matched before its ASN', () => {
  const suite = pipelineSuite()

  it('is held as invoiced over shipped, and matched again (exception resolved) once the ASN is matched', async () => {
    await importErp(suite.db)
    await suite.p.ingest({ transport: 'cli', body: Buffer.from(withIsa13(INVOICE, 951), 'latin1') })
    expect(await docStatus(suite.db, 'inv:INV-7781')).toEqual(['held'])
    const held = await listExceptions(suite.db.sql, { code: 'invoice_qty_over_shipped', state: 'open' })
    expect(held.length).toBeGreaterThan(0)
    // The ASN for the same PO: matched, and its commit makes the held invoice's re-match runnable.
    await suite.p.ingest({ transport: 'cli', body: Buffer.from(withIsa13(ASN, 952), 'latin1') })
    await suite.p.drain()
    expect(await docStatus(suite.db, 'asn:ASN-20250305-01')).toEqual(['matched'])
    expect(await docStatus(suite.db, 'inv:INV-7781')).toEqual(['matched'])
    const after = await listExceptions(suite.db.sql, { code: 'invoice_qty_over_shipped' })
    expect(after.map((e) => e.state)).toEqual(held.map(() => 'resolved'))
  })
})

describe('an ASN and its invoice in one file', () => {
  const suite = pipelineSuite()

  it('are matched in order in one pass: the invoice sees the goods shipped and is never held', async () => {
    await importErp(suite.db)
    // Two interchanges in one payload: the 856, then the 810 for the same PO. Translated and
    // matched together (one set-based pass in two rounds: the invoice after the ASN's writes).
    const body = withIsa13(ASN, 961).trimEnd() + '\n' + withIsa13(INVOICE, 962)
    await suite.p.ingest({ transport: 'cli', body: Buffer.from(body, 'latin1') })
    expect(await docStatus(suite.db, 'asn:ASN-20250305-01')).toEqual(['matched'])
    expect(await docStatus(suite.db, 'inv:INV-7781')).toEqual(['matched'])
    const [jobs] = await suite.db.sql<{ n: number }[]>`select count(*)::int as n from jobs where stage = 'match'`
    expect(jobs.n).toBe(0)
    expect(await listExceptions(suite.db.sql, { code: 'invoice_qty_over_shipped' })).toEqual([])
  })
})
