/**
 * The partner registry: partners/*.yaml loaded at start, validated strictly, cross-checked and
 * indexed by every identity we recognise inbound (ISA qualifier+id, GS id, UNB id, AS2 id).
 * Errors are collected, not thrown one at a time: `file: path: message` for each, so a broken
 * onboarding PR shows every problem at once.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { z } from 'zod'
import { decimalsFromNumbers } from './decimal-input.ts'
import { PartnerProfile } from './partner.ts'
import { closest, keysAt } from './suggest.ts'
import { locateText, positionAt, positionOf, splitPath, type Located } from './yaml-position.ts'

export interface ConfigError {
  file: string
  path: string
  message: string
  /** 1-based line and column in `file`, when known (see withPositions). */
  line?: number
  col?: number
}

export const formatConfigError = (e: ConfigError): string =>
  `${e.file}${e.line ? `:${e.line}:${e.col ?? 1}` : ''}: ${e.path || '(root)'}: ${e.message}`

/**
 * Fills line:column of errors that have none by finding their key path in the file (under
 * `root`; map errors may name files relative to maps/). Errors whose file cannot be read keep
 * no position. Unknown-key errors point at the key, others at the value.
 */
export function withPositions(root: string, errors: ConfigError[]): ConfigError[] {
  const files = new Map<string, Located | undefined>()
  const located = (file: string): Located | undefined => {
    if (!files.has(file)) {
      const full = [join(root, file), join(root, 'maps', file)].find((f) => existsSync(f))
      files.set(file, full ? locateText(readFileSync(full, 'utf8')) : undefined)
    }
    return files.get(file)
  }
  return errors.map((e) => {
    if (e.line) return e
    // A YAML parser message (maps) already says where: "... at line 3, column 7".
    const said = /at line (\d+), column (\d+)/.exec(e.message)
    if (said) return { ...e, message: e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''), line: Number(said[1]), col: Number(said[2]) }
    const f = located(e.file)
    if (!f) return e
    // zod's own wording for a strict object (map files): point at the key it names.
    const unrecognized = /^Unrecognized keys?: "([^"]+)"/.exec(e.message)
    const path = unrecognized ? [...splitPath(e.path), unrecognized[1]] : splitPath(e.path)
    const pos = positionOf(f, path, unrecognized || e.message.startsWith('unknown key') ? 'key' : 'value')
    return { ...e, line: pos.line, col: pos.col }
  })
}

const valueAt = (root: unknown, path: PropertyKey[]): unknown =>
  path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<PropertyKey, unknown>)[k] : undefined), root)

/** One message for a union (decimal string or number): the branch that fits the input's type. */
function unionMessage(issue: z.core.$ZodIssue, input: unknown): string {
  if (typeof input === 'number' && !Number.isFinite(input)) return 'must be a finite number'
  const branches = ((issue as { errors?: z.core.$ZodIssue[][] }).errors ?? []).flat()
  const fitting = branches.find((b) => b.code !== 'invalid_type')
  if (fitting) return fitting.message
  const expected = [...new Set(branches.map((b) => (b as { expected?: string }).expected).filter(Boolean))]
  return expected.length ? `expected ${expected.join(' or ')}, received ${input === null ? 'null' : typeof input}` : issue.message
}

export interface Registry {
  /** Directory that holds partners/, maps/, certs/. */
  root: string
  partners: Map<string, PartnerProfile>
  get(id: string): PartnerProfile | undefined
  /** ISA05/06 (or ISA07/08) → partner. The qualifier is matched when given. */
  byX12(qualifier: string | undefined, id: string): PartnerProfile | undefined
  byGs(id: string): PartnerProfile | undefined
  byEdifact(qualifier: string | undefined, id: string): PartnerProfile | undefined
  byAs2(id: string): PartnerProfile | undefined
}

const norm = (s: string) => s.trim().toUpperCase()

/**
 * Flatten zod issues into file:path: message errors, with "did you mean" for an unknown key (the
 * closest key the schema allows there) and for an enum value. `input` is the parsed YAML, for
 * the values zod does not echo.
 */
