/**
 * 855 / ORDRSP against the PO. Each ack line (ACK01 / LIN 1229 folded into accepted, changed,
 * backordered, rejected) is correlated to its PO line, then quantity, price and schedule date are
 * compared with the partner's tolerances. Differences inside tolerance are reported as the info
 * reason `ack_line_changed` (the ERP should learn them) and do not hold the ack; outside tolerance
 * they are `qty_out_of_tolerance`, `price_mismatch` or `date_out_of_window`.
 */
import type { PoAck, PoAckLine } from '../canonical/po-ack.ts'
import type { ErpPoLine, ErpPurchaseOrder } from '../erp/port.ts'
import type { ExceptionReason, MatchDocRef } from '../exceptions/reasons.ts'
import { cmp, eq, normalize } from '../lib/decimal.ts'
import type { MatchContext } from './context.ts'
import { correlate, itemIdsOf } from './correlate.ts'
import { inWindow, lookupPo, requestedDateOf, sourceOf, toPoUnit } from './common.ts'
import { finish, holds } from './result.ts'
import type { MatchLine, MatchResult } from './result.ts'
import {
  describeAllowance,
  lowerLimit,
  priceAllowance,
  qtyAllowances,
  upperLimit,
  withinBoth,
} from './tolerance.ts'
import { convertPrice } from './uom.ts'

type Change = { field: 'qty' | 'price' | 'date' | 'item'; ordered: string; acked: string }

/** Match a PO acknowledgement against its ERP purchase order. */
export function matchAck(ack: PoAck, ctx: MatchContext): MatchResult {
  const doc: MatchDocRef = { kind: 'po_ack', id: ack.ackNumber ?? ack.poNumber }
  const found = lookupPo(doc, ack.poNumber, ctx)
  if (!found.ok) return finish([found.reason], [])
  const po = found.po
  // BAK01 rejected with no line detail: every open PO line is rejected.
  if (ack.status === 'rejected' && ack.lines.length === 0) {
    const reasons: ExceptionReason[] = po.lines
      .filter((l) => l.status === 'open')
      .map((l) => ({
        code: 'ack_line_rejected',
        doc,
        poNumber: po.poNumber,
        line: l.lineNo,
        poLineNo: l.lineNo,
      }))
    return finish(
      reasons,
      reasons.map((r) => ({
        lineNo: (r as { line: string }).line,
        poNumber: po.poNumber,
        state: 'exception',
        notes: ['order rejected'],
      }))
    )
  }
  const reasons: ExceptionReason[] = []
  const lines: MatchLine[] = ack.lines.map((l, i) => {
    const own = ackLine(doc, po, l, `lines.${i}`, ack.provenance.fields, ctx)
    reasons.push(...own.reasons)
    return own.line
  })
  return finish(reasons, lines)
}

function ackLine(
  doc: MatchDocRef,
  po: ErpPurchaseOrder,
  l: PoAckLine,
  path: string,
  fields: Record<string, string>,
  ctx: MatchContext
): { reasons: ExceptionReason[]; line: MatchLine } {
  const base = { doc, poNumber: po.poNumber, line: l.lineNo }
  const c = correlate({ poLineNo: l.lineNo, item: l.item }, po, ctx.config.itemKey)
  if (!c.ok) {
    const r: ExceptionReason =
      c.problem === 'line_unknown'
        ? {
            code: 'line_unknown',
            ...base,
            poLineNo: l.lineNo,
            ...itemIdsOf(l.item),
            ...sourceOf(fields, `${path}.lineNo`),
          }
        : { code: 'item_unknown', ...base, ...itemIdsOf(l.item) }
    return {
      reasons: [r],
      line: {
        lineNo: l.lineNo,
        poNumber: po.poNumber,
        state: 'exception',
        notes: [c.problem],
        path,
      },
    }
  }
  const pl = c.poLine
  const reasons: ExceptionReason[] = []
  const notes: string[] = c.note ? [c.note] : []
  const at = { ...base, poLineNo: pl.lineNo }
  if (l.status === 'rejected') {
    reasons.push({
      code: 'ack_line_rejected',
      ...at,
      ...opt('statusCode', l.statusCode),
      ...opt('reason', l.reason),
    })
  } else {
    const changes: Change[] = []
    if (c.substituted) {
      reasons.push({ code: 'item_substituted', ...at, ...c.substituted })
      changes.push({
        field: 'item',
        ordered: JSON.stringify(c.substituted.ordered),
        acked: JSON.stringify(c.substituted.actual),
      })
    }
    checkQty(at, pl, l, path, fields, ctx, reasons, changes)
    checkPrice(at, pl, l, path, fields, ctx, po.currency, reasons, changes)
    checkDate(at, po, pl, l, ctx, reasons, changes)
    if (l.status === 'backordered') {
      reasons.push({
        code: 'ack_line_backordered',
        ...at,
        quantity: normalize(l.quantity.value),
        uom: l.quantity.uom,
        ...opt('scheduledShipDate', l.scheduledShipDate),
      })
    } else if (changes.length > 0 || l.status === 'changed') {
      reasons.push({ code: 'ack_line_changed', ...at, changes, ...opt('statusCode', l.statusCode) })
    }
  }
  const state = reasons.some(holds) ? 'exception' : 'ok'
  notes.push(l.status)
  return {
    reasons,
    line: {
      lineNo: l.lineNo,
      poNumber: po.poNumber,
      poLineNo: pl.lineNo,
      matchedBy: c.matchedBy,
      state,
      notes,
      path,
    },
  }
}

