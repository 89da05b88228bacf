import { describe, expect, it } from 'vitest'
import { TRANSFORMS, TransformError, gs1CheckDigitValid } from '../../src/mapping/transforms.ts'
import { x12 } from './split.ts'

const t = (name: string, v: unknown, arg?: unknown) => TRANSFORMS[name].fn(v, arg, { lookups: { uomx: { CA: 'CS' } } })

describe('transforms', () => {
  it('dates: X12 CCYYMMDD/YYMMDD and EDIFACT 2379 formats', () => {
    expect(t('date_ccyymmdd', '20250301')).toBe('2025-03-01')
    expect(t('date_yymmdd', '250301')).toBe('2025-03-01')
    expect(t('date_edifact', ['137', '20250301', '102'])).toBe('2025-03-01')
    expect(t('date_edifact', ['11', '202503100800', '203'])).toBe('2025-03-10')
    expect(t('datetime_edifact', ['11', '202503100800', '203'])).toBe('2025-03-10T08:00')
    expect(t('datetime_x12', ['20250305', '1430'])).toBe('2025-03-05T14:30')
    expect(() => t('date_ccyymmdd', '20250230')).toThrow(TransformError)
    expect(() => t('date_edifact', ['137', '2025', '999'])).toThrow(/2379=999/)
  })

  it('decimals: decimal comma, implied decimals, no floats', () => {
    expect(t('decimal', '12,50')).toBe('12.5')
    expect(t('decimal', '012.500')).toBe('12.5')
    expect(t('decimal', '81124', 'N2')).toBe('811.24')
    expect(t('decimal', '5', 'N2')).toBe('0.05')
    expect(t('decimal', 296.4)).toBe('296.4')
    expect(t('implied_decimal', '811.24', 'N2')).toBe('81124')
    expect(() => t('decimal', '1.2.3')).toThrow(TransformError)
  })

  it('units of measure to and from UN/ECE Rec 20', () => {
    expect(t('uom_x12', 'CA')).toBe('CS')
    expect(t('uom_x12', 'LB')).toBe('LBR')
    expect(t('uom_edifact', 'PCE')).toBe('EA')
    expect(t('uom_to_x12', 'CS')).toBe('CA')
    expect(t('uom_to_edifact', 'EA')).toBe('PCE')
    expect(t('uom_x12', 'ZZ')).toBe('ZZ')
  })

  it('qualified pairs and components', () => {
    const [po1] = x12('PO1*1*2*EA*3**BP*ABC*VN*V1*UP*0123~')
    expect(t('qualified_pair', po1, 'BP')).toBe('ABC')
    expect(t('qualified_pair', po1, 'VP|VN')).toBe('V1')
    expect(t('qualified_pair', po1, 'UK')).toBeUndefined()
    const [lin] = x12('LIN*10*BP*ABC*LT*L1~')
    expect(t('qualified_pair', lin, { q: 'LT', start: 2 })).toBe('L1')
  })

  it('SSCC: strips AI 00; inbound keeps a wrong check digit for matching, outbound refuses it', () => {
    expect(t('sscc', '00106141410000000019')).toBe('106141410000000019')
    expect(t('sscc', '106141410000000019')).toBe('106141410000000019')
    expect(t('sscc', '106141410000000018')).toBe('106141410000000018')
    expect(() => t('sscc', '10614141000000001')).toThrow(/18 digits/)
    expect(() => t('sscc_ai', '106141410000000018')).toThrow(/check digit/)
    expect(t('sscc_ai', '106141410000000019')).toBe('00106141410000000019')
    expect(gs1CheckDigitValid('4006381333931')).toBe(true)
  })

  it('code lists, lookups, rollup, join, count', () => {
    expect(t('code_list', '00', { '00': 'original' })).toBe('original')
    expect(t('code_list', 'XX', { '00': 'original', '*': 'other' })).toBe('other')
    expect(t('lookup', 'CA', 'uomx')).toBe('CS')
    expect(t('rollup', ['Accepted', 'Accepted'], { map: { Accepted: 'accepted' }, mixed: 'changed' })).toBe('accepted')
    expect(t('rollup', ['Accepted', 'Rejected'], { map: { Accepted: 'accepted', Rejected: 'rejected' }, mixed: 'changed' })).toBe('changed')
    expect(t('join', ['a', '', 'b'], '-')).toBe('a-b')
    expect(t('count', [1, 2, 3])).toBe('3')
  })
})
