/**
 * Shapes of the X12 dictionaries (data, not code) and the tiny text DSL they are written in.
 * The DSL keeps the segment tables close to how implementation guides print them:
 * `'M ID 2/2 353'` = usage, type, min/max length, data element reference number.
 */

/** X12.6 requirement designators: Mandatory, Optional, conditional (X, governed by syntax notes). */
export type X12Usage = 'M' | 'O' | 'X'

/** X12.6 simple data element types; `C` marks a composite (components in `components`). */
export type X12ElementType = 'AN' | 'ID' | 'N0' | 'N1' | 'N2' | 'N3' | 'N4' | 'N5' | 'N6' | 'N7' | 'N8' | 'N9' | 'R' | 'DT' | 'TM' | 'C'

export interface X12ElementDef {
  ref: string
  usage: X12Usage
  type: X12ElementType
  min: number
  max: number
  /** Allowed values when we rely on the code list; absent = any value of the right length. */
  codes?: ReadonlySet<string>
  components?: readonly X12ElementDef[]
  /** Maximum repetitions (5010 ISA11); 1 = not repeatable. */
  repeat: number
}

/** X12.6 syntax notes: P paired, R required, E exclusion, C conditional, L list conditional. */
export interface X12SyntaxRule {
  kind: 'P' | 'R' | 'E' | 'C' | 'L'
  /** 1-based element positions, as written in the note (`P0607` → [6, 7]). */
  positions: readonly number[]
}

export interface X12SegmentDef {
  tag: string
  name: string
  elements: readonly X12ElementDef[]
  rules: readonly X12SyntaxRule[]
}

export interface X12SegmentUse {
  kind: 'segment'
  tag: string
  usage: 'M' | 'O'
  max: number
}

/** A loop: its first child is the trigger segment that starts each iteration (X12.6 §3.6). */
export interface X12LoopUse {
  kind: 'loop'
  id: string
  usage: 'M' | 'O'
  max: number
  children: readonly X12StructureNode[]
}

export type X12StructureNode = X12SegmentUse | X12LoopUse

export interface X12TransactionDef {
  /** ST01, e.g. `850`. */
  id: string
  /** Dictionary version key: `004010` or `005010`. */
  version: string
  /** GS01 that normally carries this set. */
  functionalId: string
  name: string
  /** Structure between ST and SE (both excluded: the envelope checks them). */
  body: readonly X12StructureNode[]
  segments: Readonly<Record<string, X12SegmentDef>>
}

const UNBOUNDED = 999_999

/** `'M ID 2/2 353'`, `'X C001'` (composite by id), `'O AN 1/35 352 *10'` (repeat 10). */
export function parseElementSpec(
  spec: string,
  composites: Readonly<Record<string, readonly X12ElementDef[]>>
): X12ElementDef {
  const parts = spec.trim().split(/\s+/)
  const usage = parts[0] as X12Usage
  const rep = parts.find((p) => p.startsWith('*'))
  const repeat = rep ? (rep === '*' ? UNBOUNDED : Number(rep.slice(1))) : 1
  if (/^C\d{3}$/.test(parts[1])) {
    const components = composites[parts[1]]
    if (!components) throw new Error(`unknown composite ${parts[1]}`)
    return { ref: parts[1], usage, type: 'C', min: 0, max: 0, components, repeat }
  }
  const [min, max] = parts[2].split('/').map(Number)
  return { ref: parts[3] ?? '', usage, type: parts[1] as X12ElementType, min, max, repeat }
}

/** `'P0607'` → { kind: 'P', positions: [6, 7] }. */
export function parseRule(note: string): X12SyntaxRule {
  const positions: number[] = []
  for (let i = 1; i < note.length; i += 2) positions.push(Number(note.slice(i, i + 2)))
  return { kind: note[0] as X12SyntaxRule['kind'], positions }
}

export interface SegmentSpec {
  name: string
  /** Comma-separated element specs. */
  elements: string
  /** Space-separated syntax notes (`P0304 R0203`). */
  rules?: string
  /** 1-based element position → space-separated code list. */
  codes?: Record<number, string>
}

export function compileSegment(
  tag: string,
  spec: SegmentSpec,
  composites: Readonly<Record<string, readonly X12ElementDef[]>>
): X12SegmentDef {
  const elements = spec.elements
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((s) => parseElementSpec(s, composites))
  for (const [pos, list] of Object.entries(spec.codes ?? {})) {
    const el = elements[Number(pos) - 1]
    elements[Number(pos) - 1] = { ...el, codes: new Set(list.split(/\s+/)) }
  }
  const rules = (spec.rules ?? '').split(/\s+/).filter(Boolean).map(parseRule)
  return { tag, name: spec.name, elements, rules }
}

/** `n` qualifier/identifier pairs, as in PO106..PO125, LIN, IT1, SLN, ACK. */
export function pairs(n: number, qualifier = 'X ID 2/2 235', value = 'X AN 1/48 234'): string {
  return Array.from({ length: n }, () => `${qualifier}, ${value}`).join(', ')
}

/** Structure builders: `s('BEG', 'M')`, `loop('PO1', 'M', 100000, [...])`. */
export function s(tag: string, usage: 'M' | 'O' = 'O', max = 1): X12SegmentUse {
  return { kind: 'segment', tag, usage, max }
}

export function loop(
  id: string,
  usage: 'M' | 'O',
  max: number,
  children: readonly X12StructureNode[]
): X12LoopUse {
  return { kind: 'loop', id, usage, max, children }
}

export const MANY = UNBOUNDED
