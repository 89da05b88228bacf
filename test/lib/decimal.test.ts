/**
 * The decimal module against a reference written here with BigInt alone: the same results (and
 * the same refusals) for seeded random operands, most of them small (the hand-read fast path),
 * some of 15 to 30 digits or around 2^53 (where it must hand over to BigInt), some malformed or
 * padded with blanks.
 */
import { describe, expect, it } from 'vitest'
import * as D from '../../src/lib/decimal.ts'
import { prng } from '../../bench/gen/prng.ts'

/** value × 10^-scale, read the way the module documents it: optional '-', digits, optional '.digits', blanks around. */
function ref(s: string): { v: bigint; scale: number } {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(s.trim())
  if (!m) throw new RangeError('not a decimal')
  const frac = m[3] ?? ''
  const v = BigInt(m[2] + frac)
  return { v: m[1] ? -v : v, scale: frac.length }
}
function show(v: bigint, scale: number): string {
  const neg = v < 0n
  let digits = (neg ? -v : v).toString()
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0')
    const whole = digits.slice(0, digits.length - scale)
    let frac = digits.slice(digits.length - scale)
    while (frac.endsWith('0')) frac = frac.slice(0, -1)
    digits = frac ? `${whole}.${frac}` : whole
  }
  return (neg && digits !== '0' ? '-' : '') + digits
}
const up = (x: { v: bigint; scale: number }, scale: number) => x.v * 10n ** BigInt(scale - x.scale)
const R = {
  normalize: (a: string) => { const x = ref(a); return show(x.v, x.scale) },
  add: (a: string, b: string) => { const x = ref(a), y = ref(b), s = Math.max(x.scale, y.scale); return show(up(x, s) + up(y, s), s) },
  sub: (a: string, b: string) => { const x = ref(a), y = ref(b), s = Math.max(x.scale, y.scale); return show(up(x, s) - up(y, s), s) },
  mul: (a: string, b: string) => { const x = ref(a), y = ref(b); return show(x.v * y.v, x.scale + y.scale) },
  cmp: (a: string, b: string) => { const x = ref(a), y = ref(b), s = Math.max(x.scale, y.scale); const p = up(x, s), q = up(y, s); return p < q ? -1 : p > q ? 1 : 0 },
}

type Rand = () => number
const int = (r: Rand, n: number) => Math.floor(r() * n)
const digits = (r: Rand, n: number) => Array.from({ length: n }, () => String(int(r, 10))).join('')

function operand(r: Rand): string {
  const k = int(r, 20)
  if (k === 0) return ['', '-', '.5', '5.', '1e3', '--1', '1.2.3', '+1', '0x10', '١٢', ' ', '1 2', '-.5'][int(r, 13)]
  if (k === 1) return ` ${operand(r)}\t`
  if (k === 2) return String(2 ** 53 + int(r, 5) - 2) // around the edge of exact doubles
  if (k === 3) return `${digits(r, 1 + int(r, 8))}.${digits(r, 8 + int(r, 8))}` // 15 digits and past
  const sign = r() < 0.2 ? '-' : ''
  const whole = k < 6 ? digits(r, 10 + int(r, 20)) : digits(r, 1 + int(r, 4))
  const frac = r() < 0.5 ? '' : `.${digits(r, 1 + int(r, k < 6 ? 12 : 4))}`
  return sign + whole + frac
}

function outcome(f: () => unknown): unknown {
  try {
    return f()
  } catch (e) {
    return e instanceof RangeError ? 'RangeError' : `other: ${(e as Error).message}`
  }
}

describe('decimal arithmetic', () => {
  it('known answers', () => {
    expect(D.add('0.1', '0.2')).toBe('0.3')
    expect(D.normalize('012.500')).toBe('12.5')
    expect(D.normalize('-0.00')).toBe('0')
    expect(D.sub('10.50', '10.5')).toBe('0')
    expect(D.mul('24', '12.5')).toBe('300')
    expect(D.mul('-0.5', '0.5')).toBe('-0.25')
    expect(D.cmp('2.50', '2.5')).toBe(0)
    expect(D.add('9007199254740991', '1')).toBe('9007199254740992')
    expect(D.mul('123456789012345', '1000')).toBe('123456789012345000')
    expect(() => D.add('5.', '1')).toThrow(RangeError)
  })

  it('20,000 seeded operand pairs: the same results and refusals as the BigInt reference', () => {
    const r = prng(7_20261207)
    let fast = 0
    for (let i = 0; i < 20_000; i++) {
      const a = operand(r)
      const b = operand(r)
      if (/^-?\d{1,15}(\.\d+)?$/.test(a) && a.replace(/\D/g, '').length <= 15) fast++
      for (const op of ['add', 'sub', 'mul', 'cmp'] as const) {
        const got = outcome(() => D[op](a, b))
        const want = outcome(() => R[op](a, b))
        if (got !== want) expect({ op, a, b, got }).toEqual({ op, a, b, got: want })
      }
      const got = outcome(() => D.normalize(a))
      const want = outcome(() => R.normalize(a))
      if (got !== want) expect({ op: 'normalize', a, got }).toEqual({ op: 'normalize', a, got: want })
    }
    // most operands take the fast path, and plenty do not
    expect(fast).toBeGreaterThan(10_000)
    expect(fast).toBeLessThan(19_000)
  })
})
