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
import { validateElements, validateSpan } from './validate-elements.ts'

export interface TxValidator {
  segment(seg: Segment): void
  /** Same for a segment left as text: s[te..end) holds its elements (no components inside). */
  segmentSpan(tag: string, s: string, te: number, end: number, sep: string, pos: Position): void
  /** Closes every open loop (missing mandatory segments are reported at `at`, the SE). */
  finish(at: Position | undefined): void
}

/** A children list compiled once: trigger tag per child, tag → indexes, next mandatory child. */
interface Compiled {
  tags: string[]
  byTag: Map<string, number[]>
  /** nextM[j] = first index ≥ j whose child is mandatory (children.length when none). */
  nextM: Int32Array
}

const compiled = new WeakMap<readonly X12StructureNode[], Compiled>()

function compile(children: readonly X12StructureNode[]): Compiled {
  let c = compiled.get(children)
  if (c) return c
  const tags = children.map((n) => (n.kind === 'segment' ? n.tag : (n.children[0] as { tag: string }).tag))
  const byTag = new Map<string, number[]>()
  tags.forEach((t, i) => byTag.set(t, [...(byTag.get(t) ?? []), i]))
  const nextM = new Int32Array(children.length + 1).fill(children.length)
  for (let j = children.length - 1; j >= 0; j--) nextM[j] = children[j].usage === 'M' ? j : nextM[j + 1]
  c = { tags, byTag, nextM }
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

/** Keeps a pathological file from growing the issue list without bound. */
export const MAX_ISSUES_PER_TRANSACTION = 200

export function createTxValidator(def: X12TransactionDef, out: EdiIssue[]): TxValidator {
  let tags = tagCache.get(def)
  if (!tags) tagCache.set(def, (tags = collectTags(def.body, new Set())))
  const known = tags
  const stack: Frame[] = [frame(def.body, undefined, 0)]
  const hl = new Set<string>()

  // One frame per loop node, reused across iterations: a loop is open at most once at a time.
  const frames = new Map<X12StructureNode, Frame>()
  const ref = { tag: '', pos: { offset: 0, index: 0, line: 0 } as Position }

  function frame(children: readonly X12StructureNode[], loop: string | undefined, first: number): Frame {
    return { children, c: compile(children), loop, pos: 0, counts: new Array(children.length).fill(0), first }
  }

  function loopFrame(node: X12StructureNode & { kind: 'loop' }): Frame {
    let f = frames.get(node)
    if (f === undefined) frames.set(node, (f = frame(node.children, node.id, 1)))
    else {
      f.counts.fill(0)
      f.pos = 0
    }
    return f
  }

  function missing(f: Frame, from: number, to: number, at: Position | undefined): void {
    const nextM = f.c.nextM
    for (let j = nextM[from]; j < to; j = nextM[j + 1]) {
      const c = f.children[j]
      if (f.counts[j] === 0) {
        const tag = nodeTag(c)
        out.push(issue('segment_missing', 'segment', `mandatory segment ${tag} is missing${f.loop ? ` in loop ${f.loop}` : ''}`, { segment: tag, position: at, loop: f.loop }))
      }
    }
  }

  /** Moves the structure cursor for `tag`; returns its loop id, or NOT_FOUND (issue reported). */
  function place(tag: string, pos: Position): string | undefined {
    for (let depth = stack.length - 1; depth >= 0; depth--) {
      const f = stack[depth]
      const ch = f.children
      const at = f.c.byTag.get(tag)
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
      while (stack.length - 1 > depth) {
        const done = stack.pop() as Frame
        missing(done, done.pos, done.children.length, pos)
      }
      missing(f, f.pos, i, pos)
      f.pos = i
      const node = ch[i]
      const count = ++f.counts[i]
      if (node.kind === 'loop') {
        if (count > node.max) out.push(issue('loop_over_max', 'segment', `loop ${node.id} occurs ${count} times, at most ${node.max}`, { segment: tag, position: pos, loop: node.id }))
        const inner = loopFrame(node)
        inner.counts[0] = 1
        stack.push(inner)
        return node.id
      }
      if (count > node.max) {
        out.push(issue('segment_over_max', 'segment', `${tag} occurs ${count} times here, at most ${node.max}`, { segment: tag, position: pos, loop: f.loop }))
      }
      return f.loop
    }
    const where = stack[stack.length - 1].loop
    if (known.has(tag)) {
      out.push(issue('segment_out_of_order', 'segment', `${tag} is not allowed at this position${where ? ` (in loop ${where})` : ''}`, { segment: tag, position: pos, loop: where }))
    } else if (TAG_SHAPE.test(tag)) {
      out.push(issue('segment_not_in_set', 'segment', `${tag} is not part of transaction set ${def.id} (${def.version})`, { segment: tag, position: pos, loop: where }))
    } else {
      out.push(issue('segment_unrecognized', 'segment', `'${tag.slice(0, 20)}' is not a segment identifier`, { segment: tag.slice(0, 3), position: pos, loop: where }))
    }
    return NOT_FOUND
  }

  function segment(seg: Segment): void {
    if (out.length >= MAX_ISSUES_PER_TRANSACTION) return
    const loop = place(seg.tag, seg.pos)
    if (loop === NOT_FOUND) return
    const sd = def.segments[seg.tag]
    if (sd !== undefined) validateElements(seg, sd, loop, out)
    if (seg.tag === 'HL') checkHl(seg.elements[0]?.[0] ?? '', seg.elements[1]?.[0] ?? '', seg.pos, loop)
  }

  function segmentSpan(tag: string, s: string, te: number, end: number, sep: string, pos: Position): void {
    if (out.length >= MAX_ISSUES_PER_TRANSACTION) return
    const loop = place(tag, pos)
    if (loop === NOT_FOUND) return
    const sd = def.segments[tag]
    ref.tag = tag
    ref.pos = pos
    if (sd !== undefined) validateSpan(s, te, end, sep, ref, sd, loop, out)
    if (tag === 'HL') {
      // HL01 and HL02 without splitting the whole segment.
      let a = s.indexOf(sep, te + 1)
      if (a < 0 || a > end) a = end
      let b = a < end ? s.indexOf(sep, a + 1) : end
      if (b < 0 || b > end) b = end
      checkHl(s.slice(te + 1, a), a < end ? s.slice(a + 1, b) : '', pos, loop)
    }
  }

  /** 856 hierarchy: HL01 unique, HL02 names an earlier HL01 (X12.6 HL semantics). */
  function checkHl(id: string, parent: string, position: Position, loop: string | undefined): void {
    if (id !== '' && hl.has(id)) {
      out.push(issue('element_invalid_code', 'element', `HL01 '${id}' repeats an earlier hierarchical id`, { segment: 'HL', position, element: 1, ref: '628', value: id, loop }))
    }
    if (parent !== '' && !hl.has(parent)) {
      out.push(issue('element_invalid_code', 'element', `HL02 parent '${parent}' is not an earlier HL01`, { segment: 'HL', position, element: 2, ref: '734', value: parent, loop }))
    }
    if (id !== '') hl.add(id)
  }

  return {
    segment,
    segmentSpan,
    finish(at: Position | undefined): void {
      while (stack.length > 0) {
        const f = stack.pop() as Frame
        missing(f, f.pos, f.children.length, at)
      }
    },
  }
}

