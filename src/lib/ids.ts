import { createHash, randomUUID } from 'node:crypto'

/** Time-ordered, URL-safe ids (`msg_01J...`-like): sortable in listings and logs. */
export function newId(prefix: string): string {
  const t = Date.now().toString(36).padStart(9, '0')
  const r = randomUUID().replace(/-/g, '').slice(0, 16)
  return `${prefix}_${t}${r}`
}

export const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex')

/**
 * JSON with sorted keys and no `undefined` members (an `undefined` array element is `null`, as
 * JSON.stringify writes it), so equal content always gives the same text and the same hash.
 * One string built as it goes: the document hash of every document received runs through it.
 */
export function stableStringify(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null'
  if (Array.isArray(v)) {
    let s = '['
    for (let i = 0; i < v.length; i++) {
      if (i > 0) s += ','
      const x: unknown = v[i]
      s += x === undefined ? 'null' : stableStringify(x)
    }
    return s + ']'
  }
  const o = v as Record<string, unknown>
  const keys = sortKeys(Object.keys(o))
  let s = '{'
  for (const k of keys) {
    const x = o[k]
    if (x === undefined) continue
    if (s.length > 1) s += ','
    s += quotedKey(k) + stableStringify(x)
  }
  return s + '}'
}

/** Sorted in place (code unit order, as Array.prototype.sort): a handful of keys, without the built-in sort's scratch copy. */
function sortKeys(keys: string[]): string[] {
  if (keys.length > 24) return keys.sort()
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]
    let j = i - 1
    while (j >= 0 && keys[j] > k) {
      keys[j + 1] = keys[j]
      j--
    }
    keys[j + 1] = k
  }
  return keys
}

/** `"key":` for a member name: documents share a small vocabulary of names, each quoted once. */
const quoted = new Map<string, string>()
function quotedKey(k: string): string {
  let q = quoted.get(k)
  if (q === undefined) {
    q = JSON.stringify(k) + ':'
    if (quoted.size < 10_000) quoted.set(k, q)
  }
  return q
}
