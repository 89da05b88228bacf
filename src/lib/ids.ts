import { createHash, randomUUID } from 'node:crypto'

/** Time-ordered, URL-safe ids (`msg_01J...`-like): sortable in listings and logs. */
export function newId(prefix: string): string {
  const t = Date.now().toString(36).padStart(9, '0')
  const r = randomUUID().replace(/-/g, '').slice(0, 16)
  return `${prefix}_${t}${r}`
}

export const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex')

/** Stable JSON (sorted keys) so content hashes do not depend on key order. */
export function stableStringify(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v)
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`
  const o = v as Record<string, unknown>
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`)
    .join(',')}}`
}
