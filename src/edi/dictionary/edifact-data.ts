/**
 * The generated directory data (edifact-data-*.ts, written by scripts/gen-edifact-dictionary.ts)
 * compiled into the validator's shapes (edifact-dsl.ts MessageDef) once, at module load.
 * Composites are stored once per directory and referenced by id from the segments; enforced
 * code lists are attached to every simple element of that id.
 */
import { message, seg, isComposite, type ElementDef, type MessageDef, type SimpleDef } from './edifact-dsl.ts'

export interface DirectoryData {
  /** Our key for the version as UNH S009 reads (`D96A`, `D01B`; CONTRL: `D3`, `41`). */
  version: string
  /** Repository, commit, licence and paths the data was generated from. */
  source: string
  /** Composite id → components in segment notation (`1001 C an..3, 1131 C an..17`). */
  composites: Record<string, string>
  /** Segment tag → elements; a composite appears as `C002 C` (its components from `composites`). */
  segments: Record<string, string>
  /** Message type → segment table in message notation (UNH/UNT excluded). */
  messages: Record<string, string>
  /** Data element id → its code list, space separated (enforced wherever the element occurs). */
  codes: Record<string, string>
}

/** Segment notation with composites expanded, for seg(). */
function expand(d: DirectoryData, spec: string): string {
  return spec
    .split(';')
    .map((p) => {
      const m = /^\s*([A-Z]\w{3})\s+([MC])\s*$/.exec(p)
      if (!m) return p.trim()
      const comps = d.composites[m[1]]
      if (comps === undefined) throw new Error(`${d.version}: composite ${m[1]} not defined`)
      return `${m[1]} ${m[2]} [${comps}]`
    })
    .join('; ')
}

export function compileSegments(d: DirectoryData): Record<string, ElementDef[]> {
  const codes = new Map(Object.entries(d.codes).map(([id, list]) => [id, new Set(list.split(' '))]))
  const attach = (s: SimpleDef) => {
    const c = codes.get(s.ref)
    if (c !== undefined) s.codes = c
  }
  const out: Record<string, ElementDef[]> = {}
  for (const [tag, spec] of Object.entries(d.segments)) {
    const defs = seg(expand(d, spec))
    for (const e of defs) {
      if (isComposite(e)) e.components.forEach(attach)
      else attach(e)
    }
    out[tag] = defs
  }
  return out
}

/** Every message of a directory as a MessageDef (they share the directory's segment table). */
export function compileDirectory(d: DirectoryData): MessageDef[] {
  const segments = compileSegments(d)
  return Object.entries(d.messages).map(([type, table]) => message(type, d.version, table, segments))
}
