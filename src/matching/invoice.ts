/**
 * 810 / INVOIC against the PO and what was shipped (3-way match: order × receipt × invoice).
 * Per line: correlate to the PO line, restate quantity and price in the PO line's unit, then
 * - invoiced (earlier invoices + this one) must not exceed shipped (all accepted ASNs);
 * - the unit price must be within the price tolerance of the PO price;
 * - the line amount must equal quantity × price (rounded half-up to the amount's own decimals,
 *   at least 2: the currency's minor unit).
 * For the document: Σ line amounts + charges − allowances + tax = total, exactly (TDS01 / MOA+77),
 * and the invoice number is new for this supplier.
 */
import type { Invoice, InvoiceLine } from '../canonical/invoice.ts'
import type { ErpPurchaseOrder } from '../erp/port.ts'
import type { ExceptionReason, MatchDocRef } from '../exceptions/reasons.ts'
import { abs, add, cmp, eq, mul, normalize, round, sub, sum } from '../lib/decimal.ts'
import { lineKey } from './context.ts'
import type { MatchContext } from './context.ts'
import { correlate, itemIdsOf } from './correlate.ts'
import { lookupPo, sourceOf, toPoUnit } from './common.ts'
import { finish, holds } from './result.ts'
import type { LineQty, MatchLine, MatchResult } from './result.ts'
import { describeAllowance, priceAllowance, withinBoth } from './tolerance.ts'
import { convertPrice } from './uom.ts'

/** Decimal places of a decimal string. */
const scaleOf = (s: string): number => (s.includes('.') ? s.split('.')[1].length : 0)

/** qty × price at the precision the partner sent the amount in (≥ 2 places). */
export function lineAmount(qty: string, price: string, places = 2): string {
  return normalize(round(mul(qty, price), Math.max(2, places)))
}

/** Match an invoice against its PO, the shipped quantities and earlier invoices. */
export function matchInvoice(inv: Invoice, ctx: MatchContext): MatchResult {
  const doc: MatchDocRef = { kind: 'invoice', id: inv.invoiceNumber }
  const reasons: ExceptionReason[] = []
  if (ctx.earlierInvoiceNumbers.has(inv.invoiceNumber)) {
    reasons.push({
      code: 'invoice_duplicate',
      doc,
      poNumber: inv.poNumber,
      invoiceNumber: inv.invoiceNumber,
      supplierId: ctx.supplierId,
    })
  }
  reasons.push(...checkTotals(doc, inv))
  const found = lookupPo(doc, inv.poNumber, ctx)
  if (!found.ok) {
    reasons.push(found.reason)
    const lines = inv.lines.map((l): MatchLine => ({
      lineNo: l.lineNo,
      poNumber: inv.poNumber,
      state: 'exception',
      notes: [found.reason.code],
    }))
    return finish(reasons, lines)
  }
  const quantities: LineQty[] = []
  const lines = inv.lines.map((l, i) =>
    invoiceLine(doc, found.po, inv, l, `lines.${i}`, ctx, reasons, quantities)
  )
  return finish(reasons, lines, quantities)
}

