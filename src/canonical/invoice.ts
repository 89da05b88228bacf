import { z } from 'zod'
import { Currency, Decimal, IsoDate, ItemIds, Money, Party, Provenance, Quantity } from './common.ts'

export const InvoiceLine = z.strictObject({
  lineNo: z.string(),
  /** PO line the invoice line bills (IT101 often repeats the PO line number). */
  poLineNo: z.string().optional(),
  item: ItemIds,
  quantity: Quantity,
  unitPrice: Money,
  /** Extended amount as sent (quantity × price); checked, never trusted blindly. */
  amount: Money.optional(),
})

/** SAC / ALC: a charge adds to the total, an allowance subtracts. */
export const ChargeAllowance = z.strictObject({
  type: z.enum(['charge', 'allowance']),
  code: z.string().optional(),
  description: z.string().optional(),
  amount: Money,
})

export const PaymentTerms = z.strictObject({
  type: z.string().optional(),
  discountPercent: Decimal.optional(),
  discountDays: z.number().int().optional(),
  netDays: z.number().int().optional(),
  description: z.string().optional(),
})

export const Invoice = z.strictObject({
  kind: z.literal('invoice'),
  invoiceNumber: z.string().min(1),
  invoiceType: z.enum(['invoice', 'credit_note', 'debit_note']).default('invoice'),
  invoiceDate: IsoDate.optional(),
  poNumber: z.string().min(1),
  currency: Currency,
  parties: z.array(Party).default([]),
  terms: PaymentTerms.optional(),
  lines: z.array(InvoiceLine).min(1),
  chargesAllowances: z.array(ChargeAllowance).default([]),
  tax: Money.optional(),
  /** TDS / MOA+77 (or 86): the total the supplier claims. */
  total: Money,
  provenance: Provenance,
})

export type Invoice = z.infer<typeof Invoice>
export type InvoiceLine = z.infer<typeof InvoiceLine>
export type ChargeAllowance = z.infer<typeof ChargeAllowance>
export type InvoiceQuantity = z.infer<typeof Quantity>
export type InvoiceDecimal = z.infer<typeof Decimal>
