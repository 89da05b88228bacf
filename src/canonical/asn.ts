import { z } from 'zod'
import { Decimal, IsoDate, IsoDateTime, ItemIds, Party, Provenance, Quantity } from './common.ts'

/**
 * Advance ship notice. The tree mirrors the X12 856 HL levels and the EDIFACT DESADV CPS
 * hierarchy: shipment → orders → packs (SSCC) → items. Items shipped without a pack level
 * (HL S/O/I, common in pick-and-pack) sit directly on the order.
 */
export const AsnItem = z.strictObject({
  /** PO line the item ships against (LIN / PRF line reference), when sent. */
  poLineNo: z.string().optional(),
  item: ItemIds,
  quantity: Quantity,
  /** Eaches per shipped unit when the partner sent one (SN1 / PO4). */
  packSize: Decimal.optional(),
  lot: z.string().optional(),
  expiry: IsoDate.optional(),
})

export const AsnPack = z.strictObject({
  /** Serial Shipping Container Code: 18 digits, GS1 check digit (MAN*GM / GIN+BJ). */
  sscc: z.string().optional(),
  /** `carton` or `pallet`; pallets may contain cartons. */
  type: z.enum(['carton', 'pallet']).default('carton'),
  items: z.array(AsnItem).default([]),
  packs: z.array(z.lazy((): z.ZodType<AsnPackT> => AsnPack)).default([]),
})
export interface AsnPackT {
  sscc?: string
  type: 'carton' | 'pallet'
  items: AsnItem[]
  packs: AsnPackT[]
}

export const AsnOrder = z.strictObject({
  poNumber: z.string().min(1),
  packs: z.array(AsnPack).default([]),
  /** Items not inside a pack (HL S/O/I). */
  items: z.array(AsnItem).default([]),
})

export const Asn = z.strictObject({
  kind: z.literal('asn'),
  /** BSN02 / BGM 1004: the supplier's shipment id. */
  shipmentId: z.string().min(1),
  purpose: z.enum(['original', 'replace', 'cancel']).default('original'),
  shipDate: IsoDate.optional(),
  shipDateTime: IsoDateTime.optional(),
  estimatedDelivery: IsoDate.optional(),
  carrier: z.strictObject({ scac: z.string().optional(), name: z.string().optional() }).optional(),
  billOfLading: z.string().optional(),
  trackingNumber: z.string().optional(),
  grossWeight: z.strictObject({ value: Decimal, uom: z.string() }).optional(),
  parties: z.array(Party).default([]),
  orders: z.array(AsnOrder).min(1),
  provenance: Provenance,
})

export type Asn = z.infer<typeof Asn>
export type AsnOrder = z.infer<typeof AsnOrder>
export type AsnPack = AsnPackT
export type AsnItem = z.infer<typeof AsnItem>
export type AsnQuantity = z.infer<typeof Quantity>