type At = { doc: MatchDocRef; poNumber: string; line: string; poLineNo: string }

function checkQty(
  at: At,
  pl: ErpPoLine,
  l: PoAckLine,
  path: string,
  fields: Record<string, string>,
  ctx: MatchContext,
  reasons: ExceptionReason[],
  changes: Change[]
): void {
  const q = toPoUnit(at.doc, at.poNumber, at.line, pl, l.quantity)
  if (!q.ok) return void reasons.push(q.reason)
  if (eq(q.qty, pl.quantity)) return
  changes.push({
    field: 'qty',
    ordered: `${normalize(pl.quantity)} ${pl.uom}`,
    acked: `${q.qty} ${pl.uom}`,
  })
  const { over, under } = qtyAllowances(ctx.config.qty)
  const isOver = cmp(q.qty, pl.quantity) > 0
  const limit = isOver ? upperLimit(pl.quantity, over) : lowerLimit(pl.quantity, under)
  const ok = isOver ? cmp(q.qty, limit) <= 0 : cmp(q.qty, limit) >= 0
  // A backorder acknowledges the full quantity for later; only accepted/changed lines are short.
  if (ok || l.status === 'backordered') return
  reasons.push({
    code: 'qty_out_of_tolerance',
    ...at,
    direction: isOver ? 'over' : 'under',
    ordered: normalize(pl.quantity),
    actual: q.qty,
    uom: pl.uom,
    tolerance: describeAllowance(isOver ? over : under),
    limit,
    ...sourceOf(fields, `${path}.quantity.value`),
  })
}

function checkPrice(
  at: At,
  pl: ErpPoLine,
  l: PoAckLine,
  path: string,
  fields: Record<string, string>,
  ctx: MatchContext,
  currency: string,
  reasons: ExceptionReason[],
  changes: Change[]
): void {
  if (!l.unitPrice || pl.unitPrice === undefined) return
  // The ack's price is per the ack line's unit; restate it per PO unit before comparing.
  const p = convertPrice({
    qty: l.unitPrice.amount,
    from: l.quantity.uom,
    to: pl.uom,
    toPackSize: pl.packSize,
  })
  if (!p.ok) return // the quantity check already reported uom_unconvertible
  if (eq(p.qty, pl.unitPrice)) return
  changes.push({ field: 'price', ordered: normalize(pl.unitPrice), acked: p.qty })
  const a = priceAllowance(ctx.config.price)
  if (withinBoth(pl.unitPrice, p.qty, a)) return
  reasons.push({
    code: 'price_mismatch',
    ...at,
    expected: normalize(pl.unitPrice),
    actual: p.qty,
    uom: pl.uom,
    currency: l.unitPrice.currency || currency,
    tolerance: describeAllowance(a),
    ...sourceOf(fields, `${path}.unitPrice.amount`),
  })
}

function checkDate(
  at: At,
  po: ErpPurchaseOrder,
  pl: ErpPoLine,
  l: PoAckLine,
  ctx: MatchContext,
  reasons: ExceptionReason[],
  changes: Change[]
): void {
  const wanted = requestedDateOf(po, pl)
  const field = l.scheduledDeliveryDate ? 'scheduled_delivery_date' : 'scheduled_ship_date'
  const date = l.scheduledDeliveryDate ?? l.scheduledShipDate
  if (!wanted || !date || date === wanted) return
  changes.push({ field: 'date', ordered: wanted, acked: date })
  const days = ctx.config.dateToleranceDays
  if (inWindow(date, wanted, wanted, days)) return
  reasons.push({
    code: 'date_out_of_window',
    ...at,
    field,
    date,
    from: wanted,
    to: wanted,
    toleranceDays: days,
  })
}

/** `{ key: value }` only when value is set (exactOptionalPropertyTypes-friendly). */
function opt<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string }
}
