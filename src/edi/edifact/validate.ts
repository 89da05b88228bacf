/**
 * Message × dictionary → issues (ISO 9735-1 §8 segment tables and §9 data element rules).
 * Structure: the segment-group state machine every EDIFACT parser uses — look for the tag
 * forward at the current level, otherwise close the current group and look in the enclosing
 * one. Elements: presence, length, numeric format and small code lists. Never throws.
 */
import { issue, type EdiIssue } from '../issues.ts'
import type { Position, Segment } from '../types.ts'
import {
  isComposite,
  TAG_KEYS,
  tagKey,
  type ElementDef,
  type MessageDef,
  type SimpleDef,
  type StructNode,
} from '../dictionary/edifact-dsl.ts'
import { RawSegment, type RawLike } from './segment.ts'
import type { SegCursor } from './store.ts'
import { validateBySeps, validateElementsRaw } from './validate-raw.ts'
import { MAX_SEPS } from './lexer.ts'
import { compactIssue, Overflow, overflowIssue, MAX_ISSUES } from './limits.ts'

/**
 * A structure level compiled for lookups by tag key (edifact-dsl.ts tagKey) instead of a scan
 * over the node list: `at[id]` is the first node with tag id `id`, `next[j]` the next node after
 * j with the same tag. "First node at or after position i with this tag" is then one or two
 * array reads, whatever the length of the level (SG25 of ORDERS has 30-odd entries).
 */
interface CLevel {
  nodes: StructNode[]
  at: Int16Array
  next: Int16Array
  /** Compiled level of each group node (undefined for segment nodes). */
  kids: (CLevel | undefined)[]
  group: string | undefined
  /** Index of the last mandatory node (-1 none): nothing can be missing past it. */
  lastM: number
}

interface Compiled {
  /** tagKey → tag id in this message (-1 = no such tag in its structure). */
  ids: Int16Array
  root: CLevel
  /** Element definitions by tag id. */
  elems: (ElementDef[] | undefined)[]
}

const compiled = new WeakMap<MessageDef, Compiled>()

function compile(def: MessageDef): Compiled {
  let c = compiled.get(def)
  if (c) return c
  const ids = new Int16Array(TAG_KEYS).fill(-1)
  const elems: (ElementDef[] | undefined)[] = []
  let n = 0
  for (const tag of def.tags) {
    const k = tagKey(tag)
    if (k < 0 || ids[k] >= 0) continue
    ids[k] = n++
    elems.push(def.segments[tag])
  }
  const level = (nodes: StructNode[], group: string | undefined, lastM: number): CLevel => {
    const at = new Int16Array(n).fill(-1)
    const next = new Int16Array(nodes.length).fill(-1)
    for (let j = nodes.length - 1; j >= 0; j--) {
      const k = tagKey(nodes[j].tag)
      const id = k < 0 ? -1 : ids[k]
      if (id < 0) continue
      next[j] = at[id]
      at[id] = j
    }
    const kids = nodes.map((nd) => (nd.kind === 'group' ? level(nd.children, nd.id, nd.lastM) : undefined))
    return { nodes, at, next, kids, group, lastM }
  }
  c = { ids, root: level(def.children, undefined, def.lastM), elems }
  compiled.set(def, c)
  return c
}

/** Runtime state of one open level. */
interface Level {
  c: CLevel
  idx: number
  counts: Int32Array
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
  /**
   * One body segment that is not an object: `cur` (the reader's cursor, valid during this call
   * only) with its tag key and the separator positions. Same checks as step().
   */
  stepRaw(cur: RawLike, key: number, view: SepView): void
  /**
   * End of the message: mandatory segments never seen; returns the first MAX_ISSUES issues
   * found (limits.ts), the rest are counted in overflow().
   */
  finish(): EdiIssue[]
  /** Issues found past MAX_ISSUES (counted by code, not kept); valid until reset(). */
  overflow(): Overflow
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
  const cd = compile(def)
  const ids = cd.ids
  const elemsById = cd.elems
  let out: EdiIssue[] = []
  // Garbage in a message finds an issue per segment: only the first MAX_ISSUES are kept, the rest
  // counted (settled before each segment, so the list never holds more than one segment's worth
  // extra), and kept ones are compacted so they pin no segment text (limits.ts).
  const over = new Overflow()
  let settled = 0
  function settle(): void {
    const n = Math.min(out.length, MAX_ISSUES)
    for (let k = settled; k < n; k++) out[k] = compactIssue(out[k])
    for (let k = n; k < out.length; k++) over.add(out[k])
    out.length = n
    settled = n
  }
  // Explicit stack with a depth counter: no array resizing per segment.
  const stack: Level[] = [{ c: cd.root, idx: 0, counts: new Int32Array(cd.root.nodes.length) }]
  let depth = 1
  // The last segment, for positions of "missing" issues at the end: an object, or the numbers
  // of a cursor segment (the cursor itself moves on).
  let last: Segment | undefined
  let lastRaw = false
  let lastOffset = 0
  let lastIndex = 0
  let lastLine = 0
  // Where "missing at the end" issues point (the last segment, or nowhere).
  const lastAt = { get pos(): Position | undefined { return lastRaw ? { offset: lastOffset, index: lastIndex, line: lastLine } : last?.pos } }

