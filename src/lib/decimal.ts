/**
 * Exact decimal arithmetic on decimal strings, via scaled BigInts. Money and quantities never go
 * through floats: `0.1 + 0.2` must be `0.3`, and a 3-way invoice match must not drift by a cent.
 */
const DEC = /^(-?)(\d+)(?:\.(\d+))?$/

interface Scaled {
  v: bigint
  scale: number
}

function parse(s: string): Scaled {
  const m = DEC.exec(s.trim())
  if (!m) throw new RangeError(`not a decimal string: ${JSON.stringify(s)}`)
  const frac = m[3] ?? ''
  const v = BigInt(m[2] + frac)
  return { v: m[1] ? -v : v, scale: frac.length }
}

function align(a: Scaled, b: Scaled): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale)
  return [a.v * 10n ** BigInt(scale - a.scale), b.v * 10n ** BigInt(scale - b.scale), scale]
}

function format(v: bigint, scale: number): string {
  const neg = v < 0n
  let s = (neg ? -v : v).toString().padStart(scale + 1, '0')
  if (scale > 0) {
    s = `${s.slice(0, -scale)}.${s.slice(-scale)}`.replace(/\.?0+$/, '')
  }
  return (neg && s !== '0' ? '-' : '') + s
}

export const isDecimal = (s: unknown): s is string => typeof s === 'string' && DEC.test(s.trim())

/** Normalise `"012.500"` → `"12.5"`, `"-0"` → `"0"`. */
export function normalize(s: string): string {
  const p = parse(s)
  return format(p.v, p.scale)
}

export function add(a: string, b: string): string {
  const [x, y, s] = align(parse(a), parse(b))
  return format(x + y, s)
}

export function sub(a: string, b: string): string {
  const [x, y, s] = align(parse(a), parse(b))
  return format(x - y, s)
}

export function mul(a: string, b: string): string {
  const x = parse(a)
  const y = parse(b)
  return format(x.v * y.v, x.scale + y.scale)
}

/** a / b rounded half-up to `scale` places. Throws on division by zero (a defect upstream). */
export function div(a: string, b: string, scale = 6): string {
  const x = parse(a)
  const y = parse(b)
  if (y.v === 0n) throw new RangeError('division by zero')
  // a/b = (x.v / 10^xs) / (y.v / 10^ys); scale numerator so the quotient has `scale`+1 digits
  const num = x.v * 10n ** BigInt(y.scale + scale + 1)
  const den = y.v * 10n ** BigInt(x.scale)
  let q = num / den
  q = q >= 0n ? (q + 5n) / 10n : (q - 5n) / 10n
  return format(q, scale)
}

/** -1, 0 or 1. */
export function cmp(a: string, b: string): number {
  const [x, y] = align(parse(a), parse(b))
  return x < y ? -1 : x > y ? 1 : 0
}

export const eq = (a: string, b: string): boolean => cmp(a, b) === 0
export const abs = (a: string): string => (a.trim().startsWith('-') ? normalize(a.trim().slice(1)) : normalize(a))
export const sum = (xs: readonly string[]): string => xs.reduce((acc, x) => add(acc, x), '0')

/** Round half-up to `scale` places (money to 2). */
export function round(a: string, scale = 2): string {
  const p = parse(a)
  if (p.scale <= scale) return format(p.v, p.scale)
  const drop = 10n ** BigInt(p.scale - scale)
  const half = drop / 2n
  const q = p.v >= 0n ? (p.v + half) / drop : (p.v - half) / drop
  return format(q, scale)
}

/** `pct` percent of `a`, e.g. percentOf('200', '2.5') === '5'. */
export const percentOf = (a: string, pct: string): string => div(mul(a, pct), '100', 6)
