/**
 * Stage `match`: a canonical document against the open ERP orders and what came before it
 * (earlier ASNs and invoices, SSCCs on open ASNs). The rules are pure (src/matching); this stage
 * loads their context, records the outcome, opens exceptions, and publishes ERP events and
 * warehouse deliveries, but never for a testing partner's documents.
 */
import type { CanonicalDoc } from '../canonical/index.ts'
import type { PartnerProfile } from '../config/partner.ts'
import { dedupeKeyOf, openException } from '../db/exceptions.ts'
import { enqueue } from '../db/jobs.ts'
import { insertDelivery } from '../db/lineage.ts'
import { nextControlNumber } from '../db/control-numbers.ts'
import type { Q } from '../db/sql.ts'
import { newId } from '../lib/ids.ts'
import { createTablesErp } from '../db/erp.ts'
import type { ErpEvent } from '../erp/port.ts'
import { holds } from '../matching/result.ts'
import { buildMatchContext, matchDocument, ssccsOf, type LineQty, type MatchResult } from '../matching/index.ts'
import type { PipelineDeps } from './deps.ts'

interface DocRow {
  id: string
  payload_id: string
  transaction_id: string | null
  partner_id: string
  kind: CanonicalDoc['kind']
  doc: CanonicalDoc
  status: string
  test: boolean
  po_numbers: string[]
  business_key: string
  created_at: Date
}

const MATCHABLE = new Set(['translated', 'held', 'waiting'])
// Test documents (testing partner, ISA15=T) may see production state; production never sees
// test documents' shipped quantities, SSCCs or invoice numbers (the `test` filters below).

/**
 * Everything the rules need, plus the document's open exceptions: independent reads issued
 * together so they travel as one pipelined round trip on the stage's connection.
 */
async function loadContext(q: Q, row: DocRow, profile: PartnerProfile, today: string) {
  const erp = createTablesErp(q)
  const ownSsccs = row.kind === 'asn' && row.doc.kind === 'asn' ? ssccsOf(row.doc) : []
  const [allOrders, prior, ssccs, invoices, open] = await Promise.all([
    erp.findOrders(row.po_numbers),
    // By PO number first (documents_po_idx: the few documents of these POs), then the rest: on
    // a table without fresh statistics the planner ANDed in documents_status_idx for `kind` and
    // read an entry for every ASN ever stored, once per match.
    row.po_numbers.length > 0
      // Shipped so far counts every ASN not rejected, cancelled or a duplicate: accepted ones, and
      // held or waiting ones received before this one (a held ASN still announces goods; later
      // held ones are not counted so that re-matching an earlier ASN does not hold it for them).
      // Another version of this same shipment (a replace) is not counted against it.
      ? q<{ kind: string; match: { quantities?: LineQty[] } | null; business_key: string }[]>`
          with same_po as materialized (
            select id, kind, match, status, test, business_key, created_at from documents where po_numbers && ${row.po_numbers}
          )
          select kind, match, business_key from same_po
          where id <> ${row.id} and kind in ('asn', 'invoice') and (test = false or ${row.test})
            and (kind <> 'asn' or business_key <> ${row.business_key})
            and (status in ('matched', 'released', 'delivered')
              or (kind = 'asn' and status in ('held', 'waiting')
                and (created_at < ${row.created_at} or (created_at = ${row.created_at} and id < ${row.id}))))
          order by created_at`
      : [],
    // Overlap (`&&`) with an empty array is always false: no PO numbers or no SSCCs, no query.
    ownSsccs.length > 0
      ? q<{ sscc: string; business_key: string }[]>`
          select unnest(ssccs) as sscc, business_key from documents
          where kind = 'asn' and id <> ${row.id} and business_key <> ${row.business_key}
            and status in ('translated', 'matched', 'held', 'waiting', 'released') and (test = false or ${row.test})
            and ssccs && ${ownSsccs}`
      : [],
    row.kind === 'invoice'
      ? q<{ business_key: string }[]>`select business_key from documents
          where partner_id = ${row.partner_id} and kind = 'invoice' and id <> ${row.id} and status <> 'duplicate'
            and (test = false or ${row.test})`
      : [],
    // By document first (exceptions_doc_idx, a handful of rows), then by state: without fresh
    // statistics the planner preferred exceptions_state_idx and read every open exception.
    q<{ id: string; dedupe_key: string }[]>`with mine as materialized (
        select id, dedupe_key, state, queue from exceptions where document_id = ${row.id}
      )
      select id, dedupe_key from mine where state in ('open', 'assigned') and queue in ('matching', 'warehouse')`,
  ])
  // A partner's documents only ever match that partner's own POs: another supplier's PO is, for
  // this document, a PO that does not exist (po_not_found), never one it can ship or invoice against.
  const orders = new Map([...allOrders].filter(([, po]) => po.supplierId === row.partner_id))
  const rows = (kind: string) =>
    prior.filter((p) => p.kind === kind).flatMap((p) => (p.match?.quantities ?? []).map((x) => ({ poNumber: x.poNumber, lineNo: x.poLineNo, qty: x.qty, from: p.business_key.replace(/^(asn|inv):/, '') })))
  const ctx = buildMatchContext({
    orders: orders.values(),
    shippedSoFar: rows('asn'),
    invoicedSoFar: rows('invoice'),
    openSsccs: ssccs.map((s) => ({ sscc: s.sscc, shipmentId: s.business_key.replace(/^asn:/, '') })),
    earlierInvoiceNumbers: invoices.map((i) => i.business_key.replace(/^inv:/, '')),
    supplierId: row.partner_id,
    config: profile.matching,
    today,
  })
  return { ctx, open }
}

