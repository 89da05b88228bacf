/**
 * Incremental transaction validator: fed one segment at a time between ST and SE, so a huge
 * transaction is checked without being held in memory. It walks the dictionary structure like
 * the X12.6 table: a cursor per open loop, forward-only, a loop's trigger segment always
 * starting a new iteration. AK304/IK304 codes: 2 unexpected, 3 missing, 4 loop over max,
 * 5 segment over max, 6 not in set, 7 out of order; element problems go to validate-elements.
 */
import { issue, type EdiIssue } from '../issues.ts'
import type { Position, Segment } from '../types.ts'
import type { X12StructureNode, X12TransactionDef } from '../dictionary/x12-types.ts'
import { planOf, validateElements, validateSpan, type SegmentPlan, type SegRef } from './validate-elements.ts'
import { T_HL, tagId, tagIdAt } from './tags.ts'

export interface TxValidator {
  segment(seg: Segment): void
  /**
   * Same for a segment left as text: s[te..end) holds its elements (no components inside),
   * `sc` is the element separator's char code, `id` the tag id (tags.ts; -1 = not internable).
   * `ref.pos` is read only when an issue is reported. Returns true when the element text was
   * read in full and holds only chars 32..126 (no line break inside: see validateSpan).
   */
  segmentSpan(id: number, ref: SegRef, s: string, te: number, end: number, sc: number): boolean
  /** Closes every open loop (missing mandatory segments are reported at `at`, the SE). */
  finish(at: Position | undefined): void
}

/** A children list compiled once: tag id → child indexes, next mandatory child. */
interface Compiled {
  /** Indexed by tag id (tags.ts); undefined when no child starts with that tag. */
  byTag: (number[] | undefined)[]
  /** nextM[j] = first index ≥ j whose child is mandatory (children.length when none). */
  nextM: Int32Array
  /** loopNo[j] = number of child j when it is a loop (index into a validator's frames), else -1. */
  loopNo: Int32Array
  /** max[j] = maximum use of child j (read here instead of on the two node shapes). */
  max: Int32Array
}

/** Every loop node of every dictionary gets a small number once (frames are kept by number). */
const loopNumbers = new WeakMap<X12StructureNode, number>()
let loopsNumbered = 0

const compiled = new WeakMap<readonly X12StructureNode[], Compiled>()

function compile(children: readonly X12StructureNode[]): Compiled {
  let c = compiled.get(children)
  if (c) return c
  const byTag: (number[] | undefined)[] = []
  children.forEach((n, i) => {
    const id = tagId(nodeTag(n))
    if (id < 0) return
    while (byTag.length <= id) byTag.push(undefined)
    ;(byTag[id] ??= []).push(i)
  })
  const nextM = new Int32Array(children.length + 1).fill(children.length)
  for (let j = children.length - 1; j >= 0; j--) nextM[j] = children[j].usage === 'M' ? j : nextM[j + 1]
  const loopNo = new Int32Array(children.length).fill(-1)
  children.forEach((n, i) => {
    if (n.kind !== 'loop') return
    let no = loopNumbers.get(n)
    if (no === undefined) loopNumbers.set(n, (no = loopsNumbered++))
    loopNo[i] = no
  })
  const max = Int32Array.from(children, (n) => n.max)
  c = { byTag, nextM, loopNo, max }
  compiled.set(children, c)
  return c
}

interface Frame {
  children: readonly X12StructureNode[]
  c: Compiled
  /** Loop id (its trigger tag) or undefined for the transaction body. */
  loop: string | undefined
  pos: number
  counts: number[]
  /** Index of the first child a new segment may match (1 in a loop: the trigger starts anew). */
  first: number
}

const nodeTag = (n: X12StructureNode): string => (n.kind === 'segment' ? n.tag : (n.children[0] as { tag: string }).tag)

/** Tags that appear anywhere in a structure. */
function collectTags(nodes: readonly X12StructureNode[], into: Set<string>): Set<string> {
  for (const n of nodes) {
    if (n.kind === 'segment') into.add(n.tag)
    else collectTags(n.children, into)
  }
  return into
}

const TAG_SHAPE = /^[A-Z][A-Z0-9]{1,2}$/
/** place() result for a segment that fits nowhere (never a real loop id). */
const NOT_FOUND = '\u0000'
const tagCache = new WeakMap<X12TransactionDef, Set<string>>()
/** Per transaction definition: segment plans indexed by tag id. */
const planCache = new WeakMap<X12TransactionDef, (SegmentPlan | undefined)[]>()

