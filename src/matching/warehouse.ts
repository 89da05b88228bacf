/**
 * ASN checks for the warehouse: what a dock needs to receive without opening every carton.
 * - every SSCC passes the GS1 check digit (sscc.ts) and appears once, on this ASN only;
 * - the tree is consistent: no empty orders or packs, no item without a positive quantity, no
 *   pallet inside a carton;
 * - a pack that states totals (items next to child packs, see asn-tree.ts) equals what its
 *   children contain;
 * - the ASN's delivery date (X12 DTM*017, EDIFACT DTM+17) falls in the PO window (earliest to
 *   latest requested delivery date) ± dateToleranceDays; with only a ship date, the ship date plus
 *   the profile's transitDays is compared instead (like with like: arrival against arrival).
 */
import type { Asn, AsnItem } from '../canonical/asn.ts'
import type { ErpPurchaseOrder } from '../erp/port.ts'
import type { ExceptionReason, MatchDocRef } from '../exceptions/reasons.ts'
import { add, cmp, normalize } from '../lib/decimal.ts'
import { packsOf } from './asn-tree.ts'
import type { PackVisit } from './asn-tree.ts'
import type { MatchContext } from './context.ts'
import { normGtin } from './correlate.ts'
import { addDays, inWindow } from './common.ts'
import { checkSscc, normSscc } from './sscc.ts'
import { unitFamily } from './uom.ts'

/** Run every warehouse check; returns reasons only (lines belong to matchAsn). */
export function checkWarehouse(asn: Asn, ctx: MatchContext): ExceptionReason[] {
  const doc: MatchDocRef = { kind: 'asn', id: asn.shipmentId }
  const reasons: ExceptionReason[] = []
  const seen = new Map<string, string>()
  let packNo = 0
  asn.orders.forEach((order, oi) => {
    const at = `orders.${oi}`
    if (order.items.length === 0 && order.packs.length === 0) {
      reasons.push({
        code: 'asn_tree_invalid',
        doc,
        path: at,
        problem: 'empty_order',
        poNumber: order.poNumber,
      })
    }
    order.items.forEach((it, i) => itemQty(doc, it, `${at}.items.${i}`, reasons))
    for (const v of packsOf(order, oi)) {
      packNo++
      checkPack(doc, v, reasons)
      const where = { poNumber: order.poNumber, pack: `${v.pack.type} ${packNo}` }
      if (v.pack.sscc) checkSsccUse(doc, asn.shipmentId, v, ctx, seen, reasons, where)
    }
  })
  reasons.push(...checkShipDate(doc, asn, ctx))
  return reasons
}

function itemQty(doc: MatchDocRef, it: AsnItem, path: string, reasons: ExceptionReason[]): void {
  if (cmp(it.quantity.value, '0') <= 0)
    reasons.push({ code: 'asn_tree_invalid', doc, path, problem: 'item_without_qty' })
}

function checkPack(doc: MatchDocRef, v: PackVisit, reasons: ExceptionReason[]): void {
  const { pack, path, parent } = v
  if (pack.items.length === 0 && pack.packs.length === 0) {
    reasons.push({ code: 'asn_tree_invalid', doc, path, problem: 'empty_pack' })
  }
  if (parent?.type === 'carton' && pack.type === 'pallet') {
    reasons.push({ code: 'asn_tree_invalid', doc, path, problem: 'carton_contains_pallet' })
  }
  pack.items.forEach((it, i) => itemQty(doc, it, `${path}.items.${i}`, reasons))
  if (pack.items.length > 0 && pack.packs.length > 0) reasons.push(...packTotals(doc, v))
}

/** Identity of an item for totals: first identifier present, plus the unit family. */
function totalKey(it: AsnItem): string {
  const id = it.item.gtin ?? it.item.upc
  const ident = id
    ? `gtin:${normGtin(id)}`
    : it.item.buyerPart
      ? `bp:${it.item.buyerPart}`
      : `vp:${it.item.vendorPart ?? ''}`
  return `${ident}|${unitFamily(it.quantity.uom)}`
}

