/**
 * Values echoed from the inbound file into a 997/999/TA1, made to fit the ack's own dictionary
 * (X12.5 997/999 segment definitions, X12.6 element types). X12 has no release character, so a
 * copied delimiter would split our segment; and an empty GS06 or a 1-letter segment tag copied
 * as is would make our ack invalid for the partner's translator. The rule everywhere: keep the
 * inbound value when it is valid for the ack element, else write a placeholder that is — the
 * fault itself is still reported by the code beside it (AK905 6, AK502 7, AK304, AK403 ...).
 */
import type { Delimiters } from '../types.ts'
import { FUNCTIONAL_ID_479 } from '../dictionary/x12-codes.ts'
import { functionalIdOf } from '../dictionary/x12-groups.ts'
import { isDate, isTime } from './elements.ts'

/** Cleans one value for an ack: bound to the ack's separators (see `cleaner`). */
export type Clean = (v: string) => string

/**
 * The ack's delimiters and line breaks become spaces (as a copy they carry no meaning); control
 * characters and anything beyond U+00FF (not sendable in the latin1 bytes we store and send, and
 * outside the X12 extended character set) become '?', or '.' when '?' is itself one of the ack's
 * delimiters (a partner may use it as a separator; the placeholder must not split our segment).
 */
export function cleaner(d: Delimiters): Clean {
  const isDelimiter = (ch: string) => ch === d.element || ch === d.component || ch === d.segment || ch === d.repetition
  const placeholder = ['?', '.', '_', '-'].find((ch) => !isDelimiter(ch)) ?? 'X'
  return (v) => {
    let out = ''
    for (const ch of v) {
      const c = ch.codePointAt(0)!
      if (isDelimiter(ch) || c === 10 || c === 13) out += ' '
      else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c > 0xff) out += placeholder
      else out += ch
    }
    return out
  }
}

/** Optional AN element: cleaned, cut to `max`, trailing spaces dropped (X12.6); '' = omit it. */
export function anOptional(v: string | undefined, clean: Clean, max: number): string {
  return clean(v ?? '').slice(0, max).trimEnd()
}

/**
 * Mandatory AN element of `min..max` (AK202 control number 4/9, GS03 2/15): cleaned and cut;
 * too short is padded on the left with zeros, so '12' still reads as control number 0012.
 */
export function anMandatory(v: string | undefined, clean: Clean, min: number, max: number): string {
  return anOptional(v, clean, max).padStart(min, '0')
}

/**
 * ID element of `min..max` without a code list we can enforce (AK201 set id 3/3, AK301/IK301
 * segment id 2/3): letters and digits only, cut to `max`, padded with 'X' to `min` — a padded id
 * ('PX', '85X') cannot be mistaken for a real segment tag or a numeric set id.
 */
export function idFit(v: string | undefined, min: number, max: number): string {
  return (v ?? '').replace(/[^A-Za-z0-9]/g, '').slice(0, max).padEnd(min, 'X')
}

/** Whether `v` is an unsigned N0 value of 1..max digits (control numbers, positions). */
export const isDigits = (v: string | undefined, max: number): boolean => v !== undefined && v.length >= 1 && v.length <= max && /^\d+$/.test(v)

/**
 * AK102 (28, N0 1/9) from GS06. An unusable GS06 becomes '0': control numbers start at 1, so 0
 * names no real group, and AK905 6 (group control number violates syntax) says why.
 */
export const groupControl = (v: string): string => (isDigits(v, 9) ? v : '0')

/** A count or position as N0 within 1..10^digits-1 (AK302 1/6 in a 997, IK302 1/10; C030 1/2). */
export const position = (n: number | undefined, digits: number): string =>
  String(Math.min(Math.max(1, Math.trunc(n ?? 1) || 1), 10 ** digits - 1))

const FUNCTIONAL_IDS = new Set(FUNCTIONAL_ID_479.split(' '))

/**
 * AK101 (479, ID 2/2 with its code list) from GS01. An unusable GS01 is replaced by the code its
 * first transaction set implies (X12.5 pairs each set with one functional id, x12-groups.ts),
 * else 'FA'; AK905 1 (functional group not supported) reports the bad GS01.
 */
export function functionalId(gs01: string, firstSet: string | undefined): string {
  if (FUNCTIONAL_IDS.has(gs01)) return gs01
  return functionalIdOf(firstSet ?? '') ?? 'FA'
}

/** AK402/IK402 (725, N0 1/4): a simple element's reference number; composites ('C030') have none. */
export const elementRef = (ref: string | undefined): string => (isDigits(ref, 4) ? ref! : '')

/**
 * TA101..TA103 (I12 N0 9/9, I08 DT 6/6, I09 TM 4/4) from ISA13/ISA09/ISA10. A short numeric
 * ISA13 is the same number zero-padded; anything else becomes 000000000 (TA105 still names the
 * fault). A bad ISA09/ISA10 becomes our own date/time, the only valid stamp we have.
 */
export function ta1Reference(ic: { controlNumber: string; date?: string; time?: string }, ours: { date: string; time: string }): [string, string, string] {
  const ctl = ic.controlNumber.trim()
  const yymmdd = ours.date.length === 8 ? ours.date.slice(2) : ours.date
  return [
    isDigits(ctl, 9) ? ctl.padStart(9, '0') : '000000000',
    ic.date !== undefined && ic.date.length === 6 && isDate(ic.date) ? ic.date : yymmdd,
    ic.time !== undefined && ic.time.length === 4 && isTime(ic.time) ? ic.time : ours.time.slice(0, 4),
  ]
}

/** GS03 of our ack (AN 2/15): their GS02 application id, else their ISA06 id, fitted. */
export function applicationReceiver(gs02: string | undefined, isa06: string, clean: Clean): string {
  const app = anOptional(gs02, clean, 15)
  if (app.length >= 2) return app
  const id = anOptional(isa06.trim(), clean, 15)
  return id.length >= 2 ? id : (app || id).padStart(2, '0')
}
