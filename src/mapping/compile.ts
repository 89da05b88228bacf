/**
 * Compiles a validated MapSpec into the form the engines run: every path parsed once, every
 * transform bound to its function with a checked argument, every `required` tagged with the map
 * that declared it (so an issue can name the partner's rule). Load-time problems are collected,
 * not thrown, as `{ path, message }` with the field path inside the file.
 */
import type { Condition, InMapSpec, Leaf, OutMapSpec, OutItemT, OutValue, TransformStep, GroupT, FieldNodeT } from './spec.ts'
import { parsePath, PathError, type JsonPath, type SegPath, type SourcePath } from './path.ts'
import { TRANSFORMS, type TransformDef } from './transforms.ts'
import { isGroupNode } from './overlay.ts'

export type Std = 'x12' | 'edifact' | 'json'

export interface CStep {
  name: string
  def: TransformDef
  arg: unknown
}

export interface CCond {
  path: SourcePath
  eq?: string
  in?: string[]
  exists?: boolean
  not: boolean
}

export interface CLeaf {
  kind: 'leaf'
  name: string
  field: string
  from: SourcePath[]
  multi: boolean
  all: boolean
  constant?: unknown
  steps: CStep[]
  default?: unknown
  required: boolean
  rule?: string
  when?: CCond
}

export interface CGroup {
  kind: 'group'
  name: string
  field: string
  each?: SourcePath
  until?: string[]
  members?: Set<string>
  tree?: { id: SegPath; parent: SegPath }
  groupBy?: JsonPath
  required: boolean
  rule?: string
  when?: CCond
  children: CNode[]
}

export type CNode = CLeaf | CGroup

export interface CompileIssue {
  path: string
  message: string
}

export interface Compiler {
  std: Std
  lookups: Record<string, unknown>
  issues: CompileIssue[]
  /** field path → id of the map whose `required` rule applies. */
  ruleOrigin: Map<string, string>
  mapId: string
}

function path(c: Compiler, text: string, at: string, std: Std = c.std): SourcePath | undefined {
  try {
    return parsePath(text, std)
  } catch (e) {
    if (e instanceof PathError) c.issues.push({ path: at, message: e.message })
    else throw e
    return undefined
  }
}

export function compileSteps(c: Compiler, t: TransformStep | TransformStep[] | undefined, arg: unknown, at: string): CStep[] {
  if (t === undefined) return []
  const list = Array.isArray(t) ? t : [t]
  const steps: CStep[] = []
  for (const s of list) {
    const name = typeof s === 'string' ? s : s.name
    const a = typeof s === 'string' ? (list.length === 1 ? arg : undefined) : s.arg
    const def = TRANSFORMS[name]
    if (!def) {
      c.issues.push({ path: `${at}.transform`, message: `unknown transform "${name}" (known: ${Object.keys(TRANSFORMS).join(', ')})` })
      continue
    }
    const bad = def.check?.(a, c.lookups)
    if (bad) c.issues.push({ path: `${at}.transform`, message: `${name}: ${bad}` })
    steps.push({ name, def, arg: a })
  }
  return steps
}

export function compileCond(c: Compiler, w: Condition | undefined, at: string, std?: Std): CCond | undefined {
  if (!w) return undefined
  const p = path(c, w.path, `${at}.when.path`, std)
  return p && { path: p, eq: w.eq, in: w.in, exists: w.exists, not: w.not ?? false }
}

function compileLeaf(c: Compiler, name: string, field: string, spec: string | Leaf, at: string): CLeaf {
  const l: Leaf = typeof spec === 'string' ? { from: spec } : spec
  const froms = l.from === undefined ? [] : Array.isArray(l.from) ? l.from : [l.from]
  if (froms.length === 0 && l.const === undefined && l.default === undefined)
    c.issues.push({ path: at, message: 'a field needs `from`, `const` or `default`' })
  return {
    kind: 'leaf',
    name,
    field,
    from: froms.map((f, i) => path(c, f, `${at}.from${Array.isArray(l.from) ? `.${i}` : ''}`)).filter((p) => p !== undefined),
    multi: Array.isArray(l.from),
    all: l.all ?? false,
    constant: l.const,
    steps: compileSteps(c, l.transform, l.arg, at),
    default: l.default,
    required: l.required ?? false,
    rule: l.required ? `${c.ruleOrigin.get(field) ?? c.mapId}: ${field}.required` : undefined,
    when: compileCond(c, l.when, at),
  }
}

