/**
 * UN/EDIFACT service characters (ISO 9735-1 §7 and annex A). Without a UNA service string
 * advice the level A/C defaults apply: `:` component, `+` element, `.` decimal, `?` release,
 * `'` terminator; syntax version 4 adds `*` as the repetition separator.
 */
import type { Delimiters } from '../types.ts'

/** Byte-level separators the lexer works with (-1 = not used). */
export interface ServiceBytes {
  component: number
  element: number
  decimal: number
  release: number
  repetition: number
  segment: number
}

export const DEFAULT_SERVICE: ServiceBytes = {
  component: 0x3a, // :
  element: 0x2b, // +
  decimal: 0x2e, // .
  release: 0x3f, // ?
  repetition: -1, // only in syntax version 4 (see withSyntaxVersion)
  segment: 0x27, // '
}

/**
 * Reads the six characters after `UNA` (ISO 9735-1 §7.2: component, element, decimal mark,
 * release, reserved/repetition, terminator). A space in the release position means "no release
 * character"; a space in position 5 means "no repetition separator" (syntax version 3).
 */
export function parseUna(six: Uint8Array): ServiceBytes {
  const sp = 0x20
  return {
    component: six[0],
    element: six[1],
    decimal: six[2],
    release: six[3] === sp ? -1 : six[3],
    repetition: six[4] === sp ? -1 : six[4],
    segment: six[5],
  }
}

/** True when the six UNA characters are usable: terminator/element/component distinct. */
export function unaUsable(s: ServiceBytes): boolean {
  const seps = [s.component, s.element, s.segment]
  if (new Set(seps).size !== 3) return false
  if (s.release >= 0 && seps.includes(s.release)) return false
  // Letters and digits as separators would make every tag ambiguous.
  return seps.every((b) => !isAlnum(b))
}

function isAlnum(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)
}

/**
 * Syntax version 4 (ISO 9735-1:2002) defines `*` as the default repetition separator when no
 * UNA is present; with a UNA, position 5 decides.
 */
export function withSyntaxVersion(s: ServiceBytes, version: string, hadUna: boolean): ServiceBytes {
  if (version !== '4' || hadUna || s.repetition >= 0) return s
  return { ...s, repetition: 0x2a }
}

export function toDelimiters(s: ServiceBytes): Delimiters {
  const d: Delimiters = {
    element: String.fromCharCode(s.element),
    component: String.fromCharCode(s.component),
    segment: String.fromCharCode(s.segment),
    decimal: String.fromCharCode(s.decimal),
  }
  if (s.release >= 0) d.release = String.fromCharCode(s.release)
  if (s.repetition >= 0) d.repetition = String.fromCharCode(s.repetition)
  return d
}

/** The inverse of toDelimiters, with defaults for what is absent. */
export function fromDelimiters(d: Partial<Delimiters>): ServiceBytes {
  const c = (v: string | undefined, dflt: number) => (v === undefined ? dflt : v.charCodeAt(0))
  return {
    component: c(d.component, DEFAULT_SERVICE.component),
    element: c(d.element, DEFAULT_SERVICE.element),
    decimal: c(d.decimal, DEFAULT_SERVICE.decimal),
    // '' or a space (UNA's way to say so): no release character.
    release: d.release === '' || d.release === ' ' ? -1 : c(d.release, DEFAULT_SERVICE.release),
    repetition: d.repetition ? d.repetition.charCodeAt(0) : -1,
    segment: c(d.segment, DEFAULT_SERVICE.segment),
  }
}

/** True when these separators are the ISO 9735 defaults, i.e. a writer may omit the UNA. */
export function isDefaultService(s: ServiceBytes): boolean {
  const d = DEFAULT_SERVICE
  return (
    s.component === d.component &&
    s.element === d.element &&
    s.decimal === d.decimal &&
    s.release === d.release &&
    s.segment === d.segment &&
    s.repetition === -1
  )
}
