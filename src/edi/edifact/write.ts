/**
 * EDIFACT writer with the partner's separators (ISO 9735-1 §7): every component value is escaped
 * with the release character in front of each separator and of the release character itself,
 * a UNA is written when the separators are not the defaults (or when asked), and UNT/UNZ counts
 * are computed, never taken from the caller.
 */
import type { Delimiters, Element, PartyId, Segment } from '../types.ts'
import { encodeText, repertoireOf } from './charset.ts'
import { fromDelimiters, isDefaultService, withSyntaxVersion, type ServiceBytes } from './delimiters.ts'

/** What the writer needs of a segment (a parsed Segment fits). */
export type SegmentLike = Pick<Segment, 'tag' | 'elements' | 'repeats'>

export interface WriteOptions {
  /** Partner separators; missing ones take the ISO 9735 defaults `:+.? '`. */
  delimiters?: Partial<Delimiters>
  /** 'auto' (default): UNA only when separators are not the defaults. */
  una?: 'auto' | 'always' | 'never'
  /** Written after every terminator (default none: one line). */
  lineBreak?: '' | '\n' | '\r\n'
}

export interface EdifactMessageInput {
  /** UNH 0062. */
  ref: string
  /** UNH S009 0065, e.g. `ORDERS`. */
  type: string
  /** `D96A` / `D01B` (0052 + 0054). */
  version: string
  agency?: string
  /** 0057, e.g. `EAN008`. */
  association?: string
  /** Body only: BGM .. last segment before UNT. */
  segments: SegmentLike[]
}

export interface EdifactInterchangeInput {
  /** UNB S001, e.g. { id: 'UNOC', version: '3' }. */
  syntax: { id: string; version: string }
  sender: PartyId
  receiver: PartyId
  /** YYMMDD (or CCYYMMDD in syntax 4) and HHMM. */
  date: string
  time: string
  /** UNB 0020, allocated by the caller (PostgreSQL sequence in the pipeline). */
  controlNumber: string
  applicationRef?: string
  ackRequested?: boolean
  test?: boolean
  messages: EdifactMessageInput[]
}

/** A value holding a service character, under separators that have no release character. */
export class UnwritableValue extends Error {
  readonly value: string
  constructor(value: string) {
    super(`value "${value}" contains a separator and the separators have no release character`)
    this.name = 'UnwritableValue'
    this.value = value
  }
}

/** Escapes one value: release char before every service character (ISO 9735-1 §7.4). */
export function escapeValue(v: string, s: ServiceBytes): string {
  let special = ''
  for (const b of [s.release, s.component, s.element, s.segment, s.repetition]) if (b >= 0) special += String.fromCharCode(b)
  let out = ''
  let from = 0
  for (let i = 0; i < v.length; i++) {
    if (special.indexOf(v[i]) < 0) continue
    if (s.release < 0) throw new UnwritableValue(v)
    out += v.slice(from, i) + String.fromCharCode(s.release) + v[i]
    from = i + 1
  }
  return from === 0 ? v : out + v.slice(from)
}

/**
 * One segment as text, including its terminator (and the line break, if any). `fit`: the
 * repertoire the text will be encoded in (repertoireOf), applied to each value before escaping.
 */
export function formatSegment(seg: SegmentLike, s: ServiceBytes, lineBreak = '', fit?: (value: string) => string): string {
  const cs = String.fromCharCode(s.component)
  const es = String.fromCharCode(s.element)
  const rs = s.repetition >= 0 ? String.fromCharCode(s.repetition) : ''
  const el = (e: Element) => e.map((c) => escapeValue(fit ? fit(c) : c, s)).join(cs)
  let out = seg.tag
  for (let i = 0; i < seg.elements.length; i++) {
    const reps = seg.repeats?.[i]
    out += es + (reps && rs ? reps.map(el).join(rs) : el(seg.elements[i]))
  }
  return out + String.fromCharCode(s.segment) + lineBreak
}

