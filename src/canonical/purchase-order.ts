import { z } from 'zod'
import { Currency, Decimal, IsoDate, ItemIds, Money, Party, Provenance, Quantity } from './common.ts'

export const PurchaseOrderLine = z.strictObject({
  /** The buyer's line number (PO101 / LIN 1082). Correlation key with acks, ASNs and invoices. */
  lineNo: z.string(),
  item: ItemIds,
  quantity: Quantity,
  unitPrice: Money.optional(),
  /** Eaches per ordering unit (PO1 pack / PO4), used to convert case vs each. */
  packSize: Decimal.optional(),
  requestedDate: IsoDate.optional(),
})

export const PurchaseOrder = z.strictObject({
  kind: z.literal('purchase_order'),
  poNumber: z.string().min(1),
  /** `original`, `change`, `cancel` (BEG01 00/01/04 ...). */
  purpose: z.enum(['original', 'change', 'cancel', 'replace']).default('original'),
  orderDate: IsoDate.optional(),
  currency: Currency.optional(),
  parties: z.array(Party).default([]),
  requestedShipDate: IsoDate.optional(),
  requestedDeliveryDate: IsoDate.optional(),
  /** Ship window used by the warehouse check (ship date against the PO window). */
  shipWindow: z.strictObject({ from: IsoDate.optional(), to: IsoDate.optional() }).optional(),
  lines: z.array(PurchaseOrderLine).min(1),
  notes: z.array(z.string()).default([]),
  provenance: Provenance,
})

export type PurchaseOrder = z.infer<typeof PurchaseOrder>
export type PurchaseOrderLine = z.infer<typeof PurchaseOrderLine>
