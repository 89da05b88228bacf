/**
 * Message × dictionary → issues (ISO 9735-1 §8 segment tables and §9 data element rules).
 * Structure: the segment-group state machine every EDIFACT parser uses — look for the tag
 * forward at the current level, otherwise close the current group and look in the enclosing
 * one. Elements: presence, length, numeric format and small code lists. Never throws.
 */
import { issue, type EdiIssue } from '../issues.ts'
import type { Segment } from '../types.ts'
import {
  isComposite,
  type ElementDef,
  type MessageDef,
  type SimpleDef,
  type StructNode,
  tagCode,
} from '../dictionary/edifact-dsl.ts'
import { RawSegment } from './segment.ts'
import { validateBySeps, validateElementsRaw } from './validate-raw.ts'
import { MAX_SEPS } from './lexer.ts'

interface Level {
  nodes: StructNode[]
  idx: number
  counts: number[]
  group: string | undefined
  /** Index of the last mandatory node (-1 none): nothing can be missing past it. */
  lastM: number
}

const label = (n: StructNode): string => (n.kind === 'seg' ? n.tag : `${n.id} (${n.tag})`)

/** Separator positions the lexer recorded for the segment being delivered (see lexer.ts). */
export interface SepView {
  seps: Int32Array
  rels: Int32Array
  n: number
}

export interface MessageValidator {
  /** One body segment, in order. `view` (fast path) is only valid during this call. */
  step(s: Segment, view?: SepView): void
  /** End of the message: mandatory segments never seen; returns every issue found. */
  finish(): EdiIssue[]
  /** Start over for the next message of the same type (reuses the group stack). */
  reset(): void
}

/**
 * Incremental validation of one message body (segments between UNH and UNT, exclusive), so a
 * streaming reader checks each segment while its bytes are at hand. Numbers accept `.` and `,`
 * as decimal mark (ISO 9735-1 §10.2 allows either whatever the UNA says); the mark and the sign
 * do not count toward the length.
 */
export function createMessageValidator(def: MessageDef): MessageValidator {
  let out: EdiIssue[] = []
  // Explicit stack with a depth counter: no array resizing per segment.
  const stack: Level[] = [{ nodes: def.children, idx: 0, counts: new Array(def.children.length).fill(0), group: undefined, lastM: def.lastM }]
  let depth = 1
  let last: Segment | undefined
  const segs = def.segmentMap
  return {
    reset() {
      out = []
      depth = 1
      last = undefined
      stack[0].idx = 0
      stack[0].counts.fill(0)
    },
    step(s, view) {
      const tag = s.tag
      const code = tagCode(tag)
      last = s
      let placed = false
      for (let d = depth - 1; d >= 0 && !placed; d--) {
        const lv = stack[d]
        const nodes = lv.nodes
        // A group's trigger (index 0) never matches inside its own group: a repeated trigger
        // starts the next occurrence of the group, found one level up.
        for (let j = lv.group !== undefined && lv.idx === 0 ? 1 : lv.idx; j < nodes.length; j++) {
          const n = nodes[j]
          if (n.code !== code) continue
          // Found: close deeper levels, report mandatory nodes skipped at this level.
          for (let up = depth - 1; up > d; up--) closeLevel(stack[up], s, out)
          depth = d + 1
          if (lv.idx <= lv.lastM) for (let k = lv.idx; k < j; k++) missing(lv, k, s, out)
          lv.idx = j
          const cnt = ++lv.counts[j]
          if (cnt > n.max) {
            const grp = n.kind === 'group'
            out.push(
              issue(grp ? 'loop_over_max' : 'segment_over_max', 'segment', `${label(n)} occurs more than ${n.max} time(s)`, {
                segment: tag,
                position: s.pos,
                loop: grp ? n.id : lv.group,
              })
            )
          }
          if (n.kind === 'group') {
            // Reuse the Level object of this depth (no allocation per group occurrence).
            const size = n.children.length
            const next = stack[depth]
            if (next === undefined) {
              const counts = new Array(size).fill(0)
              counts[0] = 1
              stack.push({ nodes: n.children, idx: 0, counts, group: n.id, lastM: n.lastM })
            } else {
              next.nodes = n.children
              next.idx = 0
              next.group = n.id
              next.lastM = n.lastM
              if (next.counts.length < size) next.counts = new Array(size).fill(0)
              else next.counts.fill(0, 0, size)
              next.counts[0] = 1
            }
            depth++
          }
          placed = true
          break
        }
      }
      if (!placed) {
        const known = def.tags.has(tag)
        out.push(
          issue(
            known ? 'segment_unexpected' : 'segment_unrecognized',
            'segment',
            known ? `${tag} is not allowed at this position in ${def.type} ${def.version}` : `${tag} is not a segment of ${def.type} ${def.version}`,
            { segment: tag, position: s.pos, loop: stack[depth - 1].group }
          )
        )
        return
      }
      const elems = segs.get(code)
      if (elems === undefined) return
      if (s instanceof RawSegment && !s.materialized) {
        if (view !== undefined && view.n <= MAX_SEPS) validateBySeps(s, view, elems, out)
        else validateElementsRaw(s, elems, out)
      } else validateElements(s, elems, out)
    },
    finish() {
      for (let d = depth - 1; d >= 0; d--) closeLevel(stack[d], last, out)
      return out
    },
  }
}