export async function matchStage(deps: PipelineDeps, q: Q, documentId: string): Promise<MatchResult | undefined> {
  const [row] = await q<DocRow[]>`select * from documents where id = ${documentId}`
  if (!row || !MATCHABLE.has(row.status)) return undefined
  const profile = deps.registry.get(row.partner_id)
  if (!profile) return undefined
  const { ctx, open } = await loadContext(q, row, profile, deps.now().toISOString().slice(0, 10))
  const result = matchDocument(row.doc, ctx)
  const refs = { payloadId: row.payload_id, transactionId: row.transaction_id, documentId: row.id, partnerId: row.partner_id }
  const holding = result.reasons.filter(holds)
  // Exceptions this run no longer produces (the PO arrived, data was fixed) resolve themselves.
  const keep = new Set(holding.map((r) => dedupeKeyOf(r, refs)))
  const stale = open.filter((e) => !keep.has(e.dedupe_key)).map((e) => e.id)
  const status = result.status === 'matched' ? 'matched' : result.waitingFor ? 'waiting' : 'held'
  // The writes touch disjoint rows and depend on nothing read back, so they are issued together
  // (pipelined, in this order: postgres.js sends a query once executed or awaited) and the stage
  // waits for all of them once.
  const writes: Promise<unknown>[] = []
  if (stale.length) {
    writes.push(q`update exceptions set state = 'resolved', note = 'resolved automatically: no longer applies on re-match',
      resolved_at = now(), updated_at = now() where id = any(${stale})`.execute())
  }
  for (const r of holding) writes.push(openException(q, r, refs))
  writes.push(q`update documents set status = ${status}, match = ${q.json(result as never)}, updated_at = now() where id = ${row.id}`.execute())
  if (row.transaction_id) writes.push(q`update transactions set status = ${status}, updated_at = now() where id = ${row.transaction_id}`.execute())
  if (!row.test) {
    const event = erpEventFor(row, status)
    if (event) writes.push(createTablesErp(q).publish({ ...event, payload: { status, reasons: result.reasons.map((r) => r.code), lines: result.lines } }))
    if (status === 'matched' && row.kind === 'asn') writes.push(queueWarehouse(deps, q, profile, row))
  }
  await Promise.all(writes)
  return result
}

function erpEventFor(row: DocRow, status: string): Omit<ErpEvent, 'payload'> | undefined {
  const base = { partnerId: row.partner_id, poNumber: row.po_numbers[0], documentId: row.id }
  const held = status !== 'matched'
  switch (row.kind) {
    case 'po_ack':
      return { ...base, type: 'po_acknowledged' }
    case 'asn':
      return { ...base, type: held ? 'asn_held' : 'asn_validated' }
    case 'invoice':
      return { ...base, type: held ? 'invoice_held' : 'invoice_matched' }
    case 'purchase_order':
      return { ...base, type: 'po_received' }
  }
}

/**
 * Only an ASN that passed matching and the warehouse checks goes to the warehouses: as signed
 * JSON to a webhook, as a JSON file into a warehouse partner's SFTP mailbox, or as an outbound
 * X12 856 to a warehouse partner over that partner's own outbound transport.
 */
