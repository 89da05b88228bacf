/**
 * The data shapes of our EDIFACT dictionaries and two tiny notations that keep them readable
 * (one line per segment, one bracket per segment group), parsed once at module load.
 *
 * Segment notation, ISO 9735 / UNTDID style: elements separated by `;`, a composite is
 * `C002 C [1001 C an..3, 1131 C an..17]`, a simple element `1004 C an..35`, an optional code list
 * `0081 M a1 {D S}`. Message notation: `BGM M1; DTM M35; [RFF C10; DTM C5]` where a bracket is a
 * segment group whose first entry is its trigger segment with the group's status and repeat.
 * Groups are numbered SG1, SG2 ... depth-first in order of appearance, as the UN segment tables do.
 */

export interface SimpleDef {
  composite?: false
  ref: string
  req: 'M' | 'C'
  /** a = alphabetic, n = numeric, an = alphanumeric. */
  type: 'a' | 'n' | 'an'
  min: number
  max: number
  codes?: ReadonlySet<string>
}

export interface CompositeDef {
  ref: string
  req: 'M' | 'C'
  components: SimpleDef[]
  composite: true
  /** Bit k set: component k (< 31) is mandatory (see closeElement in validate-raw.ts). */
  mandatory?: number
}

export type ElementDef = SimpleDef | CompositeDef
export const isComposite = (d: ElementDef): d is CompositeDef => d.composite === true

export interface SegNode {
  kind: 'seg'
  tag: string
  /** tagCode(tag): the validator compares numbers, not strings. */
  code: number
  req: 'M' | 'C'
  max: number
}

export interface GroupNode {
  kind: 'group'
  /** Trigger segment tag (children[0].tag), kept for the validator's hot loop. */
  tag: string
  code: number
  /** `SG25` */
  id: string
  req: 'M' | 'C'
  max: number
  /** children[0] is the trigger segment (M1). */
  children: StructNode[]
  /** lastMandatory index among children (-1: none); lets the validator skip "missing" scans. */
  lastM: number
}

export type StructNode = SegNode | GroupNode

export interface MessageDef {
  type: string
  /** `D96A` */
  version: string
  /** The message body between UNH and UNT. */
  children: StructNode[]
  lastM: number
  segments: Readonly<Record<string, ElementDef[]>>
  /** Same as `segments`, keyed by tagCode for the validator's per-segment lookup. */
  segmentMap: ReadonlyMap<number, ElementDef[]>
  /** Every tag that may occur somewhere in this message (for "unexpected" vs "unrecognized"). */
  tags: ReadonlySet<string>
}

function simple(spec: string): SimpleDef {
  // `1004 C an..35`, `0081 M a1 {D S}`
  const m = /^(\w+)\s+([MC])\s+(an|a|n)(\.\.)?(\d+)(?:\s*\{([^}]*)\})?$/.exec(spec.trim())
  if (!m) throw new Error(`bad element spec: ${spec}`)
  const max = Number(m[5])
  // Every SimpleDef has the same properties in the same order (codes possibly undefined), so
  // the validator's property reads see one object shape.
  return {
    composite: false,
    ref: m[1],
    req: m[2] as 'M' | 'C',
    type: m[3] as SimpleDef['type'],
    min: m[4] ? 1 : max,
    max,
    codes: m[6] ? new Set(m[6].trim().split(/\s+/)) : undefined,
  }
}

/** Parses the segment notation into element definitions. */
export function seg(spec: string): ElementDef[] {
  return spec.split(';').map((part) => {
    const p = part.trim()
    const m = /^(\w+)\s+([MC])\s+\[(.*)\]$/.exec(p)
    if (!m) return simple(p)
    const components = m[3].split(',').map(simple)
    let mandatory = 0
    for (let k = 0; k < components.length && k < 31; k++) if (components[k].req === 'M') mandatory |= 1 << k
    return { ref: m[1], req: m[2] as 'M' | 'C', components, composite: true as const, mandatory }
  })
}

