/**
 * Partner implementation guides: the base validation (the dictionaries) accepts everything the
 * standard allows; a partner's guide then narrows it for that partner's documents (segments it
 * requires or forbids, the codes it accepts at an element position). Checked after the base
 * validation, on the segments of one transaction set / message, and reported as issues the
 * 997/999/CONTRL carry like any other (issues.ts: guide_*).
 *
 * Standard-agnostic: a position is a segment tag, a 2-digit element position and, for a
 * composite, a 2-digit component position: `BEG01`, `REF04-01` (X12), `BGM01-01`, `NAD01`
 * (EDIFACT). The guide is plain data (the profile's `documents[].guide`); this module knows no
 * partner.
 */
import { issue, type EdiIssue } from './issues.ts'
import type { ParsedTransaction, Position, Segment } from './types.ts'

export interface ImplementationGuide {
  /** Segment tags that must occur at least once in the set/message. */
  requiredSegments?: readonly string[]
  /** Segment tags that must not occur. */
  forbiddenSegments?: readonly string[]
  /** `BEG01: ['00']`: the only codes accepted at that position (when the position has a value). */
  codes?: Readonly<Record<string, readonly string[]>>
}

/** `BEG01` → { tag: 'BEG', element: 1 }; `REF04-01` → component 1. Undefined when malformed. */
export function parseGuidePosition(key: string): { tag: string; element: number; component?: number } | undefined {
  const m = /^([A-Z][A-Z0-9]{1,2})(\d{2})(?:-(\d{2}))?$/.exec(key)
  if (!m) return undefined
  const element = Number(m[2])
  const component = m[3] === undefined ? undefined : Number(m[3])
  if (element < 1 || component === 0) return undefined
  return { tag: m[1], element, ...(component !== undefined ? { component } : {}) }
}

/** The envelope segments of either standard: never the subject of a guide's segment rules. */
const ENVELOPE = new Set(['ST', 'SE', 'UNH', 'UNT'])

/**
 * The guide's issues for one transaction (segments as parsed; X12 ST..SE or EDIFACT UNH..UNT).
 * `component` reads an element's component as text (X12 and EDIFACT segments both keep
 * components in `elements[i][j]`).
 *
 * @example
 * checkGuide(tx.segments, { requiredSegments: ['REF'], codes: { BEG01: ['00'] } })
 */
export function checkGuide(segments: readonly Segment[], guide: ImplementationGuide): EdiIssue[] {
  const out: EdiIssue[] = []
  const seen = new Set<string>()
  const forbidden = new Set(guide.forbiddenSegments ?? [])
  const rules = new Map<string, Array<{ key: string; element: number; component?: number; allowed: ReadonlySet<string> }>>()
  for (const [key, list] of Object.entries(guide.codes ?? {})) {
    const p = parseGuidePosition(key)
    if (!p) continue
    const r = rules.get(p.tag) ?? []
    r.push({ key, element: p.element, component: p.component, allowed: new Set(list) })
    rules.set(p.tag, r)
  }
  let last: Position | undefined
  for (const seg of segments) {
    last = seg.pos
    if (ENVELOPE.has(seg.tag)) continue
    seen.add(seg.tag)
    if (forbidden.has(seg.tag)) {
      out.push(issue('guide_segment_forbidden', 'segment', `${seg.tag} is not used in this partner's implementation guide`, { segment: seg.tag, position: seg.pos }))
      continue
    }
    for (const r of rules.get(seg.tag) ?? []) {
      const el = seg.elements[r.element - 1]
      const value = el?.[(r.component ?? 1) - 1] ?? ''
      // Presence is the dictionary's or requiredSegments' business: only a value is judged.
      if (value === '' || r.allowed.has(value)) continue
      out.push(
        issue('guide_code_not_allowed', 'element', `${r.key} '${value.slice(0, 35)}' is not one of the codes this partner's guide accepts (${[...r.allowed].slice(0, 10).join(', ')})`, {
          segment: seg.tag,
          position: seg.pos,
          element: r.element,
          ...(r.component !== undefined ? { component: r.component } : {}),
          value: value.slice(0, 35),
        })
      )
    }
  }
  for (const tag of guide.requiredSegments ?? []) {
    if (!seen.has(tag)) out.push(issue('guide_segment_missing', 'segment', `${tag} is required by this partner's implementation guide and is missing`, { segment: tag, position: last }))
  }
  return out
}

/**
 * Runs a guide on a parsed transaction and folds its issues into it: any guide issue is an
 * error (the partner requires it), so the set/message is rejected like for a base error.
 */
export function applyGuide(tx: ParsedTransaction, guide: ImplementationGuide): EdiIssue[] {
  const found = checkGuide(tx.segments, guide)
  if (found.length === 0) return found
  tx.issues.push(...found)
  tx.status = 'rejected'
  return found
}
