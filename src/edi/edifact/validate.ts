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
} from '../dictionary/edifact-dsl.ts'

interface Level {
  nodes: StructNode[]
  idx: number
  counts: number[]
  group?: string
}

const trigger = (n: StructNode): string => n.tag
const label = (n: StructNode): string => (n.kind === 'seg' ? n.tag : `${n.id} (${trigger(n)})`)

/**
 * Validates the body of one message (segments between UNH and UNT, exclusive).
 * `decimal` is the UNA decimal mark; both `.` and `,` are accepted in numbers (ISO 9735-1 §10.2
 * allows either as decimal mark regardless of UNA), the mark does not count toward the length.
 */
export function validateMessage(def: MessageDef, body: Segment[]): EdiIssue[] {
  const out: EdiIssue[] = []
  const stack: Level[] = [{ nodes: def.children, idx: 0, counts: new Array(def.children.length).fill(0) }]
  let last: Segment | undefined

  const closeLevel = (lv: Level, at: Segment | undefined) => {
    for (let k = lv.idx + 1; k < lv.nodes.length; k++) missing(lv, k, at)
  }
  const missing = (lv: Level, k: number, at: Segment | undefined) => {
    const n = lv.nodes[k]
    if (n.req === 'M' && lv.counts[k] === 0) {
      out.push(
        issue('segment_missing', 'segment', `mandatory ${label(n)} is missing${lv.group ? ` in ${lv.group}` : ''}`, {
          segment: trigger(n),
          position: at?.pos,
          loop: lv.group,
        })
      )
    }
  }

  for (const s of body) {
    last = s
    let placed = false
    for (let d = stack.length - 1; d >= 0 && !placed; d--) {
      const lv = stack[d]
      // A group's trigger (index 0) never matches inside its own group: a repeated trigger starts
      // the next occurrence of the group, found one level up.
      for (let j = lv.group && lv.idx === 0 ? 1 : lv.idx; j < lv.nodes.length; j++) {
        const n = lv.nodes[j]
        if (n.tag !== s.tag) continue
        // Found: close deeper levels, report mandatory nodes skipped at this level.
        for (let up = stack.length - 1; up > d; up--) closeLevel(stack[up], s)
        stack.length = d + 1
        for (let k = lv.idx; k < j; k++) if (k > lv.idx || lv.counts[k] === 0) missing(lv, k, s)
        lv.idx = j
        lv.counts[j]++
        if (lv.counts[j] > n.max) {
          const grp = n.kind === 'group'
          out.push(
            issue(grp ? 'loop_over_max' : 'segment_over_max', 'segment', `${label(n)} occurs more than ${n.max} time(s)`, {
              segment: s.tag,
              position: s.pos,
              loop: grp ? n.id : lv.group,
            })
          )
        }
        if (n.kind === 'group') {
          const counts = new Array(n.children.length).fill(0)
          counts[0] = 1
          stack.push({ nodes: n.children, idx: 0, counts, group: n.id })
        }
        placed = true
        break
      }
    }
    if (!placed) {
      const known = def.tags.has(s.tag)
      out.push(
        issue(
          known ? 'segment_unexpected' : 'segment_unrecognized',
          'segment',
          known
            ? `${s.tag} is not allowed at this position in ${def.type} ${def.version}`
            : `${s.tag} is not a segment of ${def.type} ${def.version}`,
          { segment: s.tag, position: s.pos, loop: stack[stack.length - 1].group }
        )
      )
      continue
    }
    const elems = def.segments[s.tag]
    if (elems) validateElements(s, elems, out)
  }
  for (let d = stack.length - 1; d >= 0; d--) closeLevel(stack[d], last)
  return out
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