/** Parses the message notation into a structure tree, numbering groups SG1.. depth-first. */
export function structure(spec: string): StructNode[] {
  let pos = 0
  let sg = 0
  const s = spec.replace(/\s+/g, ' ')
  function entry(text: string): SegNode {
    const m = /^([A-Z0-9]{3}) ([MC])(\d+)$/.exec(text.trim())
    if (!m) throw new Error(`bad structure entry: ${text}`)
    return { kind: 'seg', tag: m[1], code: tagCode(m[1]), req: m[2] as 'M' | 'C', max: Number(m[3]) }
  }
  function list(closing: string): StructNode[] {
    const out: StructNode[] = []
    let buf = ''
    const flush = () => {
      if (buf.trim()) out.push(entry(buf))
      buf = ''
    }
    while (pos < s.length) {
      const c = s[pos++]
      if (c === ';') flush()
      else if (c === '[') {
        flush()
        const id = `SG${++sg}`
        const children = list(']')
        const trig = children[0] as SegNode
        const kids: StructNode[] = [{ ...trig, req: 'M', max: 1 }, ...children.slice(1)]
        out.push({ kind: 'group', id, tag: trig.tag, code: trig.code, req: trig.req, max: trig.max, children: kids, lastM: lastMandatory(kids) })
      } else if (c === closing) {
        flush()
        return out
      } else buf += c
    }
    flush()
    return out
  }
  return list('')
}

/** Three-letter tag → 24-bit number (-1 for anything else: never a dictionary tag). */
export function tagCode(tag: string): number {
  if (tag.length !== 3) return -1
  return (tag.charCodeAt(0) << 16) | (tag.charCodeAt(1) << 8) | tag.charCodeAt(2)
}

/**
 * Dense key of a three-character tag of digits and capital letters (36^3 = 46656 keys), -1 for
 * anything else. Every dictionary tag has this shape (ISO 9735 tags are `an3` in practice), so
 * per-tag tables can be plain arrays indexed by key instead of hash lookups.
 */
export const TAG_KEYS = 46656
const A36 = new Int8Array(256).fill(-1)
for (let b = 0x30; b <= 0x39; b++) A36[b] = b - 0x30
for (let b = 0x41; b <= 0x5a; b++) A36[b] = b - 0x41 + 10

export function tagKey(tag: string): number {
  if (tag.length !== 3) return -1
  const a = A36[tag.charCodeAt(0) & 0xff]
  const b = A36[tag.charCodeAt(1) & 0xff]
  const c = A36[tag.charCodeAt(2) & 0xff]
  // charCodeAt(i) & 0xff would alias non-Latin characters onto ASCII ones: reject them.
  if (a < 0 || b < 0 || c < 0 || tag.charCodeAt(0) > 0xff || tag.charCodeAt(1) > 0xff || tag.charCodeAt(2) > 0xff) return -1
  return (a * 36 + b) * 36 + c
}

/** tagKey of the bytes buf[start, end) (same rules, no string). */
export function tagKeyBytes(buf: Uint8Array, start: number, end: number): number {
  if (end - start !== 3) return -1
  const a = A36[buf[start]]
  const b = A36[buf[start + 1]]
  const c = A36[buf[start + 2]]
  if (a < 0 || b < 0 || c < 0) return -1
  return (a * 36 + b) * 36 + c
}

export function codeMap(segments: Record<string, ElementDef[]>): Map<number, ElementDef[]> {
  return new Map(Object.entries(segments).map(([t, d]) => [tagCode(t), d]))
}

export function lastMandatory(nodes: StructNode[]): number {
  for (let k = nodes.length - 1; k >= 0; k--) if (nodes[k].req === 'M') return k
  return -1
}

export function collectTags(nodes: StructNode[], into = new Set<string>()): Set<string> {
  for (const n of nodes) {
    if (n.kind === 'seg') into.add(n.tag)
    else collectTags(n.children, into)
  }
  return into
}

export function message(type: string, version: string, spec: string, segments: Record<string, ElementDef[]>): MessageDef {
  const children = structure(spec)
  return { type, version, children, lastM: lastMandatory(children), segments, segmentMap: codeMap(segments), tags: collectTags(children) }
}
