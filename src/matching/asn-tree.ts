/**
 * Walk the ASN tree (shipment → orders → packs, pallets nesting cartons → items), the canonical
 * form of the X12 856 HL S/O/P/I (or S/O/T/P/I) hierarchy and the DESADV CPS groups.
 *
 * Pack-level totals: a pack that holds both child packs and items states, in its items, the
 * totals of what its children contain (a pallet HL with its own SN1 over carton HLs). Those items
 * are declarations, checked by warehouse.ts; only leaf items count as shipped quantity.
 */
import type { Asn, AsnItem, AsnOrder, AsnPack } from '../canonical/asn.ts'

export interface LeafItem {
  item: AsnItem
  orderIndex: number
  poNumber: string
  /** Canonical path, e.g. `orders.0.packs.1.packs.0.items.2` (provenance.fields key prefix). */
  path: string
  /** SSCC of the innermost pack, when packed. */
  sscc?: string
}

export interface PackVisit {
  pack: AsnPack
  path: string
  parent?: AsnPack
}

/** Every pack, depth first, with its path. */
export function* packsOf(order: AsnOrder, orderIndex: number): Generator<PackVisit> {
  function* walk(packs: AsnPack[], prefix: string, parent?: AsnPack): Generator<PackVisit> {
    for (let i = 0; i < packs.length; i++) {
      const path = `${prefix}.packs.${i}`
      yield { pack: packs[i], path, parent }
      yield* walk(packs[i].packs, path, packs[i])
    }
  }
  yield* walk(order.packs, `orders.${orderIndex}`)
}

/** Shipped items of one order: loose items plus the items of packs that have no child packs. */
export function leafItemsOfOrder(order: AsnOrder, orderIndex: number): LeafItem[] {
  const out: LeafItem[] = order.items.map((item, i) => ({
    item,
    orderIndex,
    poNumber: order.poNumber,
    path: `orders.${orderIndex}.items.${i}`,
  }))
  for (const { pack, path } of packsOf(order, orderIndex)) {
    if (pack.packs.length > 0) continue
    pack.items.forEach((item, i) =>
      out.push({
        item,
        orderIndex,
        poNumber: order.poNumber,
        path: `${path}.items.${i}`,
        ...(pack.sscc ? { sscc: pack.sscc } : {}),
      })
    )
  }
  return out
}

/** All shipped items of the ASN in document order. */
export const leafItems = (asn: Asn): LeafItem[] =>
  asn.orders.flatMap((o, i) => leafItemsOfOrder(o, i))

/** Every SSCC on the ASN (what the pipeline records as "open" once the ASN is accepted). */
export function ssccsOf(asn: Asn): readonly string[] {
  let out = ssccCache.get(asn)
  if (!out) {
    const found: string[] = []
    const walk = (packs: AsnPack[]) => {
      for (const p of packs) {
        if (p.sscc) found.push(p.sscc)
        walk(p.packs)
      }
    }
    for (const o of asn.orders) walk(o.packs)
    out = Object.freeze(found)
    ssccCache.set(asn, out)
  }
  return out
}

/** A document's SSCCs, read by translate, by matching's reads and by each document's context: walked once. */
const ssccCache = new WeakMap<Asn, readonly string[]>()
