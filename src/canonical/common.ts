/**
 * Building blocks shared by every canonical document. These are OUR business terms: no segment
 * tags here. Money and quantities are decimal strings (never floats) so that nothing is lost
 * between the wire and the ERP; arithmetic on them lives in lib/decimal.ts.
 */
import { z } from 'zod'

/** A decimal number written as text: `12`, `-3.50`, `0.125`. No exponent, no thousands separators. */
export const Decimal = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/, 'must be a decimal string like "12.50" (no floats, no exponent)')

/** ISO 4217 currency code. */
export const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like "USD"')

export const Money = z.strictObject({ amount: Decimal, currency: Currency })

/**
 * Unit of measure, normalised to UN/ECE Rec 20 where we know the code (EA → EA, CA → CS, ...).
 * Kept as text so that an unknown partner unit survives to the exception queue.
 */
export const Uom = z.string().min(1).max(8)

export const Quantity = z.strictObject({ value: Decimal, uom: Uom })

/** ISO date `YYYY-MM-DD`. */
export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be an ISO date YYYY-MM-DD')
/** ISO date-time; partners rarely send zones, so the offset is optional. */
export const IsoDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$/)

export const Address = z.strictObject({
  lines: z.array(z.string()).default([]),
  city: z.string().optional(),
  region: z.string().optional(),
  postalCode: z.string().optional(),
  country: z.string().optional(),
})

/** A party: buyer, supplier, ship-to, bill-to, ship-from, remit-to ... */
export const PartyRole = z.enum([
  'buyer',
  'supplier',
  'ship_to',
  'ship_from',
  'bill_to',
  'remit_to',
  'carrier',
  'warehouse',
])
export const Party = z.strictObject({
  role: PartyRole,
  /** The party's identifier as sent (store number, DUNS, GLN ...). */
  id: z.string().optional(),
  /** What kind of identifier `id` is: `duns`, `gln`, `buyer_assigned`, or the raw qualifier. */
  idType: z.string().optional(),
  name: z.string().optional(),
  address: Address.optional(),
})

/**
 * Item identity. Matching falls back through these in the order the partner profile gives
 * (`matching.itemKey`), so every identifier the partner sent is kept.
 */
export const ItemIds = z.strictObject({
  buyerPart: z.string().optional(),
  vendorPart: z.string().optional(),
  gtin: z.string().optional(),
  upc: z.string().optional(),
  description: z.string().optional(),
})

/** Where a document came from, down to the element each field was read from. */
export const Provenance = z.strictObject({
  partnerId: z.string(),
  standard: z.enum(['x12', 'edifact', 'json', 'csv']),
  version: z.string(),
  docType: z.string(),
  interchangeControl: z.string().optional(),
  groupControl: z.string().optional(),
  transactionControl: z.string().optional(),
  test: z.boolean().default(false),
  /** Map id and content hash of the map version that produced the document. */
  map: z.strictObject({ id: z.string(), hash: z.string() }).optional(),
  /** canonical field path (`lines.0.quantity.value`) → source path (`PO1[1]/02` or `$.items[0].qty`). */
  fields: z.record(z.string(), z.string()).default({}),
})

export type Decimal = z.infer<typeof Decimal>
export type Money = z.infer<typeof Money>
export type Quantity = z.infer<typeof Quantity>
export type Address = z.infer<typeof Address>
export type Party = z.infer<typeof Party>
export type PartyRole = z.infer<typeof PartyRole>
export type ItemIds = z.infer<typeof ItemIds>
export type Provenance = z.infer<typeof Provenance>
