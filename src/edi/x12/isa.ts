/**
 * The ISA interchange header (X12.5): fixed width on paper (106 bytes), but real files pad with
 * NBSP or trim fields, so the separators are found by scanning: the element separator is the
 * byte after `ISA`, ISA16 (component separator) follows the 16th element separator, and the
 * byte after ISA16 is the segment terminator.
 */
import { issue, type EdiIssue } from '../issues.ts'
import type { Delimiters, Position } from '../types.ts'

/** X12.5 widths of ISA01..ISA16. */
export const ISA_WIDTHS = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1] as const

/** ISA with a sane separator never runs this long; beyond it we stop waiting for more bytes. */
export const ISA_MAX_BYTES = 512

export type IsaScan =
  | { kind: 'need_more' }
  | { kind: 'invalid'; reason: string }
  | { kind: 'ok'; delimiters: Delimiters; fields: string[]; end: number }

const isAlnum = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)

/** True when `s` at `p` looks like an ISA start: `ISA` followed by a non-alphanumeric byte. */
export function looksLikeIsa(s: string, p: number): boolean {
  return (
    s.charCodeAt(p) === 73 &&
    s.charCodeAt(p + 1) === 83 &&
    s.charCodeAt(p + 2) === 65 &&
    p + 3 < s.length &&
    !isAlnum(s.charCodeAt(p + 3)) &&
    s.charCodeAt(p + 3) > 32
  )
}

/**
 * Reads the ISA starting at `p` in a latin1 view of the bytes. `final` says no more bytes will
 * come (so a short ISA is invalid rather than incomplete). `end` is the index after the terminator.
 */
export function scanIsa(s: string, p: number, final: boolean): IsaScan {
  const sep = s[p + 3]
  const fields: string[] = []
  let at = p + 3
  for (let i = 0; i < 16; i++) {
    const next = i < 15 ? s.indexOf(sep, at + 1) : at + 2
    if (i < 15 && (next === -1 || next - p > ISA_MAX_BYTES)) {
      if (next === -1 && !final && s.length - p <= ISA_MAX_BYTES) return { kind: 'need_more' }
      return { kind: 'invalid', reason: `ISA has ${i + 1} of 16 elements` }
    }
    if (i === 15) {
      // ISA16 is one byte; the terminator is the byte right after it.
      if (at + 2 >= s.length) {
        return final ? { kind: 'invalid', reason: 'ISA ends before ISA16 and its terminator' } : { kind: 'need_more' }
      }
      fields.push(s[at + 1])
      break
    }
    fields.push(s.slice(at + 1, next))
    at = next
  }
  const component = fields[15]
  const segment = s[at + 2]
  const code = segment.charCodeAt(0)
  if (isAlnum(code) || segment === sep || segment === ' ') {
    return { kind: 'invalid', reason: `ISA16 is not followed by a segment terminator (found '${segment}')` }
  }
  // ISA11 is the repetition separator from 005010 on (X12.5: 00501); earlier it is the
  // standards identifier (`U`). 00402-00500 allowed it too, but partners still write data
  // characters there (corpus: 004060 with '-'), so we only honour it from 00501.
  const delimiters: Delimiters = { element: sep, component, segment }
  const rep = fields[10]
  if (fields[11] >= '00501' && rep.length === 1 && !isAlnum(rep.charCodeAt(0)) && rep !== sep && rep !== component && rep !== segment && rep !== ' ') {
    delimiters.repetition = rep
  }
  return { kind: 'ok', delimiters, fields, end: at + 3 }
}

const DIGITS = /^\d+$/

function validDate(yymmdd: string): boolean {
  if (!/^\d{6}$/.test(yymmdd)) return false
  const m = Number(yymmdd.slice(2, 4))
  const d = Number(yymmdd.slice(4, 6))
  return m >= 1 && m <= 12 && d >= 1 && d <= 31
}

/**
 * X12.5 checks on the ISA values. `byteWidths` are the widths in bytes (the raw ISA), which is
 * what fixed-width readers rely on: NBSP padding is two bytes and breaks them.
 */
export function checkIsa(fields: string[], byteWidths: number[], pos: Position): EdiIssue[] {
  const out: EdiIssue[] = []
  const at = { segment: 'ISA', position: pos }
  for (let i = 0; i < 16; i++) {
    if (byteWidths[i] !== ISA_WIDTHS[i]) {
      out.push(
        issue('isa_field_width', 'interchange', `ISA${pad(i + 1)} is ${byteWidths[i]} bytes, X12.5 fixes it at ${ISA_WIDTHS[i]}`, {
          ...at,
          element: i + 1,
          value: fields[i],
        })
      )
    }
  }
  if (fields[5].trim() === '') out.push(issue('interchange_sender_invalid', 'interchange', 'ISA06 interchange sender id is blank', { ...at, element: 6 }))
  if (fields[7].trim() === '') out.push(issue('interchange_receiver_invalid', 'interchange', 'ISA08 interchange receiver id is blank', { ...at, element: 8 }))
  if (!validDate(fields[8])) out.push(issue('interchange_date_invalid', 'interchange', `ISA09 '${fields[8]}' is not a YYMMDD date`, { ...at, element: 9, value: fields[8] }))
  if (!/^([01]\d|2[0-3])[0-5]\d$/.test(fields[9])) out.push(issue('interchange_time_invalid', 'interchange', `ISA10 '${fields[9]}' is not an HHMM time`, { ...at, element: 10, value: fields[9] }))
  if (!/^00[2-7]\d\d$/.test(fields[11])) out.push(issue('interchange_version_unsupported', 'interchange', `ISA12 '${fields[11]}' is not an X12 interchange version`, { ...at, element: 12, value: fields[11] }))
  if (!DIGITS.test(fields[12])) out.push(issue('interchange_control_invalid', 'interchange', `ISA13 control number '${fields[12]}' is not numeric`, { ...at, element: 13, value: fields[12] }))
  if (fields[13] !== '0' && fields[13] !== '1') out.push(issue('interchange_ack_request_invalid', 'interchange', `ISA14 acknowledgment requested '${fields[13]}' is not 0 or 1`, { ...at, element: 14, value: fields[13] }))
  if (fields[14] !== 'P' && fields[14] !== 'T' && fields[14] !== 'I') {
    out.push(issue('interchange_test_indicator_invalid', 'interchange', `ISA15 '${fields[14]}' is not P (production) or T (test)`, { ...at, element: 15, value: fields[14] }))
  }
  return out
}

export const pad = (n: number): string => (n < 10 ? `0${n}` : String(n))
