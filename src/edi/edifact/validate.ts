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
import { compileElements, elementsClean, hasCodes, validateBySeps, validateElementsRaw, wasmProgram, type ElementProgram } from './validate-raw.ts'
import { MAX_SEPS, type SepView } from './lexer.ts'
import type { WasmScanner } from './scan-wasm.ts'
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
  /** nextM[k]: first mandatory node at or after k (nodes.length: none), for the "missing" scans. */
  nextM: Int16Array
  /** Repeat limit of each node, and 1 for group nodes in group1 (read per segment: no node objects). */
  max: Int32Array
  group1: Uint8Array
}

interface Compiled {
  /** tagKey → tag id in this message (-1 = no such tag in its structure). */
  ids: Int16Array
  root: CLevel
  /** Element definitions by tag id. */
  elems: (ElementDef[] | undefined)[]
  /** The same, compiled for the clean-segment check (validate-raw.ts elementsClean). */
  progs: (ElementProgram | undefined)[]
  /** The programs by tag key, for the WebAssembly scanner's table (scan-wasm.ts). */
  byKey: Map<number, ElementProgram>
  /** 1 when the tag id's program checks a code list (the scanner cannot: see wasmProgram). */
  coded: Uint8Array
}

const compiled = new WeakMap<MessageDef, Compiled>()

function compile(def: MessageDef): Compiled {
  let c = compiled.get(def)
  if (c) return c
  const ids = new Int16Array(TAG_KEYS).fill(-1)
  const elems: (ElementDef[] | undefined)[] = []
  const progs: (ElementProgram | undefined)[] = []
  const byKey = new Map<number, ElementProgram>()
  let n = 0
  for (const tag of def.tags) {
    const k = tagKey(tag)
    if (k < 0 || ids[k] >= 0) continue
    ids[k] = n++
    const defs = def.segments[tag]
    elems.push(defs)
    const prog = defs === undefined ? undefined : compileElements(defs)
    progs.push(prog)
    if (prog !== undefined) byKey.set(k, wasmProgram(prog))
  }
  const coded = Uint8Array.from(progs, (p) => (p !== undefined && hasCodes(p) ? 1 : 0))
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
    const nextM = new Int16Array(nodes.length + 1).fill(nodes.length)
    for (let j = nodes.length - 1; j >= 0; j--) nextM[j] = nodes[j].req === 'M' ? j : nextM[j + 1]
    const max = Int32Array.from(nodes, (nd) => Math.min(nd.max, 0x7fffffff))
    const group1 = Uint8Array.from(nodes, (nd) => (nd.kind === 'group' ? 1 : 0))
    return { nodes, at, next, kids, group, lastM, nextM, max, group1 }
  }
  c = { ids, root: level(def.children, undefined, def.lastM), elems, progs, byKey, coded }
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

export type { SepView } from './lexer.ts'

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
  return new IncrementalValidator(def)
}

type Placed = { readonly tag: string; readonly pos: Position }

/**
 * A class, not a closure per validator: its methods are created once per process, so their
 * optimized code lives as long as the module. Closures made per reader lost it whenever a major
 * GC ran while no reader was alive, and each next file ran interpreted until re-optimized
 * (measured: ~95 instead of ~160 MB/s for a file parsed after a full GC; test/edi/shared-methods.test.ts pins the shape).
 *
 * The per-segment methods are kept small, their rare paths (issues, a new group level) in
 * methods of their own, so the optimizing compiler can inline the common path into the
 * reader's loop.
 */
class IncrementalValidator implements MessageValidator {
  declare readonly def: MessageDef
  declare readonly cd: Compiled
  /** This definition's programs in a WebAssembly scanner's memory (0: no room there). */
  declare table: number
  declare tableFor: WasmScanner | undefined
  declare out: EdiIssue[]
  /**
   * Garbage in a message finds an issue per segment: only the first MAX_ISSUES are kept, the
   * rest counted (settled before each segment, so the list never holds more than one segment's
   * worth extra), and kept ones are compacted so they pin no segment text (limits.ts).
   */
  declare readonly over: Overflow
  declare settled: number
  /** Explicit stack with a depth counter: no array resizing per segment. */
  declare readonly stack: Level[]
  declare depth: number
  /**
   * The last segment, for positions of "missing" issues at the end: an object, or the numbers
   * of a cursor segment (the reader's cursor is not touched between a message's last body
   * segment and finish()).
   */
  declare last: Segment | undefined
  declare lastRaw: boolean
  declare lastCur: SegCursor | undefined
  /** Where "missing at the end" issues point (the last segment, or nowhere). */
  declare readonly lastAt: At

