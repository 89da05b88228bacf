/**
 * 856 / DESADV against the PO and the ASNs before it. Each shipped item is correlated to a PO
 * line and restated in the PO line's unit; quantities for one PO line add up across cartons of
 * this ASN, then are compared with what remains open:
 *
 *   remaining = ordered − shipped on earlier ASNs
 *   limit     = ordered + over-allowance − shipped on earlier ASNs   (allowance on the ORDERED qty)
 *
 * Over the limit is `qty_over_remaining`. Under is a partial shipment and accumulates, unless the
 * context disallows partial shipments, in which case short beyond the under-allowance is
 * `qty_out_of_tolerance`. Structural warehouse checks live in warehouse.ts.
 */
import type { Asn } from '../canonical/asn.ts'
import type { ErpPoLine, ErpPurchaseOrder } from '../erp/port.ts'
import type { ExceptionReason, MatchDocRef } from '../exceptions/reasons.ts'
import { leafItemsOfOrder } from './asn-tree.ts'
import type { LeafItem } from './asn-tree.ts'
import { lineKey } from './context.ts'
import type { MatchContext } from './context.ts'
import { correlate, itemIdsOf } from './correlate.ts'
import { lookupPo, sourceOf, toPoUnit } from './common.ts'
import { qadd, qcmp, qnorm, qsub } from './qty.ts'
import { finish, holds } from './result.ts'
import type { LineQty, MatchLine, MatchResult } from './result.ts'
import { describeAllowance, lowerLimit, qtyAllowances, upperLimit } from './tolerance.ts'

interface Acc {
  poLine: ErpPoLine
  qty: string
  lines: MatchLine[]
  first: LeafItem
}

/** Match an ASN's quantities and items against its POs (warehouse checks are separate). */
export function matchAsn(asn: Asn, ctx: MatchContext): MatchResult {
  const doc: MatchDocRef = { kind: 'asn', id: asn.shipmentId }
  // A cancel withdraws an earlier ASN: nothing ships, so nothing to compare.
  if (asn.purpose === 'cancel') return finish([], [])
  const reasons: ExceptionReason[] = []
  const lines: MatchLine[] = []
  const quantities: LineQty[] = []
  let n = 0
  asn.orders.forEach((order, oi) => {
    const leaves = leafItemsOfOrder(order, oi)
    const numbered = leaves.map((leaf) => ({ leaf, lineNo: String(++n) }))
    const found = lookupPo(doc, order.poNumber, ctx)
    if (!found.ok) {
      reasons.push(found.reason)
      for (const { leaf, lineNo } of numbered) {
        lines.push({
          lineNo,
          poNumber: order.poNumber,
          state: 'exception',
          notes: [found.reason.code],
          path: leaf.path,
        })
      }
      return
    }
    const acc = new Map<string, Acc>()
    for (const { leaf, lineNo } of numbered) {
      const line = matchLeaf(doc, found.po, leaf, lineNo, asn.provenance.fields, ctx, reasons, acc)
      lines.push(line)
    }
    for (const a of acc.values()) {
      quantities.push({
        poNumber: found.po.poNumber,
        poLineNo: a.poLine.lineNo,
        qty: a.qty,
        uom: a.poLine.uom,
      })
      checkRemaining(doc, found.po, a, asn.provenance.fields, ctx, reasons)
    }
  })
  return finish(reasons, lines, quantities)
}