function plansOf(def: X12TransactionDef): (SegmentPlan | undefined)[] {
  let p = planCache.get(def)
  if (p !== undefined) return p
  p = []
  for (const tag of Object.keys(def.segments)) {
    const id = tagId(tag)
    if (id < 0) continue
    while (p.length <= id) p.push(undefined)
    p[id] = planOf(def.segments[tag])
  }
  planCache.set(def, p)
  return p
}

/**
 * The segment being validated in place, reused for every segment: its `Position` object is
 * built only when an issue reads it (most segments are valid and never need one).
 */
export class SpanRef implements SegRef {
  tag = ''
  offset = 0
  index = 0
  line = 0
  private made: Position | null = null

  set(tag: string, offset: number, index: number, line: number): this {
    this.tag = tag
    this.offset = offset
    this.index = index
    this.line = line
    this.made = null
    return this
  }

  get pos(): Position {
    return (this.made ??= { offset: this.offset, index: this.index, line: this.line })
  }
}

/** A segment given as a `Segment` (tests, composites): its ref is itself. */
function refOf(seg: Segment): SegRef {
  return seg
}

/** Keeps a pathological file from growing the issue list without bound. */
export const MAX_ISSUES_PER_TRANSACTION = 200

/**
 * @param onFinish runs after `finish` (the reader records 999 CTX context there).
 */
export function createTxValidator(def: X12TransactionDef, out: EdiIssue[], onFinish?: () => void): TxValidator {
  return new TxValidation(def, out, onFinish)
}

function frameOf(children: readonly X12StructureNode[], loop: string | undefined, first: number): Frame {
  return { children, c: compile(children), loop, pos: 0, counts: new Array(children.length).fill(0), first }
}

/**
 * One transaction set's structure walk. A class, not closures: one object per set instead of a
 * closure per function, and its methods are the same functions for every set (the reader's call
 * sites stay monomorphic).
 */
class TxValidation implements TxValidator {
  private readonly known: Set<string>
  private readonly plans: (SegmentPlan | undefined)[]
  private readonly stack: Frame[]
  /** HL01 values seen so far: canonical integers as numbers (no string cut), anything else as text. */
  private readonly hlNum: IdSet
  private hlText: Set<string> | undefined
  /** One frame per loop node (by its number), reused across iterations: a loop is open at most once at a time. */
  private readonly frames: (Frame | undefined)[] = []

  private readonly def: X12TransactionDef
  private readonly out: EdiIssue[]
  private readonly onFinish: (() => void) | undefined
  private finished = false
  /** Segments went unchecked because the issue cap was reached. */
  private stopped = false

  constructor(def: X12TransactionDef, out: EdiIssue[], onFinish: (() => void) | undefined) {
    this.def = def
    this.out = out
    this.onFinish = onFinish
    let tags = tagCache.get(def)
    if (!tags) {
      tagCache.set(def, (tags = collectTags(def.body, new Set())))
      // Every tag of the structure gets its id now, so lookups by id never miss a nested loop.
      for (const t of tags) tagId(t)
    }
    this.known = tags
    this.plans = plansOf(def)
    this.stack = [frameOf(def.body, undefined, 0)]
    this.hlNum = takeIdSet()
  }

  private loopFrame(node: X12StructureNode & { kind: 'loop' }, no: number): Frame {
    const frames = this.frames
    let f = no < frames.length ? frames[no] : undefined
    if (f === undefined) {
      while (frames.length <= no) frames.push(undefined)
      frames[no] = f = frameOf(node.children, node.id, 1)
    } else {
      // Loops have a handful of children: a plain loop beats a fill() call per iteration.
      const counts = f.counts
      for (let j = 0; j < counts.length; j++) counts[j] = 0
      f.pos = 0
    }
    return f
  }

  private missing(f: Frame, from: number, to: number, at: Position | undefined): void {
    const nextM = f.c.nextM
    for (let j = nextM[from]; j < to; j = nextM[j + 1]) {
      const c = f.children[j]
      if (f.counts[j] === 0) {
        const tag = nodeTag(c)
        this.out.push(issue('segment_missing', 'segment', `mandatory segment ${tag} is missing${f.loop ? ` in loop ${f.loop}` : ''}`, { segment: tag, position: at, loop: f.loop }))
      }
    }
  }