  /** Places tag `id` in the structure; false (and an issue) when it fits nowhere. */
  function place(id: number, s: { readonly tag: string; readonly pos: Position }): boolean {
    if (id >= 0) {
      for (let d = depth - 1; d >= 0; d--) {
        const lv = stack[d]
        const c = lv.c
        let j = c.at[id]
        if (j < 0) continue
        // A group's trigger (index 0) never matches inside its own group: a repeated trigger
        // starts the next occurrence of the group, found one level up.
        const from = c.group !== undefined && lv.idx === 0 ? 1 : lv.idx
        while (j >= 0 && j < from) j = c.next[j]
        if (j < 0) continue
        found(d, lv, j, s)
        return true
      }
    }
    const tag = s.tag
    const known = def.tags.has(tag)
    out.push(
      issue(
        known ? 'segment_unexpected' : 'segment_unrecognized',
        'segment',
        known ? `${tag} is not allowed at this position in ${def.type} ${def.version}` : `${tag} is not a segment of ${def.type} ${def.version}`,
        { segment: tag, position: s.pos, loop: stack[depth - 1].c.group }
      )
    )
    return false
  }

  function found(d: number, lv: Level, j: number, s: { readonly tag: string; readonly pos: Position }): void {
    const c = lv.c
    const n = c.nodes[j]
    // Close deeper levels, report mandatory nodes skipped at this level.
    for (let up = depth - 1; up > d; up--) closeLevel(stack[up], s, out)
    depth = d + 1
    if (lv.idx <= c.lastM) for (let k = lv.idx; k < j; k++) missing(lv, k, s, out)
    lv.idx = j
    const cnt = ++lv.counts[j]
    if (cnt > n.max) {
      const grp = n.kind === 'group'
      out.push(
        issue(grp ? 'loop_over_max' : 'segment_over_max', 'segment', `${label(n)} occurs more than ${n.max} time(s)`, {
          segment: s.tag,
          position: s.pos,
          loop: grp ? n.id : c.group,
        })
      )
    }
    if (n.kind === 'group') {
      // Reuse the Level object of this depth (no allocation per group occurrence).
      const kid = c.kids[j]!
      const size = kid.nodes.length
      const next = stack[depth]
      if (next === undefined) {
        const counts = new Int32Array(size)
        counts[0] = 1
        stack.push({ c: kid, idx: 0, counts })
      } else {
        next.c = kid
        next.idx = 0
        if (next.counts.length < size) next.counts = new Int32Array(size)
        else {
          // A loop, not fill(): levels are short and this runs for every group occurrence.
          const counts = next.counts
          for (let k = 1; k < size; k++) counts[k] = 0
        }
        next.counts[0] = 1
      }
      depth++
    }
  }

  return {
    reset() {
      out = []
      over.reset()
      settled = 0
      depth = 1
      last = undefined
      lastRaw = false
      stack[0].idx = 0
      stack[0].counts.fill(0)
    },
    step(s, view) {
      if (out.length > settled) settle()
      const k = tagKey(s.tag)
      const id = k < 0 ? -1 : ids[k]
      last = s
      lastRaw = false
      if (!place(id, s)) return
      const elems = elemsById[id]
      if (elems === undefined) return
      if (s instanceof RawSegment && !s.materialized) {
        if (view !== undefined && view.n <= MAX_SEPS) validateBySeps(s, view, elems, out)
        else validateElementsRaw(s, elems, out)
      } else validateElements(s, elems, out)
    },
    stepRaw(cur, key, view) {
      if (out.length > settled) settle()
      const id = key < 0 ? -1 : ids[key]
      lastRaw = true
      const p = cur as SegCursor
      lastOffset = p.offset
      lastIndex = p.index
      lastLine = p.line
      if (!place(id, cur)) return
      const elems = elemsById[id]
      if (elems !== undefined) validateBySeps(cur, view, elems, out)
    },
    finish() {
      for (let d = depth - 1; d >= 0; d--) closeLevel(stack[d], lastAt, out)
      settle()
      return out
    },
    overflow: () => over,
  }
}

/** Validates a whole message body at once (same rules as the incremental validator). */
export function validateMessage(def: MessageDef, body: Segment[]): EdiIssue[] {
  const v = createMessageValidator(def)
  for (let i = 0; i < body.length; i++) v.step(body[i])
  const out = v.finish()
  const more = overflowIssue('transaction', v.overflow())
  if (more) out.push(more)
  return out
}

/** `at` supplies the position of an issue; its `pos` is read only when there is one. */
interface At {
  readonly pos: Position | undefined
}

function closeLevel(lv: Level, at: At, out: EdiIssue[]): void {
  for (let k = lv.idx + 1; k <= lv.c.lastM; k++) missing(lv, k, at, out)
}

function missing(lv: Level, k: number, at: At, out: EdiIssue[]): void {
  const n = lv.c.nodes[k]
  if (n.req !== 'M' || lv.counts[k] !== 0) return
  const group = lv.c.group
  out.push(
    issue('segment_missing', 'segment', `mandatory ${label(n)} is missing${group ? ` in ${group}` : ''}`, {
      segment: n.tag,
      position: at.pos,
      loop: group,
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
