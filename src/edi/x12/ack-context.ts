/**
 * The context a 999 reports in CTX "SITUATIONAL TRIGGER" (005010X231: segment context in loop
 * 2100, element context in loop 2110), worked out once a transaction set has been validated,
 * from its kept segments. Only where the trigger says something the IK3/IK4 do not:
 * - a mandatory segment missing inside a loop: the trigger is the segment that started that
 *   loop iteration. The IK3 position is where the absence was noticed (often the next
 *   iteration's trigger, or SE), so without the CTX the iteration in error is ambiguous;
 * - an element required (IK403 2) or forbidden (IK403 10) by a syntax note because another
 *   element of the segment is present (X12.6 P, C, L, E): the trigger is that element.
 * An error on a segment that merely sits in a loop gets no CTX: IK303 and IK302 already place
 * it in its iteration. R notes (at least one of ...) have no trigger: nothing is present.
 */
import type { EdiIssue, IssueTrigger } from '../issues.ts'
import type { Segment } from '../types.ts'
import type { X12SegmentDef, X12TransactionDef } from '../dictionary/x12-types.ts'

/** Segments the validator could not place: they never start a loop iteration. */
const UNPLACED = new Set<EdiIssue['code']>(['segment_out_of_order', 'segment_not_in_set', 'segment_unrecognized'])

/**
 * Sets `trigger` on the issues of one transaction set that have one. `segments` are the set's
 * kept segments in file order (ST first); without them nothing is recorded.
 * @example
 * recordTriggers(tx.issues, tx.segments, x12TransactionDef('850', '004010')!)
 */
export function recordTriggers(issues: EdiIssue[], segments: readonly Segment[], def: X12TransactionDef): void {
  if (segments.length === 0) return
  let unplaced: Set<number> | undefined
  for (const i of issues) {
    if (i.trigger !== undefined || i.position === undefined) continue
    if (i.code === 'segment_missing' && i.loop !== undefined) {
      unplaced ??= unplacedAt(issues)
      const t = loopTrigger(segments, i.loop, i.position.index, unplaced)
      if (t) i.trigger = { segment: t.tag, position: t.pos, loop: i.loop }
    } else if ((i.code === 'element_conditional_missing' || i.code === 'element_exclusion_violated') && i.element !== undefined && i.component === undefined) {
      const seg = segmentAt(segments, i.position.index)
      const sdef = i.segment !== undefined && Object.hasOwn(def.segments, i.segment) ? def.segments[i.segment] : undefined
      if (seg === undefined || sdef === undefined || seg.tag !== i.segment) continue
      const t = noteTrigger(seg, sdef, i.element, i.code === 'element_exclusion_violated')
      if (t) i.trigger = { ...t, ...(i.loop !== undefined ? { loop: i.loop } : {}) }
    }
  }
}

function unplacedAt(issues: readonly EdiIssue[]): Set<number> {
  const out = new Set<number>()
  for (const i of issues) if (UNPLACED.has(i.code) && i.position) out.add(i.position.index)
  return out
}

/** Index in `segments` of the first segment at file index ≥ `index` (segments.length if none). */
function lowerBound(segments: readonly Segment[], index: number): number {
  let lo = 0
  let hi = segments.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (segments[mid].pos.index < index) lo = mid + 1
    else hi = mid
  }
  return lo
}

function segmentAt(segments: readonly Segment[], index: number): Segment | undefined {
  const k = lowerBound(segments, index)
  return k < segments.length && segments[k].pos.index === index ? segments[k] : undefined
}

/**
 * The trigger of the loop iteration a segment missing at `index` belongs to: the last placed
 * segment tagged `loop` before it (X12 loop ids are their trigger's tag; a new trigger starts a
 * new iteration, so the absence noticed at a trigger belongs to the iteration before it).
 */
function loopTrigger(segments: readonly Segment[], loop: string, index: number, unplaced: ReadonlySet<number>): Segment | undefined {
  for (let k = lowerBound(segments, index) - 1; k > 0; k--) {
    const s = segments[k]
    if (s.tag === loop && !unplaced.has(s.pos.index)) return s
  }
  return undefined
}

const present = (seg: Segment, p: number): boolean => {
  const el = seg.elements[p - 1]
  return el !== undefined && el.some((c) => c !== '')
}

/** The present element whose syntax note makes element `p` of `seg` required (or forbidden). */
function noteTrigger(seg: Segment, def: X12SegmentDef, p: number, exclusion: boolean): Omit<IssueTrigger, 'loop'> | undefined {
  for (const rule of def.rules) {
    const ps = rule.positions
    if (!ps.includes(p)) continue
    let q: number | undefined
    if (exclusion) {
      if (rule.kind === 'E') q = ps.find((x) => x !== p && present(seg, x))
    } else if (rule.kind === 'P') {
      q = ps.find((x) => x !== p && present(seg, x))
    } else if ((rule.kind === 'C' || rule.kind === 'L') && ps[0] !== p && present(seg, ps[0])) {
      q = ps[0]
    }
    if (q === undefined) continue
    const ref = def.elements[q - 1]?.ref
    return { segment: seg.tag, position: seg.pos, element: q, ...(ref ? { ref } : {}) }
  }
  return undefined
}
