/**
 * Exact decimal arithmetic on decimal strings, via scaled integers. Money and quantities never go
 * through floats: `0.1 + 0.2` must be `0.3`, and a 3-way invoice match must not drift by a cent.
 *
 * The usual operands (at most 15 digits, no surrounding blanks) are read by hand into a scaled
 * integer held in a double, which is exact up to 2^53; an operation whose operands or result
 * would pass that goes through BigInt, as does everything else. Matching does a few dozen of
 * these per document: the BigInt path (a regular expression, a BigInt per operand) took about
 * 0.7 µs per operation on typical quantities and prices, the hand-read one 0.12–0.18 µs.
 * test/lib/decimal.test.ts compares both paths with a reference.
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

/** 10^k for the scales the fast path meets (at most 15 digits in all). */
const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k)

// What scan() read: the scaled value and its scale (module state: no object per operand).
let sv = 0
let ss = 0

/**
 * Reads `-?\d+(\.\d+)?` of at most 15 digits into sv/ss; false for anything else (blanks,
 * longer numbers, malformed text), which the BigInt path then reads or rejects.
 */
function scan(s: string): boolean {
  const n = s.length
  let i = 0
  let neg = false
  if (n > 0 && s.charCodeAt(0) === 45) {
    neg = true
    i = 1
  }
  let v = 0
  let digits = 0
  let scale = -1
  for (; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48)
      digits++
      if (scale >= 0) scale++
    } else if (c === 46 && scale < 0 && digits > 0) scale = 0
    else return false
  }
  if (digits === 0 || scale === 0 || digits > 15) return false
  sv = neg ? -v : v
  ss = scale < 0 ? 0 : scale
  return true
}

/** `format` for a scaled integer held exactly in a double. */
function formatNum(v: number, scale: number): string {
  const neg = v < 0
  let s = String(neg ? -v : v)
  if (scale > 0) {
    if (s.length <= scale) s = s.padStart(scale + 1, '0')
    let end = s.length
    while (end > s.length - scale && s.charCodeAt(end - 1) === 48) end--
    s = end === s.length - scale ? s.slice(0, end) : `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale, end)}`
  }
  return (neg && s !== '0' ? '-' : '') + s
}

/**
 * a and b read and brought to one scale in ax/bx/xs; false when either is not a fast operand or
 * an aligned value is not exact in a double.
 */
let ax = 0
let bx = 0
let xs = 0
function alignFast(a: string, b: string): boolean {
  if (!scan(a)) return false
  const av = sv
  const ascale = ss
  if (!scan(b)) return false
  xs = ascale > ss ? ascale : ss
  ax = av * POW10[xs - ascale]
  bx = sv * POW10[xs - ss]
  return Number.isSafeInteger(ax) && Number.isSafeInteger(bx)
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
  if (scan(s)) return formatNum(sv, ss)
  const p = parse(s)
  return format(p.v, p.scale)
}

export function add(a: string, b: string): string {
  if (alignFast(a, b) && Number.isSafeInteger(ax + bx)) return formatNum(ax + bx, xs)
  const [x, y, s] = align(parse(a), parse(b))
  return format(x + y, s)
}

export function sub(a: string, b: string): string {
  if (alignFast(a, b) && Number.isSafeInteger(ax - bx)) return formatNum(ax - bx, xs)
  const [x, y, s] = align(parse(a), parse(b))
  return format(x - y, s)
}

export function mul(a: string, b: string): string {
  if (scan(a)) {
    const av = sv
    const ascale = ss
    // A product past 2^53 is not exact, and then not a safe integer either.
    if (scan(b) && Number.isSafeInteger(av * sv)) return formatNum(av * sv, ascale + ss)
  }
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
  if (alignFast(a, b)) return ax < bx ? -1 : ax > bx ? 1 : 0
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
