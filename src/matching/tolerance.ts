/**
 * Tolerance maths on decimal strings. A partner profile gives a percent and/or an absolute
 * allowance (`qty.overPct` / `qty.overAbs`, `price.tolerancePct` / `price.toleranceAbs`). When both
 * are set the larger allowance wins ("5% or 2 units, whichever is greater"), so that the default
 * `overPct: '0'` never cancels an absolute allowance. Being exactly at the limit passes; a single
 * unit of the last decimal place over it fails. Nothing here goes through floats.
 */
import { abs, add, cmp, mul, normalize, sub } from '../lib/decimal.ts'

/** base × pct / 100, exact: dividing by 100 only shifts the decimal point. */
export const percentOfExact = (base: string, pct: string): string =>
  normalize(mul(mul(base, pct), '0.01'))

export interface Allowance {
  /** Percent of the base (the ordered quantity or the PO price), as a decimal string. */
  pct?: string
  /** Absolute allowance in the base's unit. */
  abs?: string
}

// Many lines share an ordered quantity and all share the partner's tolerance: memoise.
const memo = new Map<string, string>()

/** The allowed deviation from `base`: max(base × pct / 100, abs); never negative. */
export function allowance(base: string, a: Allowance): string {
  const key = `${base}|${a.pct ?? ''}|${a.abs ?? ''}`
  let v = memo.get(key)
  if (v === undefined) {
    if (memo.size > 10_000) memo.clear()
    v = computeAllowance(base, a)
    memo.set(key, v)
  }
  return v
}

function computeAllowance(base: string, a: Allowance): string {
  const byPct = a.pct !== undefined ? percentOfExact(abs(base), a.pct) : '0'
  const byAbs = a.abs !== undefined ? normalize(a.abs) : '0'
  return cmp(byPct, byAbs) >= 0 ? byPct : byAbs
}

/** Human form of an allowance for reasons: `5%`, `2`, `5% or 2`, `0`. */
export function describeAllowance(a: Allowance): string {
  const pct = a.pct !== undefined && cmp(a.pct, '0') !== 0 ? `${normalize(a.pct)}%` : undefined
  const ab = a.abs !== undefined && cmp(a.abs, '0') !== 0 ? normalize(a.abs) : undefined
  if (pct && ab) return `${pct} or ${ab}`
  return pct ?? ab ?? '0'
}

/** Highest accepted value: base + allowance. */
export const upperLimit = (base: string, a: Allowance): string =>
  normalize(add(base, allowance(base, a)))

/** Lowest accepted value: base − allowance (may go below zero; callers compare, not clamp). */
export const lowerLimit = (base: string, a: Allowance): string =>
  normalize(sub(base, allowance(base, a)))

/** `actual` ≤ base + allowance. Exactly at the limit passes. */
export const withinOver = (base: string, actual: string, a: Allowance): boolean =>
  cmp(actual, upperLimit(base, a)) <= 0

/** `actual` ≥ base − allowance. Exactly at the limit passes. */
export const withinUnder = (base: string, actual: string, a: Allowance): boolean =>
  cmp(actual, lowerLimit(base, a)) >= 0

/** |actual − base| ≤ allowance, for prices where either direction counts. */
export const withinBoth = (base: string, actual: string, a: Allowance): boolean =>
  cmp(abs(sub(actual, base)), allowance(base, a)) <= 0

/** Quantity allowances from MatchingConfig.qty. */
export function qtyAllowances(q: {
  overPct?: string
  underPct?: string
  overAbs?: string
  underAbs?: string
}): {
  over: Allowance
  under: Allowance
} {
  return { over: { pct: q.overPct, abs: q.overAbs }, under: { pct: q.underPct, abs: q.underAbs } }
}

/** Price allowance from MatchingConfig.price. */
export const priceAllowance = (p: { tolerancePct?: string; toleranceAbs?: string }): Allowance => ({
  pct: p.tolerancePct,
  abs: p.toleranceAbs,
})
