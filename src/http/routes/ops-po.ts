/**
 * PO workflow (Pending → Ack → Fulfilment → Billing, PRODUCTS.md): one purchase order with its
 * acknowledgement(s), ASN(s) and invoice(s) and, per PO line, what each document's match said
 * about it (match.lines of each document, correlated by poLineNo).
 */
import type { Hono } from 'hono'
import { listPurchaseOrders, poDocuments } from '../../db/queries.ts'
import { createTablesErp } from '../../db/erp.ts'
import type { ErpPurchaseOrder } from '../../erp/port.ts'
import { problem } from '../app.ts'
import { camelRows } from '../camel.ts'
import type { HttpContext } from '../context.ts'
import { isPlausibleId } from './api.ts'
import { validationProblem } from './api-validate.ts'
import { PurchaseOrdersListQuery } from './ops-schemas.ts'

type Doc = Awaited<ReturnType<typeof poDocuments>>['documents'][number]
interface MatchLine { lineNo: string; poNumber?: string; poLineNo?: string; state: string; notes: string[] }
interface LineQty { poNumber: string; poLineNo: string; qty: string; uom: string }

/** Document kind → the key of a line's entries for it (`po_ack` is a kind; the API key is camelCase). */
const STAGES = [['po_ack', 'poAck'], ['asn', 'asn'], ['invoice', 'invoice']] as const

/**
 * Per PO line: for each ack/ASN/invoice, one entry per document with the line's state and the
 * quantity that document moves on the line. An ASN's cartons of one PO line are summed into one
 * entry (`items` lists the ASN item positions), never repeated per carton.
 */
export function lineStates(po: ErpPurchaseOrder | undefined, poNumber: string, docs: Doc[]) {
  const lineNos = new Set<string>(po?.lines.map((l) => l.lineNo) ?? [])
  const perDoc = docs.map((d) => {
    const m = (d.match ?? {}) as { lines?: MatchLine[]; quantities?: LineQty[] }
    const lines = (m.lines ?? []).filter((l) => (l.poNumber ?? poNumber) === poNumber)
    for (const l of lines) if (l.poLineNo) lineNos.add(l.poLineNo)
    return { d, lines, qty: (m.quantities ?? []).filter((q) => q.poNumber === poNumber) }
  })
  return [...lineNos]
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
    .map((lineNo) => {
      const erp = po?.lines.find((l) => l.lineNo === lineNo)
      const row: Record<string, unknown> = { lineNo, ordered: erp ? { quantity: erp.quantity, uom: erp.uom, unitPrice: erp.unitPrice ?? null } : null }
      for (const [kind, key] of STAGES) {
        row[key] = perDoc
          .filter((x) => x.d.kind === kind)
          .flatMap((x) => {
            const ls = x.lines.filter((l) => l.poLineNo === lineNo)
            if (ls.length === 0) return []
            return [{
              documentId: x.d.id,
              businessKey: x.d.business_key,
              state: ls.some((l) => l.state !== 'ok') ? 'exception' : 'ok',
              items: ls.map((l) => l.lineNo),
              notes: [...new Set(ls.flatMap((l) => l.notes))],
              qty: x.qty.find((q) => q.poLineNo === lineNo) ?? null,
            }]
          })
      }
      return row
    })
}

/**
 * Where the PO stands: the furthest stage reached by a document that is not a duplicate. A PO the
 * ERP does not know reaches no stage (documents naming it wait for it).
 */
export function stageOf(docs: Doc[], known = true): 'pending' | 'acknowledged' | 'fulfilment' | 'billing' | 'not_in_erp' {
  if (!known) return 'not_in_erp'
  const kinds = new Set(docs.filter((d) => d.status !== 'duplicate').map((d) => d.kind))
  return kinds.has('invoice') ? 'billing' : kinds.has('asn') ? 'fulfilment' : kinds.has('po_ack') ? 'acknowledged' : 'pending'
}

/** Each stage ticked only when a (non-duplicate) document of it exists: no Ack tick without an ack. */
export function stagesOf(docs: Doc[], known = true): { acknowledged: boolean; fulfilment: boolean; billing: boolean } {
  const kinds = new Set(known ? docs.filter((d) => d.status !== 'duplicate').map((d) => d.kind) : [])
  return { acknowledged: kinds.has('po_ack'), fulfilment: kinds.has('asn'), billing: kinds.has('invoice') }
}

export function installOpsPurchaseOrders(app: Hono, ctx: HttpContext): void {
  app.get('/api/v1/ops/purchase-orders', async (c) => {
    const q = PurchaseOrdersListQuery.safeParse(c.req.query())
    if (!q.success) return validationProblem(q.error)
    const rows = await listPurchaseOrders(ctx.sql, { partnerId: q.data.partner, limit: q.data.limit, offset: q.data.offset })
    return c.json({ purchaseOrders: camelRows(rows) })
  })

  app.get('/api/v1/ops/purchase-orders/:po', async (c) => {
    const poNumber = c.req.param('po')
    if (!isPlausibleId(poNumber)) return problem(404, 'Not Found', 'no such purchase order')
    const po = (await createTablesErp(ctx.sql).findOrders([poNumber])).get(poNumber)
    const { documents, exceptions, deliveries } = await poDocuments(ctx.sql, poNumber)
    if (!po && documents.length === 0) return problem(404, 'Not Found', 'no such purchase order')
    const summary = (d: Doc) => ({
      id: d.id, messageId: d.payload_id, partnerId: d.partner_id, businessKey: d.business_key, status: d.status,
      createdAt: d.created_at, updatedAt: d.updated_at,
      exceptions: camelRows(exceptions.filter((e) => e.document_id === d.id)),
      deliveries: camelRows(deliveries.filter((x) => x.parent_id === d.id)),
    })
    return c.json({
      poNumber,
      purchaseOrder: po ?? null,
      stage: stageOf(documents, !!po),
      stages: stagesOf(documents, !!po),
      acknowledgements: documents.filter((d) => d.kind === 'po_ack').map(summary),
      shipments: documents.filter((d) => d.kind === 'asn').map(summary),
      invoices: documents.filter((d) => d.kind === 'invoice').map(summary),
      others: documents.filter((d) => !['po_ack', 'asn', 'invoice'].includes(d.kind)).map(summary),
      lines: lineStates(po, poNumber, documents),
    })
  })
}
