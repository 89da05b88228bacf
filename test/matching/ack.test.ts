import { describe, expect, it } from 'vitest'
import { matchDocument } from '../../src/matching/index.ts'
import { ack, ackLine, codes, ctxOf, PO_NO } from './fixtures.ts'

const usd = (amount: string) => ({ amount, currency: 'USD' })

describe('855 / ORDRSP against the PO', () => {
  it('all lines accepted as ordered', () => {
    const r = matchDocument(ack([ackLine('1'), ackLine('2'), ackLine('3')]), ctxOf())
    expect(r).toMatchObject({ status: 'matched', reasons: [] })
    expect(r.lines.map((l) => [l.poLineNo, l.matchedBy, l.state])).toEqual([
      ['1', 'line_no', 'ok'],
      ['2', 'line_no', 'ok'],
      ['3', 'line_no', 'ok'],
    ])
  })

  it('a rejected line holds the ack', () => {
    const r = matchDocument(
      ack([
        ackLine('1'),
        ackLine('2', { status: 'rejected', statusCode: 'IR', reason: 'discontinued' }),
      ]),
      ctxOf()
    )
    expect(r.status).toBe('held')
    expect(r.reasons).toEqual([
      {
        code: 'ack_line_rejected',
        doc: { kind: 'po_ack', id: 'ACK-1' },
        poNumber: PO_NO,
        line: '2',
        poLineNo: '2',
        statusCode: 'IR',
        reason: 'discontinued',
      },
    ])
  })

  it('a whole-order rejection without lines rejects every open line', () => {
    const r = matchDocument(ack([], { status: 'rejected' }), ctxOf())
    expect(codes(r)).toEqual(['ack_line_rejected', 'ack_line_rejected', 'ack_line_rejected'])
  })

  it('a change within tolerance is info only; beyond it is held', () => {
    const cfg = { qty: { overPct: '0', underPct: '10' }, price: { tolerancePct: '2' } }
    const within = matchDocument(
      ack([
        ackLine('1', {
          status: 'changed',
          quantity: { value: '90', uom: 'EA' },
          unitPrice: usd('2.55'),
        }),
      ]),
      ctxOf({ config: cfg })
    )
    expect(within.status).toBe('matched')
    expect(within.reasons).toMatchObject([
      {
        code: 'ack_line_changed',
        changes: [
          { field: 'qty', ordered: '100 EA', acked: '90 EA' },
          { field: 'price', ordered: '2.5', acked: '2.55' },
        ],
      },
    ])
    const beyond = matchDocument(
      ack([
        ackLine('1', {
          status: 'changed',
          quantity: { value: '89', uom: 'EA' },
          unitPrice: usd('2.56'),
        }),
      ]),
      ctxOf({ config: cfg })
    )
    expect(beyond.status).toBe('held')
    expect(codes(beyond)).toEqual(['qty_out_of_tolerance', 'price_mismatch', 'ack_line_changed'])
    expect(beyond.reasons[0]).toMatchObject({
      direction: 'under',
      limit: '90',
      actual: '89',
      tolerance: '10%',
    })
  })

  it('an ack in cases of 12 against a PO in eaches compares per each', () => {
    const r = matchDocument(
      ack([ackLine('1', { quantity: { value: '10', uom: 'CA' }, unitPrice: usd('30') })]),
      ctxOf({
        orders: [{ ...poOf(), lines: [{ ...poOf().lines[0], quantity: '120', packSize: '12' }] }],
      })
    )
    expect(r).toMatchObject({ status: 'matched', reasons: [] })
  })

  it('backordered lines are info with their schedule; a date outside tolerance is held', () => {
    const bo = matchDocument(
      ack([ackLine('1', { status: 'backordered', scheduledShipDate: '2026-03-11' })]),
      ctxOf({ config: { dateToleranceDays: 1 } })
    )
    expect(bo.status).toBe('matched')
    expect(codes(bo)).toEqual(['ack_line_backordered'])
    const late = matchDocument(
      ack([ackLine('1', { status: 'backordered', scheduledShipDate: '2026-03-20' })]),
      ctxOf({ config: { dateToleranceDays: 1 } })
    )
    expect(late.status).toBe('held')
    expect(codes(late)).toEqual(['date_out_of_window', 'ack_line_backordered'])
  })

  it('unknown lines and items', () => {
    const r = matchDocument(ack([ackLine('7', { item: { buyerPart: 'X' } })]), ctxOf())
    expect(codes(r)).toEqual(['line_unknown'])
  })

  it('an ack for an unknown PO waits for it', () => {
    const r = matchDocument(ack([ackLine('1')], { poNumber: '999' }), ctxOf())
    expect(r).toMatchObject({ status: 'held', waitingFor: { poNumbers: ['999'] } })
  })
})

function poOf() {
  return {
    poNumber: PO_NO,
    supplierId: 'acme',
    status: 'open' as const,
    currency: 'USD',
    requestedDate: '2026-03-10',
    lines: [
      {
        lineNo: '1',
        buyerPart: 'BP-1',
        quantity: '100',
        uom: 'EA',
        unitPrice: '2.50',
        status: 'open' as const,
      },
    ],
  }
}
