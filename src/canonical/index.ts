/** Canonical business documents: the one shape every standard is mapped into and out of. */
import { z } from 'zod'
import { PurchaseOrder } from './purchase-order.ts'
import { PoAck } from './po-ack.ts'
import { Asn } from './asn.ts'
import { Invoice } from './invoice.ts'

export * from './common.ts'
export * from './purchase-order.ts'
export * from './po-ack.ts'
export * from './asn.ts'
export * from './invoice.ts'
export { checkCanonical, PACK_DEPTH } from './check.ts'

export const CanonicalDoc = z.discriminatedUnion('kind', [PurchaseOrder, PoAck, Asn, Invoice])
export type CanonicalDoc = z.infer<typeof CanonicalDoc>
export type CanonicalKind = CanonicalDoc['kind']

export const CANONICAL_SCHEMAS = {
  purchase_order: PurchaseOrder,
  po_ack: PoAck,
  asn: Asn,
  invoice: Invoice,
} as const satisfies Record<CanonicalKind, z.ZodType>

/** The business key that identifies a document across resends with new control numbers. */
export function businessKey(doc: CanonicalDoc): string {
  switch (doc.kind) {
    case 'purchase_order':
      return `po:${doc.poNumber}`
    case 'po_ack':
      return `ack:${doc.poNumber}:${doc.ackNumber ?? ''}`
    case 'asn':
      return `asn:${doc.shipmentId}`
    case 'invoice':
      return `inv:${doc.invoiceNumber}`
  }
}
