/**
 * Steps every matcher shares: find the PO (or say why not), restate a document quantity in the PO
 * line's unit, and compare a date with a window. Reasons come back as data; nothing throws.
 */
import type { ErpPoLine, ErpPurchaseOrder } from '../erp/port.ts'
import type { ExceptionReason, MatchDocRef } from '../exceptions/reasons.ts'
import type { MatchContext } from './context.ts'
import { convertQty } from './uom.ts'

export type PoLookup = { ok: true; po: ErpPurchaseOrder } | { ok: false; reason: ExceptionReason }

/**
 * An unknown PO is `po_not_found` (retryable: the document waits for the PO); a closed or
 * cancelled one is `po_closed`. Either stops line matching for that PO.
 */
export function lookupPo(doc: MatchDocRef, poNumber: string, ctx: MatchContext): PoLookup {
  const po = ctx.orders.get(poNumber.trim())
  if (!po) return { ok: false, reason: { code: 'po_not_found', doc, poNumber } }
  if (po.status !== 'open')
    return { ok: false, reason: { code: 'po_closed', doc, poNumber, status: po.status } }
  return { ok: true, po }
}

export type InPoUnit = { ok: true; qty: string } | { ok: false; reason: ExceptionReason }

/** Restate `qty uom` (with the document's own pack size, if any) in the PO line's unit. */
export function toPoUnit(
  doc: MatchDocRef,
  poNumber: string,
  line: string,
  poLine: ErpPoLine,
  q: { value: string; uom: string },
  docPackSize?: string
): InPoUnit {
  const r = convertQty({
    qty: q.value,
    from: q.uom,
    to: poLine.uom,
    fromPackSize: docPackSize,
    toPackSize: poLine.packSize,
  })
  if (r.ok) return r
  return {
    ok: false,
    reason: {
      code: 'uom_unconvertible',
      doc,
      poNumber,
      line,
      poLineNo: poLine.lineNo,
      from: q.uom,
      to: poLine.uom,
      ...(r.packSize ? { packSize: r.packSize } : {}),
    },
  }
}

const DAY = 86_400_000

/** ISO date + n days, in UTC (calendar days; no time zones involved). */
export function addDays(iso: string, n: number): string {
  const t = Date.parse(`${iso.slice(0, 10)}T00:00:00Z`) + n * DAY
  return new Date(t).toISOString().slice(0, 10)
}

/** Widen [from, to] by `days` on each side; ISO dates compare as strings. */
export function inWindow(date: string, from: string, to: string, days: number): boolean {
  const d = date.slice(0, 10)
  return d >= addDays(from, -days) && d <= addDays(to, days)
}

/** The PO line's requested date, else the PO's. */
export const requestedDateOf = (po: ErpPurchaseOrder, line?: ErpPoLine): string | undefined =>
  line?.requestedDate ?? po.requestedDate

/** `source` for a reason: the wire path provenance recorded for a canonical field, if any. */
export function sourceOf(
  fields: Record<string, string> | undefined,
  path: string
): { source?: string } {
  const s = fields?.[path]
  return s ? { source: s } : {}
}
