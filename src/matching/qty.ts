/**
 * Hot-path wrappers over lib/decimal.ts for the quantities matching adds up per line. Most
 * quantities are small whole numbers ("60", "120"); for those, integer arithmetic in a JS number
 * is exact (every integer below 2^53 is representable, IEEE 754 §3.2), so we skip the BigInt
 * parse. Anything with a fraction, a sign or more than 15 digits goes through lib/decimal.ts.
 * No fractional value ever touches a float here.
 */
import { add, cmp, normalize, sub } from '../lib/decimal.ts'

/** Plain unsigned integer of at most 15 digits, without leading zeros (canonical form). */
export function smallInt(s: string): boolean {
  const n = s.length
  if (n === 0 || n > 15 || (n > 1 && s.charCodeAt(0) === 48)) return false
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

export const qadd = (a: string, b: string): string =>
  smallInt(a) && smallInt(b) ? String(Number(a) + Number(b)) : normalize(add(a, b))

export const qsub = (a: string, b: string): string =>
  smallInt(a) && smallInt(b) ? String(Number(a) - Number(b)) : normalize(sub(a, b))

export function qcmp(a: string, b: string): number {
  if (smallInt(a) && smallInt(b)) {
    const x = Number(a)
    const y = Number(b)
    return x < y ? -1 : x > y ? 1 : 0
  }
  return cmp(a, b)
}

export const qnorm = (a: string): string => (smallInt(a) ? a : normalize(a))
