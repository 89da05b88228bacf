/**
 * One positive and one negative case per matching reason code. The table must cover every
 * matching/warehouse code in REASONS, so a new code without a test fails here.
 */
import { describe, expect, it } from 'vitest'
import type { CanonicalDoc } from '../../src/canonical/index.ts'
import { REASONS } from '../../src/exceptions/reasons.ts'
import type { ExceptionCode } from '../../src/exceptions/reasons.ts'
import type { MatchContext } from '../../src/matching/context.ts'
import { matchDocument } from '../../src/matching/index.ts'
import {
  ack,
  ackLine,
  asn,
  carton,
  ctxOf,
  erpPo,
  invLine,
  invoice,
  item,
  PO_NO,
  pallet,
  sscc,
} from './fixtures.ts'

type Case = [CanonicalDoc, MatchContext]
const S1 = sscc('10614141000000001')
const S2 = sscc('10614141000000002')
const shipped = ctxOf({ shippedSoFar: [{ poNumber: PO_NO, lineNo: '1', qty: '10' }] })
const packed = (packs: ReturnType<typeof carton>[]) =>
  asn([], { orders: [{ poNumber: PO_NO, items: [], packs }] })
const usd = (amount: string) => ({ amount, currency: 'USD' })

const CASES: Partial<Record<ExceptionCode, { positive: Case; negative: Case }>> = {
  po_not_found: {
    positive: [asn([item('1', '1')], {}, 'NOPE'), ctxOf()],
    negative: [asn([item('1', '1')]), ctxOf()],
  },
  po_closed: {
    positive: [asn([item('1', '1')]), ctxOf({ orders: [erpPo({ status: 'closed' })] })],
    negative: [asn([item('1', '1')]), ctxOf()],
  },
  line_unknown: {
    positive: [asn([item('9', '1', 'EA', { item: { buyerPart: 'X' } })]), ctxOf()],
    negative: [asn([item('9', '1', 'EA', { item: { buyerPart: 'BP-2' } })]), ctxOf()],
  },
  item_unknown: {
    positive: [asn([item(undefined, '1', 'EA', { item: { gtin: '4006381333931' } })]), ctxOf()],
    negative: [asn([item(undefined, '1', 'EA', { item: { buyerPart: 'BP-3' } })]), ctxOf()],
  },
  item_substituted: {
    positive: [
      asn([item('1', '1', 'EA', { item: { buyerPart: 'BP-1', vendorPart: 'OTHER' } })]),
      ctxOf(),
    ],
    negative: [
      asn([item('1', '1', 'EA', { item: { buyerPart: 'BP-1', vendorPart: 'VP-1' } })]),
      ctxOf(),
    ],
  },
  qty_out_of_tolerance: {
    positive: [
      ack([ackLine('1', { quantity: { value: '106', uom: 'EA' } })]),
      ctxOf({ config: { qty: { overPct: '5', underPct: '0' } } }),
    ],
    negative: [
      ack([ackLine('1', { quantity: { value: '105', uom: 'EA' } })]),
      ctxOf({ config: { qty: { overPct: '5', underPct: '0' } } }),
    ],
  },
  qty_over_remaining: {
    positive: [
      asn([item('1', '103')]),
      ctxOf({ config: { qty: { overPct: '0', underPct: '0', overAbs: '2' } } }),
    ],
    negative: [
      asn([item('1', '102')]),
      ctxOf({ config: { qty: { overPct: '0', underPct: '0', overAbs: '2' } } }),
    ],
  },
  price_mismatch: {
    positive: [
      invoice([invLine('1', '10', '2.53')], '25.30'),
      ctxOf({
        shippedSoFar: [{ poNumber: PO_NO, lineNo: '1', qty: '10' }],
        config: { price: { tolerancePct: '1' } },
      }),
    ],
    negative: [
      invoice([invLine('1', '10', '2.525')], '25.25'),
      ctxOf({
        shippedSoFar: [{ poNumber: PO_NO, lineNo: '1', qty: '10' }],
        config: { price: { tolerancePct: '1' } },
      }),
    ],
  },
  date_out_of_window: {
    positive: [
      asn([item('1', '1')], { shipDate: '2026-03-13' }),
      ctxOf({ config: { dateToleranceDays: 2 } }),
    ],
    negative: [
      asn([item('1', '1')], { shipDate: '2026-03-08' }),
      ctxOf({ config: { dateToleranceDays: 2 } }),
    ],
  },
  uom_unconvertible: {
    positive: [asn([item('1', '1', 'CS')]), ctxOf()],
    negative: [asn([item('1', '1', 'CS', { packSize: '12' })]), ctxOf()],
  },
  ack_line_rejected: {
    positive: [ack([ackLine('1', { status: 'rejected' })]), ctxOf()],
    negative: [ack([ackLine('1')]), ctxOf()],
  },
  ack_line_changed: {
    positive: [
      ack([ackLine('1', { status: 'changed', unitPrice: usd('2.51') })]),
      ctxOf({ config: { price: { tolerancePct: '1' } } }),
    ],
    negative: [
      ack([ackLine('1', { unitPrice: usd('2.50') })]),
      ctxOf({ config: { price: { tolerancePct: '1' } } }),
    ],
  },
  ack_line_backordered: {
    positive: [ack([ackLine('1', { status: 'backordered' })]), ctxOf()],
    negative: [ack([ackLine('1', { status: 'accepted' })]), ctxOf()],
  },
  sscc_invalid: {
    positive: [
      packed([carton(S1.slice(0, 17) + String((Number(S1[17]) + 5) % 10), [item('1', '1')])]),
      ctxOf(),
    ],
    negative: [packed([carton(S1, [item('1', '1')])]), ctxOf()],
  },
  sscc_reused: {
    positive: [
      packed([carton(S1, [item('1', '1')])]),
      ctxOf({ openSsccs: [{ sscc: S1, shipmentId: 'SH-0001' }] }),
    ],
    negative: [
      packed([carton(S1, [item('1', '1')])]),
      ctxOf({ openSsccs: [{ sscc: S2, shipmentId: 'SH-0001' }] }),
    ],
  },
  asn_tree_invalid: {
    positive: [packed([carton(S1, [])]), ctxOf()],
    negative: [packed([carton(S1, [item('1', '1')])]), ctxOf()],
  },
  pack_total_mismatch: {
    positive: [packed([pallet(S1, [carton(S2, [item('1', '5')])], [item('1', '6')])]), ctxOf()],
    negative: [packed([pallet(S1, [carton(S2, [item('1', '5')])], [item('1', '5')])]), ctxOf()],
  },
  invoice_qty_over_shipped: {
    positive: [invoice([invLine('1', '11')], '27.50'), shipped],
    negative: [invoice([invLine('1', '10')], '25'), shipped],
  },
  invoice_total_mismatch: {
    positive: [invoice([invLine('1', '10')], '25.01'), shipped],
    negative: [invoice([invLine('1', '10')], '25.00'), shipped],
  },
  invoice_line_amount_mismatch: {
    positive: [invoice([invLine('1', '10', '2.50', { amount: usd('25.10') })], '25.10'), shipped],
    negative: [invoice([invLine('1', '10', '2.50', { amount: usd('25.00') })], '25'), shipped],
  },
  invoice_duplicate: {
    positive: [
      invoice([invLine('1', '10')], '25'),
      ctxOf({
        shippedSoFar: [{ poNumber: PO_NO, lineNo: '1', qty: '10' }],
        earlierInvoiceNumbers: ['INV-77'],
      }),
    ],
    negative: [
      invoice([invLine('1', '10')], '25'),
      ctxOf({
        shippedSoFar: [{ poNumber: PO_NO, lineNo: '1', qty: '10' }],
        earlierInvoiceNumbers: ['INV-76'],
      }),
    ],
  },
}

