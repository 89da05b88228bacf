/**
 * MatchContext: everything the matching rules may know, passed in as plain data. The pipeline
 * loads it (ERP orders, shipped/invoiced so far, open SSCCs, earlier invoice numbers) from
 * PostgreSQL through the ErpPort; nothing in src/matching fetches. `buildMatchContext` accepts
 * loose rows (arrays, unpadded line numbers, repeated rows per line) and returns the indexed form.
 */
import type { CanonicalDoc } from '../canonical/index.ts'
import type { MatchingConfig } from '../config/partner.ts'
import type { ErpPurchaseOrder } from '../erp/port.ts'
import { add, normalize } from '../lib/decimal.ts'
import { normSscc } from './sscc.ts'

export interface MatchContext {
  /** ERP purchase orders by PO number; a missing PO means "not (yet) known". */
  orders: ReadonlyMap<string, ErpPurchaseOrder>
  /**
   * Quantity already shipped per PO line, in the PO line's unit, on ASNs before this one (not
   * including the document being matched). Keyed by `lineKey(poNumber, lineNo)`.
   */
  shippedSoFar: ReadonlyMap<string, string>
  /** The earlier ASNs (shipment ids) behind `shippedSoFar`, same keys, in order received. */
  shippedOn?: ReadonlyMap<string, string[]>
  /** Quantity already invoiced per PO line (earlier invoices), PO line unit, same keys. */
  invoicedSoFar: ReadonlyMap<string, string>
  /** SSCC → shipment id of the other open ASN that carries it. */
  openSsccs: ReadonlyMap<string, string>
  /** Invoice numbers this supplier sent before (the document being matched excluded). */
  earlierInvoiceNumbers: ReadonlySet<string>
  /** Supplier (partner id) the document came from; checked against nothing, echoed in reasons. */
  supplierId: string
  config: MatchingConfig
  /** ISO date the match runs on; an ASN without a ship date is taken as shipped today. */
  today: string
  /** Partial shipments allowed (default): an ASN under the remaining quantity is not an exception. */
  allowPartialShipments: boolean
}

export interface QtyRow {
  poNumber: string
  lineNo: string
  qty: string
  /** The document (shipment id, invoice number) the quantity came from, to name it in texts. */
  from?: string
}

export interface MatchContextInput {
  orders?: Iterable<ErpPurchaseOrder>
  shippedSoFar?: Iterable<QtyRow>
  invoicedSoFar?: Iterable<QtyRow>
  openSsccs?: Iterable<{ sscc: string; shipmentId: string }>
  earlierInvoiceNumbers?: Iterable<string>
  supplierId?: string
  config?: Partial<MatchingConfig>
  today: string
  allowPartialShipments?: boolean
}

/** The profile schema's defaults (src/config/partner.ts), repeated so tests need no YAML. */
export const DEFAULT_MATCHING: MatchingConfig = {
  itemKey: ['buyer_part', 'vendor_part', 'gtin'],
  qty: { overPct: '0', underPct: '0' },
  price: { tolerancePct: '0' },
  dateToleranceDays: 0,
}

/** X12 line numbers arrive padded (`0001`) or not (`1`); compare them without leading zeros. */
export function normLineNo(lineNo: string): string {
  const t = lineNo.trim()
  return /^\d+$/.test(t) ? t.replace(/^0+(?=\d)/, '') : t
}

/** Key for per-line maps: `4500012345#3`. */
export const lineKey = (poNumber: string, lineNo: string): string =>
  `${poNumber.trim()}#${normLineNo(lineNo)}`

function sourcesOf(rows: Iterable<QtyRow> | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const r of rows ?? []) {
    if (!r.from) continue
    const k = lineKey(r.poNumber, r.lineNo)
    const list = out.get(k) ?? []
    if (!list.includes(r.from)) list.push(r.from)
    out.set(k, list)
  }
  return out
}

function sumRows(rows: Iterable<QtyRow> | undefined): Map<string, string> {
  const out = new Map<string, string>()
  for (const r of rows ?? []) {
    const k = lineKey(r.poNumber, r.lineNo)
    out.set(k, normalize(add(out.get(k) ?? '0', r.qty)))
  }
  return out
}

/**
 * Index loose rows into a MatchContext. Rows for the same PO line add up, so the pipeline may
 * pass one row per earlier ASN/invoice line.
 *
 * @example
 * const ctx = buildMatchContext({ orders: [po], shippedSoFar: [{ poNumber: 'P1', lineNo: '1', qty: '40' }], today: '2026-03-01' })
 */
export function buildMatchContext(input: MatchContextInput): MatchContext {
  const c = input.config ?? {}
  return {
    orders: new Map([...(input.orders ?? [])].map((o) => [o.poNumber, o])),
    shippedSoFar: sumRows(input.shippedSoFar),
    shippedOn: sourcesOf(input.shippedSoFar),
    invoicedSoFar: sumRows(input.invoicedSoFar),
    openSsccs: new Map([...(input.openSsccs ?? [])].map((s) => [normSscc(s.sscc), s.shipmentId])),
    earlierInvoiceNumbers: new Set(input.earlierInvoiceNumbers ?? []),
    supplierId: input.supplierId ?? '',
    config: {
      itemKey: c.itemKey ?? DEFAULT_MATCHING.itemKey,
      qty: { ...DEFAULT_MATCHING.qty, ...c.qty },
      price: { ...DEFAULT_MATCHING.price, ...c.price },
      dateToleranceDays: c.dateToleranceDays ?? DEFAULT_MATCHING.dateToleranceDays,
      ...(c.transitDays !== undefined ? { transitDays: c.transitDays } : {}),
    },
    today: input.today,
    allowPartialShipments: input.allowPartialShipments ?? true,
  }
}

/** PO numbers a document refers to: what the pipeline must load into `orders`. */
export function poNumbersOf(doc: CanonicalDoc): string[] {
  switch (doc.kind) {
    case 'asn':
      return [...new Set(doc.orders.map((o) => o.poNumber))]
    case 'purchase_order':
    case 'po_ack':
    case 'invoice':
      return [doc.poNumber]
  }
}
