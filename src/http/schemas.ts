/**
 * zod schemas of the supplier/3PL JSON API. The request bodies follow the public Amazon SP-API
 * vendor models (vendorOrders / vendorShipments / vendorInvoices, see ../shared/notes/PRODUCTS.md)
 * so suppliers who already integrate with a retailer recognise them; the demo 3PL posts a simpler
 * ASN. The same schemas validate requests and generate /openapi.json, so the two never drift.
 * Objects are not strict: SP-API bodies carry many optional fields (addresses, tax ids) we store
 * verbatim in the raw payload and let the maps read.
 */
import { z } from 'zod'

/** Decimal string (`"12.50"`): money and quantities are never floats. */
export const DecimalString = z.string().regex(/^-?\d{1,15}(\.\d{1,6})?$/, 'a decimal number as a string, e.g. "12.50"')
/** SP-API quantities are integers; a decimal string is accepted as well. */
const Count = z.union([z.number().int().nonnegative(), DecimalString])
const DateOrDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/, 'an ISO 8601 date or date-time')
const Id = z.string().min(1).max(80)

export const Money = z.object({ currencyCode: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code'), amount: DecimalString })
export const ItemQuantity = z.object({
  amount: Count,
  unitOfMeasure: z.enum(['Cases', 'Eaches']),
  unitSize: z.number().int().positive().optional(),
})
export const PartyIdentification = z.object({ partyId: Id, address: z.record(z.string(), z.unknown()).optional() })

// ── PO acknowledgement (SP-API vendorOrders submitAcknowledgement) ─────────────────────────────
export const OrderItemAcknowledgement = z.object({
  acknowledgementCode: z.enum(['Accepted', 'Backordered', 'Rejected']),
  acknowledgedQuantity: ItemQuantity,
  scheduledShipDate: DateOrDateTime.optional(),
  scheduledDeliveryDate: DateOrDateTime.optional(),
  rejectionReason: z.enum(['TemporarilyUnavailable', 'InvalidProductIdentifier', 'ObsoleteProduct']).optional(),
})
export const OrderAcknowledgementItem = z.object({
  itemSequenceNumber: Id.optional(),
  amazonProductIdentifier: z.string().optional(),
  buyerProductIdentifier: z.string().optional(),
  vendorProductIdentifier: z.string().optional(),
  orderedQuantity: ItemQuantity,
  netCost: Money.optional(),
  listPrice: Money.optional(),
  itemAcknowledgements: z.array(OrderItemAcknowledgement).min(1),
})
export const OrderAcknowledgement = z.object({
  purchaseOrderNumber: Id,
  sellingParty: PartyIdentification,
  acknowledgementDate: DateOrDateTime,
  items: z.array(OrderAcknowledgementItem).min(1).max(10_000),
})
export const SubmitAcknowledgementRequest = z
  .object({ acknowledgements: z.array(OrderAcknowledgement).min(1).max(100) })
  .describe('PO acknowledgements (SP-API vendor orders shape).')

// ── Shipment confirmation / ASN (SP-API vendorShipments submitShipmentConfirmations) ──────────
export const ContainerIdentification = z.object({
  containerIdentificationType: z.enum(['SSCC', 'AMZNCC', 'GTIN', 'BPS', 'CID']),
  containerIdentificationNumber: Id,
})
export const ItemDetails = z.object({
  purchaseOrderNumber: Id.optional(),
  lotNumber: z.string().optional(),
  expiry: z.object({ manufacturerDate: DateOrDateTime.optional(), expiryDate: DateOrDateTime.optional() }).optional(),
})
export const ShippedItem = z.object({
  itemSequenceNumber: Id,
  amazonProductIdentifier: z.string().optional(),
  buyerProductIdentifier: z.string().optional(),
  vendorProductIdentifier: z.string().optional(),
  shippedQuantity: ItemQuantity,
  itemDetails: ItemDetails.optional(),
})
export const ContainerItem = z.object({
  /** The itemSequenceNumber of a shippedItems entry. */
  itemReference: Id,
  shippedQuantity: ItemQuantity,
  itemDetails: ItemDetails.optional(),
})
const Weight = z.object({ unitOfMeasure: z.enum(['G', 'Kg', 'Oz', 'Lb']), value: DecimalString })
export const Carton = z.object({
  cartonIdentifiers: z.array(ContainerIdentification).default([]),
  cartonSequenceNumber: Id,
  trackingNumber: z.string().optional(),
  weight: Weight.optional(),
  items: z.array(ContainerItem).min(1),
})
export const Pallet = z.object({
  palletIdentifiers: z.array(ContainerIdentification).min(1),
  tier: z.number().int().optional(),
  block: z.number().int().optional(),
  weight: Weight.optional(),
  /** Cartons on this pallet, by cartonSequenceNumber. */
  cartonReferenceDetails: z.object({ cartonCount: z.number().int().optional(), cartonReferenceNumbers: z.array(Id) }).optional(),
  items: z.array(ContainerItem).optional(),
})
export const ShipmentConfirmation = z.object({
  shipmentIdentifier: Id,
  shipmentConfirmationType: z.enum(['Original', 'Replace']),
  shipmentType: z.enum(['TruckLoad', 'LessThanTruckLoad', 'SmallParcel']).optional(),
  shipmentConfirmationDate: DateOrDateTime,
  shippedDate: DateOrDateTime.optional(),
  estimatedDeliveryDate: DateOrDateTime.optional(),
  sellingParty: PartyIdentification,
  shipFromParty: PartyIdentification,
  shipToParty: PartyIdentification,
  transportationDetails: z
    .object({
      carrierScac: z.string().optional(),
      carrierShipmentReferenceNumber: z.string().optional(),
      transportationMode: z.enum(['Road', 'Air', 'Ocean']).optional(),
      billOfLadingNumber: z.string().optional(),
    })
    .optional(),
  shipmentMeasurements: z
    .object({ grossShipmentWeight: Weight.optional(), cartonCount: z.number().int().optional(), palletCount: z.number().int().optional() })
    .optional(),
  shippedItems: z.array(ShippedItem).min(1).max(10_000),
  cartons: z.array(Carton).optional(),
  pallets: z.array(Pallet).optional(),
})
export const SubmitShipmentConfirmationsRequest = z
  .object({ shipmentConfirmations: z.array(ShipmentConfirmation).min(1).max(100) })
  .describe('Shipment confirmations / ASNs (SP-API vendor shipments shape).')

// ── Demo 3PL ASN (maps/json-v1/asn.in.yaml): orders → pallets → cartons → lines ──────────────
const Sscc = z.string().regex(/^\d{18}$/, '18-digit SSCC (GS1 AI 00)')
/** The 3PL sends quantities as JSON numbers or decimal strings; the map turns both into decimals. */
const Qty = z.union([z.number().nonnegative(), DecimalString])
export const ThreePlLine = z.object({
  /** PO line number the goods ship against. */
  poLine: z.union([z.number().int().nonnegative(), z.string().min(1).max(20)]).optional(),
  sku: z.string().min(1).max(80),
  gtin: z.string().regex(/^\d{8,14}$/, 'GTIN-8/12/13/14 digits').optional(),
  qty: Qty,
  uom: z.string().min(1).max(3).describe('X12 355 unit code: EA, CA, PK ...'),
  lot: z.string().max(80).optional(),
  bestBefore: DateOrDateTime.optional(),
})
export const ThreePlCarton = z.object({ sscc: Sscc.optional(), lines: z.array(ThreePlLine).min(1) })
export const ThreePlPallet = z.object({
  sscc: Sscc.optional(),
  cartons: z.array(ThreePlCarton).optional(),
  lines: z.array(ThreePlLine).optional(),
})
export const ThreePlAsn = z
  .object({
    asnNumber: Id,
    type: z.enum(['original', 'replace', 'cancel']).optional(),
    shippedAt: DateOrDateTime,
    expectedAt: DateOrDateTime.optional(),
    carrier: z
      .object({ scac: z.string().max(4).optional(), name: z.string().optional(), proNumber: z.string().optional(), bol: z.string().optional() })
      .optional(),
    weight: z.object({ value: Qty, unit: z.enum(['KG', 'LB']) }).optional(),
    shipFrom: z.object({ id: Id, name: z.string().optional() }).optional(),
    shipTo: z.object({ gln: z.string().regex(/^\d{13}$/, '13-digit GLN'), name: z.string().optional() }).optional(),
    orders: z
      .array(
        z.object({
          poNumber: Id,
          pallets: z.array(ThreePlPallet).optional(),
          cartons: z.array(ThreePlCarton).optional(),
          lines: z.array(ThreePlLine).optional(),
        })
      )
      .min(1)
      .max(1000),
  })
  .describe("The demo 3PL's simpler ASN: orders → pallets → cartons (SSCC) → lines.")

// ── Invoice (SP-API vendorInvoices submitInvoices) ───────────────────────────────────────────
const TaxDetails = z.object({ taxType: z.string(), taxRate: DecimalString.optional(), taxAmount: Money, taxableAmount: Money.optional() })
export const InvoiceItem = z.object({
  itemSequenceNumber: z.union([z.number().int().positive(), Id]),
  amazonProductIdentifier: z.string().optional(),
  buyerProductIdentifier: z.string().optional(),
  vendorProductIdentifier: z.string().optional(),
  invoicedQuantity: ItemQuantity,
  netCost: Money,
  purchaseOrderNumber: Id.optional(),
  taxDetails: z.array(TaxDetails).optional(),
})
export const Invoice = z.object({
  invoiceType: z.enum(['Invoice', 'CreditNote']),
  id: Id,
  referenceNumber: z.string().optional(),
  date: DateOrDateTime,
  remitToParty: PartyIdentification,
  shipToParty: PartyIdentification.optional(),
  shipFromParty: PartyIdentification.optional(),
  billToParty: PartyIdentification.optional(),
  paymentTerms: z
    .object({
      type: z.enum(['Basic', 'EndOfMonth', 'FixedDate', 'Proximo', 'PaymentDueUponReceiptOfInvoice', 'LetterofCredit']).optional(),
      discountPercent: DecimalString.optional(),
      discountDueDays: z.number().nonnegative().optional(),
      netDueDays: z.number().nonnegative().optional(),
    })
    .optional(),
  invoiceTotal: Money,
  taxDetails: z.array(TaxDetails).optional(),
  chargeDetails: z.array(z.object({ type: z.string(), description: z.string().optional(), chargeAmount: Money })).optional(),
  allowanceDetails: z.array(z.object({ type: z.string(), description: z.string().optional(), allowanceAmount: Money })).optional(),
  items: z.array(InvoiceItem).min(1).max(10_000),
})
export const SubmitInvoicesRequest = z
  .object({ invoices: z.array(Invoice).min(1).max(100) })
  .describe('Invoices and credit notes (SP-API vendor invoices shape).')

// ── Responses ────────────────────────────────────────────────────────────────────────────────
export const SubmitAccepted = z
  .object({ transactionId: z.string().describe('Gateway message id; poll GET /api/v1/transactions/{id}') })
export const TransactionStatus = z
  .object({
    transactionId: z.string(),
    status: z.enum(['Processing', 'Success', 'Failure']),
    receivedAt: z.string(),
    documents: z.array(z.object({ kind: z.string(), businessKey: z.string(), status: z.string(), poNumbers: z.array(z.string()) })),
    errors: z.array(z.object({ code: z.string(), message: z.string(), state: z.string(), severity: z.string(), details: z.unknown() })),
  })
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), pointer: z.string(), code: z.string(), message: z.string() })).optional(),
  })
  .describe('RFC 9457 problem details (application/problem+json).')

/**
 * What each submit endpoint accepts and how the pipeline reads it: `docType` goes to payload.meta
 * and becomes the transaction's doc type, which selects maps/json-v1/<docType>.in[@partner].yaml.
 */
export const SUBMITS = [
  { path: '/api/v1/acknowledgements', docType: 'acknowledgement', shape: 'spapi', name: 'SubmitAcknowledgementRequest', schema: SubmitAcknowledgementRequest, summary: 'Submit PO acknowledgements' },
  { path: '/api/v1/shipment-confirmations', docType: 'shipment_confirmation', shape: 'spapi', name: 'SubmitShipmentConfirmationsRequest', schema: SubmitShipmentConfirmationsRequest, summary: 'Submit shipment confirmations (ASNs) with cartons, pallets and SSCCs' },
  { path: '/api/v1/asns', docType: 'asn', shape: '3pl', name: 'ThreePlAsn', schema: ThreePlAsn, summary: 'Submit an ASN in the simpler 3PL shape' },
  { path: '/api/v1/invoices', docType: 'invoice', shape: 'spapi', name: 'SubmitInvoicesRequest', schema: SubmitInvoicesRequest, summary: 'Submit invoices' },
] as const

export type SubmitSpec = (typeof SUBMITS)[number]
