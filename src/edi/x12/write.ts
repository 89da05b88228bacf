/**
 * X12 writer: segments + envelope values → bytes with the partner's separators. It computes
 * SE01/GE01/IEA01 and pads the fixed-width ISA (X12.5). X12 has no release character, so a
 * value containing a delimiter cannot be written: it is refused as an issue, never escaped. A
 * character beyond Latin-1 (the bytes are Latin-1) is written as `?`.
 */
import { issue, type EdiIssue } from '../issues.ts'
import type { Element, PartyId } from '../types.ts'
import { ISA_WIDTHS } from './isa.ts'

export interface X12WriteSegment {
  tag: string
  elements: Element[]
  repeats?: Record<number, Element[]>
}

export interface X12WriteTransaction {
  /** ST01, e.g. `856`. */
  type: string
  /** ST02 (SE02 repeats it). */
  controlNumber: string
  /** ST03 implementation convention reference (5010), optional. */
  implementation?: string
  /** The body between ST and SE; ST/SE given here are ignored (the writer makes its own). */
  segments: X12WriteSegment[]
}

export interface X12WriteGroup {
  /** GS01: PO, PR, SH, IN, FA ... */
  functionalId: string
  senderId: string
  receiverId: string
  /** GS04 CCYYMMDD and GS05 HHMM. */
  date: string
  time: string
  controlNumber: string
  /** GS08, e.g. `004010` or `005010X231`. */
  version: string
  transactions: X12WriteTransaction[]
}

export interface X12WriteSeparators {
  element: string
  component: string
  segment: string
  /** ISA11 from 00501 on; ignored for earlier versions (ISA11 = U). */
  repetition?: string
  /** Written after each terminator for readability: '' (default), '\n' or '\r\n'. */
  lineBreak?: string
}

export interface X12WriteInterchange {
  sender: PartyId
  receiver: PartyId
  controlNumber: string | number
  /** ISA09 YYMMDD (a CCYYMMDD value is shortened) and ISA10 HHMM. */
  date: string
  time: string
  /** ISA12, e.g. `00401` or `00501`. */
  version: string
  test: boolean
  ackRequested?: boolean
  authorization?: { qualifier: string; value: string }
  security?: { qualifier: string; value: string }
  separators: X12WriteSeparators
  /**
   * Written in place of a delimiter found inside a value of the body (a `*` in an item
   * description), instead of refusing the interchange; the partner profile's
   * `x12.replaceDelimitersWith`. Envelope values are never changed.
   */
  replaceInData?: string
  /** Segments between ISA and the first GS (a TA1). */
  preamble?: X12WriteSegment[]
  groups: X12WriteGroup[]
}

export type X12WriteResult = { ok: true; text: string } | { ok: false; issues: EdiIssue[] }

const isAlnum = (c: string): boolean => /^[A-Za-z0-9]$/.test(c)

/**
 * @example
 * const out = writeX12({ sender, receiver, controlNumber: 42, date: '20240102', time: '1200',
 *   version: '00401', test: false, separators: { element: '*', component: '>', segment: '~' },
 *   groups: [{ functionalId: 'SH', ..., transactions: [{ type: '856', controlNumber: '0001', segments }] }] })
 * if (out.ok) send(out.text)
 */
