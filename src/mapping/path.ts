/**
 * Source paths, parsed once at load time.
 *
 * Segment paths (X12 and EDIFACT share one grammar; positions are 1-based like the standards'
 * own element references, so `BEG/03` is BEG03 and `DTM/1-2` is DTM C507 component 2):
 *
 *   [/]TAG[cond,cond...][/E[-C|-*]]     cond = E[-C]=v1|v2|...  (`E=` matches an empty element)
 *
 *   BEG/03            N1[01=ST]/04         PO1/07-2            REF[01=IA]/02
 *   DTM[1-1=137]/1-2  DTM[1-1=137]/1-*     CPS[02=]            PO1 (the whole segment)
 *
 * A leading `/` searches from the start of the message instead of the current loop instance.
 *
 * JSON paths: `$` is the document root, `@` the current loop item (a bare `a.b` means `@.a.b`),
 * `@group` the members of a `groupBy` instance.
 *
 *   $.items[*].qty    @.shippedQuantity.amount   $.shippedItems[?itemSequenceNumber=@.itemReference]
 */

export interface SegCond {
  element: number
  /** 0 = whole first component (simple element). */
  component: number
  values: string[]
}

export interface SegPath {
  kind: 'seg'
  text: string
  absolute: boolean
  tag: string
  conds: SegCond[]
  /** 0 = the whole segment. */
  element: number
  /** 0 = first component, -1 = all components (array). */
  component: number
  /** Suffix used in provenance, e.g. `/02`, `/1-2`, `` (whole segment). */
  suffix: string
}

export type JsonStep =
  | { t: 'key'; k: string }
  | { t: 'index'; i: number }
  | { t: 'all' }
  | { t: 'filter'; key: string[]; value: string | JsonPath }

export interface JsonPath {
  kind: 'json'
  text: string
  root: '$' | '@' | '@group'
  steps: JsonStep[]
}

export type SourcePath = SegPath | JsonPath

export class PathError extends Error {}

const ELEM = /^(\d{1,3})(?:-(\d{1,2}|\*))?$/

function parseElem(s: string, text: string): { element: number; component: number } {
  const m = ELEM.exec(s)
  if (!m) throw new PathError(`bad element address "${s}" in path "${text}" (expected 03, 1-2 or 1-*)`)
  const element = Number(m[1])
  if (element < 1) throw new PathError(`element positions start at 1 in path "${text}"`)
  const component = m[2] === undefined ? 0 : m[2] === '*' ? -1 : Number(m[2])
  return { element, component }
}

/** Parse a segment path; throws PathError (the loader turns it into a file:path: message). */
export function parseSegPath(text: string): SegPath {
  const m = /^(\/)?([A-Z][A-Z0-9]{1,2})(?:\[([^\]]*)\])?(?:\/(.+))?$/.exec(text)
  if (!m) throw new PathError(`bad segment path "${text}" (expected e.g. BEG/03, N1[01=ST]/04)`)
  const conds: SegCond[] = []
  if (m[3] !== undefined) {
    for (const part of m[3].split(',')) {
      const eq = part.indexOf('=')
      if (eq < 1) throw new PathError(`bad condition "${part}" in path "${text}" (expected 01=ST)`)
      const { element, component } = parseElem(part.slice(0, eq).trim(), text)
      if (component < 0) throw new PathError(`a condition cannot use -* in path "${text}"`)
      conds.push({ element, component, values: part.slice(eq + 1).split('|') })
    }
  }
  let element = 0
  let component = 0
  if (m[4] !== undefined) ({ element, component } = parseElem(m[4], text))
  return {
    kind: 'seg',
    text,
    absolute: m[1] === '/',
    tag: m[2],
    conds,
    element,
    component,
    suffix: m[4] === undefined ? '' : `/${m[4]}`,
  }
}

