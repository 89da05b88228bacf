/**
 * The partner registry: partners/*.yaml loaded at start, validated strictly, cross-checked and
 * indexed by every identity we recognise inbound (ISA qualifier+id, GS id, UNB id, AS2 id).
 * Errors are collected, not thrown one at a time: `file: path: message` for each, so a broken
 * onboarding PR shows every problem at once.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { parseDocument } from 'yaml'
import type { z } from 'zod'
import { PartnerProfile } from './partner.ts'

export interface ConfigError {
  file: string
  path: string
  message: string
}

export const formatConfigError = (e: ConfigError): string => `${e.file}: ${e.path || '(root)'}: ${e.message}`

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

/** Flatten zod issues into file:path: message errors. */
export function zodErrors(file: string, error: z.ZodError): ConfigError[] {
  return error.issues.map((i) => {
    const keys = (i as { keys?: string[] }).keys
    const path = i.path.map(String).join('.')
    if (i.code === 'unrecognized_keys' && keys) {
      return keys.map((k) => ({ file, path: path ? `${path}.${k}` : k, message: `unknown key "${k}"` }))
    }
    return [{ file, path, message: i.message }]
  }).flat()
}

/** Parse one profile file. Returns the profile or the errors naming the file and key path. */
export function loadPartnerFile(file: string, text: string): { profile?: PartnerProfile; errors: ConfigError[] } {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true })
  if (doc.errors.length) {
    return { errors: doc.errors.map((e) => ({ file, path: '', message: `invalid YAML: ${e.message.split('\n')[0]}` })) }
  }
  const parsed = PartnerProfile.safeParse(doc.toJS())
  if (!parsed.success) return { errors: zodErrors(file, parsed.error) }
  const errors: ConfigError[] = []
  const expected = basename(file).replace(/\.ya?ml$/, '')
  if (parsed.data.id !== expected) {
    errors.push({ file, path: 'id', message: `id "${parsed.data.id}" must equal the file name "${expected}"` })
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