  /** Moves the structure cursor for tag `id`; returns its loop id, or NOT_FOUND (issue reported). */
  private place(id: number, ref: SegRef): string | undefined {
    const stack = this.stack
    const out = this.out
    for (let depth = id < 0 ? -1 : stack.length - 1; depth >= 0; depth--) {
      const f = stack[depth]
      const byTag = f.c.byTag
      const at = id < byTag.length ? byTag[id] : undefined
      if (at === undefined) continue
      const from = f.pos < f.first ? f.first : f.pos
      let i = -1
      for (let k = 0; k < at.length; k++) {
        if (at[k] >= from) {
          i = at[k]
          break
        }
      }
      if (i < 0) continue
      if (stack.length - 1 > depth || f.c.nextM[f.pos] < i) {
        const pos = ref.pos
        while (stack.length - 1 > depth) {
          const done = stack.pop() as Frame
          this.missing(done, done.pos, done.children.length, pos)
        }
        this.missing(f, f.pos, i, pos)
      }
      f.pos = i
      const count = ++f.counts[i]
      const no = f.c.loopNo[i]
      if (no >= 0) {
        const node = f.children[i] as X12StructureNode & { kind: 'loop' }
        if (count > node.max) out.push(issue('loop_over_max', 'segment', `loop ${node.id} occurs ${count} times, at most ${node.max}`, { segment: ref.tag, position: ref.pos, loop: node.id }))
        const inner = this.loopFrame(node, no)
        inner.counts[0] = 1
        stack.push(inner)
        return node.id
      }
      if (count > f.c.max[i]) {
        out.push(issue('segment_over_max', 'segment', `${ref.tag} occurs ${count} times here, at most ${f.c.max[i]}`, { segment: ref.tag, position: ref.pos, loop: f.loop }))
      }
      return f.loop
    }
    const tag = ref.tag
    const pos = ref.pos
    const where = stack[stack.length - 1].loop
    if (this.known.has(tag)) {
      out.push(issue('segment_out_of_order', 'segment', `${tag} is not allowed at this position${where ? ` (in loop ${where})` : ''}`, { segment: tag, position: pos, loop: where }))
    } else if (TAG_SHAPE.test(tag)) {
      out.push(issue('segment_not_in_set', 'segment', `${tag} is not part of transaction set ${this.def.id} (${this.def.version})`, { segment: tag, position: pos, loop: where }))
    } else {
      out.push(issue('segment_unrecognized', 'segment', `'${tag.slice(0, 20)}' is not a segment identifier`, { segment: tag.slice(0, 3), position: pos, loop: where }))
    }
    return NOT_FOUND
  }

  segment(seg: Segment): void {
    const out = this.out
    if (out.length >= MAX_ISSUES_PER_TRANSACTION) return void (this.stopped = true)
    const id = tagIdAt(seg.tag, 0, seg.tag.length)
    const loop = this.place(id, refOf(seg))
    if (loop === NOT_FOUND) return
    const plans = this.plans
    const plan = id >= 0 && id < plans.length ? plans[id] : undefined
    if (plan !== undefined) validateElements(seg, plan.def, loop, out)
    if (id === T_HL) this.checkHl(seg.elements[0]?.[0] ?? '', 0, -1, seg.elements[1]?.[0] ?? '', 0, -1, seg, loop)
  }

  segmentSpan(id: number, ref: SegRef, s: string, te: number, end: number, sc: number): boolean {
    const out = this.out
    if (out.length >= MAX_ISSUES_PER_TRANSACTION) {
      this.stopped = true
      return false
    }
    const loop = this.place(id, ref)
    if (loop === NOT_FOUND) return false
    const plans = this.plans
    const plan = id >= 0 && id < plans.length ? plans[id] : undefined
    const clean = plan !== undefined && validateSpan(s, te, end, sc, ref, plan, loop, out)
    if (id === T_HL) {
      // HL01 and HL02 read in place, without splitting the segment.
      let a = te + 1
      while (a < end && s.charCodeAt(a) !== sc) a++
      let b = a < end ? a + 1 : end
      while (b < end && s.charCodeAt(b) !== sc) b++
      if (a < end) this.checkHl(s, te + 1, a, s, a + 1, b, ref, loop)
      else this.checkHl(s, te + 1, a, '', 0, 0, ref, loop)
    }
    return clean
  }

