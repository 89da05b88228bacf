/**
 * Readers for the EDIFACT service segments (ISO 9735-1 §6 / UNSL): UNB, UNG, UNH and their
 * trailers. Each returns plain values plus the issues found in that one segment; the nesting and
 * the header/trailer comparisons live in assemble.ts.
 */
import { issue, type EdiIssue } from '../issues.ts'
import type { Element, PartyId, Segment } from '../types.ts'
import { RawSegment, rawComponent, rawElement } from './segment.ts'
import type { SegmentStore } from './store.ts'

/**
 * Element e (0-based) of a segment. A RawSegment not yet tokenized is read from its bytes
 * (same values), so reading UNH/UNT builds no token arrays for the whole segment.
 */
export function element(s: Segment, e: number): Element | undefined {
  return s instanceof RawSegment && !s.materialized ? rawElement(s, e) : s.elements[e]
}

/** Component c (0-based) of element e (0-based), '' when absent. */
export const comp = (s: Segment, e: number, c = 0): string =>
  s instanceof RawSegment && !s.materialized ? rawComponent(s, e, c) : (s.elements[e]?.[c] ?? '')

export interface UnbHeader {
  syntaxId: string
  syntaxVersion: string
  sender: PartyId
  receiver: PartyId
  date: string
  time: string
  controlNumber: string
  applicationRef: string
  ackRequested: boolean
  test: boolean
}

/** UNB: S001 syntax, S002 sender, S003 recipient, S004 date/time, 0020, S005, 0026, 0029, 0031, 0032, 0035. */
export function readUnb(s: Segment): { header: UnbHeader; issues: EdiIssue[] } {
  const issues: EdiIssue[] = []
  const at = { segment: 'UNB', position: s.pos }
  const h: UnbHeader = {
    syntaxId: comp(s, 0, 0),
    syntaxVersion: comp(s, 0, 1),
    sender: { id: comp(s, 1, 0), qualifier: comp(s, 1, 1) },
    receiver: { id: comp(s, 2, 0), qualifier: comp(s, 2, 1) },
    date: comp(s, 3, 0),
    time: comp(s, 3, 1),
    controlNumber: comp(s, 4, 0),
    applicationRef: comp(s, 6, 0),
    ackRequested: comp(s, 8, 0) === '1',
    test: comp(s, 10, 0) === '1',
  }
  const v = h.syntaxVersion
  if (v !== '3' && v !== '4') {
    // Versions 1 and 2 are obsolete but still sent (the corpus has them); we read them with the
    // version 3 rules and warn. Anything else is not a syntax we know: an error (0085 = 2).
    const old = v === '1' || v === '2'
    issues.push(
      issue('interchange_version_unsupported', 'interchange', old
        ? `UNB syntax version ${v} is obsolete; read with version 3 rules`
        : `UNB syntax version "${v}" is not supported (3 or 4 expected)`, { ...at, element: 1, component: 2, ref: '0002', value: v, severity: old ? 'warning' : 'error' })
    )
  }
  if (!h.sender.id) issues.push(issue('interchange_sender_invalid', 'interchange', 'UNB sender identification (S002 0004) is missing', { ...at, element: 2, ref: '0004' }))
  if (!h.receiver.id) issues.push(issue('interchange_receiver_invalid', 'interchange', 'UNB recipient identification (S003 0010) is missing', { ...at, element: 3, ref: '0010' }))
  if (!validDate(h.date) || !/^([01]\d|2[0-3])[0-5]\d$/.test(h.time)) {
    issues.push(issue('interchange_date_invalid', 'interchange', `UNB date/time "${h.date}:${h.time}" is not YYMMDD/CCYYMMDD:HHMM`, { ...at, element: 4, ref: '0017', value: `${h.date}:${h.time}` }))
  }
  if (!h.controlNumber) issues.push(issue('element_missing', 'interchange', 'UNB interchange control reference (0020) is missing', { ...at, element: 5, ref: '0020' }))
  const ack = comp(s, 8, 0)
  if (ack !== '' && ack !== '1' && ack !== '0') issues.push(issue('element_invalid_code', 'interchange', `UNB acknowledgement request (0031) "${ack}" must be 1, 0 or empty`, { ...at, element: 9, ref: '0031', value: ack, severity: 'warning' }))
  const test = comp(s, 10, 0)
  if (test !== '' && test !== '1') issues.push(issue('interchange_test_indicator_invalid', 'interchange', `UNB test indicator (0035) "${test}" must be 1 or empty`, { ...at, element: 11, ref: '0035', value: test }))
  return { header: h, issues }
}

function validDate(d: string): boolean {
  const m = /^(\d\d)?(\d\d)(\d\d)(\d\d)$/.exec(d)
  if (!m) return false
  const mm = Number(m[3])
  const dd = Number(m[4])
  return mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31
}

export interface UngHeader {
  type: string
  sender: PartyId
  receiver: PartyId
  controlNumber: string
  version: string
}

/** UNG: 0038, S006, S007, S004, 0048, 0051, S008 (0052 version, 0054 release, 0057 association). */
export function readUng(s: Segment): { header: UngHeader; issues: EdiIssue[] } {
  const issues: EdiIssue[] = []
  const h: UngHeader = {
    type: comp(s, 0),
    sender: { id: comp(s, 1, 0), qualifier: comp(s, 1, 1) },
    receiver: { id: comp(s, 2, 0), qualifier: comp(s, 2, 1) },
    controlNumber: comp(s, 4),
    version: comp(s, 6, 0) + comp(s, 6, 1),
  }
  if (!h.controlNumber) issues.push(issue('group_control_invalid', 'group', 'UNG group reference (0048) is missing', { segment: 'UNG', position: s.pos, element: 5, ref: '0048' }))
  return { header: h, issues }
}

