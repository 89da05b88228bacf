import { z } from 'zod'
import { IsoDate, ItemIds, Money, Party, Provenance, Quantity } from './common.ts'

/** Line statuses the 855 ACK01 / ORDRSP LIN 1229 codes reduce to. */
export const AckLineStatus = z.enum(['accepted', 'backordered', 'rejected', 'changed'])

export const PoAckLine = z.strictObject({
  lineNo: z.string(),
  item: ItemIds,
  status: AckLineStatus,
  /** The partner's own status code, kept for the exception queue (`IA`, `IB`, `R2`...). */
  statusCode: z.string().optional(),
  orderedQuantity: Quantity.optional(),
  quantity: Quantity,
  unitPrice: Money.optional(),
  scheduledShipDate: IsoDate.optional(),
  scheduledDeliveryDate: IsoDate.optional(),
  reason: z.string().optional(),
})

export const PoAck = z.strictObject({
  kind: z.literal('po_ack'),
  poNumber: z.string().min(1),
  ackNumber: z.string().optional(),
  ackDate: IsoDate.optional(),
  /** Header-level answer (BAK02 / BGM 4343): accepted as is, with changes, or rejected. */
  status: z.enum(['accepted', 'accepted_with_changes', 'rejected']),
  parties: z.array(Party).default([]),
  lines: z.array(PoAckLine).default([]),
  provenance: Provenance,
})

export type PoAck = z.infer<typeof PoAck>
export type PoAckLine = z.infer<typeof PoAckLine>
export type AckLineStatus = z.infer<typeof AckLineStatus>