  private hasHl(n: number, s: string, a: number, b: number): boolean {
    return n >= 0 ? this.hlNum.has(n) : this.hlText !== undefined && this.hlText.has(s.slice(a, b))
  }

  /**
   * 856 hierarchy: HL01 unique, HL02 names an earlier HL01 (X12.6 HL semantics). Values are
   * `id[ia, ib)` and `parent[pa, pb)`; an end of -1 means the whole string.
   */
  private checkHl(id: string, ia: number, ib: number, parent: string, pa: number, pb: number, ref: SegRef, loop: string | undefined): void {
    if (ib < 0) ib = id.length
    if (pb < 0) pb = parent.length
    const idNum = canonicalInt(id, ia, ib)
    if (ib > ia && this.hasHl(idNum, id, ia, ib)) {
      const value = id.slice(ia, ib)
      this.out.push(issue('element_invalid_code', 'element', `HL01 '${value}' repeats an earlier hierarchical id`, { segment: 'HL', position: ref.pos, element: 1, ref: '628', value, loop }))
    }
    if (pb > pa && !this.hasHl(canonicalInt(parent, pa, pb), parent, pa, pb)) {
      const value = parent.slice(pa, pb)
      this.out.push(issue('element_invalid_code', 'element', `HL02 parent '${value}' is not an earlier HL01`, { segment: 'HL', position: ref.pos, element: 2, ref: '734', value, loop }))
    }
    if (ib > ia) {
      if (idNum >= 0) this.hlNum.add(idNum)
      else (this.hlText ??= new Set()).add(id.slice(ia, ib))
    }
  }

  finish(at: Position | undefined): void {
    if (this.finished) return
    this.finished = true
    const stack = this.stack
    while (stack.length > 0) {
      const f = stack.pop() as Frame
      this.missing(f, f.pos, f.children.length, at)
    }
    if (this.stopped) {
      this.out.push(issue('issues_truncated', 'transaction', `validation stopped after ${MAX_ISSUES_PER_TRANSACTION} issues: the rest of the set was not checked`, { severity: 'error', value: String(MAX_ISSUES_PER_TRANSACTION) }))
    }
    giveIdSet(this.hlNum)
    this.onFinish?.()
  }
}

/** HL ids are usually 1, 2, 3...: a bitset for small numbers, a Set for the rest. */
const BITSET_LIMIT = 1 << 22

class IdSet {
  private bits = new Uint32Array(64)
  private big: Set<number> | undefined
  /** Highest word written since the last clear (clear zeroes only up to it). */
  private top = -1

  clear(): void {
    if (this.top >= 0) this.bits.fill(0, 0, this.top + 1)
    this.top = -1
    this.big = undefined
  }

  has(n: number): boolean {
    if (n < BITSET_LIMIT) return n >>> 5 < this.bits.length && (this.bits[n >>> 5] & (1 << (n & 31))) !== 0
    return this.big !== undefined && this.big.has(n)
  }

  add(n: number): void {
    if (n >= BITSET_LIMIT) {
      ;(this.big ??= new Set()).add(n)
      return
    }
    const w = n >>> 5
    if (w >= this.bits.length) {
      const grown = new Uint32Array(Math.max(w + 1, this.bits.length * 2))
      grown.set(this.bits)
      this.bits = grown
    }
    this.bits[w] |= 1 << (n & 31)
    if (w > this.top) this.top = w
  }
}

/**
 * A finished set hands its IdSet back for the next one (a typed array per set costs more than
 * clearing the few words an 856 touches). One spare is enough: sets are validated one at a time
 * per reader, and a set that is never finished simply keeps its own.
 */
let spareIdSet: IdSet | undefined

function takeIdSet(): IdSet {
  const s = spareIdSet
  if (s === undefined) return new IdSet()
  spareIdSet = undefined
  return s
}

function giveIdSet(s: IdSet): void {
  s.clear()
  spareIdSet = s
}

/**
 * `s[a, b)` as a number when it is the canonical decimal form of one (no sign, no leading zero,
 * at most 9 digits), else -1: '7' and '07' are different HL ids and must stay different.
 */
function canonicalInt(s: string, a: number, b: number): number {
  const n = b - a
  if (n < 1 || n > 9) return -1
  let v = 0
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i) - 48
    if (c < 0 || c > 9) return -1
    v = v * 10 + c
  }
  return n > 1 && s.charCodeAt(a) === 48 ? -1 : v
}