/** Validates a whole message body at once (same rules as the incremental validator). */
export function validateMessage(def: MessageDef, body: Segment[]): EdiIssue[] {
  const v = createMessageValidator(def)
  for (let i = 0; i < body.length; i++) v.step(body[i])
  return v.finish()
}

function closeLevel(lv: Level, at: Segment | undefined, out: EdiIssue[]): void {
  for (let k = lv.idx + 1; k <= lv.lastM; k++) missing(lv, k, at, out)
}

function missing(lv: Level, k: number, at: Segment | undefined, out: EdiIssue[]): void {
  const n = lv.nodes[k]
  if (n.req !== 'M' || lv.counts[k] !== 0) return
  out.push(
    issue('segment_missing', 'segment', `mandatory ${label(n)} is missing${lv.group ? ` in ${lv.group}` : ''}`, {
      segment: n.tag,
      position: at?.pos,
      loop: lv.group,
    })
  )
}

/** Element checks for one segment (ISO 9735-1 §9: status, representation, length). */
export function validateElements(s: Segment, defs: ElementDef[], out: EdiIssue[]): void {
  const els = s.elements
  if (els.length > defs.length) {
    out.push(
      issue('element_too_many', 'element', `${s.tag} has ${els.length} elements, at most ${defs.length} allowed`, {
        segment: s.tag,
        position: s.pos,
        element: defs.length + 1,
      })
    )
  }
  for (let i = 0; i < defs.length; i++) {
    const d = defs[i]
    const el = els[i]
    const empty = el === undefined || isEmpty(el)
    if (empty) {
      if (d.req === 'M') out.push(missingEl(s, i + 1, undefined, d.ref))
      continue
    }
    if (isComposite(d)) {
      if (el.length > d.components.length) {
        out.push(
          issue('element_too_many_components', 'element', `${s.tag} ${d.ref} has ${el.length} components, at most ${d.components.length}`, {
            segment: s.tag,
            position: s.pos,
            element: i + 1,
            ref: d.ref,
          })
        )
      }
      for (let c = 0; c < d.components.length; c++) {
        const v = el[c]
        const cd = d.components[c]
        if (v === undefined || v === '') {
          if (cd.req === 'M') out.push(missingEl(s, i + 1, c + 1, cd.ref))
        } else checkValue(s, cd, v, i + 1, c + 1, out)
      }
    } else {
      if (el.length > 1) {
        out.push(
          issue('element_too_many_components', 'element', `${s.tag} ${d.ref} is a simple element but has ${el.length} components`, {
            segment: s.tag,
            position: s.pos,
            element: i + 1,
            ref: d.ref,
          })
        )
      }
      checkValue(s, d, el[0], i + 1, undefined, out)
    }
  }
}

function isEmpty(el: string[]): boolean {
  for (let i = 0; i < el.length; i++) if (el[i] !== '') return false
  return true
}

function missingEl(s: Segment, element: number, component: number | undefined, ref: string): EdiIssue {
  return issue('element_missing', 'element', `${s.tag} mandatory element ${ref} is missing`, {
    segment: s.tag,
    position: s.pos,
    element,
    component,
    ref,
  })
}

const NUMERIC = /^-?(\d*)([.,](\d*))?$/
const DIGITS = /^\d+$/

function where(s: Segment, d: SimpleDef, v: string, element: number, component: number | undefined) {
  return { segment: s.tag, position: s.pos, element, component, ref: d.ref, value: v.slice(0, 35) }
}

function checkValue(s: Segment, d: SimpleDef, v: string, element: number, component: number | undefined, out: EdiIssue[]): void {
  let len = v.length
  if (d.type === 'n') {
    // Fast path: plain digits (the vast majority of quantities and counts).
    if (!DIGITS.test(v)) {
      const at = where(s, d, v, element, component)
      const m = NUMERIC.exec(v)
      if (!m || (m[1] === '' && (m[3] ?? '') === '')) {
        out.push(issue('element_invalid_numeric', 'element', `${s.tag} ${d.ref} must be numeric, got "${at.value}"`, at))
        return
      }
      if (m[1] === '' && m[2] !== undefined) {
        // ISO 9735-1 §10.2: a digit must precede the decimal mark (CONTRL 0085 = 38 family).
        out.push(issue('element_invalid_decimal', 'element', `${s.tag} ${d.ref} "${at.value}" has no digit before the decimal mark`, at))
      }
      len = m[1].length + (m[3]?.length ?? 0)
    }
  }
  if (len <= d.max && len >= d.min && !d.codes) return
  const at = where(s, d, v, element, component)
  if (len > d.max) {
    out.push(issue('element_too_long', 'element', `${s.tag} ${d.ref} is ${len} characters, at most ${d.max}`, at))
  } else if (len < d.min) {
    out.push(issue('element_too_short', 'element', `${s.tag} ${d.ref} is ${len} characters, at least ${d.min}`, at))
  }
  if (d.codes && !d.codes.has(v)) {
    out.push(issue('element_invalid_code', 'element', `${s.tag} ${d.ref} value "${at.value}" is not a valid code`, at))
  }
}
