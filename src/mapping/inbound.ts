/**
 * Runs an inbound map: one message (a transaction's Segment[] or one JSON document) → one
 * canonical document, then the canonical zod schema. Problems are data (`MappingIssue`), never
 * thrown: a missing required field names the canonical field, the source path it should have
 * come from, the loop instance, and the map rule that demanded it (often a partner overlay).
 * Every value written records its source address in `provenance.fields`.
 */
import type { ParsedTransaction, Segment } from '../edi/types.ts'
import { checkCanonical, type CanonicalDoc, type Provenance } from '../canonical/index.ts'
import type { CCond, CGroup, CLeaf, CNode } from './compile.ts'
import { evalJson, type JNode, type JsonCtx, type SourcePath } from './path.ts'
import type { ResolvedMap } from './resolve.ts'
import { indexSegments, matchAll, matchFirst, nextTag, readSeg, sourceAddress, type SegScope } from './scope.ts'
import { TransformError, type TransformCtx } from './transforms.ts'

export type MappingIssue =
  | { code: 'required_missing'; field: string; source: string; at?: string; rule: string }
  | { code: 'transform_failed'; field: string; source: string; transform: string; value: string; message: string }
  | { code: 'canonical_invalid'; field: string; source?: string; message: string }

export interface InboundMeta {
  partnerId: string
  interchangeControl?: string
  groupControl?: string
  transactionControl?: string
  test?: boolean
}

/** Segments (ST..SE or UNH..UNT), a parsed transaction, or one JSON document (see splitJson). */
export type InboundInput = Segment[] | ParsedTransaction | { json: unknown; path?: string }

export type InboundResult =
  | { ok: true; doc: CanonicalDoc; provenance: Provenance }
  | { ok: false; issues: MappingIssue[] }

interface Ctx {
  s?: SegScope
  j?: JsonCtx
  /** Address of the loop instance we are in (`PO1[3]`, `$.items[2]`), for issues. */
  at?: string
}

interface Run {
  map: ResolvedMap
  issues: MappingIssue[]
  prov: Record<string, string>
  tctx: TransformCtx
}

const sourceText = (p: SourcePath) => p.text

interface Read { v: unknown; src: string }

/** The first value a path reads in this context (a leaf's usual single source), without arrays. */
function first(path: SourcePath, ctx: Ctx): Read | undefined {
  if (path.kind !== 'seg') return raw(path, ctx, false)[0]
  const s = ctx.s!
  const i = matchFirst(s.doc, path, path.absolute ? 0 : s.start, path.absolute ? s.doc.segs.length : s.end)
  if (i < 0) return undefined
  const v = readSeg(s.doc.segs[i], path)
  return v === undefined ? undefined : { v, src: sourceAddress(s.doc, i, path.suffix) }
}

function raw(path: SourcePath, ctx: Ctx, all: boolean): Read[] {
  const out: Read[] = []
  if (path.kind === 'seg') {
    if (!all) {
      const r = first(path, ctx)
      if (r) out.push(r)
      return out
    }
    const s = ctx.s!
    const start = path.absolute ? 0 : s.start
    const end = path.absolute ? s.doc.segs.length : s.end
    for (const i of matchAll(s.doc, path, start, end)) {
      const v = readSeg(s.doc.segs[i], path)
      if (v !== undefined) out.push({ v, src: sourceAddress(s.doc, i, path.suffix) })
    }
  } else {
    const nodes = evalJson(path, ctx.j!)
    for (const n of all ? nodes : nodes.slice(0, 1)) if (n.v !== '') out.push({ v: n.v, src: n.p })
  }
  return out
}

function holds(c: CCond, ctx: Ctx): boolean {
  const r = first(c.path, ctx)
  const v = r === undefined ? '' : typeof r.v === 'string' ? r.v : Array.isArray(r.v) ? r.v.join(':') : typeof r.v === 'object' ? '[segment]' : String(r.v)
  let ok = true
  if (c.exists !== undefined) ok = (v !== '') === c.exists
  if (ok && c.eq !== undefined) ok = v === c.eq
  if (ok && c.in !== undefined) ok = c.in.includes(v)
  return c.not ? !ok : ok
}