function invoiceLine(
  doc: MatchDocRef,
  po: ErpPurchaseOrder,
  inv: Invoice,
  l: InvoiceLine,
  path: string,
  ctx: MatchContext,
  reasons: ExceptionReason[],
  quantities: LineQty[]
): MatchLine {
  const fields = inv.provenance.fields
  const line: MatchLine = { lineNo: l.lineNo, poNumber: po.poNumber, state: 'ok', notes: [], path }
  const base = { doc, poNumber: po.poNumber, line: l.lineNo }
  const own: ExceptionReason[] = []
  const c = correlate({ poLineNo: l.poLineNo ?? l.lineNo, item: l.item }, po, ctx.config.itemKey)
  if (!c.ok) {
    own.push(
      c.problem === 'line_unknown'
        ? {
            code: 'line_unknown',
            ...base,
            poLineNo: l.poLineNo ?? l.lineNo,
            ...itemIdsOf(l.item),
            ...sourceOf(fields, `${path}.poLineNo`),
          }
        : { code: 'item_unknown', ...base, ...itemIdsOf(l.item) }
    )
  } else {
    const pl = c.poLine
    const at = { ...base, poLineNo: pl.lineNo }
    line.poLineNo = pl.lineNo
    line.matchedBy = c.matchedBy
    if (c.note) line.notes.push(c.note)
    if (c.substituted) own.push({ code: 'item_substituted', ...at, ...c.substituted })
    const q = toPoUnit(doc, po.poNumber, l.lineNo, pl, l.quantity)
    if (!q.ok) own.push(q.reason)
    else {
      quantities.push({ poNumber: po.poNumber, poLineNo: pl.lineNo, qty: q.qty, uom: pl.uom })
      const k = lineKey(po.poNumber, pl.lineNo)
      const before = ctx.invoicedSoFar.get(k) ?? '0'
      const shipped = ctx.shippedSoFar.get(k) ?? '0'
      const invoiced = normalize(add(before, q.qty))
      // The invoice's price per PO unit: what each unit of a difference costs the buyer.
      const p = convertPrice({
        qty: l.unitPrice.amount,
        from: l.quantity.uom,
        to: pl.uom,
        toPackSize: pl.packSize,
      })
      const currency = l.unitPrice.currency
      if (cmp(invoiced, shipped) > 0) {
        const over = normalize(sub(invoiced, shipped))
        const notShipped = cmp(over, q.qty) > 0 ? q.qty : over
        own.push({
          code: 'invoice_qty_over_shipped',
          ...at,
          invoiced,
          invoicedBefore: normalize(before),
          shipped: normalize(shipped),
          uom: pl.uom,
          ...sourceOf(fields, `${path}.quantity.value`),
          ...(p.ok ? { notShipped, atStake: money(mul(notShipped, p.qty)), ...(currency ? { currency } : {}) } : {}),
        })
      }
      if (pl.unitPrice !== undefined) {
        const a = priceAllowance(ctx.config.price)
        if (p.ok && !withinBoth(pl.unitPrice, p.qty, a)) {
          const delta = sub(p.qty, pl.unitPrice)
          own.push({
            code: 'price_mismatch',
            ...at,
            expected: normalize(pl.unitPrice),
            actual: p.qty,
            uom: pl.uom,
            currency,
            tolerance: describeAllowance(a),
            ...sourceOf(fields, `${path}.unitPrice.amount`),
            qty: q.qty,
            priceDelta: money(delta, false),
            atStake: money(mul(delta, q.qty)),
          })
        }
      }
    }
  }
  if (l.amount) {
    const expected = lineAmount(l.quantity.value, l.unitPrice.amount, scaleOf(l.amount.amount))
    if (!eq(expected, l.amount.amount)) {
      own.push({
        code: 'invoice_line_amount_mismatch',
        ...base,
        quantity: normalize(l.quantity.value),
        unitPrice: normalize(l.unitPrice.amount),
        expected,
        actual: normalize(l.amount.amount),
        currency: l.amount.currency,
      })
    }
  }
  reasons.push(...own)
  if (own.some(holds)) line.state = 'exception'
  line.notes.push(...own.map((r) => r.code))
  return line
}

/**
 * Money as a person reads it: at least two decimals (`48` → `48.00`); rounded half-up to cents
 * unless `roundToCents` is false (a unit price difference of 0.125 stays 0.125).
 */
function money(amount: string, roundToCents = true): string {
  const r = roundToCents ? round(amount, 2) : normalize(amount)
  const [i, f = ''] = r.split('.')
  return `${i}.${f.padEnd(2, '0')}`
}

/** Σ lines + charges − allowances + tax must equal the stated total, to the last digit. */
function checkTotals(doc: MatchDocRef, inv: Invoice): ExceptionReason[] {
  // SAC05 / MOA amounts are unsigned; SAC01 (A/C) gives the sign, so a negative one is read as-is in size.
  // A line without an amount contributes qty × price at cent precision.
  const lines = sum(
    inv.lines.map((l) => l.amount?.amount ?? lineAmount(l.quantity.value, l.unitPrice.amount))
  )
  const charges = sum(
    inv.chargesAllowances.filter((c) => c.type === 'charge').map((c) => abs(c.amount.amount))
  )
  const allowances = sum(
    inv.chargesAllowances.filter((c) => c.type === 'allowance').map((c) => abs(c.amount.amount))
  )
  const tax = normalize(inv.tax?.amount ?? '0')
  const expected = normalize(add(sub(add(lines, charges), allowances), tax))
  if (eq(expected, inv.total.amount)) return []
  return [
    {
      code: 'invoice_total_mismatch',
      doc,
      poNumber: inv.poNumber,
      lines,
      charges,
      allowances,
      tax,
      expected,
      actual: normalize(inv.total.amount),
      currency: inv.total.currency,
    },
  ]
}