export interface UnhHeader {
  ref: string
  type: string
  version: string
  association: string
  agency: string
  /** S009 as written (`ORDERS:D:96A:UN:EAN008`), for CONTRL UCM. */
  s009: string[]
}

/** UNH: 0062, S009 (0065 type, 0052 version, 0054 release, 0051 agency, 0057 association). */
export function readUnh(s: Segment): { header: UnhHeader; issues: EdiIssue[] } {
  const issues: EdiIssue[] = []
  const at = { segment: 'UNH', position: s.pos }
  const s009 = element(s, 1) ?? []
  let v = s009[1] ?? ''
  const rel = s009[2] ?? ''
  if (v !== 'D' && v !== '' && /^\d\d[A-C]$/.test(rel)) {
    // e.g. `DESADV:0:96A:UN` (corpus): 0052 must be D for directory releases (UNCL 0052).
    issues.push(issue('element_invalid_code', 'transaction', `UNH message version number (0052) "${v}" should be D; read as D${rel}`, { ...at, element: 2, component: 2, ref: '0052', value: v, severity: 'warning' }))
    v = 'D'
  }
  const h: UnhHeader = {
    ref: comp(s, 0),
    type: s009[0] ?? '',
    version: v + rel,
    agency: s009[3] ?? '',
    association: s009[4] ?? '',
    s009,
  }
  if (!h.ref) issues.push(issue('transaction_control_invalid', 'transaction', 'UNH message reference (0062) is missing', { ...at, element: 1, ref: '0062' }))
  if (!isMessageType(h.type)) issues.push(issue('transaction_id_invalid', 'transaction', `UNH message type (0065) "${h.type}" is not a 6-letter message type`, { ...at, element: 2, component: 1, ref: '0065', value: h.type }))
  return { header: h, issues }
}

/** Six capital letters (UNCL 0065 message type shape). */
function isMessageType(t: string): boolean {
  if (t.length !== 6) return false
  for (let i = 0; i < 6; i++) {
    const c = t.charCodeAt(i)
    if (c < 0x41 || c > 0x5a) return false
  }
  return true
}

/** Trailer count (UNT 0074, UNE 0060, UNZ 0036): a non-negative integer or NaN. */
export function count(s: Segment): number {
  return countOf(comp(s, 0))
}

/** A trailer count value: a non-negative integer of at most 10 digits, or NaN. */
export function countOf(v: string): number {
  if (v.length === 0 || v.length > 10) return NaN
  let n = 0
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i)
    if (c < 0x30 || c > 0x39) return NaN
    n = n * 10 + (c - 0x30)
  }
  return n
}

/**
 * A UNT (its first components c0 = 0074, c1 = 0062) against its message: the segment count,
 * UNH..UNT included, and the message reference. `unt` undefined: the UNT is the last segment of
 * `store`, read only for the position of an issue. Issues go to `out`.
 */
export function checkUnt(c0: string, c1: string, actual: number, reference: string, unt: Segment | undefined, store: Pick<SegmentStore, 'get' | 'length'>, out: EdiIssue[]): void {
  if (countOf(c0) !== actual) {
    unt ??= store.get(store.length - 1)
    out.push(issue('transaction_count_mismatch', 'transaction', `UNT says ${c0} segments, message has ${actual}`, { segment: 'UNT', position: unt.pos, element: 1, ref: '0074', value: c0 }))
  }
  if (c1 !== reference) {
    unt ??= store.get(store.length - 1)
    out.push(issue('transaction_control_mismatch', 'transaction', `UNT reference "${c1}" differs from UNH "${reference}"`, { segment: 'UNT', position: unt.pos, element: 2, ref: '0062', value: c1 }))
  }
}

/**
 * A UNE against its UNG: message count (0060) and group reference (0048). Issues go to `out`.
 */
export function checkUne(une: Segment, messages: number, reference: string, out: EdiIssue[]): void {
  if (count(une) !== messages) {
    out.push(issue('group_count_mismatch', 'group', `UNE says ${comp(une, 0)} messages, group has ${messages}`, { segment: 'UNE', position: une.pos, element: 1, ref: '0060', value: comp(une, 0) }))
  }
  if (comp(une, 1) !== reference) {
    out.push(issue('group_control_mismatch', 'group', `UNE reference "${comp(une, 1)}" differs from UNG "${reference}"`, { segment: 'UNE', position: une.pos, element: 2, ref: '0048', value: comp(une, 1) }))
  }
}

/**
 * A UNZ against its UNB: UNZ 0036 counts groups when UNG is used, otherwise messages (ISO 9735-1
 * §6.1); the interchange reference (0020). Issues go to `out`.
 */
export function checkUnz(unz: Segment, groups: number, messages: number, reference: string, out: EdiIssue[]): void {
  const actual = groups > 0 ? groups : messages
  if (count(unz) !== actual) {
    out.push(issue('interchange_count_mismatch', 'interchange', `UNZ says ${comp(unz, 0)} ${groups > 0 ? 'groups' : 'messages'}, interchange has ${actual}`, { segment: 'UNZ', position: unz.pos, element: 1, ref: '0036', value: comp(unz, 0) }))
  }
  if (comp(unz, 1) !== reference) {
    out.push(issue('interchange_control_mismatch', 'interchange', `UNZ reference "${comp(unz, 1)}" differs from UNB "${reference}"`, { segment: 'UNZ', position: unz.pos, element: 2, ref: '0020', value: comp(unz, 1) }))
  }
}