// Matching/warehouse codes owned by the pipeline, tested there.
const PIPELINE_OWNED: ExceptionCode[] = ['duplicate_document']

describe('every matching reason code has a positive and a negative case', () => {
  it('the table covers every matching and warehouse code', () => {
    const mine = (Object.keys(REASONS) as ExceptionCode[]).filter(
      (c) =>
        (REASONS[c].queue === 'matching' || REASONS[c].queue === 'warehouse') &&
        !PIPELINE_OWNED.includes(c)
    )
    expect(Object.keys(CASES).sort()).toEqual(mine.sort())
  })
  for (const [code, { positive, negative }] of Object.entries(CASES)) {
    it(`${code}: raised when it applies, not otherwise`, () => {
      const pos = matchDocument(...positive)
      expect(pos.reasons.map((r) => r.code)).toContain(code)
      const neg = matchDocument(...negative)
      expect(neg.reasons.map((r) => r.code)).not.toContain(code)
      // severity decides holding: info reasons never hold
      if (REASONS[code as ExceptionCode].severity !== 'info') expect(pos.status).toBe('held')
      if (neg.reasons.every((r) => REASONS[r.code].severity === 'info'))
        expect(neg.status).toBe('matched')
    })
  }
  it('a negative case is clean, not merely missing the one code', () => {
    const dirty = Object.entries(CASES).filter(
      ([, c]) => matchDocument(...c.negative).status !== 'matched'
    )
    expect(dirty.map(([code]) => code)).toEqual([])
  })
})
