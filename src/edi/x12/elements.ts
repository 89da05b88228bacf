/**
 * Checks one simple data element value against its X12.6 type and length. Loops over char codes
 * instead of regular expressions: this runs for every element of every segment.
 * Lengths follow X12.6 §3.4: for numeric types the sign and decimal point do not count.
 */
import type { EdiIssueCode } from '../issues.ts'
import type { X12ElementDef } from '../dictionary/x12-types.ts'

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** Returns the AK4/IK4-style issue code for `value`, or null when it is valid. */
export function checkValue(def: X12ElementDef, value: string): EdiIssueCode | null {
  const t = def.type
  let len = value.length
  switch (t) {
    case 'AN':
      // X12.6 basic/extended character sets exclude control characters (NUL, BEL, ...).
      for (let i = 0; i < len; i++) {
        const c = value.charCodeAt(i)
        if (c < 32 || c === 127) return 'element_invalid_character'
      }
      break
    case 'ID':
      if (def.codes !== undefined && !def.codes.has(value)) {
        return len < def.min ? 'element_too_short' : len > def.max ? 'element_too_long' : 'element_invalid_code'
      }
      break
    case 'DT':
      if (!isDate(value)) return 'element_invalid_date'
      break
    case 'TM':
      if (!isTime(value)) return 'element_invalid_time'
      break
    case 'R': {
      const r = numericLength(value, true)
      if (r < 0) return 'element_invalid_decimal'
      len = r
      break
    }
    default: {
      // N, N0..N4: implied decimal, digits and an optional leading minus only.
      const r = numericLength(value, false)
      if (r < 0) return 'element_invalid_numeric'
      len = r
    }
  }
  if (len < def.min) return 'element_too_short'
  if (len > def.max) return 'element_too_long'
  return null
}

/** Digit count of an N or R value (sign and '.' excluded), or -1 when malformed. */
function numericLength(v: string, decimal: boolean): number {
  let i = 0
  let digits = 0
  let dot = false
  if (v.charCodeAt(0) === 45) i = 1
  for (; i < v.length; i++) {
    const c = v.charCodeAt(i)
    if (c >= 48 && c <= 57) digits++
    else if (c === 46 && decimal && !dot) dot = true
    else return -1
  }
  return digits === 0 ? -1 : digits
}

function digitsOnly(v: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    const c = v.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

/** CCYYMMDD (or YYMMDD in 4010 GS04/ISA09 style) with a real calendar day. */
export function isDate(v: string): boolean {
  return isDateSpan(v, 0, v.length)
}

/** isDate on `s[a..b)`. */
export function isDateSpan(s: string, a: number, b: number): boolean {
  const n = b - a
  if ((n !== 8 && n !== 6) || !digitsOnly(s, a, b)) return false
  const o = b - 4
  const m = (s.charCodeAt(o) - 48) * 10 + (s.charCodeAt(o + 1) - 48)
  const d = (s.charCodeAt(o + 2) - 48) * 10 + (s.charCodeAt(o + 3) - 48)
  if (m < 1 || m > 12 || d < 1 || d > DAYS[m - 1]) return false
  if (m === 2 && d === 29 && n === 8) {
    const y = (s.charCodeAt(a) - 48) * 1000 + (s.charCodeAt(a + 1) - 48) * 100 + (s.charCodeAt(a + 2) - 48) * 10 + (s.charCodeAt(a + 3) - 48)
    return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
  }
  return true
}

/** HHMM, HHMMSS, HHMMSSd or HHMMSSdd (X12.6 TM). */
export function isTime(v: string): boolean {
  return isTimeSpan(v, 0, v.length)
}

/** isTime on `s[a..b)`. */
export function isTimeSpan(s: string, a: number, b: number): boolean {
  const n = b - a
  if (n !== 4 && n !== 6 && n !== 7 && n !== 8) return false
  if (!digitsOnly(s, a, b)) return false
  const h = (s.charCodeAt(a) - 48) * 10 + (s.charCodeAt(a + 1) - 48)
  const m = (s.charCodeAt(a + 2) - 48) * 10 + (s.charCodeAt(a + 3) - 48)
  if (h > 23 || m > 59) return false
  if (n >= 6 && (s.charCodeAt(a + 4) - 48) * 10 + (s.charCodeAt(a + 5) - 48) > 59) return false
  return true
}
