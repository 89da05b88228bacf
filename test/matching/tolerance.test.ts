import { describe, expect, it } from 'vitest'
import { add, mul, sum } from '../../src/lib/decimal.ts'
import {
  allowance,
  describeAllowance,
  lowerLimit,
  upperLimit,
  withinBoth,
  withinOver,
  withinUnder,
} from '../../src/matching/tolerance.ts'

describe('tolerance edges', () => {
  it('percent over: exactly at +5% passes, one unit of the last place over fails', () => {
    expect(withinOver('100', '105', { pct: '5' })).toBe(true)
    expect(withinOver('100', '105.001', { pct: '5' })).toBe(false)
    expect(withinOver('100', '106', { pct: '5' })).toBe(false)
  })
  it('percent under: exactly at -5% passes, just under fails', () => {
    expect(withinUnder('100', '95', { pct: '5' })).toBe(true)
    expect(withinUnder('100', '94.999', { pct: '5' })).toBe(false)
  })
  it('absolute over and under', () => {
    expect(withinOver('10', '12', { abs: '2' })).toBe(true)
    expect(withinOver('10', '12.01', { abs: '2' })).toBe(false)
    expect(withinUnder('10', '8', { abs: '2' })).toBe(true)
    expect(withinUnder('10', '7.99', { abs: '2' })).toBe(false)
  })
  it('price both ways: 1% of 19.99 is 0.1999', () => {
    expect(allowance('19.99', { pct: '1' })).toBe('0.1999')
    expect(withinBoth('19.99', '20.1899', { pct: '1' })).toBe(true)
    expect(withinBoth('19.99', '20.19', { pct: '1' })).toBe(false)
    expect(withinBoth('19.99', '19.7901', { pct: '1' })).toBe(true)
    expect(withinBoth('19.99', '19.79', { pct: '1' })).toBe(false)
  })
  it('percent and absolute together: the larger allowance wins', () => {
    expect(allowance('100', { pct: '1', abs: '3' })).toBe('3')
    expect(allowance('1000', { pct: '1', abs: '3' })).toBe('10')
    expect(upperLimit('100', { pct: '0', abs: '3' })).toBe('103')
    expect(lowerLimit('100', { pct: '5' })).toBe('95')
    expect(describeAllowance({ pct: '5', abs: '2' })).toBe('5% or 2')
    expect(describeAllowance({ pct: '0' })).toBe('0')
  })
  it('zero tolerance: only the exact value passes', () => {
    expect(withinOver('100', '100', { pct: '0' })).toBe(true)
    expect(withinOver('100', '100.0001', { pct: '0' })).toBe(false)
  })
})

describe('decimal arithmetic where floats break', () => {
  it('0.1 + 0.2 is 0.3 (float gives 0.30000000000000004)', () => {
    expect(0.1 + 0.2).not.toBe(0.3)
    expect(add('0.1', '0.2')).toBe('0.3')
  })
  it('19.99 × 3 is 59.97 and 19.99 × 100 is 1999 (float gives 1998.9999999999998)', () => {
    expect(mul('19.99', '3')).toBe('59.97')
    expect(19.99 * 100).not.toBe(1999)
    expect(mul('19.99', '100')).toBe('1999')
    expect(4.35 * 100).not.toBe(435)
    expect(mul('4.35', '100')).toBe('435')
  })
  it('a tolerance computed on such values is exact', () => {
    // 3 × 19.99 = 59.97; +0.03 allowance (5% of 0.6) lands exactly on the limit
    expect(withinOver('59.94', sum(['19.99', '19.99', '19.99']), { abs: '0.03' })).toBe(true)
    expect(withinOver('59.94', '59.9700001', { abs: '0.03' })).toBe(false)
  })
})

describe('quantity fast path agrees with lib/decimal', () => {
  it('whole numbers and fractions give the same answers', async () => {
    const { qadd, qcmp, qsub } = await import('../../src/matching/qty.ts')
    const { cmp, normalize, sub } = await import('../../src/lib/decimal.ts')
    const xs = [
      '0',
      '1',
      '60',
      '120',
      '999999999999999',
      '0.1',
      '0.2',
      '19.99',
      '007',
      '-5',
      '1000000000000000',
    ]
    for (const a of xs) {
      for (const b of xs) {
        expect(qadd(a, b)).toBe(normalize(add(a, b)))
        expect(qsub(a, b)).toBe(normalize(sub(a, b)))
        expect(qcmp(a, b)).toBe(cmp(a, b))
      }
    }
  })
})