/** Parse a JSON path; throws PathError. */
export function parseJsonPath(text: string): JsonPath {
  let s = text
  let root: JsonPath['root'] = '@'
  if (s.startsWith('$')) (root = '$'), (s = s.slice(1))
  else if (s.startsWith('@group')) (root = '@group'), (s = s.slice(6))
  else if (s.startsWith('@')) s = s.slice(1)
  else s = `.${s}`
  const steps: JsonStep[] = []
  let i = 0
  while (i < s.length) {
    if (s[i] === '.') {
      const m = /^\.([A-Za-z_][A-Za-z0-9_-]*)/.exec(s.slice(i))
      if (!m) throw new PathError(`bad key at "${s.slice(i)}" in JSON path "${text}"`)
      steps.push({ t: 'key', k: m[1] })
      i += m[0].length
    } else if (s[i] === '[') {
      const close = s.indexOf(']', i)
      if (close < 0) throw new PathError(`unclosed [ in JSON path "${text}"`)
      const inner = s.slice(i + 1, close)
      if (inner === '*') steps.push({ t: 'all' })
      else if (/^\d+$/.test(inner)) steps.push({ t: 'index', i: Number(inner) })
      else if (inner.startsWith('?')) {
        const eq = inner.indexOf('=')
        if (eq < 2) throw new PathError(`bad filter [${inner}] in JSON path "${text}" (expected [?key=value])`)
        const rhs = inner.slice(eq + 1).replace(/^'(.*)'$/, '$1')
        steps.push({
          t: 'filter',
          key: inner.slice(1, eq).split('.'),
          value: rhs.startsWith('@') || rhs.startsWith('$') ? parseJsonPath(rhs) : rhs,
        })
      } else throw new PathError(`bad index [${inner}] in JSON path "${text}"`)
      i = close + 1
    } else throw new PathError(`unexpected "${s[i]}" in JSON path "${text}"`)
  }
  return { kind: 'json', text, root, steps }
}

export function parsePath(text: string, standard: 'x12' | 'edifact' | 'json'): SourcePath {
  return standard === 'json' ? parseJsonPath(text) : parseSegPath(text)
}

/* ---------- JSON evaluation ---------- */

/** A JSON value with the concrete path it was read from (`$.cartons[1].sscc`), for provenance. */
export interface JNode {
  v: unknown
  p: string
}

export interface JsonCtx {
  root: JNode
  cur: JNode
  group?: JNode[]
}

/** Every node the path selects, in document order. */
export function evalJson(path: JsonPath, ctx: JsonCtx): JNode[] {
  let nodes: JNode[] =
    path.root === '$' ? [ctx.root] : path.root === '@group' ? [{ v: ctx.group ?? [], p: ctx.cur.p }] : [ctx.cur]
  let groupRoot = path.root === '@group'
  for (const step of path.steps) {
    const next: JNode[] = []
    for (const n of nodes) {
      const v = n.v
      if (step.t === 'key') {
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
          const c = (v as Record<string, unknown>)[step.k]
          if (c !== undefined && c !== null) next.push({ v: c, p: `${n.p}.${step.k}` })
        }
      } else if (!Array.isArray(v)) {
        continue
      } else if (groupRoot) {
        // @group members keep the concrete paths they had in the document
        const members = v as JNode[]
        if (step.t === 'all') next.push(...members)
        else if (step.t === 'index' && members[step.i]) next.push(members[step.i])
      } else if (step.t === 'all') {
        v.forEach((c, i) => next.push({ v: c, p: `${n.p}[${i}]` }))
      } else if (step.t === 'index') {
        if (step.i < v.length) next.push({ v: v[step.i], p: `${n.p}[${step.i}]` })
      } else {
        const want = typeof step.value === 'string' ? step.value : firstString(evalJson(step.value, ctx))
        v.forEach((c, i) => {
          let x: unknown = c
          for (const k of step.key) x = x !== null && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined
          if (x !== undefined && x !== null && String(x) === want) next.push({ v: c, p: `${n.p}[${i}]` })
        })
      }
    }
    groupRoot = false
    nodes = next
  }
  return nodes
}

function firstString(nodes: JNode[]): string | undefined {
  const v = nodes[0]?.v
  return v === undefined || v === null ? undefined : String(v)
}