export function writeX12(ic: X12WriteInterchange): X12WriteResult {
  const sep = ic.separators
  const issues: EdiIssue[] = []
  const rep = ic.version >= '00501' ? (sep.repetition ?? '^') : undefined
  const delims = [sep.element, sep.component, sep.segment, ...(rep ? [rep] : [])]
  if (delims.some((d) => d.length !== 1 || isAlnum(d) || d === ' ' || d.charCodeAt(0) > 0xff) || new Set(delims).size !== delims.length) {
    issues.push(issue('isa_invalid', 'interchange', `separators must be distinct single non-alphanumeric Latin-1 characters: ${JSON.stringify(delims)}`, {}))
    return { ok: false, issues }
  }
  // A line break after a terminator that is itself a line break would add empty lines.
  const eol = sep.segment + (sep.segment === '\n' || sep.segment === '\r' ? '' : (sep.lineBreak ?? ''))
  const out: string[] = []
  let index = 0

  const isaValues = [
    ic.authorization?.qualifier ?? '00', ic.authorization?.value ?? '', ic.security?.qualifier ?? '00', ic.security?.value ?? '',
    ic.sender.qualifier, ic.sender.id, ic.receiver.qualifier, ic.receiver.id,
    ic.date.length === 8 ? ic.date.slice(2) : ic.date, ic.time, rep ?? 'U', ic.version,
    String(ic.controlNumber).padStart(9, '0'), ic.ackRequested ? '1' : '0', ic.test ? 'T' : 'P',
  ]
  const isaFields = isaValues.map((v, i) => {
    if (v.length > ISA_WIDTHS[i]) {
      issues.push(issue('isa_field_width', 'interchange', `ISA${String(i + 1).padStart(2, '0')} '${v}' is longer than ${ISA_WIDTHS[i]}`, { segment: 'ISA', element: i + 1, value: v }))
    }
    if (i !== 10) checkData(v, 'ISA', i, 0)
    return v.padEnd(ISA_WIDTHS[i], ' ')
  })
  out.push(['ISA', ...isaFields, sep.component].join(sep.element) + eol)
  index++

  function checkData(v: string, tag: string, i: number, comp: number): void {
    const d = delims.find((x) => v.includes(x))
    if (d !== undefined) issues.push(delimiterIssue(tag, i, comp, v, `contains the delimiter '${d}' (X12 cannot escape it)`, index))
  }

  const replace = ic.replaceInData
  if (replace !== undefined && !validReplacement(replace, delims)) {
    issues.push(issue('isa_invalid', 'interchange', `the replacement for delimiters in data must be one character that is not a delimiter: ${JSON.stringify(replace)}`, {}))
    return { ok: false, issues }
  }
  let body = false
  const replaced = (v: string) => {
    let out = v
    for (const d of delims) if (out.includes(d)) out = out.replaceAll(d, replace!)
    return out
  }

  function element(tag: string, el: Element, i: number): string {
    if (body && replace !== undefined) el = el.map(replaced)
    for (let j = 0; j < el.length; j++) checkData(el[j], tag, i, el.length > 1 ? j + 1 : 0)
    return el.length === 1 ? el[0] : el.join(sep.component)
  }

  function segment(s: X12WriteSegment): void {
    let last = s.elements.length
    // Trailing empty elements are never written (X12.6 §3.7).
    while (last > 0 && s.elements[last - 1].every((c) => c === '') && !s.repeats?.[last - 1]) last--
    const parts = [s.tag]
    for (let i = 0; i < last; i++) {
      const reps = s.repeats?.[i]
      if (reps && rep) parts.push(reps.map((r) => element(s.tag, r, i)).join(rep))
      else parts.push(element(s.tag, s.elements[i], i))
    }
    out.push(parts.join(sep.element) + eol)
    index++
  }

  for (const p of ic.preamble ?? []) segment(p)
  for (const g of ic.groups) {
    segment({ tag: 'GS', elements: [g.functionalId, g.senderId, g.receiverId, g.date, g.time, g.controlNumber, 'X', g.version].map((v) => [v]) })
    for (const tx of g.transactions) {
      const segs = tx.segments.filter((s) => s.tag !== 'ST' && s.tag !== 'SE')
      segment({ tag: 'ST', elements: [[tx.type], [tx.controlNumber], ...(tx.implementation ? [[tx.implementation]] : [])] })
      body = true
      for (const s of segs) segment(s)
      body = false
      segment({ tag: 'SE', elements: [[String(segs.length + 2)], [tx.controlNumber]] })
    }
    segment({ tag: 'GE', elements: [[String(g.transactions.length)], [g.controlNumber]] })
  }
  segment({ tag: 'IEA', elements: [[String(ic.groups.length)], [String(ic.controlNumber).padStart(9, '0')]] })
  if (issues.length > 0) return { ok: false, issues }
  // The text is sent as Latin-1 bytes, which keep only a character's low byte: U+012A would be
  // written as `*`, U+017E as `~`. A character beyond Latin-1 (only ever inside a value: the
  // delimiters and the replacement are Latin-1, checked above) is written as `?`, as the EDIFACT
  // writer does for its sets.
  const text = out.join('')
  if (!BEYOND_LATIN1.test(text)) return { ok: true, text }
  const substitute = delims.includes('?') ? replace : '?'
  if (substitute === undefined) {
    return { ok: false, issues: [issue('element_invalid_character', 'interchange', `a value holds a character beyond Latin-1 and its substitute '?' is a delimiter`, {})] }
  }
  return { ok: true, text: text.replace(BEYOND_LATIN1_ALL, substitute) }
}

