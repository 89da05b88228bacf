/**
 * Evaluating segment paths over one message. The message is indexed once (tag → positions,
 * occurrence numbers), so a lookup inside a loop instance is a binary search, not a scan: the
 * 850/856 maps stay linear in the number of segments.
 */
import type { Segment } from '../edi/types.ts'
import type { SegCond, SegPath } from './path.ts'

export interface SegDoc {
  segs: Segment[]
  /** 1-based occurrence of segment i among segments with its tag (`PO1[3]` in provenance). */
  occ: Int32Array
  byTag: Map<string, number[]>
}

/** A half-open range of segment indexes: the message, or one loop instance. */
export interface SegScope {
  doc: SegDoc
  start: number
  end: number
  /** The id of the tree node (HL01, CPS 7164) this instance is, for `tree` children. */
  node?: string
  /** Range that tree children are searched in (the enclosing non-tree scope). */
  treeStart?: number
  treeEnd?: number
}

export function indexSegments(segs: Segment[]): SegDoc {
  const occ = new Int32Array(segs.length)
  const byTag = new Map<string, number[]>()
  for (let i = 0; i < segs.length; i++) {
    const tag = segs[i].tag
    let list = byTag.get(tag)
    if (!list) byTag.set(tag, (list = []))
    list.push(i)
    occ[i] = list.length
  }
  return { segs, occ, byTag }
}

/** First index in the sorted list that is ≥ from. */
function lowerBound(list: number[], from: number): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (list[mid] < from) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Raw component text at 1-based element/component (component 0 = first); '' when absent. */
export function componentAt(seg: Segment, element: number, component: number): string {
  const el = seg.elements[element - 1]
  if (!el) return ''
  return el[component > 0 ? component - 1 : 0] ?? ''
}

function condsHold(seg: Segment, conds: SegCond[]): boolean {
  for (const c of conds) {
    const v = componentAt(seg, c.element, c.component)
    let hit = false
    for (const want of c.values) if (want === v) hit = true
    if (!hit) return false
  }
  return true
}

/** Indexes of segments matching `path` (tag + conditions) in [start, end), in order. */
export function matchAll(doc: SegDoc, path: SegPath, start: number, end: number, limit = Infinity): number[] {
  const list = doc.byTag.get(path.tag)
  const out: number[] = []
  if (!list) return out
  for (let k = lowerBound(list, start); k < list.length && out.length < limit; k++) {
    const i = list[k]
    if (i >= end) break
    if (path.conds.length === 0 || condsHold(doc.segs[i], path.conds)) out.push(i)
  }
  return out
}

export function matchFirst(doc: SegDoc, path: SegPath, start: number, end: number): number {
  const list = doc.byTag.get(path.tag)
  if (!list) return -1
  for (let k = lowerBound(list, start); k < list.length; k++) {
    const i = list[k]
    if (i >= end) break
    if (path.conds.length === 0 || condsHold(doc.segs[i], path.conds)) return i
  }
  return -1
}

/** Next index ≥ from whose tag is in `tags`, or `end`. */
export function nextTag(doc: SegDoc, tags: string[], from: number, end: number): number {
  let best = end
  for (const t of tags) {
    const list = doc.byTag.get(t)
    if (!list) continue
    const k = lowerBound(list, from)
    if (k < list.length && list[k] < best) best = list[k]
  }
  return best
}

/** The value a path reads from a segment: text, component array (`-*`), or the segment itself. */
export function readSeg(seg: Segment, path: SegPath): string | string[] | Segment | undefined {
  if (path.element === 0) return seg
  if (path.component === -1) {
    const el = seg.elements[path.element - 1]
    return el && el.some((c) => c !== '') ? el : undefined
  }
  const v = componentAt(seg, path.element, path.component)
  return v === '' ? undefined : v
}

/** Provenance address of a read: `PO1[3]/02`. */
export function sourceAddress(doc: SegDoc, index: number, suffix: string): string {
  return `${doc.segs[index].tag}[${doc.occ[index]}]${suffix}`
}
