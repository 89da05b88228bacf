import { describe, expect, it } from 'vitest'
import { convertPrice, convertQty, sameUnit, unitFamily } from '../../src/matching/uom.ts'

describe('units of measure', () => {
  it('X12 and Rec 20 codes fold to one family', () => {
    expect(sameUnit('CA', 'CS')).toBe(true)
    expect(sameUnit('EA', 'C62')).toBe(true)
    expect(sameUnit('DZ', 'DZN')).toBe(true)
    expect(sameUnit('EA', 'CS')).toBe(false)
    expect(unitFamily('kgm')).toBe('KGM')
  })
  it('case of 12 vs eaches, both ways, through the PO line pack size', () => {
    expect(convertQty({ qty: '120', from: 'EA', to: 'CA', toPackSize: '12' })).toEqual({
      ok: true,
      qty: '10',
    })
    expect(convertQty({ qty: '10', from: 'CS', to: 'EA', fromPackSize: '12' })).toEqual({
      ok: true,
      qty: '120',
    })
    // the document's case size is missing: borrow the PO line's (item master) case size
    expect(convertQty({ qty: '10', from: 'CS', to: 'EA', toPackSize: '12' })).toEqual({
      ok: true,
      qty: '120',
    })
  })
  it('dozen and gross need no pack size', () => {
    expect(convertQty({ qty: '3', from: 'DZ', to: 'EA' })).toEqual({ ok: true, qty: '36' })
    expect(convertQty({ qty: '1', from: 'GRO', to: 'DZ' })).toEqual({ ok: true, qty: '12' })
  })
  it('an unconvertible pair is data, not a throw', () => {
    expect(convertQty({ qty: '5', from: 'KGM', to: 'EA' })).toEqual({
      ok: false,
      from: 'KGM',
      to: 'EA',
    })
    expect(convertQty({ qty: '5', from: 'CS', to: 'EA' }).ok).toBe(false)
    // a case never borrows a pack's size: CS vs PK stay unknown
    expect(convertQty({ qty: '5', from: 'CS', to: 'PK', fromPackSize: '12' }).ok).toBe(false)
  })
  it('prices restate per unit exactly: 2.00/EA is 24.00/CS of 12 and back', () => {
    expect(convertPrice({ qty: '2.00', from: 'EA', to: 'CS', toPackSize: '12' })).toEqual({
      ok: true,
      qty: '24',
    })
    expect(convertPrice({ qty: '24', from: 'CS', to: 'EA', fromPackSize: '12' })).toEqual({
      ok: true,
      qty: '2',
    })
  })
})