function compileGroup(c: Compiler, name: string, field: string, g: GroupT, at: string): CGroup {
  const segOnly = (key: string) => {
    if (c.std === 'json') c.issues.push({ path: `${at}.${key}`, message: `${key} applies to segment maps only` })
  }
  let tree: CGroup['tree']
  if (g.tree) {
    segOnly('tree')
    const id = path(c, g.tree.id, `${at}.tree.id`)
    const parent = path(c, g.tree.parent, `${at}.tree.parent`)
    if (id?.kind === 'seg' && parent?.kind === 'seg') tree = { id, parent }
  }
  if (g.until) segOnly('until')
  if (g.members) segOnly('members')
  let groupBy: JsonPath | undefined
  if (g.groupBy) {
    if (c.std !== 'json') c.issues.push({ path: `${at}.groupBy`, message: 'groupBy applies to JSON maps only' })
    else groupBy = path(c, g.groupBy, `${at}.groupBy`) as JsonPath | undefined
  }
  return {
    kind: 'group',
    name,
    field,
    each: g.each === undefined ? undefined : path(c, g.each, `${at}.each`),
    until: g.until,
    members: g.members ? new Set(g.members) : undefined,
    tree,
    groupBy,
    required: g.required ?? false,
    rule: g.required ? `${c.ruleOrigin.get(field) ?? c.mapId}: ${field}.required` : undefined,
    when: compileCond(c, g.when, at),
    children: compileFields(c, g.fields, `${field}.`, `${at}.fields`),
  }
}

/**
 * `key#label` writes to `key`: several loops can feed one canonical array (SP-API
 * sellingParty / shipFromParty / shipToParty → parties), each with its own constant role.
 */
export function compileFields(c: Compiler, fields: Record<string, FieldNodeT>, prefix: string, at: string): CNode[] {
  return Object.entries(fields).map(([key, spec]) => {
    const name = key.split('#')[0]
    return isGroupNode(spec)
      ? compileGroup(c, name, prefix + key, spec as GroupT, `${at}.${key}`)
      : compileLeaf(c, name, prefix + key, spec as string | Leaf, `${at}.${key}`)
  })
}

export function compileIn(c: Compiler, spec: InMapSpec): { fields: CNode[]; split?: JsonPath } {
  let split: JsonPath | undefined
  if (spec.split !== undefined) {
    if (c.std !== 'json') c.issues.push({ path: 'split', message: 'split applies to JSON maps only' })
    else split = path(c, spec.split, 'split') as JsonPath | undefined
  }
  return { fields: compileFields(c, spec.fields, '', 'fields'), split }
}

/* ---------- outbound ---------- */

export interface COutValue {
  from?: JsonPath[]
  constant?: string
  steps: CStep[]
  default?: string
  node?: 'self' | 'parent'
}

export interface COutSegment {
  kind: 'segment'
  tag: string
  /** [element (1-based), component (1-based, 0 = simple), value] */
  elements: [number, number, COutValue][]
  pairs?: { at: number; list: { q: string; from: JsonPath; steps: CStep[] }[] }
  when?: CCond
  always: boolean
}

export interface COutGroup {
  kind: 'group'
  each?: JsonPath
  node?: string
  when?: CCond
  items: COutItem[]
}
export type COutItem = COutSegment | COutGroup

function outValue(c: Compiler, v: OutValue, at: string): COutValue {
  if (typeof v === 'string') return { constant: v, steps: [] }
  return {
    from:
      v.from === undefined
        ? undefined
        : (Array.isArray(v.from) ? v.from : [v.from])
            .map((f, i) => path(c, f, `${at}.from${Array.isArray(v.from) ? `.${i}` : ''}`, 'json') as JsonPath)
            .filter((p) => p !== undefined),
    constant: v.const,
    steps: compileSteps(c, v.transform, v.arg, at),
    default: v.default,
    node: v.node,
  }
}

function outItems(c: Compiler, items: OutItemT[], at: string): COutItem[] {
  return items.map((it, n): COutItem => {
    const here = `${at}.${n}`
    if ('segments' in it) {
      return {
        kind: 'group',
        each: it.each === undefined ? undefined : (path(c, it.each, `${here}.each`, 'json') as JsonPath | undefined),
        node: it.node,
        when: compileCond(c, it.when, here, 'json'),
        items: outItems(c, it.segments, `${here}.segments`),
      }
    }
    const elements: COutSegment['elements'] = []
    for (const [addr, v] of Object.entries(it.elements)) {
      const m = /^(\d{1,3})(?:-(\d{1,2}))?$/.exec(addr)
      if (!m || Number(m[1]) < 1) {
        c.issues.push({ path: `${here}.elements.${addr}`, message: `bad element address "${addr}" (expected 3, 03 or 1-2)` })
        continue
      }
      elements.push([Number(m[1]), m[2] ? Number(m[2]) : 0, outValue(c, v, `${here}.elements.${addr}`)])
    }
    let pairs: COutSegment['pairs']
    if (it.pairs) {
      pairs = {
        at: Number(it.pairs.at),
        list: it.pairs.list.map((p, i) => ({
          q: p.q,
          from: path(c, p.from, `${here}.pairs.list.${i}.from`, 'json') as JsonPath,
          steps: compileSteps(c, p.transform, undefined, `${here}.pairs.list.${i}`),
        })),
      }
    }
    return { kind: 'segment', tag: it.tag, elements, pairs, when: compileCond(c, it.when, here, 'json'), always: it.always ?? false }
  })
}

export function compileOut(c: Compiler, spec: OutMapSpec): COutItem[] {
  return outItems(c, spec.segments, 'segments')
}
