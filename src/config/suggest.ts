/**
 * "Did you mean" for configuration errors: the closest allowed key or enum value by edit
 * distance, and the keys a zod object schema allows at a path (read from the schema itself, so
 * a key added to partner.ts is suggested without touching this file).
 */
import type { z } from 'zod'

/** Levenshtein distance (insert, delete, substitute), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase()
  const t = b.toLowerCase()
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j)
  for (let i = 1; i <= s.length; i++) {
    const cur = [i]
    for (let j = 1; j <= t.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (s[i - 1] === t[j - 1] ? 0 : 1))
    }
    prev = cur
  }
  return prev[t.length]
}

/**
 * The one candidate closest to `input`, if it is close enough to be a typo (at most a third of
 * the word, at least 1 edit, at most 3) and no other candidate is as close.
 */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(input.length / 3)))
  let best: string | undefined
  let bestD = Infinity
  let tie = false
  for (const c of candidates) {
    const d = editDistance(input, c)
    if (d < bestD) {
      best = c
      bestD = d
      tie = false
    } else if (d === bestD) tie = true
  }
  return best !== undefined && bestD <= limit && !tie ? best : undefined
}

type Def = { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; in?: z.ZodType; element?: z.ZodType; options?: z.ZodType[] }
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def

/** Schemas reachable at `path` (through optional/default/pipe wrappers, arrays, objects and unions). */
export function schemasAt(schema: z.ZodType, path: (string | number)[]): z.ZodType[] {
  const def = defOf(schema)
  if (def.innerType) return schemasAt(def.innerType, path)
  if (def.type === 'pipe' && def.in) return schemasAt(def.in, path)
  if (def.type === 'union' && def.options) return def.options.flatMap((o) => schemasAt(o, path))
  if (!path.length) return [schema]
  const [head, ...rest] = path
  if (def.type === 'array' && def.element && typeof head === 'number') return schemasAt(def.element, rest)
  if (def.type === 'object' && def.shape && typeof head === 'string' && head in def.shape) return schemasAt(def.shape[head], rest)
  return []
}

/** The keys the schema allows in the object at `path` ([] when it is not an object there). */
export function keysAt(schema: z.ZodType, path: (string | number)[]): string[] {
  const keys = new Set<string>()
  for (const s of schemasAt(schema, path)) {
    const def = defOf(s)
    if (def.type === 'object' && def.shape) for (const k of Object.keys(def.shape)) keys.add(k)
  }
  return [...keys]
}
