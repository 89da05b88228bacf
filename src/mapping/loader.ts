/**
 * Reads maps/**\/*.yaml and maps/lookups/*.yaml from disk and resolves them (resolve.ts).
 * The only file in src/mapping that touches the filesystem; config/registry.ts calls it at boot
 * and fails fast on any error ("file: path: message").
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { resolveMaps, type MapError, type MapSource, type ResolvedMap } from './resolve.ts'
import { mapJsonSchema } from './spec.ts'

function walk(dir: string): string[] {
  const out: string[] = []
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...walk(p))
    else if (e.isFile() && e.name.endsWith('.yaml') && !e.name.startsWith('_')) out.push(p)
  }
  return out.sort()
}

/**
 * Load and resolve every map under `dir` (normally `maps/`). Never throws for bad map content.
 *
 * @example
 * const { maps, errors } = loadMaps('maps')
 * if (errors.length) for (const e of errors) console.error(`${e.file}: ${e.path}: ${e.message}`)
 */
export function loadMaps(dir: string): { maps: Map<string, ResolvedMap>; errors: MapError[] } {
  const errors: MapError[] = []
  const sources: MapSource[] = []
  const tables: Record<string, Record<string, string>> = {}
  for (const file of walk(dir)) {
    const rel = relative(dir, file).split(sep).join('/')
    let raw: unknown
    try {
      raw = parseYaml(readFileSync(file, 'utf8'))
    } catch (e) {
      errors.push({ file: rel, path: '', message: `YAML: ${(e as Error).message}` })
      continue
    }
    if (rel.startsWith('lookups/')) {
      const name = rel.slice('lookups/'.length, -'.yaml'.length)
      const ok =
        raw !== null && typeof raw === 'object' && !Array.isArray(raw) && Object.values(raw).every((v) => typeof v === 'string')
      if (ok) tables[name] = raw as Record<string, string>
      else errors.push({ file: rel, path: '', message: 'a lookup table is a flat mapping of code → text (quote numbers)' })
      continue
    }
    sources.push({ id: rel.slice(0, -'.yaml'.length), file: rel, raw })
  }
  const r = resolveMaps(sources, tables)
  return { maps: r.maps, errors: [...errors, ...r.errors] }
}

/** Write maps/_schema.json (the npm `gen:schemas` script should call this). */
export function writeMapSchema(dir: string): string {
  const file = join(dir, '_schema.json')
  writeFileSync(file, `${JSON.stringify(mapJsonSchema(), null, 2)}\n`)
  return file
}
