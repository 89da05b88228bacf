import { describe, expect, it } from 'vitest'
import { correlate } from '../../src/matching/correlate.ts'
import { erpPo, poLine } from './fixtures.ts'

const po = erpPo({}, [
  poLine('1', { buyerPart: 'A', vendorPart: 'VA', gtin: '00012345678905' }),
  poLine('2', { buyerPart: 'B', vendorPart: 'VB', gtin: '00098765432109' }),
])
const keys = ['buyer_part', 'vendor_part', 'gtin'] as const

describe('correlate', () => {
  it('by PO line number, padded or not', () => {
    const c = correlate({ poLineNo: '0002', item: { buyerPart: 'B' } }, po, keys)
    expect(c).toMatchObject({ ok: true, matchedBy: 'line_no', poLine: { lineNo: '2' } })
  })
  it('falls back to the item keys in the configured order and says which matched', () => {
    expect(correlate({ item: { vendorPart: 'VB' } }, po, keys)).toMatchObject({
      ok: true,
      matchedBy: 'vendor_part',
      poLine: { lineNo: '2' },
    })
    // GTIN-12 (UPC) compares equal to the GTIN-14 on the PO
    expect(correlate({ item: { upc: '012345678905' } }, po, keys)).toMatchObject({
      ok: true,
      matchedBy: 'gtin',
      poLine: { lineNo: '1' },
    })
    // only the configured keys are used
    expect(correlate({ item: { vendorPart: 'VB' } }, po, ['gtin'])).toEqual({
      ok: false,
      problem: 'item_unknown',
    })
  })
  it('a renumbered line is found by its item, not reported as substituted', () => {
    const c = correlate({ poLineNo: '1', item: { buyerPart: 'B' } }, po, keys)
    expect(c).toMatchObject({ ok: true, matchedBy: 'buyer_part', poLine: { lineNo: '2' } })
    expect(c.ok && c.substituted).toBeFalsy()
  })
  it('same line number, unknown other item: substituted', () => {
    const c = correlate({ poLineNo: '1', item: { buyerPart: 'Z' } }, po, keys)
    expect(c).toMatchObject({
      ok: true,
      poLine: { lineNo: '1' },
      substituted: { ordered: { buyerPart: 'A' }, actual: { buyerPart: 'Z' } },
    })
  })
  it('unknown line number vs unknown item', () => {
    expect(correlate({ poLineNo: '9', item: { buyerPart: 'Z' } }, po, keys)).toEqual({
      ok: false,
      problem: 'line_unknown',
    })
    expect(correlate({ item: { buyerPart: 'Z' } }, po, keys)).toEqual({
      ok: false,
      problem: 'item_unknown',
    })
  })
})
