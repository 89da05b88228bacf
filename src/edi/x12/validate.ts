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
import { validateElements } from './validate-elements.ts'

export interface TxValidator {
  segment(seg: Segment): void
  /** Closes every open loop (missing mandatory segments are reported at `at`, the SE). */
  finish(at: Position | undefined): void
}

interface Frame {
  children: readonly X12StructureNode[]
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
const tagCache = new WeakMap<X12TransactionDef, Set<string>>()

/** Keeps a pathological file from growing the issue list without bound. */
export const MAX_ISSUES_PER_TRANSACTION = 200

export function createTxValidator(def: X12TransactionDef, out: EdiIssue[]): TxValidator {
  let tags = tagCache.get(def)
  if (!tags) tagCache.set(def, (tags = collectTags(def.body, new Set())))
  const known = tags
  const stack: Frame[] = [frame(def.body, undefined, 0)]
  const hl = new Set<string>()

  function frame(children: readonly X12StructureNode[], loop: string | undefined, first: number): Frame {
    return { children, loop, pos: 0, counts: new Array(children.length).fill(0), first }
  }

  function missing(f: Frame, from: number, to: number, at: Position | undefined): void {
    for (let j = from; j < to; j++) {
      const c = f.children[j]
      if (f.counts[j] === 0 && c.usage === 'M') {
        const tag = nodeTag(c)
        out.push(issue('segment_missing', 'segment', `mandatory segment ${tag} is missing${f.loop ? ` in loop ${f.loop}` : ''}`, { segment: tag, position: at, loop: f.loop }))
      }
    }
  }

  function segment(seg: Segment): void {
    if (out.length >= MAX_ISSUES_PER_TRANSACTION) return
    const tag = seg.tag
    for (let depth = stack.length - 1; depth >= 0; depth--) {
      const f = stack[depth]
      const ch = f.children
      let i = f.pos < f.first ? f.first : f.pos
      for (; i < ch.length; i++) {
        const c = ch[i]
        if (c.kind === 'segment' ? c.tag === tag : (c.children[0] as { tag: string }).tag === tag) break
      }
      if (i === ch.length) continue
      while (stack.length - 1 > depth) {
        const done = stack.pop() as Frame
        missing(done, done.pos, done.children.length, seg.pos)
      }
      missing(f, f.pos, i, seg.pos)
      f.pos = i
      const node = ch[i]
      const count = ++f.counts[i]
      let loop = f.loop
      if (node.kind === 'loop') {
        if (count > node.max) out.push(issue('loop_over_max', 'segment', `loop ${node.id} occurs ${count} times, at most ${node.max}`, { segment: tag, position: seg.pos, loop: node.id }))
        const inner = frame(node.children, node.id, 1)
        inner.counts[0] = 1
        stack.push(inner)
        loop = node.id
      } else if (count > node.max) {
        out.push(issue('segment_over_max', 'segment', `${tag} occurs ${count} times here, at most ${node.max}`, { segment: tag, position: seg.pos, loop }))
      }
      const sd = def.segments[tag]
      if (sd !== undefined) validateElements(seg, sd, loop, out)
      if (tag === 'HL') checkHl(seg, loop)
      return
    }
    const where = stack[stack.length - 1].loop
    if (known.has(tag)) {
      out.push(issue('segment_out_of_order', 'segment', `${tag} is not allowed at this position${where ? ` (in loop ${where})` : ''}`, { segment: tag, position: seg.pos, loop: where }))
    } else if (TAG_SHAPE.test(tag)) {
      out.push(issue('segment_not_in_set', 'segment', `${tag} is not part of transaction set ${def.id} (${def.version})`, { segment: tag, position: seg.pos, loop: where }))
    } else {
      out.push(issue('segment_unrecognized', 'segment', `'${tag.slice(0, 20)}' is not a segment identifier`, { segment: tag.slice(0, 3), position: seg.pos, loop: where }))
    }
  }

  /** 856 hierarchy: HL01 unique, HL02 names an earlier HL01 (X12.6 HL semantics). */
  function checkHl(seg: Segment, loop: string | undefined): void {
    const id = seg.elements[0]?.[0] ?? ''
    const parent = seg.elements[1]?.[0] ?? ''
    if (id !== '' && hl.has(id)) {
      out.push(issue('element_invalid_code', 'element', `HL01 '${id}' repeats an earlier hierarchical id`, { segment: 'HL', position: seg.pos, element: 1, ref: '628', value: id, loop }))
    }
    if (parent !== '' && !hl.has(parent)) {
      out.push(issue('element_invalid_code', 'element', `HL02 parent '${parent}' is not an earlier HL01`, { segment: 'HL', position: seg.pos, element: 2, ref: '734', value: parent, loop }))
    }
    if (id !== '') hl.add(id)
  }

  return {
    segment,
    finish(at: Position | undefined): void {
      while (stack.length > 0) {
        const f = stack.pop() as Frame
        missing(f, f.pos, f.children.length, at)
      }
    },
  }
}

