/**
 * The AK2 loop of a 997 (AK2/AK3/AK4/AK5) or 999 (AK2/IK3/CTX/IK4/IK5) for one transaction.
 * AK302/IK302 count segments from ST = 1 (X12.5); AK401/IK401 is the C030 position
 * (element[:component]); AK502..506 carry transaction-level codes, plus 5 (segments in error)
 * when any segment or element issue exists.
 */
import { ISSUE_CODES, type EdiIssue } from '../issues.ts'
import type { ParsedTransaction } from '../types.ts'
import { reportable } from './status.ts'
import type { X12WriteSegment } from './write.ts'

const AK5_CODE = { accepted: 'A', accepted_with_errors: 'E', rejected: 'R' } as const

/** Segment position within the set (ST = 1) for an issue; 0 when unknown. */
function positionInSet(tx: ParsedTransaction, i: EdiIssue): number {
  const st = (tx as { stIndex?: number }).stIndex ?? tx.segments[0]?.pos.index
  if (i.position === undefined || st === undefined) return 0
  return i.position.index - st + 1
}

export function aksForTransaction(tx: ParsedTransaction, type: '997' | '999', clean: (v: string) => string): X12WriteSegment[] {
  const is999 = type === '999'
  const out: X12WriteSegment[] = []
  out.push({ tag: 'AK2', elements: [[clean(tx.type)], [clean(tx.controlNumber)], ...(is999 && tx.implementation ? [[clean(tx.implementation)]] : [])] })
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
    const pos = String(Math.max(1, positionInSet(tx, i)))
    out.push({ tag: is999 ? 'IK3' : 'AK3', elements: [[clean(i.segment ?? '')], [pos], [clean(i.loop ?? '')], [code]] })
    for (const el of e.elements.slice(0, 99)) {
      const c030 = el.component ? [String(el.element ?? 1), String(el.component)] : [String(el.element ?? 1)]
      const bad = el.value !== undefined && el.value !== '' ? [[clean(el.value).slice(0, 99)]] : []
      out.push({ tag: is999 ? 'IK4' : 'AK4', elements: [c030, [el.ref ?? ''], [ISSUE_CODES[el.code].x12], ...(bad.length ? bad : [])] })
    }
  }
  const codes: string[] = []
  for (const i of tx.issues) {
    const c = ISSUE_CODES[i.code]
    if (c.x12Kind === 'AK5' && c.x12 !== '' && !codes.includes(c.x12)) codes.push(c.x12)
  }
  if (entries.length > 0 && tx.status !== 'accepted' && !codes.includes('5')) codes.push('5')
  out.push({ tag: is999 ? 'IK5' : 'AK5', elements: [[AK5_CODE[tx.status]], ...codes.slice(0, 5).map((c) => [c])] })
  return out
}