function contained(pack: PackVisit['pack'], into: Map<string, string>): void {
  if (pack.packs.length === 0) {
    for (const it of pack.items)
      into.set(totalKey(it), normalize(add(into.get(totalKey(it)) ?? '0', it.quantity.value)))
    return
  }
  // Child packs that state their own totals count through their children, not twice.
  for (const p of pack.packs) contained(p, into)
}

function packTotals(doc: MatchDocRef, v: PackVisit): ExceptionReason[] {
  const declared = new Map<string, string>()
  for (const it of v.pack.items)
    declared.set(totalKey(it), normalize(add(declared.get(totalKey(it)) ?? '0', it.quantity.value)))
  const inside = new Map<string, string>()
  contained(v.pack, inside)
  const out: ExceptionReason[] = []
  for (const k of new Set([...declared.keys(), ...inside.keys()])) {
    const d = declared.get(k) ?? '0'
    const c = inside.get(k) ?? '0'
    if (cmp(d, c) === 0) continue
    const [item, uom] = k.split('|')
    out.push({
      code: 'pack_total_mismatch',
      doc,
      path: v.path,
      ...(v.pack.sscc ? { sscc: v.pack.sscc } : {}),
      item,
      declared: d,
      contained: c,
      uom,
    })
  }
  return out
}

function checkSsccUse(
  doc: MatchDocRef,
  shipmentId: string,
  v: PackVisit,
  ctx: MatchContext,
  seen: Map<string, string>,
  reasons: ExceptionReason[],
  where: { poNumber: string; pack: string }
): void {
  const raw = v.pack.sscc as string
  const r = checkSscc(raw)
  if (!r.ok) {
    reasons.push({
      code: 'sscc_invalid',
      doc,
      sscc: raw,
      problem: r.problem,
      path: v.path,
      ...where,
      ...(r.expectedCheckDigit ? { expectedCheckDigit: r.expectedCheckDigit } : {}),
    })
  }
  const n = normSscc(raw)
  if (seen.has(n)) {
    // The same label twice on one ASN: two HL P loops claim one physical container.
    reasons.push({ code: 'sscc_reused', doc, sscc: raw, otherShipmentId: shipmentId, path: v.path })
  }
  seen.set(n, v.path)
  const other = ctx.openSsccs.get(n) ?? ctx.openSsccs.get(raw)
  // The same shipment id is a replace of this ASN, not a reuse.
  if (other !== undefined && other !== shipmentId) {
    reasons.push({ code: 'sscc_reused', doc, sscc: raw, otherShipmentId: other, path: v.path })
  }
}

/** Earliest and latest requested date on the PO (header and open lines). */
export function poWindow(po: ErpPurchaseOrder): { from: string; to: string } | undefined {
  const dates = [po.requestedDate, ...po.lines.map((l) => l.requestedDate)]
    .filter((d): d is string => !!d)
    .map((d) => d.slice(0, 10))
    .sort()
  return dates.length ? { from: dates[0], to: dates[dates.length - 1] } : undefined
}

function checkShipDate(doc: MatchDocRef, asn: Asn, ctx: MatchContext): ExceptionReason[] {
  // The PO's requested date is a delivery date (it goes out as DTM*002 / DTM+2): compare the
  // ASN's delivery date with it, else the ship date plus transit days. No BSN03/DTM*011 either:
  // the notice is taken as shipped the day it is matched.
  const shipDate = asn.shipDate ?? asn.shipDateTime?.slice(0, 10) ?? ctx.today
  const transitDays = ctx.config.transitDays ?? 0
  const compared = asn.estimatedDelivery
    ? { field: 'delivery_date' as const, date: asn.estimatedDelivery.slice(0, 10) }
    : { field: 'ship_date' as const, date: addDays(shipDate, transitDays), shipDate, transitDays }
  const date = compared.date
  const days = ctx.config.dateToleranceDays
  const out: ExceptionReason[] = []
  for (const poNumber of new Set(asn.orders.map((o) => o.poNumber))) {
    const po = ctx.orders.get(poNumber)
    const w = po && poWindow(po)
    if (w && !inWindow(date, w.from, w.to, days)) {
      out.push({
        code: 'date_out_of_window',
        doc,
        poNumber,
        ...compared,
        from: w.from,
        to: w.to,
        toleranceDays: days,
      })
    }
  }
  return out
}
