/**
 * PostgreSQL text and jsonb cannot hold U+0000 (text: "invalid byte sequence for encoding UTF8:
 * 0x00"; jsonb: "unsupported Unicode escape sequence"). Partner input can carry NUL bytes anywhere
 * (line noise, UTF-16 sent as 8-bit), and the parsed values (segments, control numbers, issues)
 * are stored as text/jsonb, so they are made storable once, before the first insert.
 * The raw bytes stay untouched in payload_chunks (bytea).
 */

/** U+FFFD REPLACEMENT CHARACTER: visibly "a character was here that we could not keep". */
const REPLACEMENT = '\uFFFD'

/**
 * Returns `v` with every NUL in every string replaced. Copies only what changes, so clean input
 * (nearly all of it) costs one scan and no allocation.
 *
 * @example
 * pgSafe({ id: 'A\u0000B', n: 1 }) // → { id: 'A\uFFFDB', n: 1 }
 */
export function pgSafe<T>(v: T): T {
  if (typeof v === 'string') return (v.includes('\u0000') ? v.replaceAll('\u0000', REPLACEMENT) : v) as T
  if (v === null || typeof v !== 'object' || Buffer.isBuffer(v) || v instanceof Date) return v
  // Lazily materialised values (the X12 engine's LazySegment keeps `elements` behind a getter)
  // are stored through their toJSON: clean that plain form, which is what reaches jsonb.
  const toJSON = (v as { toJSON?: () => unknown }).toJSON
  if (typeof toJSON === 'function') return pgSafe(toJSON.call(v)) as T
  if (Array.isArray(v)) {
    let out: unknown[] | undefined
    for (let i = 0; i < v.length; i++) {
      const c = pgSafe(v[i])
      if (c !== v[i]) (out ??= v.slice())[i] = c
    }
    return (out ?? v) as T
  }
  let out: Record<string, unknown> | undefined
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const c = pgSafe(x)
    const key = pgSafe(k)
    if (c !== x || key !== k) {
      out ??= { ...(v as Record<string, unknown>) }
      if (key !== k) delete out[k]
      out[key] = c
    }
  }
  return (out ?? v) as T
}
