/**
 * The canonical check on the hot path: the same verdict, output and issues as
 * `CANONICAL_SCHEMAS[kind].safeParse`, through zod's compiled form (`compile`: generated code
 * instead of the schema walk). On the end-to-end bench's documents it took 5–7 µs per document
 * where the schema walk took 20–28 µs.
 *
 * zod compiles no schema with a reference cycle, and the ASN's pack tree is one (packs hold
 * packs). The ASN is therefore compiled as the same schema unrolled to PACK_DEPTH levels of
 * packs, whose innermost level admits no packs: a document within that depth gets exactly the
 * recursive schema's answer, and any document the unrolled form rejects (deeper, or invalid) is
 * checked again by the recursive schema, whose answer (and issues) is the one returned. The
 * other kinds compile as they are; their compiled form falls back to zod's own walk on a
 * rejection, so the issues are zod's.
 */
import { z } from 'zod'
import { compile } from 'zod/v4/core'
import { Asn, AsnOrder, AsnPack } from './asn.ts'
import { Invoice } from './invoice.ts'
import { PoAck } from './po-ack.ts'
import { PurchaseOrder } from './purchase-order.ts'

/** Pallet → carton → inner pack is three; real hierarchies rarely pass five. */
export const PACK_DEPTH = 8

function packsBelow(depth: number): z.ZodType {
  return z.array(depth <= 1 ? z.never() : AsnPack.extend({ packs: packsBelow(depth - 1) })).default([])
}

const RUNTIME = { purchase_order: PurchaseOrder, po_ack: PoAck, asn: Asn, invoice: Invoice }
type Kind = keyof typeof RUNTIME

/** What is compiled for each kind; compiled on first use (8–50 ms here, the unrolled ASN the most), not at import. */
const SOURCE: { [K in Kind]: () => z.ZodType } = {
  purchase_order: () => PurchaseOrder,
  po_ack: () => PoAck,
  asn: () => Asn.extend({ orders: z.array(AsnOrder.extend({ packs: packsBelow(PACK_DEPTH + 1) })).min(1) }),
  invoice: () => Invoice,
}
const compiled: Partial<Record<Kind, z.ZodType>> = {}

/** `CANONICAL_SCHEMAS[kind].safeParse(body)`, compiled. */
export function checkCanonical<K extends Kind>(kind: K, body: unknown): z.ZodSafeParseResult<z.output<(typeof RUNTIME)[K]>> {
  const fast = (compiled[kind] ??= compile(SOURCE[kind]())).safeParse(body)
  if (fast.success || kind !== 'asn') return fast as never
  return RUNTIME[kind].safeParse(body) as never
}
