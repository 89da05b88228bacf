/**
 * Test and production never mix (issue 5): a `testing` partner's documents are processed and
 * acknowledged but never reach the ERP outbox (erp_events) or the warehouses (deliveries of kind
 * warehouse); a live partner's ISA15=T interchange under `testIndicator: treat_as_test` is handled
 * the same way. A live production interchange through the same pipeline is the control: it does
 * publish both, so the assertions can fail.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ENGINES } from '../../src/app/engines.ts'
import { loadConfig } from '../../src/app/gateway.ts'
import { createMapper } from '../../src/app/mapper.ts'
import { createTablesErp } from '../../src/db/erp.ts'
import { parsePurchaseOrders } from '../../src/erp/import.ts'
import { silentLogger } from '../../src/lib/log.ts'
import { gs1CheckDigit } from '../../src/matching/index.ts'
import type { PipelineDeps } from '../../src/pipeline/deps.ts'
import { receive } from '../../src/pipeline/receive.ts'
import { pipelineStages } from '../../src/pipeline/stages.ts'
import { createWorker, type Worker } from '../../src/pipeline/worker.ts'
import { testDb, type TestDb } from '../helpers/db.ts'
import { samplesDir, sampleAs, supplierYaml, tempConfig, type TempConfig } from '../onboarding/config-dir.ts'

let labels = 0
const sscc = (n: number) => {
  const body = `0000123456${String(n).padStart(7, '0')}`
  return body + gs1CheckDigit(body)
}

const WAREHOUSE = `warehouse:\n  destinations:\n    - { type: sftp, name: dc-east, partner: demo-warehouse, path: outbox/ }\n`

/** A demo sample from another sender, for another PO, optionally ISA15=T and a new ISA13. */
function variant(file: string, o: { isa: string; po: string; test?: boolean; control?: string }): Buffer {
  let t = sampleAs(file, o.isa).replaceAll('4500001001', o.po)
  if (o.test) t = t.replace(/\*P\*>~/, '*T*>~')
  if (o.control) t = t.replace(/\*(\d{9})\*0\*/, `*${o.control}*0*`).replace(/IEA\*1\*\d{9}/, `IEA*1*${o.control}`)
  // Fresh SSCCs: a label already on another open ASN is an exception of its own (sscc_reused).
  t = t.replace(/MAN\*GM\*\d{20}/g, () => `MAN*GM*00${sscc(++labels)}`)
  return Buffer.from(t, 'latin1')
}

