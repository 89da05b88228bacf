import { describe, expect, it } from 'vitest'
import { explain } from '../../src/exceptions/render.ts'
import {
  buildMatchContext,
  isWaitingFor,
  matchDocument,
  poNumbersOf,
} from '../../src/matching/index.ts'
import { asn, codes, ctxOf, erpPo, item, PO_NO, poLine } from './fixtures.ts'

describe('ASN against PO', () => {
  it('a full shipment matches and reports the quantity per PO line', () => {
    const r = matchDocument(asn([item('1', '100'), item('2', '100')]), ctxOf())
    expect(r.status).toBe('matched')
    expect(r.reasons).toEqual([])
    expect(r.quantities).toEqual([
      { poNumber: PO_NO, poLineNo: '1', qty: '100', uom: 'EA' },
      { poNumber: PO_NO, poLineNo: '2', qty: '100', uom: 'EA' },
    ])
    expect(r.lines.map((l) => [l.lineNo, l.poLineNo, l.matchedBy, l.state])).toEqual([
      ['1', '1', 'line_no', 'ok'],
      ['2', '2', 'line_no', 'ok'],
    ])
  })

  it('partial shipments accumulate over two ASNs; the third goes over', () => {
    const first = matchDocument(asn([item('1', '60')]), ctxOf())
    expect(first.status).toBe('matched')
    expect(first.lines[0].notes.join(' ')).toContain('partial: 40 EA still open')
    // the pipeline adds first.quantities to shipped-so-far
    const shipped = first.quantities.map((q) => ({
      poNumber: q.poNumber,
      lineNo: q.poLineNo,
      qty: q.qty,
    }))
    const second = matchDocument(
      asn([item('1', '40')], { shipmentId: 'SH-2' }),
      ctxOf({ shippedSoFar: shipped })
    )
    expect(second.status).toBe('matched')
    const both = [...shipped, { poNumber: PO_NO, lineNo: '1', qty: '40' }]
    const third = matchDocument(
      asn([item('1', '1')], { shipmentId: 'SH-3' }),
      ctxOf({ shippedSoFar: both })
    )
    expect(third.status).toBe('held')
    expect(third.reasons[0]).toMatchObject({
      code: 'qty_over_remaining',
      shippedBefore: '100',
      remaining: '0',
      actual: '1',
      limit: '0',
    })
  })

  it('quantities of one PO line add up across cartons before the remaining check', () => {
    const r = matchDocument(asn([item('1', '60'), item('1', '50')]), ctxOf())
    expect(r.reasons[0]).toMatchObject({ code: 'qty_over_remaining', actual: '110', line: '1, 2' })
    expect(explain(r.reasons[0])).toBe(
      'ASN SH-0042 items 1 and 2 (buyer part BP-1), both for PO line 1 of PO 4500012345: shipped 110 EA but only 100 EA remain open (ordered 100, shipped before 0; no tolerance allows 100 EA).'
    )
  })

  it('over tolerance in percent: +5% of 100 allows 105 and not 106', () => {
    const cfg = { qty: { overPct: '5', underPct: '0' } }
    expect(matchDocument(asn([item('1', '105')]), ctxOf({ config: cfg })).status).toBe('matched')
    const r = matchDocument(asn([item('1', '106')]), ctxOf({ config: cfg }))
    expect(r.reasons[0]).toMatchObject({
      code: 'qty_over_remaining',
      limit: '105',
      tolerance: '5%',
    })
  })

  it('cases of 12 against a PO in eaches', () => {
    const r = matchDocument(asn([item('1', '8', 'CS', { packSize: '12' })]), ctxOf())
    expect(r.status).toBe('matched')
    expect(r.quantities[0]).toMatchObject({ qty: '96', uom: 'EA' })
    const over = matchDocument(asn([item('1', '9', 'CA', { packSize: '12' })]), ctxOf())
    expect(over.reasons[0]).toMatchObject({ code: 'qty_over_remaining', actual: '108', uom: 'EA' })
  })

  it('no partial shipments allowed: short beyond the under tolerance is held', () => {
    const cfg = { qty: { overPct: '0', underPct: '10' } }
    const ok = matchDocument(
      asn([item('1', '90')]),
      ctxOf({ config: cfg, allowPartialShipments: false })
    )
    expect(ok.status).toBe('matched')
    const r = matchDocument(
      asn([item('1', '89')]),
      ctxOf({ config: cfg, allowPartialShipments: false })
    )
    expect(r.reasons[0]).toMatchObject({
      code: 'qty_out_of_tolerance',
      direction: 'under',
      limit: '90',
    })
  })

  it('ASN before its PO waits, then matches once the PO is there', () => {
    const doc = asn([item('1', '10')])
    expect(poNumbersOf(doc)).toEqual([PO_NO])
    const early = matchDocument(doc, buildMatchContext({ today: '2026-03-09' }))
    expect(early.status).toBe('held')
    expect(codes(early)).toEqual(['po_not_found'])
    expect(early.waitingFor).toEqual({ poNumbers: [PO_NO] })
    expect(isWaitingFor(early, PO_NO)).toBe(true)
    const later = matchDocument(doc, ctxOf())
    expect(later.status).toBe('matched')
    expect(later.waitingFor).toBeUndefined()
  })

  it('an ASN for a cancelled PO or a closed line is held', () => {
    const r = matchDocument(
      asn([item('1', '10')]),
      ctxOf({ orders: [erpPo({ status: 'cancelled' })] })
    )
    expect(r.reasons).toEqual([
      {
        code: 'po_closed',
        doc: { kind: 'asn', id: 'SH-0042' },
        poNumber: PO_NO,
        status: 'cancelled',
      },
    ])
    expect(r.waitingFor).toBeUndefined()
    const closedLine = erpPo({}, [poLine('1', { status: 'closed' })])
    expect(
      matchDocument(asn([item('1', '10')]), ctxOf({ orders: [closedLine] })).reasons[0]
    ).toMatchObject({ code: 'po_closed', poLineNo: '1' })
  })

  it('a substituted item and an unknown line are reported per line', () => {
    const sub = item('2', '10', 'EA', { item: { buyerPart: 'OTHER' } })
    const r = matchDocument(
      asn([item('1', '10'), sub, item('99', '1', 'EA', { item: { buyerPart: 'NOPE' } })]),
      ctxOf()
    )
    expect(codes(r)).toEqual(['item_substituted', 'line_unknown'])
    expect(r.lines.map((l) => l.state)).toEqual(['ok', 'exception', 'exception'])
  })

  it('an ASN cancel has nothing to match', () => {
    expect(matchDocument(asn([item('1', '1000')], { purpose: 'cancel' }), ctxOf()).status).toBe(
      'matched'
    )
  })
})