/** A replacement for delimiters in data: one printable Latin-1 character that is not a delimiter. */
function validReplacement(r: string, delims: readonly string[]): boolean {
  const c = r.charCodeAt(0)
  return r.length === 1 && c >= 0x20 && c <= 0xff && c !== 0x7f && !(c >= 0x80 && c < 0xa0) && !delims.includes(r)
}

/**
 * The values of a document body that X12 cannot carry with these separators: a delimiter inside
 * a value (no release character), or a character beyond Latin-1 when its substitute `?` is a
 * delimiter; none when `replaceInData` is given. The same verdict as writeX12 on those values,
 * without building the text: callers check before they allocate control numbers.
 */
export function x12DataIssues(segments: readonly X12WriteSegment[], separators: X12WriteSeparators, version: string, replaceInData?: string): EdiIssue[] {
  const rep = version >= '00501' ? (separators.repetition ?? '^') : undefined
  const delims = [separators.element, separators.component, separators.segment, ...(rep ? [rep] : [])]
  if (replaceInData !== undefined && validReplacement(replaceInData, delims)) return []
  const questionIsDelim = delims.includes('?')
  const out: EdiIssue[] = []
  segments.forEach((s, index) => {
    if (s.tag === 'ST' || s.tag === 'SE') return
    const check = (v: string, i: number, comp: number) => {
      const d = delims.find((x) => v.includes(x))
      if (d !== undefined) out.push(delimiterIssue(s.tag, i, comp, v, `contains the delimiter '${d}' (X12 cannot escape it)`, index))
      else if (questionIsDelim && BEYOND_LATIN1.test(v)) out.push(delimiterIssue(s.tag, i, comp, v, `holds a character beyond Latin-1 and its substitute '?' is a delimiter`))
    }
    s.elements.forEach((el, i) => el.forEach((v, j) => check(v, i, el.length > 1 ? j + 1 : 0)))
    for (const [i, reps] of Object.entries(s.repeats ?? {})) for (const el of reps) el.forEach((v, j) => check(v, Number(i), el.length > 1 ? j + 1 : 0))
  })
  return out
}

/** A value X12 cannot carry: `TAG01 'value' <why>`, at element i (0-based) and component (0: none). */
function delimiterIssue(tag: string, i: number, comp: number, v: string, why: string, index?: number): EdiIssue {
  return issue('element_invalid_character', 'element', `${tag}${String(i + 1).padStart(2, '0')} '${v}' ${why}`, {
    segment: tag, element: i + 1, ...(comp ? { component: comp } : {}), value: v, ...(index !== undefined ? { position: { offset: -1, index, line: index + 1 } } : {}),
  })
}

const BEYOND_LATIN1 = /[^\u0000-\u00ff]/
const BEYOND_LATIN1_ALL = /[^\u0000-\u00ff]/g
