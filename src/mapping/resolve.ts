/**
 * Resolves raw map documents into ResolvedMaps: follows `extends` chains (overlay.ts), validates
 * the merged result against MapSpec, checks the id against the file name and the spec's own
 * source/target, compiles paths and transforms, and hashes the resolved content. The map
 * version a document records is that hash, so a change in a base map or a lookup table shows up
 * in every map that inherits it (replay --diff relies on this).
 * Pure: loader.ts does the file reading.
 */
import { sha256, stableStringify } from '../lib/ids.ts'
import type { CanonicalKind } from '../canonical/index.ts'
import { MapSpec, parseMapId, type MessageRefT } from './spec.ts'
import { mergeMap, normalizeFields, OverlayError, requiredRules } from './overlay.ts'
import { compileIn, compileOut, type CNode, type COutItem, type Compiler, type Std } from './compile.ts'
import type { JsonPath } from './path.ts'

export interface ResolvedMap {
  id: string
  file: string
  /** Content hash (sha256 hex, 16 chars) of the merged map and the lookup tables it uses. */
  hash: string
  /** Ids from this map down to its root base map. */
  chain: string[]
  direction: 'in' | 'out'
  /** The EDI/JSON side: source of an inbound map, target of an outbound one. */
  message: MessageRefT
  kind: CanonicalKind
  partner?: string
  spec: MapSpec
  lookups: Record<string, Record<string, string>>
  in?: { fields: CNode[]; split?: JsonPath }
  out?: COutItem[]
}

export interface MapSource {
  id: string
  file: string
  raw: unknown
}

export interface MapError {
  file: string
  path: string
  message: string
}

type Raw = Record<string, unknown>
const isObj = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v)

/**
 * Resolve every map. `tables` are the shared lookup tables (maps/lookups/<name>.yaml).
 * Never throws on bad input: each problem is one MapError naming file and path.
 */
export function resolveMaps(
  sources: MapSource[],
  tables: Record<string, Record<string, string>> = {}
): { maps: Map<string, ResolvedMap>; errors: MapError[] } {
  const byId = new Map(sources.map((s) => [s.id, s]))
  const errors: MapError[] = []
  const merged = new Map<string, { raw: Raw; chain: string[]; origin: Map<string, string> } | null>()

  const merge = (id: string, stack: string[]): { raw: Raw; chain: string[]; origin: Map<string, string> } | null => {
    if (merged.has(id)) return merged.get(id)!
    const src = byId.get(id)!
    const fail = (path: string, message: string) => {
      errors.push({ file: src.file, path, message })
      merged.set(id, null)
      return null
    }
    if (!isObj(src.raw)) return fail('', 'a map must be a YAML mapping')
    const base = src.raw.extends
    if (base === undefined) {
      const origin = new Map<string, string>()
      try {
        for (const [p, r] of requiredRules(normalizeFields(src.raw.fields ?? {}))) if (r) origin.set(p, id)
      } catch (e) {
        if (e instanceof OverlayError) return fail(e.path, e.message)
        throw e
      }
      const r = { raw: src.raw, chain: [id], origin }
      merged.set(id, r)
      return r
    }
    if (typeof base !== 'string') return fail('extends', 'must be a map id')
    if (!byId.has(base)) return fail('extends', `unknown base map "${base}"`)
    if (stack.includes(base)) return fail('extends', `extends cycle: ${[...stack, id, base].join(' → ')}`)
    const b = merge(base, [...stack, id])
    if (!b) return fail('extends', `base map "${base}" has errors`)
    try {
      const raw = mergeMap(b.raw, src.raw)
      const origin = new Map(b.origin)
      if (src.raw.fields !== undefined)
        for (const [p, r] of requiredRules(normalizeFields(src.raw.fields))) r ? origin.set(p, id) : origin.delete(p)
      const r = { raw, chain: [id, ...b.chain], origin }
      merged.set(id, r)
      return r
    } catch (e) {
      if (e instanceof OverlayError) return fail(e.path, e.message)
      throw e
    }
  }

  const maps = new Map<string, ResolvedMap>()
  for (const src of sources) {
    const m = merge(src.id, [])
    if (!m) continue
    const before = errors.length
    const err = (path: string, message: string) => errors.push({ file: src.file, path, message })
    const parsedId = parseMapId(src.id)
    if (!parsedId) {
      err('', `file name must be <standard>-<version>/<docType>.<in|out>[@<partner>].yaml, got "${src.id}"`)
      continue
    }
    const { $schema: _s, ...content } = m.raw
    void _s
    if (isObj(content) && 'fields' in content) content.fields = normalizeFields(content.fields)
    const parsed = MapSpec.safeParse({ ...content, id: src.id, extends: undefined })
    if (!parsed.success) {
      for (const i of parsed.error.issues) err(i.path.join('.'), i.message)
      continue
    }
    const spec = parsed.data
    if (isObj(src.raw) && typeof src.raw.id === 'string' && src.raw.id !== src.id)
      err('id', `id "${src.raw.id}" does not match the file name (${src.id})`)
    const message = spec.direction === 'in' ? spec.source : spec.target
    const kind = spec.direction === 'in' ? spec.target : spec.source
    if (spec.direction !== parsedId.direction) err('direction', `file name says ${parsedId.direction}, map says ${spec.direction}`)
    for (const k of ['standard', 'version', 'docType'] as const)
      if (message[k] !== parsedId[k])
        err(`${spec.direction === 'in' ? 'source' : 'target'}.${k}`, `"${message[k]}" does not match the file name (${parsedId[k]})`)

    // lookups: inline tables, or names of shared tables; shared tables are always visible too
    const lookups: Record<string, Record<string, string>> = { ...tables }
    for (const [name, t] of Object.entries(spec.lookups ?? {})) {
      if (typeof t === 'string') {
        if (tables[t]) lookups[name] = tables[t]
        else err(`lookups.${name}`, `unknown lookup table file maps/lookups/${t}.yaml`)
      } else lookups[name] = t
    }
    const c: Compiler = { std: message.standard as Std, lookups, issues: [], ruleOrigin: m.origin, mapId: src.id }
    const compiledIn = spec.direction === 'in' ? compileIn(c, spec) : undefined
    const compiledOut = spec.direction === 'out' ? compileOut(c, spec) : undefined
    for (const i of c.issues) err(i.path, i.message)
    if (errors.length > before) continue
    const usedTables = Object.fromEntries(
      Object.entries(lookups).filter(([k]) => stableStringify(spec).includes(JSON.stringify(k)))
    )
    maps.set(src.id, {
      id: src.id,
      file: src.file,
      hash: sha256(stableStringify({ spec, lookups: usedTables })).slice(0, 16),
      chain: m.chain,
      direction: spec.direction,
      message,
      kind,
      partner: parsedId.partner,
      spec,
      lookups,
      in: compiledIn,
      out: compiledOut,
    })
  }
  return { maps, errors }
}
