/**
 * Outbound purchase orders: a new ERP PO addressed to a supplier whose profile says it receives
 * POs (`documents: out 850 | ORDERS`) becomes a canonical PurchaseOrder, goes through the
 * most specific outbound map and the partner's envelope (control numbers allocated here, in the
 * same transaction), and is queued for delivery with the ack deadline the profile sets. The 997/
 * CONTRL that comes back is reconciled against it (acks.ts); a missing one turns overdue.
 */
import type { PurchaseOrder } from '../canonical/index.ts'
import type { PartnerProfile } from '../config/partner.ts'
import { allocateRanges } from '../db/control-numbers.ts'
import { createTablesErp } from '../db/erp.ts'
import { openException } from '../db/exceptions.ts'
import { insertDelivery } from '../db/lineage.ts'
import type { Q } from '../db/sql.ts'
import type { ErpPurchaseOrder } from '../erp/port.ts'
import { issueRows, runOutbound, selectMap, type ResolvedMap } from '../mapping/index.ts'
import type { PipelineDeps } from './deps.ts'
import type { EdiIssue } from '../edi/issues.ts'
import type { ExceptionReason } from '../exceptions/reasons.ts'

const PO_DOC_TYPES = new Set(['850', 'ORDERS'])

export function erpToPurchaseOrder(po: ErpPurchaseOrder, profile: PartnerProfile, today: string): PurchaseOrder {
  const gln = (id?: string) => (id && /^\d{13}$/.test(id) ? 'gln' : 'buyer_assigned')
  const dates = po.lines.map((l) => l.requestedDate).filter((d): d is string => Boolean(d)).sort()
  return {
    kind: 'purchase_order',
    poNumber: po.poNumber,
    purpose: 'original',
    orderDate: today,
    currency: po.currency,
    parties: [
      { role: 'supplier', name: profile.name, id: profile.identities.x12[0]?.id ?? profile.identities.edifact[0]?.id, idType: 'buyer_assigned' },
      ...(po.shipTo ? [{ role: 'ship_to' as const, id: po.shipTo, idType: gln(po.shipTo) }] : []),
    ],
    requestedDeliveryDate: po.requestedDate ?? dates[dates.length - 1],
    lines: po.lines.map((l) => ({
      lineNo: l.lineNo,
      item: { buyerPart: l.buyerPart, vendorPart: l.vendorPart, gtin: l.gtin },
      quantity: { value: l.quantity, uom: l.uom },
      unitPrice: l.unitPrice ? { amount: l.unitPrice, currency: po.currency } : undefined,
      packSize: l.packSize,
      requestedDate: l.requestedDate,
    })),
    notes: [],
    provenance: { partnerId: 'erp', standard: 'json', version: 'v1', docType: 'purchase_order', test: profile.status === 'testing', fields: {} },
  }
}

export interface QueueResult {
  queued: string[]
  skipped: { poNumber: string; why: string }[]
}

/** Queue the outbound PO documents for these (new) ERP purchase orders. */
export async function queuePurchaseOrders(
  deps: Pick<PipelineDeps, 'registry' | 'engines' | 'now'> & { maps: ReadonlyMap<string, ResolvedMap> },
  q: Q,
  poNumbers: readonly string[]
): Promise<QueueResult> {
  const out: QueueResult = { queued: [], skipped: [] }
  const orders = await createTablesErp(q).findOrders(poNumbers)
  for (const po of orders.values()) {
    const profile = deps.registry.get(po.supplierId)
    const entry = profile?.documents.find((d) => d.direction === 'out' && PO_DOC_TYPES.has(d.docType))
    if (!profile || !entry || profile.status === 'disabled' || (entry.standard !== 'x12' && entry.standard !== 'edifact')) {
      out.skipped.push({ poNumber: po.poNumber, why: 'the supplier does not receive purchase orders by EDI' })
      continue
    }
    const [sent] = await q`select 1 from deliveries where kind = 'document' and parent_table = 'erp_purchase_orders' and parent_id = ${po.poNumber}`
    if (sent) {
      out.skipped.push({ poNumber: po.poNumber, why: 'already sent' })
      continue
    }
    const sel = selectMap(deps.maps, profile, { direction: 'out', standard: entry.standard, version: entry.version, docType: entry.docType })
    if (!sel.ok) {
      await openException(q, sel.reason, { partnerId: profile.id }, `no_map:po:${po.poNumber}`)
      out.skipped.push({ poNumber: po.poNumber, why: 'no outbound map' })
      continue
    }
    const doc = erpToPurchaseOrder(po, profile, deps.now().toISOString().slice(0, 10))
    const body = runOutbound(sel.map, doc)
    if (!body.ok) {
      await openException(q, { code: 'canonical_invalid', mapId: sel.map.id, issues: issueRows(body.issues) }, { partnerId: profile.id }, `po_out:${po.poNumber}`)
      out.skipped.push({ poNumber: po.poNumber, why: 'the outbound map reported issues' })
      continue
    }
    const engine = deps.engines[entry.standard]
    if (!engine?.write) throw new Error(`no ${entry.standard} writer configured`)
    const written = await engine.write(profile, entry.docType, body.segments, (counts) => allocateRanges(q, profile.id, counts))
    if (!written.ok) {
      // Its own key (reason and PO; `po_out:` is canonical_invalid's). Refused again after it was
      // resolved (the data was not fixed after all), it opens again.
      await openException(q, unwritable(profile.id, entry.standard, entry.docType, po.poNumber, written.issues), { partnerId: profile.id }, undefined, { reopenResolved: true })
      out.skipped.push({ poNumber: po.poNumber, why: 'the partner\'s standard cannot carry its data as it is' })
      continue
    }
    const hours = entry.ackDeadlineHours ?? (entry.standard === 'x12' ? profile.x12?.ackDeadlineHours : profile.edifact?.ackDeadlineHours)
    const expectsAck = entry.standard === 'x12' ? true : profile.edifact?.contrl !== 'never'
    await insertDelivery(q, {
      partnerId: profile.id, kind: 'document', docType: entry.docType, parentTable: 'erp_purchase_orders', parentId: po.poNumber,
      destination: profile.outbound, bytes: Buffer.from(written.text, 'latin1'),
      filename: `${entry.docType}-${po.poNumber}-${written.controlNumber}.${entry.standard === 'x12' ? 'x12' : 'edi'}`,
      contentType: entry.standard === 'x12' ? 'application/edi-x12' : 'application/edifact',
      controlNumber: written.controlNumber, standard: entry.standard, references: written.references,
      ackDeadline: expectsAck && hours ? new Date(deps.now().getTime() + hours * 3_600_000) : null,
      receipt: { mapId: sel.map.id, mapHash: sel.map.hash }, deliver: { partnerId: profile.id },
    })
    out.queued.push(po.poNumber)
  }
  return out
}

/** The exception for a document the writer refused: each issue with where it is and the value. */
export function unwritable(partnerId: string, standard: string, docType: string, reference: string, issues: readonly EdiIssue[]): ExceptionReason {
  return {
    code: 'document_unwritable', partnerId, standard, docType, reference,
    issues: issues.map((i) => ({
      ...(i.segment ? { segment: i.segment } : {}), ...(i.element ? { element: i.element } : {}),
      ...(i.value !== undefined ? { value: i.value } : {}), message: i.message,
    })),
  }
}