describe('testing partners and test interchanges never reach the ERP or the warehouses', () => {
  let db: TestDb
  let cfg: TempConfig
  let deps: PipelineDeps
  let worker: Worker

  beforeAll(async () => {
    db = await testDb()
    cfg = tempConfig({ partners: ['demo-warehouse'] })
    cfg.write('partners/testing-supplier.yaml', supplierYaml('testing-supplier', 'TESTSUPPLY', WAREHOUSE).replace('status: live', 'status: testing'))
    cfg.write('partners/live-supplier.yaml', supplierYaml('live-supplier', 'LIVESUPPLY', `testIndicator: treat_as_test\n${WAREHOUSE}`))
    const { registry, maps } = loadConfig(cfg.dir)
    deps = {
      sql: db.sql, registry, engines: ENGINES, mapper: createMapper(maps), log: silentLogger, transports: {},
      now: () => new Date('2026-03-04T12:00:00Z'), wake: () => worker?.wake(),
    }
    worker = createWorker({ sql: db.sql, handlers: pipelineStages(deps), log: silentLogger, concurrency: 1, backoffBaseMs: 5 })
    const csv = readFileSync(join(samplesDir, 'erp.csv'), 'utf8')
    const rows = (po: string, supplier: string) => csv.split('\n').slice(1).filter(Boolean).map((l) => l.replace('4500001001', po).replace('demo-x12-supplier', supplier))
    const text = [csv.split('\n')[0], ...rows('4500002001', 'testing-supplier'), ...rows('4500003001', 'live-supplier'), ...rows('4500004001', 'live-supplier'), ...rows('4500005001', 'live-supplier')].join('\n')
    const { orders, errors } = parsePurchaseOrders(text, 'csv')
    expect(errors).toEqual([])
    await createTablesErp(db.sql).upsertOrders(orders)
  })
  afterAll(async () => {
    await worker?.stop()
    await db?.close()
    cfg?.close()
  })

  async function ingest(body: Buffer) {
    const r = await receive({ sql: db.sql, wake: () => worker.wake() }, { transport: 'cli', filename: 'x.x12', body })
    await worker.drain({ timeoutMs: 30_000 })
    const docs = await db.sql<{ id: string; kind: string; status: string; test: boolean }[]>`select id, kind, status, test from documents where payload_id = ${r.messageId}`
    const ids = docs.map((d) => d.id)
    const events = await db.sql<{ type: string }[]>`select type from erp_events where document_id = any(${ids})`
    const warehouse = await db.sql<{ id: string }[]>`select id from deliveries where kind = 'warehouse' and parent_id = any(${ids})`
    const acks = await db.sql<{ doc_type: string; status: string }[]>`select d.doc_type, d.status from deliveries d
      join interchanges i on i.id = d.parent_id where d.kind = 'ack' and i.payload_id = ${r.messageId}`
    const [p] = await db.sql<{ status: string; test: boolean }[]>`select status, test from payloads where id = ${r.messageId}`
    return { messageId: r.messageId, payload: p, docs, events, warehouse, acks }
  }

  it('control: a live partner\'s production ASN is published to the ERP and queued for the warehouse', async () => {
    const r = await ingest(variant('856-asn.x12', { isa: 'LIVESUPPLY', po: '4500003001' }))
    expect(r.docs).toEqual([expect.objectContaining({ kind: 'asn', status: 'matched', test: false })])
    expect(r.events.map((e) => e.type)).toEqual(['asn_validated'])
    expect(r.warehouse).toHaveLength(1)
    expect(r.acks).toEqual([{ doc_type: '997', status: 'stored' }])
  })

  it('a testing partner\'s ASN and 855 are processed and acknowledged, but publish nothing', async () => {
    for (const [file, kind] of [['856-asn.x12', 'asn'], ['855-ack.x12', 'po_ack']] as const) {
      const r = await ingest(variant(file, { isa: 'TESTSUPPLY', po: '4500002001' }))
      expect(r.payload).toEqual({ status: 'parsed', test: true })
      // Processed all the way: mapped and matched against the ERP order like a live document.
      expect(r.docs).toEqual([expect.objectContaining({ kind, status: 'matched', test: true })])
      expect(r.acks).toEqual([{ doc_type: '997', status: 'stored' }])
      expect(r.events).toEqual([])
      expect(r.warehouse).toEqual([])
    }
    const [n] = await db.sql<{ n: number }[]>`select count(*)::int as n from erp_events where partner_id = 'testing-supplier'`
    expect(n.n).toBe(0)
  })

  it('a live partner\'s ISA15=T interchange under treat_as_test behaves the same', async () => {
    const r = await ingest(variant('856-asn.x12', { isa: 'LIVESUPPLY', po: '4500004001', test: true, control: '000000555' }))
    const [ic] = await db.sql<{ test: boolean; partner_id: string }[]>`select test, partner_id from interchanges where payload_id = ${r.messageId}`
    expect(ic).toEqual({ test: true, partner_id: 'live-supplier' })
    expect(r.docs).toEqual([expect.objectContaining({ kind: 'asn', status: 'matched', test: true })])
    expect(r.acks).toEqual([{ doc_type: '997', status: 'stored' }])
    expect(r.events).toEqual([])
    expect(r.warehouse).toEqual([])
    // Exactly the control's event exists for this partner: the test ASN added none.
    const all = await db.sql<{ type: string; po_number: string }[]>`select type, po_number from erp_events where partner_id = 'live-supplier'`
    expect(all).toEqual([{ type: 'asn_validated', po_number: '4500003001' }])
  })

  it('a test ASN does not count as shipped against the production ASN for the same PO', async () => {
    const t = await ingest(variant('856-asn.x12', { isa: 'LIVESUPPLY', po: '4500005001', test: true, control: '000000777' }))
    expect(t.docs).toEqual([expect.objectContaining({ status: 'matched', test: true })])
    const p = await ingest(variant('856-asn.x12', { isa: 'LIVESUPPLY', po: '4500005001', control: '000000778' }))
    // Had the test shipment counted, 100 + 100 of 100 ordered would be qty_over_remaining.
    expect(p.docs).toEqual([expect.objectContaining({ status: 'matched', test: false })])
    expect(p.events.map((e) => e.type)).toEqual(['asn_validated'])
  })
})
