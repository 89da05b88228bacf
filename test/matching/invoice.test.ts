import { describe, expect, it } from 'vitest'
import { explain } from '../../src/exceptions/render.ts'
import { checkResend, matchDocument, resendReason } from '../../src/matching/index.ts'
import { codes, ctxOf, invLine, invoice, PO_NO, prov } from './fixtures.ts'

const shipped = [
  { poNumber: PO_NO, lineNo: '1', qty: '100' },
  { poNumber: PO_NO, lineNo: '2', qty: '3' },
]
const usd = (amount: string) => ({ amount, currency: 'USD' })

describe('810 / INVOIC 3-way match', () => {
  it('matches when quantity ≤ shipped, price and totals are right', () => {
    const inv = invoice(
      [invLine('1', '100', '2.50', { amount: usd('250.00') }), invLine('2', '3', '2.50')],
      '257.50'
    )
    const r = matchDocument(inv, ctxOf({ shippedSoFar: shipped }))
    expect(r).toMatchObject({ status: 'matched', reasons: [] })
    expect(r.quantities).toEqual([
      { poNumber: PO_NO, poLineNo: '1', qty: '100', uom: 'EA' },
      { poNumber: PO_NO, poLineNo: '2', qty: '3', uom: 'EA' },
    ])
  })

  it('invoiced quantity above shipped, counting earlier invoices', () => {
    const inv = invoice([invLine('2', '2')], '5')
    const r = matchDocument(
      inv,
      ctxOf({ shippedSoFar: shipped, invoicedSoFar: [{ poNumber: PO_NO, lineNo: '2', qty: '2' }] })
    )
    expect(r.reasons).toMatchObject([
      { code: 'invoice_qty_over_shipped', invoiced: '4', invoicedBefore: '2', shipped: '3' },
    ])
    expect(
      matchDocument(
        inv,
        ctxOf({
          shippedSoFar: shipped,
          invoicedSoFar: [{ poNumber: PO_NO, lineNo: '2', qty: '1' }],
        })
      ).status
    ).toBe('matched')
  })

  it('float-breaking amounts: 3 × 19.99 = 59.97 exactly, total with charge and allowance', () => {
    const po = {
      poNumber: PO_NO,
      supplierId: 'acme',
      status: 'open' as const,
      currency: 'USD',
      lines: [
        {
          lineNo: '1',
          buyerPart: 'BP-1',
          quantity: '3',
          uom: 'EA',
          unitPrice: '19.99',
          status: 'open' as const,
        },
      ],
    }
    const ctx = ctxOf({ orders: [po], shippedSoFar: [{ poNumber: PO_NO, lineNo: '1', qty: '3' }] })
    const lines = [invLine('1', '3', '19.99', { amount: usd('59.97') })]
    const charges = [
      { type: 'charge' as const, code: 'D240', amount: usd('0.1') },
      { type: 'allowance' as const, code: 'C310', amount: usd('0.2') },
    ]
    // 59.97 + 0.1 − 0.2 + tax 0.3 = 60.17
    expect(
      matchDocument(invoice(lines, '60.17', { chargesAllowances: charges, tax: usd('0.3') }), ctx)
        .status
    ).toBe('matched')
    const off = matchDocument(
      invoice(lines, '60.18', { chargesAllowances: charges, tax: usd('0.3') }),
      ctx
    )
    expect(off.reasons).toEqual([
      {
        code: 'invoice_total_mismatch',
        doc: { kind: 'invoice', id: 'INV-77' },
        poNumber: PO_NO,
        lines: '59.97',
        charges: '0.1',
        allowances: '0.2',
        tax: '0.3',
        expected: '60.17',
        actual: '60.18',
        currency: 'USD',
      },
    ])
    expect(explain(off.reasons[0])).toBe(
      'Invoice INV-77 for PO 4500012345: lines 59.97 + charges 0.1 − allowances 0.2 + tax 0.3 = 60.17 USD, but the invoice total is 60.18.'
    )
  })

  it('line amount must be quantity × price', () => {
    const bad = invoice([invLine('1', '3', '2.50', { amount: usd('7.49') })], '7.49')
    expect(matchDocument(bad, ctxOf({ shippedSoFar: shipped })).reasons).toMatchObject([
      {
        code: 'invoice_line_amount_mismatch',
        quantity: '3',
        unitPrice: '2.5',
        expected: '7.5',
        actual: '7.49',
      },
    ])
  })

  it('unit price per case of 12 is compared per each on the PO', () => {
    const inv = invoice(
      [invLine('1', '5', '30.00', { quantity: { value: '5', uom: 'CS' } })],
      '150',
      {}
    )
    const po = {
      poNumber: PO_NO,
      supplierId: 'acme',
      status: 'open' as const,
      currency: 'USD',
      lines: [
        {
          lineNo: '1',
          buyerPart: 'BP-1',
          quantity: '100',
          uom: 'EA',
          unitPrice: '2.50',
          packSize: '12',
          status: 'open' as const,
        },
      ],
    }
    expect(matchDocument(inv, ctxOf({ orders: [po], shippedSoFar: shipped })).status).toBe(
      'matched'
    )
    const dear = invoice(
      [invLine('1', '5', '30.12', { quantity: { value: '5', uom: 'CS' } })],
      '150.60'
    )
    expect(
      matchDocument(dear, ctxOf({ orders: [po], shippedSoFar: shipped })).reasons
    ).toMatchObject([{ code: 'price_mismatch', expected: '2.5', actual: '2.51', uom: 'EA' }])
  })

  it('a duplicate invoice resent under a new ISA13 is caught twice: by number and by content', () => {
    const first = invoice([invLine('1', '10')], '25', { provenance: prov('810', '000000101') })
    const resent = invoice([invLine('1', '10')], '25', { provenance: prov('810', '000000102') })
    const resend = checkResend(resent, [
      {
        businessKey: 'inv:INV-77',
        contentHash: checkResend(first, []).contentHash,
        documentId: 'doc-1',
      },
    ])
    expect(resend.kind).toBe('duplicate')
    expect(resendReason(resend)).toEqual({
      code: 'duplicate_document',
      businessKey: 'inv:INV-77',
      firstDocumentId: 'doc-1',
      sameContent: true,
    })
    const r = matchDocument(
      resent,
      ctxOf({ shippedSoFar: shipped, earlierInvoiceNumbers: ['INV-77'] })
    )
    expect(codes(r)).toEqual(['invoice_duplicate'])
    expect(
      matchDocument(resent, ctxOf({ shippedSoFar: shipped, earlierInvoiceNumbers: ['INV-76'] }))
        .status
    ).toBe('matched')
  })

  it('an invoice before its PO waits for it', () => {
    const r = matchDocument(invoice([invLine('1', '1')], '2.50', { poNumber: 'P-LATE' }), ctxOf())
    expect(r).toMatchObject({ status: 'held', waitingFor: { poNumbers: ['P-LATE'] } })
    expect(codes(r)).toEqual(['po_not_found'])
  })
})