async function queueWarehouse(deps: PipelineDeps, q: Q, profile: PartnerProfile, row: DocRow): Promise<void> {
  const shipment = row.business_key.replace(/^asn:/, '')
  for (const dest of profile.warehouse.destinations) {
    const idempotencyKey = `${row.id}:${dest.name}`
    let deliveryId: string
    if (dest.type === 'x12_856') {
      const target = deps.registry.get(dest.partner)
      const version = target?.x12?.version ?? '004010'
      const body = target ? deps.mapper.outbound(target, { standard: 'x12', version, docType: '856' }, row.doc) : undefined
      if (!target || !body?.ok || !deps.engines.x12?.write) {
        const reasons = body && !body.ok ? body.reasons : []
        const detail = !target ? `warehouse partner ${dest.partner} is not configured` : reasons.map((r) => r.code).join(', ') || 'no X12 writer'
        await openException(q, { code: 'delivery_failed', transport: 'x12_856', destination: dest.name, attempts: 0, lastError: detail }, { documentId: row.id, partnerId: profile.id })
        continue
      }
      const written = await deps.engines.x12.write(target, '856', body.segments, (kind) => nextControlNumber(q, target.id, kind))
      deliveryId = await insertDelivery(q, {
        partnerId: target.id, kind: 'warehouse', docType: '856', parentTable: 'documents', parentId: row.id,
        destination: target.outbound, bytes: Buffer.from(written.text, 'latin1'),
        filename: `856-${shipment.replace(/[^A-Za-z0-9._-]/g, '_')}-${written.controlNumber}.x12`,
        contentType: 'application/edi-x12', controlNumber: written.controlNumber, idempotencyKey,
        // Its references, so the warehouse's 997/999 (or TA1) reconciles it (pipeline/acks.ts), and
        // the warehouse partner's ack deadline, after which it is overdue like any EDI we send.
        standard: 'x12', references: written.references,
        ackDeadline: target.x12 ? new Date(deps.now().getTime() + target.x12.ackDeadlineHours * 3_600_000) : null,
        receipt: { mapId: body.mapId, mapHash: body.mapHash, forPartner: profile.id },
      })
    } else {
      // Row and job pipelined: the id is ours, so the job need not wait for the insert.
      deliveryId = newId('dlv')
      await Promise.all([
        insertDelivery(q, {
          id: deliveryId, partnerId: profile.id, kind: 'warehouse', docType: 'asn', parentTable: 'documents', parentId: row.id,
          destination: `${dest.type}:${dest.name}`, bytes: Buffer.from(JSON.stringify({ documentId: row.id, asn: row.doc })),
          filename: `asn-${shipment.replace(/[^A-Za-z0-9._-]/g, '_')}.json`, contentType: 'application/json', idempotencyKey,
        }),
        enqueue(q, 'deliver', { deliveryId, partnerId: profile.id, documentId: row.id }, { dedupeKey: `deliver:${deliveryId}` }),
      ])
      continue
    }
    await enqueue(q, 'deliver', { deliveryId, partnerId: profile.id, documentId: row.id }, { dedupeKey: `deliver:${deliveryId}` })
  }
}

/**
 * After an exception is resolved or ignored: a held document with no blocking exception left is
 * released (ERP event, warehouse delivery for ASNs).
 */
export async function releaseIfClear(deps: PipelineDeps, q: Q, documentId: string): Promise<boolean> {
  const [row] = await q<DocRow[]>`select * from documents where id = ${documentId}`
  if (!row || (row.status !== 'held' && row.status !== 'waiting')) return false
  const [open] = await q<{ n: number }[]>`select count(*)::int as n from exceptions
    where document_id = ${documentId} and state in ('open', 'assigned') and severity = 'error'`
  if (open.n > 0) return false
  await q`update documents set status = 'released', updated_at = now() where id = ${documentId}`
  const profile = deps.registry.get(row.partner_id)
  if (!row.test && profile) {
    const type = row.kind === 'asn' ? 'asn_released' : row.kind === 'invoice' ? 'invoice_released' : undefined
    if (type) await createTablesErp(q).publish({ type, partnerId: row.partner_id, poNumber: row.po_numbers[0], documentId, payload: { status: 'released' } })
    if (row.kind === 'asn') await queueWarehouse(deps, q, profile, row)
  }
  deps.wake()
  return true
}

/** A PO arrived or changed in the ERP: re-match documents waiting for it or held against it. */
export async function rematchForOrders(q: Q, poNumbers: readonly string[]): Promise<number> {
  if (poNumbers.length === 0) return 0
  const rows = await q<{ id: string; payload_id: string; partner_id: string }[]>`select id, payload_id, partner_id from documents
    where po_numbers && ${poNumbers as string[]} and status in ('waiting', 'held')`
  for (const r of rows) {
    await enqueue(q, 'match', { messageId: r.payload_id, documentId: r.id, partnerId: r.partner_id }, { dedupeKey: `match:${r.id}` })
  }
  return rows.length
}
