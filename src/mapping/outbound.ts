/**
 * Runs an outbound map: canonical document → the segments of one message body, ready for the
 * X12 or EDIFACT writer. The result holds the segments BETWEEN the header and trailer, exclusive:
 * no ST/SE (X12) and no UNH/UNT (EDIFACT), because control numbers and segment counts belong to
 * the writer and the envelope allocator (X12.5 §3.2 SE01 counts ST..SE; ISO 9735 UNT 0074).
 *
 * Rules that keep maps short: an element whose value is absent is left empty; trailing empty
 * components and elements are dropped (X12.6 / ISO 9735 both forbid trailing separators); a
 * segment left with no data is not written unless `always: true`.
 */
import type { CanonicalDoc } from '../canonical/index.ts'
import type { CCond, COutItem, COutSegment, COutValue, CStep } from './compile.ts'
import type { MappingIssue } from './inbound.ts'
import { evalJson, type JsonCtx, type JsonPath } from './path.ts'
import type { ResolvedMap } from './resolve.ts'
import { TransformError, type TransformCtx } from './transforms.ts'

/** A segment as the writers take it: the `Segment` shape without a source position. */
export interface OutSegmentData {
  tag: string
  elements: string[][]
}

export type OutboundResult = { ok: true; segments: OutSegmentData[] } | { ok: false; issues: MappingIssue[] }

interface OCtx {
  j: JsonCtx
  node?: { id: string; parent: string }
}

interface ORun {
  tctx: TransformCtx
  counters: Map<string, number>
  issues: MappingIssue[]
  out: OutSegmentData[]
}

function text(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  throw new TransformError(`${field} is not a scalar (add a transform)`)
}

function apply(steps: CStep[], v: unknown, run: ORun): unknown {
  for (const s of steps) {
    if (v === undefined) return undefined
    v = s.def.fn(v, s.arg, run.tctx)
  }
  return v
}

function first(ctx: OCtx, path: JsonPath): unknown {
  return evalJson(path, ctx.j)[0]?.v
}

/** First of the `from` paths with a value. */
function firstOf(ctx: OCtx, paths: JsonPath[]): unknown {
  for (const p of paths) {
    const v = first(ctx, p)
    if (v !== undefined && v !== null && v !== '') return v
  }
  return undefined
}

function value(v: COutValue, ctx: OCtx, run: ORun, where: string): string | undefined {
  if (v.node) return v.node === 'self' ? ctx.node?.id : ctx.node?.parent || undefined
  let x: unknown = v.from ? firstOf(ctx, v.from) : v.constant
  try {
    x = text(apply(v.steps, x, run), v.from?.[0]?.text ?? where)
  } catch (e) {
    if (!(e instanceof TransformError)) throw e
    run.issues.push({
      code: 'transform_failed',
      field: v.from?.[0] ? `${ctx.j.cur.p}${v.from[0].text.startsWith('$') ? '' : '.'}${v.from[0].text}` : where,
      source: where,
      transform: v.steps.map((s) => s.name).join(','),
      value: String(x),
      message: e.message,
    })
    return undefined
  }
  return (x as string | undefined) ?? v.default
}

function holds(c: CCond, ctx: OCtx): boolean {
  if (c.path.kind !== 'json') return true
  const got = evalJson(c.path, ctx.j)[0]?.v
  const v = got === undefined || got === null ? '' : Array.isArray(got) ? (got.length ? String(got.length) : '') : String(got)
  let ok = true
  if (c.exists !== undefined) ok = (v !== '') === c.exists
  if (ok && c.eq !== undefined) ok = v === c.eq
  if (ok && c.in !== undefined) ok = c.in.includes(v)
  return c.not ? !ok : ok
}

function segment(s: COutSegment, ctx: OCtx, run: ORun): void {
  const els: string[][] = []
  for (const [e, c, v] of s.elements) {
    const x = value(v, ctx, run, `${s.tag}${String(e).padStart(2, '0')}${c ? `-${c}` : ''}`)
    if (x === undefined) continue
    const el = (els[e - 1] ??= [])
    el[Math.max(c, 1) - 1] = x
  }
  if (s.pairs) {
    let k = s.pairs.at - 1
    for (const p of s.pairs.list) {
      const x = text(apply(p.steps, first(ctx, p.from), run), p.from.text)
      if (x === undefined) continue
      els[k] = [p.q]
      els[k + 1] = [x]
      k += 2
    }
  }
  // fill holes, then drop trailing empty components and elements
  for (let i = 0; i < els.length; i++) {
    const el = (els[i] ??= [''])
    for (let j = 0; j < el.length; j++) el[j] ??= ''
    while (el.length > 1 && el[el.length - 1] === '') el.pop()
  }
  while (els.length > 0 && els[els.length - 1].length === 1 && els[els.length - 1][0] === '') els.pop()
  if (els.length === 0 && !s.always) return
  run.out.push({ tag: s.tag, elements: els })
}

function items(list: COutItem[], ctx: OCtx, run: ORun): void {
  for (const it of list) {
    if (it.when && !holds(it.when, ctx)) continue
    if (it.kind === 'segment') {
      segment(it, ctx, run)
      continue
    }
    const insts = it.each ? evalJson(it.each, ctx.j).map((n) => ({ root: ctx.j.root, cur: n })) : [ctx.j]
    for (const j of insts) {
      let node = ctx.node
      if (it.node) {
        const n = (run.counters.get(it.node) ?? 0) + 1
        run.counters.set(it.node, n)
        node = { id: String(n), parent: ctx.node?.id ?? '' }
      }
      items(it.items, { j, node }, run)
    }
  }
}

/**
 * Map a canonical document to message body segments (header/trailer excluded).
 *
 * @example
 * const r = runOutbound(maps.get('x12-004010/850.out')!, po)
 * if (r.ok) bytes = writeX12(r.segments, envelope)
 */
export function runOutbound(map: ResolvedMap, doc: CanonicalDoc): OutboundResult {
  if (!map.out) throw new Error(`map ${map.id} is an inbound map`)
  if (doc.kind !== map.kind) throw new Error(`map ${map.id} writes ${map.kind}, got ${doc.kind}`)
  const root = { v: doc, p: '$' }
  const run: ORun = { tctx: { lookups: map.lookups }, counters: new Map(), issues: [], out: [] }
  items(map.out, { j: { root, cur: root } }, run)
  return run.issues.length > 0 ? { ok: false, issues: run.issues } : { ok: true, segments: run.out }
}