export function zodErrors(file: string, error: z.ZodError, input?: unknown, schema: z.ZodType = PartnerProfile): ConfigError[] {
  return error.issues.map((i) => {
    const keys = (i as { keys?: string[] }).keys
    const path = i.path.map(String).join('.')
    if (i.code === 'unrecognized_keys' && keys) {
      const allowed = keysAt(schema, i.path as (string | number)[]).filter((k) => !keys.includes(k))
      return keys.map((k) => {
        const hint = closest(k, allowed)
        return { file, path: path ? `${path}.${k}` : k, message: `unknown key "${k}"${hint ? `; did you mean "${hint}"?` : ''}` }
      })
    }
    const value = valueAt(input, i.path)
    if (i.code === 'invalid_value') {
      const values = ((i as { values?: unknown[] }).values ?? []).map(String)
      const hint = typeof value === 'string' || typeof value === 'number' ? closest(String(value), values) : undefined
      return [{ file, path, message: `invalid option: expected one of ${values.map((v) => JSON.stringify(v)).join('|')}${hint ? `; did you mean "${hint}"?` : ''}` }]
    }
    if (i.code === 'invalid_union') return [{ file, path, message: unionMessage(i, value) }]
    if (typeof value === 'number' && !Number.isFinite(value)) return [{ file, path, message: 'must be a finite number' }]
    return [{ file, path, message: i.message }]
  }).flat()
}

/** Parse one profile file. Returns the profile or the errors naming the file and key path. */
export function loadPartnerFile(file: string, text: string): { profile?: PartnerProfile; errors: ConfigError[] } {
  const located = locateText(text)
  const { doc } = located
  const at = (e: ConfigError): ConfigError => {
    const pos = positionOf(located, splitPath(e.path), e.message.startsWith('unknown key') ? 'key' : 'value')
    return { ...e, line: pos.line, col: pos.col }
  }
  if (doc.errors.length) {
    return {
      errors: doc.errors.map((e) => {
        const pos = positionAt(located, e.pos[0])
        return { file, path: '', message: `invalid YAML: ${e.message.split('\n')[0]}`, line: pos.line, col: pos.col }
      }),
    }
  }
  // `overPct: 5` means '5': numbers where the schema wants a decimal string become that string.
  decimalsFromNumbers(doc, PartnerProfile)
  const input: unknown = doc.toJS()
  const parsed = PartnerProfile.safeParse(input)
  if (!parsed.success) return { errors: zodErrors(file, parsed.error, input).map(at) }
  const errors: ConfigError[] = []
  const expected = basename(file).replace(/\.ya?ml$/, '')
  if (parsed.data.id !== expected) {
    errors.push(at({ file, path: 'id', message: `id "${parsed.data.id}" must equal the file name "${expected}"` }))
  }
  return { profile: parsed.data, errors }
}

export function loadRegistry(root: string): { registry: Registry; errors: ConfigError[] } {
  const dir = join(root, 'partners')
  const errors: ConfigError[] = []
  const partners = new Map<string, PartnerProfile>()
  const files = existsSync(dir)
    ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && !f.startsWith('_')).sort()
    : []
  for (const f of files) {
    const rel = join('partners', f)
    const { profile, errors: e } = loadPartnerFile(rel, readFileSync(join(dir, f), 'utf8'))
    errors.push(...e)
    if (profile && e.length === 0) partners.set(profile.id, profile)
  }
  const x12 = new Map<string, PartnerProfile>()
  const gs = new Map<string, PartnerProfile>()
  const edi = new Map<string, PartnerProfile>()
  const as2 = new Map<string, PartnerProfile>()
  const claim = (index: Map<string, PartnerProfile>, key: string, p: PartnerProfile, path: string) => {
    const other = index.get(key)
    if (other && other.id !== p.id) {
      errors.push({ file: `partners/${p.id}.yaml`, path, message: `identity ${key} is also used by partner "${other.id}"` })
    } else index.set(key, p)
  }
  for (const p of partners.values()) {
    p.identities.x12.forEach((i, n) => claim(x12, `${norm(i.qualifier)}/${norm(i.id)}`, p, `identities.x12.${n}`))
    p.identities.gs.forEach((i, n) => claim(gs, norm(i), p, `identities.gs.${n}`))
    p.identities.edifact.forEach((i, n) => claim(edi, norm(i.id), p, `identities.edifact.${n}`))
    p.identities.as2.forEach((i, n) => claim(as2, i.trim(), p, `identities.as2.${n}`))
    if (p.as2 && !existsSync(join(root, p.as2.cert))) {
      errors.push({ file: `partners/${p.id}.yaml`, path: 'as2.cert', message: `certificate file ${p.as2.cert} does not exist` })
    }
  }
  errors.splice(0, errors.length, ...withPositions(root, errors))
  const registry: Registry = {
    root,
    partners,
    get: (id) => partners.get(id),
    byX12(qualifier, id) {
      const key = norm(id)
      if (qualifier) {
        const hit = x12.get(`${norm(qualifier)}/${key}`)
        if (hit) return hit
      }
      for (const [k, p] of x12) if (k.endsWith(`/${key}`)) return p
      return undefined
    },
    byGs: (id) => gs.get(norm(id)),
    byEdifact: (_q, id) => edi.get(norm(id)),
    byAs2: (id) => as2.get(id.trim()),
  }
  return { registry, errors }
}