function matchLeaf(
  doc: MatchDocRef,
  po: ErpPurchaseOrder,
  leaf: LeafItem,
  lineNo: string,
  fields: Record<string, string>,
  ctx: MatchContext,
  reasons: ExceptionReason[],
  acc: Map<string, Acc>
): MatchLine {
  const line: MatchLine = { lineNo, poNumber: po.poNumber, state: 'ok', notes: [], path: leaf.path }
  const base = { doc, poNumber: po.poNumber, line: lineNo }
  const own: ExceptionReason[] = []
  const c = correlate(leaf.item, po, ctx.config.itemKey)
  if (!c.ok) {
    own.push(
      c.problem === 'line_unknown'
        ? {
            code: 'line_unknown',
            ...base,
            poLineNo: leaf.item.poLineNo ?? '',
            ...itemIdsOf(leaf.item.item),
            ...sourceOf(fields, `${leaf.path}.poLineNo`),
          }
        : { code: 'item_unknown', ...base, ...itemIdsOf(leaf.item.item) }
    )
  } else {
    const pl = c.poLine
    line.poLineNo = pl.lineNo
    line.matchedBy = c.matchedBy
    if (c.note) line.notes.push(c.note)
    if (c.substituted)
      own.push({ code: 'item_substituted', ...base, poLineNo: pl.lineNo, ...c.substituted })
    if (pl.status !== 'open') {
      own.push({
        code: 'po_closed',
        doc,
        poNumber: po.poNumber,
        poLineNo: pl.lineNo,
        status: pl.status,
      })
    } else {
      const q = toPoUnit(doc, po.poNumber, lineNo, pl, leaf.item.quantity, leaf.item.packSize)
      if (!q.ok) own.push(q.reason)
      else {
        const k = lineKey(po.poNumber, pl.lineNo)
        const a = acc.get(k) ?? { poLine: pl, qty: '0', lines: [], first: leaf }
        a.qty = qadd(a.qty, q.qty)
        a.lines.push(line)
        acc.set(k, a)
        line.notes.push(
          `${qnorm(leaf.item.quantity.value)} ${leaf.item.quantity.uom} = ${q.qty} ${pl.uom}`
        )
      }
    }
  }
  reasons.push(...own)
  if (own.some(holds)) line.state = 'exception'
  line.notes.push(...own.map((r) => r.code))
  return line
}

function checkRemaining(
  doc: MatchDocRef,
  po: ErpPurchaseOrder,
  a: Acc,
  fields: Record<string, string>,
  ctx: MatchContext,
  reasons: ExceptionReason[]
): void {
  const pl = a.poLine
  const before = ctx.shippedSoFar.get(lineKey(po.poNumber, pl.lineNo)) ?? '0'
  const shippedOn = ctx.shippedOn?.get(lineKey(po.poNumber, pl.lineNo)) ?? []
  const remaining = qsub(qnorm(pl.quantity), qnorm(before))
  const { over, under } = qtyAllowances(ctx.config.qty)
  const overLimit = qsub(upperLimit(pl.quantity, over), qnorm(before))
  const at = {
    doc,
    poNumber: po.poNumber,
    line: a.lines.map((l) => l.lineNo).join(', '),
    poLineNo: pl.lineNo,
  }
  const source = { ...sourceOf(fields, `${a.first.path}.quantity.value`), item: itemIdsOf(a.first.item.item) }
  const mark = (code: string) =>
    a.lines.forEach((l) => ((l.state = 'exception'), l.notes.push(code)))
  if (qcmp(a.qty, overLimit) > 0) {
    reasons.push({
      code: 'qty_over_remaining',
      ...at,
      ordered: qnorm(pl.quantity),
      shippedBefore: qnorm(before),
      ...(shippedOn.length ? { shippedOn } : {}),
      remaining,
      actual: a.qty,
      uom: pl.uom,
      tolerance: describeAllowance(over),
      limit: overLimit,
      ...source,
    })
    return mark('qty_over_remaining')
  }
  const left = qsub(remaining, a.qty)
  if (qcmp(left, '0') > 0) {
    const underLimit = qsub(lowerLimit(pl.quantity, under), qnorm(before))
    if (!ctx.allowPartialShipments && qcmp(a.qty, underLimit) < 0) {
      reasons.push({
        code: 'qty_out_of_tolerance',
        ...at,
        direction: 'under',
        ordered: remaining,
        actual: a.qty,
        uom: pl.uom,
        tolerance: describeAllowance(under),
        limit: underLimit,
        ...source,
      })
      return mark('qty_out_of_tolerance')
    }
    a.lines.forEach((l) =>
      l.notes.push(`partial: ${left} ${pl.uom} still open on PO line ${pl.lineNo}`)
    )
  }
}