  constructor(def: MessageDef) {
    this.def = def
    const cd = (this.cd = compile(def))
    this.table = 0
    this.tableFor = undefined
    this.out = []
    this.over = new Overflow()
    this.settled = 0
    this.stack = [{ c: cd.root, idx: 0, counts: new Int32Array(cd.root.nodes.length) }]
    this.depth = 1
    this.last = undefined
    this.lastRaw = false
    this.lastCur = undefined
    const self = this
    this.lastAt = {
      get pos(): Position | undefined {
        return self.lastRaw ? self.lastCur!.pos : self.last?.pos
      },
    }
  }

  settle(): void {
    const out = this.out
    const n = Math.min(out.length, MAX_ISSUES)
    for (let k = this.settled; k < n; k++) out[k] = compactIssue(out[k])
    for (let k = n; k < out.length; k++) this.over.add(out[k])
    if (out.length !== n) out.length = n
    this.settled = n
  }

  /** Places tag `id` in the structure; false (and an issue) when it fits nowhere. */
  place(id: number, s: Placed): boolean {
    if (id >= 0) {
      const stack = this.stack
      for (let d = this.depth - 1; d >= 0; d--) {
        const lv = stack[d]
        const c = lv.c
        let j = c.at[id]
        if (j < 0) continue
        // A group's trigger (index 0) never matches inside its own group: a repeated trigger
        // starts the next occurrence of the group, found one level up.
        const from = c.group !== undefined && lv.idx === 0 ? 1 : lv.idx
        while (j >= 0 && j < from) j = c.next[j]
        if (j < 0) continue
        this.found(d, lv, j, s)
        return true
      }
    }
    this.unplaced(s)
    return false
  }

  unplaced(s: Placed): void {
    const tag = s.tag
    const def = this.def
    const known = def.tags.has(tag)
    this.out.push(
      issue(
        known ? 'segment_unexpected' : 'segment_unrecognized',
        'segment',
        known ? `${tag} is not allowed at this position in ${def.type} ${def.version}` : `${tag} is not a segment of ${def.type} ${def.version}`,
        { segment: tag, position: s.pos, loop: this.stack[this.depth - 1].c.group }
      )
    )
  }

  found(d: number, lv: Level, j: number, s: Placed): void {
    const c = lv.c
    // Close deeper levels, report mandatory nodes skipped at this level.
    if (this.depth - 1 > d) this.closeDeeper(d, s)
    const idx = lv.idx
    // A mandatory node between the current position (itself included while not yet counted,
    // the start of the root level) and j was skipped: report it.
    if (idx <= c.lastM && c.nextM[lv.counts[idx] === 0 ? idx : idx + 1] < j) this.skipped(lv, j, s)
    lv.idx = j
    if (++lv.counts[j] > c.max[j]) this.overMax(c, j, s)
    if (c.group1[j] === 1) this.enter(c.kids[j]!)
  }

  closeDeeper(d: number, s: Placed): void {
    for (let up = this.depth - 1; up > d; up--) closeLevel(this.stack[up], s, this.out)
    this.depth = d + 1
  }

  skipped(lv: Level, j: number, s: Placed): void {
    const nextM = lv.c.nextM
    for (let k = nextM[lv.idx]; k < j; k = nextM[k + 1]) missing(lv, k, s, this.out)
  }

  overMax(c: CLevel, j: number, s: Placed): void {
    const n = c.nodes[j]
    const grp = n.kind === 'group'
    this.out.push(
      issue(grp ? 'loop_over_max' : 'segment_over_max', 'segment', `${label(n)} occurs more than ${n.max} time(s)`, {
        segment: s.tag,
        position: s.pos,
        loop: grp ? n.id : c.group,
      })
    )
  }

