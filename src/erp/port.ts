/**
 * ErpPort: what the gateway needs from the ERP. The default adapter (db/erp.ts) keeps open
 * purchase orders in the gateway's own tables, fed by `POST /api/v1/erp/purchase-orders` and
 * `edi-gateway erp import`; a real ERP adapter implements the same five methods.
 */
export type ErpPoStatus = 'open' | 'closed' | 'cancelled'

export interface ErpPoLine {
  lineNo: string
  buyerPart?: string
  vendorPart?: string
  gtin?: string
  /** Ordered quantity, decimal string, in `uom`. */
  quantity: string
  uom: string
  unitPrice?: string
  /** Eaches per `uom` (a case of 12 → '12'); converts case vs each. */
  packSize?: string
  requestedDate?: string
  status: ErpPoStatus
}

export interface ErpPurchaseOrder {
  poNumber: string
  /** Partner id of the supplier the PO is addressed to. */
  supplierId: string
  status: ErpPoStatus
  currency: string
  shipTo?: string
  requestedDate?: string
  lines: ErpPoLine[]
}

/** Events for ERP consumers (outbox): PO acknowledged, ASN validated, invoice matched/held ... */
export interface ErpEvent {
  type:
    | 'po_acknowledged'
    | 'asn_validated'
    | 'asn_held'
    | 'asn_released'
    | 'invoice_matched'
    | 'invoice_held'
    | 'invoice_released'
    | 'po_received'
  partnerId: string
  poNumber?: string
  documentId: string
  payload: Record<string, unknown>
}

export interface ErpPort {
  findOrders(poNumbers: readonly string[]): Promise<Map<string, ErpPurchaseOrder>>
  listOpenOrders(
    supplierId: string,
    page: { limit: number; after?: string }
  ): Promise<{ items: ErpPurchaseOrder[]; next?: string }>
  upsertOrders(orders: readonly ErpPurchaseOrder[]): Promise<{ inserted: number; updated: number; created: string[] }>
  publish(event: ErpEvent): Promise<void>
}