function leaf(node: CLeaf, ctx: Ctx, out: Record<string, unknown>, prefix: string, run: Run): void {
  const field = prefix + node.name
  let value: unknown
  let src = ''
  if (node.from.length === 1 && !node.multi && !node.all) {
    // One source, its first value: most leaves.
    const r = first(node.from[0], ctx)
    if (r) {
      value = r.v
      src = r.src
    }
  } else if (node.from.length > 0) {
    const got: Read[] = []
    for (const p of node.from) for (const r of raw(p, ctx, node.all)) got.push(r)
    if (got.length > 0) {
      value = node.multi || node.all ? got.map((g) => g.v) : got[0].v
      src = got.map((g) => g.src).join(',')
    }
  } else if (node.constant !== undefined) {
    value = node.constant
    src = '(const)'
  }
  if (value !== undefined && node.steps.length > 0) {
    run.tctx.sub = undefined
    for (const step of node.steps) {
      try {
        value = step.def.fn(value, step.arg, run.tctx)
      } catch (e) {
        if (!(e instanceof TransformError)) throw e
        run.issues.push({ code: 'transform_failed', field, source: src, transform: step.name, value: show(value), message: e.message })
        return
      }
      if (value === undefined || value === '') break
    }
    if (run.tctx.sub) src += run.tctx.sub
  }
  if (value === '' || (Array.isArray(value) && value.length === 0)) value = undefined
  if (value === undefined && node.default !== undefined) {
    value = node.default
    src = '(default)'
  }
  if (value === undefined) {
    if (node.required) {
      run.issues.push({ code: 'required_missing', field, source: node.from.map(sourceText).join(',') || '(none)', at: ctx.at, rule: node.rule! })
    }
    return
  }
  out[node.name] = value
  run.prov[field] = src
}

function show(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v)
  return s.length > 60 ? `${s.slice(0, 57)}...` : s
}

/** The loop instances of a group, each as a child context. */
function instances(g: CGroup, ctx: Ctx): Ctx[] {
  const p = g.each!
  const out: Ctx[] = []
  if (p.kind === 'json') {
    const nodes = evalJson(p, ctx.j!)
    if (!g.groupBy) {
      for (const n of nodes) out.push({ j: { root: ctx.j!.root, cur: n }, at: n.p })
      return out
    }
    const groups = new Map<string, JNode[]>()
    for (const n of nodes) {
      const k = evalJson(g.groupBy, { root: ctx.j!.root, cur: n })[0]
      const key = k === undefined ? '' : String(k.v)
      const list = groups.get(key)
      if (list) list.push(n)
      else groups.set(key, [n])
    }
    for (const members of groups.values()) out.push({ j: { root: ctx.j!.root, cur: members[0], group: members }, at: members[0].p })
    return out
  }
  const s = ctx.s!
  const doc = s.doc
  const tree = g.tree
  const linked = tree !== undefined && s.node !== undefined
  const start = p.absolute ? 0 : linked ? s.treeStart! : s.start
  const end = p.absolute ? doc.segs.length : linked ? s.treeEnd! : s.end
  let idx = matchAll(doc, p, start, end)
  let loopEnd = end
  if (g.until && idx.length > 0) {
    // the loop ends at the first `until` tag after its first instance (header N1 loop before PO1)
    loopEnd = nextTag(doc, g.until, idx[0] + 1, end)
    idx = idx.filter((i) => i < loopEnd)
  }
  const tagOnly = [p.tag]
  for (const i of idx) {
    const seg = doc.segs[i]
    if (linked && (readSeg(seg, tree.parent) ?? '') !== s.node) continue
    let e = nextTag(doc, tagOnly, i + 1, loopEnd)
    if (g.members) {
      let j = i + 1
      while (j < e && g.members.has(doc.segs[j].tag)) j++
      e = j
    }
    const child: SegScope = { doc, start: i, end: e }
    if (tree) {
      child.node = String(readSeg(seg, tree.id) ?? '')
      child.treeStart = linked ? s.treeStart : start
      child.treeEnd = linked ? s.treeEnd : end
    }
    out.push({ s: child, at: sourceAddress(doc, i, '') })
  }
  return out
}