export function unaString(s: ServiceBytes): string {
  const c = (b: number) => (b >= 0 ? String.fromCharCode(b) : ' ')
  return `UNA${c(s.component)}${c(s.element)}${c(s.decimal)}${c(s.release)}${c(s.repetition)}${c(s.segment)}`
}

const party = (p: PartyId): Element => (p.qualifier ? [p.id, p.qualifier] : [p.id])

/** Drops trailing empty elements of service segments we build ourselves (ISO 9735-1 §7.5). */
function trimmed(tag: string, elements: Element[]): SegmentLike {
  let n = elements.length
  while (n > 0 && elements[n - 1].every((c) => c === '')) n--
  return { tag, elements: elements.slice(0, n) }
}

/** Serialises a whole interchange (UNA? UNB, UNH..UNT per message, UNZ) as text. */
export function writeEdifactText(input: EdifactInterchangeInput, opts: WriteOptions = {}): string {
  let s = fromDelimiters(opts.delimiters ?? {})
  const lb = opts.lineBreak ?? ''
  const parts: string[] = []
  const una = opts.una ?? 'auto'
  if (una === 'always' || (una === 'auto' && !isDefaultService(s))) parts.push(unaString(s) + lb)
  // Without a UNA, a syntax version 4 reader takes `*` as the repetition separator: a `*` in a
  // value (a partner's message type or reference echoed in a CONTRL) is released like the others.
  else s = withSyntaxVersion(s, input.syntax.version, false)
  const unb = trimmed('UNB', [
    [input.syntax.id, input.syntax.version],
    party(input.sender),
    party(input.receiver),
    [input.date, input.time],
    [input.controlNumber],
    [''],
    [input.applicationRef ?? ''],
    [''],
    [input.ackRequested ? '1' : ''],
    [''],
    [input.test ? '1' : ''],
  ])
  const fit = repertoireOf(input.syntax.id)
  parts.push(formatSegment(unb, s, lb, fit))
  for (const m of input.messages) {
    const v = /^([A-Z0-9])(\w+)$/.exec(m.version)
    const s009 = [m.type, v ? v[1] : m.version, v ? v[2] : '', m.agency ?? 'UN']
    if (m.association) s009.push(m.association)
    parts.push(formatSegment({ tag: 'UNH', elements: [[m.ref], s009] }, s, lb, fit))
    for (const seg of m.segments) parts.push(formatSegment(seg, s, lb, fit))
    // UNT 0074 counts UNH and UNT themselves (ISO 9735-1 §6.3).
    parts.push(formatSegment({ tag: 'UNT', elements: [[String(m.segments.length + 2)], [m.ref]] }, s, lb, fit))
  }
  parts.push(formatSegment({ tag: 'UNZ', elements: [[String(input.messages.length)], [input.controlNumber]] }, s, lb, fit))
  return parts.join('')
}

/**
 * @example
 * const bytes = writeEdifact({ syntax: { id: 'UNOC', version: '3' }, sender, receiver,
 *   date: '240101', time: '1200', controlNumber: '42', messages: [{ ref: '1', type: 'ORDERS',
 *   version: 'D96A', association: 'EAN008', segments }] }, { delimiters: partner.separators })
 */
export function writeEdifact(input: EdifactInterchangeInput, opts: WriteOptions = {}): Buffer {
  // Bytes in the declared repertoire: UTF-8 for UNOW/UNOY, ISO 8859-x for UNOC/UNOD/UNOE.
  return encodeText(writeEdifactText(input, opts), input.syntax.id)
}

/** Writes segments exactly as given (no envelope added), e.g. to re-emit a parsed message. */
export function writeSegments(segments: SegmentLike[], opts: WriteOptions = {}): string {
  const s = fromDelimiters(opts.delimiters ?? {})
  return segments.map((x) => formatSegment(x, s, opts.lineBreak ?? '')).join('')
}
