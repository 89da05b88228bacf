import { describe, expect, it } from 'vitest'
import { checkSscc, gs1CheckDigit } from '../../src/matching/sscc.ts'
import { checkWarehouse } from '../../src/matching/warehouse.ts'
import { matchDocument, ssccsOf } from '../../src/matching/index.ts'
import { asn, carton, codes, ctxOf, item, PO_NO, pallet, sscc } from './fixtures.ts'

const S1 = sscc('00614141123456789') // GS1's own example body; check digit 0
const S2 = sscc('10614141000000001')
const S3 = sscc('10614141000000002')

function packed(packs: ReturnType<typeof carton>[], over = {}) {
  return asn([], { orders: [{ poNumber: PO_NO, items: [], packs }], ...over })
}

describe('SSCC-18', () => {
  it('GS1 example 00614141123456789 has check digit 0', () => {
    expect(gs1CheckDigit('00614141123456789')).toBe('0')
    expect(checkSscc('006141411234567890')).toEqual({ ok: true, sscc: '006141411234567890' })
    expect(checkSscc('00006141411234567890')).toMatchObject({ ok: true }) // with AI (00)
  })
  it('a bad check digit, wrong length and letters are rejected', () => {
    expect(checkSscc('006141411234567891')).toEqual({
      ok: false,
      problem: 'check_digit',
      expectedCheckDigit: '0',
    })
    expect(checkSscc('00614141123456789')).toEqual({ ok: false, problem: 'length' })
    expect(checkSscc('0061414112345678A0')).toEqual({ ok: false, problem: 'not_digits' })
  })
  it('an ASN carrying a bad SSCC is held in the warehouse queue', () => {
    const bad = S2.slice(0, 17) + String((Number(S2[17]) + 1) % 10)
    const r = matchDocument(packed([carton(bad, [item('1', '10')])]), ctxOf())
    expect(r.status).toBe('held')
    expect(r.reasons).toEqual([
      {
        code: 'sscc_invalid',
        doc: { kind: 'asn', id: 'SH-0042' },
        sscc: bad,
        problem: 'check_digit',
        expectedCheckDigit: S2[17],
        path: 'orders.0.packs.0',
        poNumber: PO_NO,
        pack: 'carton 1',
      },
    ])
    expect(matchDocument(packed([carton(S2, [item('1', '10')])]), ctxOf()).status).toBe('matched')
  })
})

describe('warehouse checks', () => {
  it('SSCC reused across open ASNs, or twice on one ASN; the same ASN replaced is fine', () => {
    const doc = packed([carton(S1, [item('1', '5')]), carton(S2, [item('1', '5')])])
    expect(ssccsOf(doc)).toEqual([S1, S2])
    expect(
      checkWarehouse(doc, ctxOf({ openSsccs: [{ sscc: S1, shipmentId: 'SH-0001' }] }))
    ).toMatchObject([{ code: 'sscc_reused', sscc: S1, otherShipmentId: 'SH-0001' }])
    expect(
      checkWarehouse(doc, ctxOf({ openSsccs: [{ sscc: S1, shipmentId: 'SH-0042' }] }))
    ).toEqual([])
    const twice = packed([carton(S1, [item('1', '5')]), carton(S1, [item('1', '5')])])
    expect(codes({ reasons: checkWarehouse(twice, ctxOf()) })).toEqual(['sscc_reused'])
  })
  it('tree: empty order, empty pack, item without quantity, pallet in a carton', () => {
    const doc = asn([], {
      orders: [
        { poNumber: PO_NO, items: [], packs: [] },
        {
          poNumber: PO_NO,
          items: [item('1', '0')],
          packs: [
            carton(S1, []),
            carton(S2, [], [pallet(S3, [carton(undefined, [item('1', '1')])])]),
          ],
        },
      ],
    })
    const r = checkWarehouse(doc, ctxOf())
    expect(
      r.map((x) => [x.code, 'problem' in x ? x.problem : '', 'path' in x ? x.path : ''])
    ).toEqual([
      ['asn_tree_invalid', 'empty_order', 'orders.0'],
      ['asn_tree_invalid', 'item_without_qty', 'orders.1.items.0'],
      ['asn_tree_invalid', 'empty_pack', 'orders.1.packs.0'],
      ['asn_tree_invalid', 'carton_contains_pallet', 'orders.1.packs.1.packs.0'],
    ])
    expect(checkWarehouse(packed([carton(S1, [item('1', '1')])]), ctxOf())).toEqual([])
  })
  it('pallet totals must equal the cartons inside; only cartons count as shipped', () => {
    const cartons = [carton(S2, [item('1', '12')]), carton(S3, [item('1', '12')])]
    const good = packed([pallet(S1, cartons, [item('1', '24')])])
    const r = matchDocument(good, ctxOf())
    expect(r.status).toBe('matched')
    expect(r.quantities).toEqual([{ poNumber: PO_NO, poLineNo: '1', qty: '24', uom: 'EA' }])
    const bad = packed([pallet(S1, cartons, [item('1', '30')])])
    expect(checkWarehouse(bad, ctxOf())).toMatchObject([
      {
        code: 'pack_total_mismatch',
        sscc: S1,
        item: 'bp:BP-1',
        declared: '30',
        contained: '24',
        uom: 'EA',
      },
    ])
  })
  it('ship date against the PO window ± dateToleranceDays', () => {
    const late = asn([item('1', '1')], { shipDate: '2026-03-12' })
    expect(checkWarehouse(late, ctxOf({ config: { dateToleranceDays: 2 } }))).toEqual([])
    expect(checkWarehouse(late, ctxOf({ config: { dateToleranceDays: 1 } }))).toMatchObject([
      {
        code: 'date_out_of_window',
        field: 'ship_date',
        date: '2026-03-12',
        from: '2026-03-10',
        to: '2026-03-10',
        toleranceDays: 1,
      },
    ])
  })
})