function fields(nodes: CNode[], ctx: Ctx, out: Record<string, unknown>, prefix: string, run: Run): void {
  for (const node of nodes) {
    if (node.when && !holds(node.when, ctx)) continue
    if (node.kind === 'leaf') {
      leaf(node, ctx, out, prefix, run)
      continue
    }
    const field = prefix + node.name
    if (!node.each) {
      const prev = out[node.name]
      const obj = (prev !== null && typeof prev === 'object' && !Array.isArray(prev) ? prev : {}) as Record<string, unknown>
      fields(node.children, ctx, obj, `${field}.`, run)
      if (Object.keys(obj).length > 0) out[node.name] = obj
      else if (node.required) run.issues.push({ code: 'required_missing', field, source: '(group)', at: ctx.at, rule: node.rule! })
      continue
    }
    // `key#label` loops append to the array an earlier loop started
    const prev = out[node.name]
    const arr = (Array.isArray(prev) ? prev : []) as Record<string, unknown>[]
    const before = arr.length
    for (const inst of instances(node, ctx)) {
      const obj: Record<string, unknown> = {}
      fields(node.children, inst, obj, `${field}.${arr.length}.`, run)
      arr.push(obj)
    }
    if (arr.length > 0) out[node.name] = arr
    if (arr.length === before && node.required)
      run.issues.push({ code: 'required_missing', field, source: sourceText(node.each), at: ctx.at, rule: node.rule! })
  }
}

/** The documents inside a JSON payload, per the map's `split` path (the payload itself if none). */
export function splitJson(map: ResolvedMap, payload: unknown): { json: unknown; path: string }[] {
  const split = map.in?.split
  if (!split) return [{ json: payload, path: '$' }]
  const root = { v: payload, p: '$' }
  return evalJson(split, { root, cur: root }).map((n) => ({ json: n.v, path: n.p }))
}

/**
 * Map one message to its canonical document.
 *
 * @example
 * const r = runInbound(maps.get('x12-004010/850.in')!, tx, { partnerId: 'acme' })
 * if (r.ok) save(r.doc) else openException({ code: 'canonical_invalid', issues: r.issues })
 */
export function runInbound(map: ResolvedMap, input: InboundInput, meta: InboundMeta): InboundResult {
  if (!map.in) throw new Error(`map ${map.id} is an outbound map`)
  const run: Run = { map, issues: [], prov: {}, tctx: { lookups: map.lookups } }
  let ctx: Ctx
  if (Array.isArray(input) || 'segments' in input) {
    if (map.message.standard === 'json') throw new Error(`map ${map.id} reads JSON, got segments`)
    const segs = Array.isArray(input) ? input : input.segments
    ctx = { s: { doc: indexSegments(segs), start: 0, end: segs.length } }
  } else {
    if (map.message.standard !== 'json') throw new Error(`map ${map.id} reads segments, got JSON`)
    const root = { v: input.json, p: input.path ?? '$' }
    ctx = { j: { root, cur: root } }
  }
  const body: Record<string, unknown> = { kind: map.kind }
  fields(map.in.fields, ctx, body, '', run)
  const tx = !Array.isArray(input) && 'segments' in input ? input : undefined
  const provenance: Provenance = {
    partnerId: meta.partnerId,
    standard: map.message.standard,
    version: map.message.version,
    docType: map.message.docType,
    interchangeControl: meta.interchangeControl,
    groupControl: meta.groupControl,
    transactionControl: meta.transactionControl ?? tx?.controlNumber,
    test: meta.test ?? false,
    map: { id: map.id, hash: map.hash },
    fields: run.prov,
  }
  for (const k of ['interchangeControl', 'groupControl', 'transactionControl'] as const)
    if (!provenance[k]) delete provenance[k] // EDIFACT without UNG has no group reference
  if (run.issues.length > 0) return { ok: false, issues: run.issues }
  // The schema checks what the map produced. Field provenance is ours (each value's source
  // address, a string by construction), about half of a document's bytes and of the check's
  // time: it is checked empty and attached to the checked document after.
  body.provenance = { ...provenance, fields: {} }
  const parsed = checkCanonical(map.kind, body)
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((i) => {
        const field = i.path.join('.')
        return { code: 'canonical_invalid', field, source: run.prov[field], message: i.message }
      }),
    }
  }
  const doc = parsed.data as CanonicalDoc
  doc.provenance.fields = run.prov
  return { ok: true, doc, provenance: doc.provenance }
}

