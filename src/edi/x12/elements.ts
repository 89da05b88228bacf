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

/** checkValue on `s[a..b)` without cutting a substring (hot path: most elements are valid). */
export function checkSpan(def: X12ElementDef, s: string, a: number, b: number): EdiIssueCode | null {
  const t = def.type
  if (t === 'AN') {
    const len = b - a
    return len < def.min ? 'element_too_short' : len > def.max ? 'element_too_long' : null
  }
  if (t === 'R' || t[0] === 'N') {
    let i = a
    let digits = 0
    let dot = false
    if (s.charCodeAt(i) === 45) i++
    for (; i < b; i++) {
      const c = s.charCodeAt(i)
      if (c >= 48 && c <= 57) digits++
      else if (c === 46 && t === 'R' && !dot) dot = true
      else return t === 'R' ? 'element_invalid_decimal' : 'element_invalid_numeric'
    }
    if (digits === 0) return t === 'R' ? 'element_invalid_decimal' : 'element_invalid_numeric'
    return digits < def.min ? 'element_too_short' : digits > def.max ? 'element_too_long' : null
  }
  return checkValue(def, s.slice(a, b))
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

function digitsOnly(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

/** CCYYMMDD (or YYMMDD in 4010 GS04/ISA09 style) with a real calendar day. */
export function isDate(v: string): boolean {
  if ((v.length !== 8 && v.length !== 6) || !digitsOnly(v)) return false
  const o = v.length - 4
  const m = (v.charCodeAt(o) - 48) * 10 + (v.charCodeAt(o + 1) - 48)
  const d = (v.charCodeAt(o + 2) - 48) * 10 + (v.charCodeAt(o + 3) - 48)
  if (m < 1 || m > 12 || d < 1 || d > DAYS[m - 1]) return false
  if (m === 2 && d === 29 && v.length === 8) {
    const y = Number(v.slice(0, 4))
    return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
  }
  return true
}

/** HHMM, HHMMSS, HHMMSSd or HHMMSSdd (X12.6 TM). */
export function isTime(v: string): boolean {
  const n = v.length
  if (n !== 4 && n !== 6 && n !== 7 && n !== 8) return false
  if (!digitsOnly(v)) return false
  const h = (v.charCodeAt(0) - 48) * 10 + (v.charCodeAt(1) - 48)
  const m = (v.charCodeAt(2) - 48) * 10 + (v.charCodeAt(3) - 48)
  if (h > 23 || m > 59) return false
  if (n >= 6 && (v.charCodeAt(4) - 48) * 10 + (v.charCodeAt(5) - 48) > 59) return false
  return true
}