  /** A group occurrence starts: a level of its own (the Level object of this depth is reused). */
  enter(kid: CLevel): void {
    const size = kid.nodes.length
    const stack = this.stack
    const next = stack[this.depth]
    if (next === undefined) {
      const counts = new Int32Array(size)
      counts[0] = 1
      stack.push({ c: kid, idx: 0, counts })
    } else {
      // The previous occupant of this depth counted nodes up to its last position only
      // (positions never go back within an occurrence): clear that much, not the whole level.
      const used = next.idx
      next.c = kid
      next.idx = 0
      if (next.counts.length < size) next.counts = new Int32Array(size)
      else {
        const counts = next.counts
        for (let k = 1; k <= used; k++) counts[k] = 0
      }
      next.counts[0] = 1
    }
    this.depth++
  }

  /** The element check without the scanner's verdict; the scanner gets the programs for next time. */
  checkElements(cur: RawLike, view: SepView, id: number): boolean {
    const clean = elementsClean(cur.buf, view.seps, view.rels, view.n, cur.end, cur.sep.component, this.cd.progs[id]!)
    const w = view.wasm
    if (w !== undefined) {
      if (w !== this.tableFor) {
        this.tableFor = w
        this.table = w.table(this.cd.byKey)
      }
      // From the next segment on, the scanner checks with this definition's programs.
      view.table = this.table
    }
    return clean
  }

  /** The scanner said "not clean" for a segment with a code list, which it cannot check: ask elementsClean(). */
  codesClean(cur: RawLike, view: SepView, id: number): boolean {
    return this.cd.coded[id] === 1 && elementsClean(cur.buf, view.seps, view.rels, view.n, cur.end, cur.sep.component, this.cd.progs[id]!)
  }

  reset(): void {
    this.out = []
    this.over.reset()
    this.settled = 0
    this.depth = 1
    this.last = undefined
    this.lastRaw = false
    const root = this.stack[0]
    root.idx = 0
    root.counts.fill(0)
  }

  step(s: Segment, view?: SepView): void {
    if (this.out.length > this.settled) this.settle()
    const k = tagKey(s.tag)
    const id = k < 0 ? -1 : this.cd.ids[k]
    this.last = s
    this.lastRaw = false
    if (!this.place(id, s)) return
    const elems = this.cd.elems[id]
    if (elems === undefined) return
    if (s instanceof RawSegment && !s.materialized) {
      if (view !== undefined && view.n <= MAX_SEPS) {
        if (!elementsClean(s.buf, view.seps, view.rels, view.n, s.end, s.sep.component, this.cd.progs[id]!)) validateBySeps(s, view, elems, this.out)
      } else validateElementsRaw(s, elems, this.out)
    } else validateElements(s, elems, this.out)
  }

  stepRaw(cur: RawLike, key: number, view: SepView): void {
    if (this.out.length > this.settled) this.settle()
    const id = key < 0 ? -1 : this.cd.ids[key]
    this.lastRaw = true
    this.lastCur = cur as SegCursor
    if (!this.place(id, cur)) return
    const elems = this.cd.elems[id]
    if (elems === undefined) return
    // The scanner checked the values while scanning (scan-wasm.ts), with our programs.
    const table = this.table
    const clean = view.scanned === table && table !== 0 && view.base >= 0 && view.wasm === this.tableFor ? view.clean || this.codesClean(cur, view, id) : this.checkElements(cur, view, id)
    if (!clean) validateBySeps(cur, view, elems, this.out)
  }

  finish(): EdiIssue[] {
    for (let d = this.depth - 1; d >= 0; d--) closeLevel(this.stack[d], this.lastAt, this.out)
    this.settle()
    return this.out
  }

  overflow(): Overflow {
    return this.over
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
  const c = lv.c
  if (lv.idx >= c.lastM) return
  const nextM = c.nextM
  for (let k = nextM[lv.idx + 1]; k <= c.lastM; k = nextM[k + 1]) missing(lv, k, at, out)
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
