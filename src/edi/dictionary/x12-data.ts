/**
 * The compact format of the generated X12 dictionaries (generated/x12-<version>.ts, written by
 * scripts/gen-x12-dictionary.ts) and its compilation, at module load, into the shapes the
 * validator walks (X12SegmentDef, X12StructureNode). The validator never sees this format.
 */
import { parseRule, type X12ElementDef, type X12ElementType, type X12SegmentDef, type X12StructureNode, type X12Usage } from './x12-types.ts'

/** `[type, min, max]` of a simple element (X12.3). */
export type X12ElementData = [string, number, number]

/**
 * Set structure: a segment `[tag, usage, max]` or a loop `[id, usage, max, children]` whose
 * first child is its trigger segment.
 */
export type X12NodeData = [string, 'M' | 'O', number] | [string, 'M' | 'O', number, X12NodeData[]]

export interface X12DictionaryData {
  version: string
  /** Element reference (or `ref@max` for a version-local length) → [type, min, max]. */
  elements: Record<string, X12ElementData>
  /** Composite id → component uses (`'M 355'`, `'O - AN 1 30'`). */
  composites: Record<string, string[]>
  /** Segment tag → element uses (`'M 353'`, `'X C001'`, `'O C998 *10'`) and syntax notes. */
  segments: Record<string, { e: string[]; r?: string[] }>
  sets: Record<string, { name: string; body: X12NodeData[] }>
  /** Element reference → space-separated code list, for the elements whose codes we check. */
  codes: Record<string, string>
}

const TYPES = new Set(['AN', 'ID', 'R', 'DT', 'TM', 'N0', 'N1', 'N2', 'N3', 'N4', 'N5', 'N6', 'N7', 'N8', 'N9'])

/** Compiles one dictionary: segment definitions (shared by every set of the version) and set bodies. */
export function compileX12Dictionary(data: X12DictionaryData): { segments: Record<string, X12SegmentDef>; sets: Record<string, { name: string; body: X12StructureNode[] }> } {
  const codeSets = new Map<string, ReadonlySet<string>>()
  const codesOf = (ref: string): ReadonlySet<string> | undefined => {
    const list = data.codes[ref]
    if (list === undefined) return undefined
    let s = codeSets.get(ref)
    if (!s) codeSets.set(ref, (s = new Set(list.split(' '))))
    return s
  }
  const simple = new Map<string, X12ElementDef>()
  const element = (use: string): X12ElementDef => {
    let d = simple.get(use)
    if (d) return d
    const parts = use.split(' ')
    const usage = parts[0] as X12Usage
    const rep = parts.find((p) => p.startsWith('*'))
    const repeat = rep ? Number(rep.slice(1)) : 1
    const comps = Object.hasOwn(data.composites, parts[1]) ? data.composites[parts[1]] : undefined
    if (comps !== undefined) {
      d = { ref: parts[1], usage, type: 'C', min: 0, max: 0, components: comps.map(element), repeat }
    } else if (parts[1] === '-') {
      d = { ref: '', usage, type: typeOf(parts[2]), min: Number(parts[3]), max: Number(parts[4]), repeat }
    } else {
      const e = data.elements[parts[1]]
      if (!e) throw new Error(`x12 ${data.version}: unknown element ${parts[1]}`)
      const ref = parts[1].split('@')[0]
      const codes = codesOf(ref)
      d = { ref, usage, type: typeOf(e[0]), min: e[1], max: e[2], ...(codes ? { codes } : {}), repeat }
    }
    simple.set(use, d)
    return d
  }
  const segments: Record<string, X12SegmentDef> = {}
  for (const [tag, s] of Object.entries(data.segments)) {
    segments[tag] = { tag, name: tag, elements: s.e.map(element), rules: (s.r ?? []).map(parseRule) }
  }
  const node = (n: X12NodeData): X12StructureNode =>
    n.length === 4 ? { kind: 'loop', id: n[0], usage: n[1], max: n[2], children: n[3].map(node) } : { kind: 'segment', tag: n[0], usage: n[1], max: n[2] }
  const sets: Record<string, { name: string; body: X12StructureNode[] }> = {}
  for (const [id, s] of Object.entries(data.sets)) sets[id] = { name: s.name, body: s.body.map(node) }
  return { segments, sets }
}

function typeOf(t: string): X12ElementType {
  if (!TYPES.has(t)) throw new Error(`x12: unknown element type ${t}`)
  return t as X12ElementType
}
