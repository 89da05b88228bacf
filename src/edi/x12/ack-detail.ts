/**
 * The AK2 loop of a 997 (AK2/AK3/AK4/AK5) or 999 (AK2/IK3/CTX/IK4/CTX/IK5) for one transaction.
 * AK302/IK302 count segments from ST = 1 (X12.5); AK401/IK401 is the C030 position
 * (element[:component]); AK502..506 carry transaction-level codes, plus 5 (segments in error)
 * when any segment or element issue exists. A 999 adds CTX "SITUATIONAL TRIGGER" where an issue
 * has a trigger (ack-context): segment context after IK3, element context after IK4.
 * No business unit identifier CTX (CTX01 = e.g. CLM01): 005010X231 defines it for sets that
 * carry many business units (claims in an 837); an 850/855/856/810 is one business document,
 * which AK2 already names.
 */
import { ISSUE_CODES, X12_CODES_005010, type EdiIssue, type IssueTrigger } from '../issues.ts'
import type { ParsedTransaction } from '../types.ts'
import { reportable } from './status.ts'
import type { X12WriteSegment } from './write.ts'
import { anMandatory, anOptional, elementRef, idFit, position, type Clean } from './ack-values.ts'

const AK5_CODE = { accepted: 'A', accepted_with_errors: 'E', rejected: 'R' } as const

/** Segment position within the set (ST = 1) of a file segment index; 0 when unknown. */
function positionInSet(tx: ParsedTransaction, index: number | undefined): number {
  const st = (tx as { stIndex?: number }).stIndex ?? tx.segments[0]?.pos.index
  if (index === undefined || st === undefined) return 0
  return index - st + 1
}

/**
 * CTX (005010 X231 2100/2110): C998-01 SITUATIONAL TRIGGER, CTX02 segment id, CTX03 its position
 * in the set, CTX04 its loop, and for an element trigger CTX05 (C030) and CTX06 (C999).
 */
function ctx(tx: ParsedTransaction, t: IssueTrigger, clean: Clean): X12WriteSegment {
  const elements = [['SITUATIONAL TRIGGER'], [idFit(t.segment, 2, 3)], [position(positionInSet(tx, t.position.index), 10)], [anOptional(t.loop, clean, 4)]]
  if (t.element !== undefined) elements.push([position(t.element, 2)], [elementRef(t.ref)])
  return { tag: 'CTX', elements }
}

/**
 * Every echoed value is fitted to the 997/999 dictionary (ack-values): AK201 ID 3/3, AK202 AN
 * 4/9, AK203 AN 1/35, AK301 ID 2/3, AK302 N0 1/6 (IK302 1/10), AK303 AN 1/4, C030 N0 1/2,
 * AK402 N0 1/4, AK404 AN 1/99. The fault behind a replaced value is reported by its own code.
 */
export function aksForTransaction(tx: ParsedTransaction, type: '997' | '999', clean: Clean, version = ''): X12WriteSegment[] {
  const is999 = type === '999'
  // The ack's own version decides which AK502/IK502 codes exist (X12_CODES_005010).
  const from5010 = is999 || version >= '005010'
  const out: X12WriteSegment[] = []
  const implementation = is999 ? anOptional(tx.implementation, clean, 35) : ''
  out.push({ tag: 'AK2', elements: [[idFit(tx.type, 3, 3)], [anMandatory(tx.controlNumber, clean, 4, 9)], ...(implementation ? [[implementation]] : [])] })
  // Group segment and element issues by the segment they sit on, in file order.
  const bySegment = new Map<string, { seg: EdiIssue | undefined; elements: EdiIssue[]; first: EdiIssue }>()
  for (const i of tx.issues) {
    if (!reportable(i)) continue
    const kind = ISSUE_CODES[i.code].x12Kind
    if (kind !== 'AK3' && kind !== 'AK4') continue
    const key = `${i.position?.index ?? -1}/${kind === 'AK3' ? `${i.segment}/${i.code}` : i.segment}`
    let entry = bySegment.get(key)
    if (!entry) bySegment.set(key, (entry = { seg: undefined, elements: [], first: i }))
    if (kind === 'AK3') entry.seg = i
    else entry.elements.push(i)
  }
  const entries = [...bySegment.values()].sort((a, b) => (a.first.position?.index ?? 0) - (b.first.position?.index ?? 0))
  for (const e of entries) {
    const i = e.seg ?? e.first
    const code = e.seg ? ISSUE_CODES[e.seg.code].x12 : '8'
    const pos = position(positionInSet(tx, i.position?.index), is999 ? 10 : 6)
    out.push({ tag: is999 ? 'IK3' : 'AK3', elements: [[idFit(i.segment, 2, 3)], [pos], [anOptional(i.loop, clean, 4)], [code]] })
    if (is999 && e.seg?.trigger) out.push(ctx(tx, e.seg.trigger, clean))
    for (const el of e.elements.slice(0, 99)) {
      const c030 = el.component ? [position(el.element, 2), position(el.component, 2)] : [position(el.element, 2)]
      // AK404/IK404: a copy of the bad data, cut to 99; left out when nothing printable remains.
      const copy = anOptional(el.value, clean, 99)
      const bad = copy.trim() !== '' ? [[copy]] : []
      out.push({ tag: is999 ? 'IK4' : 'AK4', elements: [c030, [elementRef(el.ref)], [ISSUE_CODES[el.code].x12], ...bad] })
      if (is999 && el.trigger) out.push(ctx(tx, el.trigger, clean))
    }
  }
  const codes: string[] = []
  for (const i of tx.issues) {
    const c = ISSUE_CODES[i.code]
    if (c.x12Kind !== 'AK5' || c.x12 === '') continue
    const x12 = (from5010 ? X12_CODES_005010[i.code] : undefined) ?? c.x12
    if (!codes.includes(x12)) codes.push(x12)
  }
  if (entries.length > 0 && tx.status !== 'accepted' && !codes.includes('5')) codes.push('5')
  out.push({ tag: is999 ? 'IK5' : 'AK5', elements: [[AK5_CODE[tx.status]], ...codes.slice(0, 5).map((c) => [c])] })
  return out
}
