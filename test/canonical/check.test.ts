/**
 * checkCanonical (zod's compiled form, the ASN unrolled) must answer exactly as the schemas do:
 * same success, same output (defaults applied), same issues. Seeds are the canonical documents
 * of the golden fixtures; each is mutated at random (a key dropped, a value of the wrong type,
 * an unknown key, deeper pack trees) and both answers are compared.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { describe, expect, it } from 'vitest'
import { CANONICAL_SCHEMAS, checkCanonical, PACK_DEPTH, type CanonicalKind } from '../../src/canonical/index.ts'
import { prng } from '../../bench/gen/prng.ts'

const root = join(import.meta.dirname, '../../fixtures')
const seeds: Record<string, unknown>[] = []
for (const dir of readdirSync(root)) {
  for (const f of readdirSync(join(root, dir))) {
    if (!f.endsWith('.expected.json') && !f.endsWith('.canonical.json')) continue
    const doc = JSON.parse(readFileSync(join(root, dir, f), 'utf8'))
    if (doc && typeof doc === 'object' && typeof doc.kind === 'string') seeds.push(doc)
  }
}

type R = () => number
const int = (r: R, n: number) => Math.floor(r() * n)
const WRONG: unknown[] = [null, 7, -1.5, '', 'x', true, [], {}, ['a'], { a: 1 }, '2025-13-40', '12.5', 'pallet']

/** Every object and array inside a document, with its parent and key. */
function places(v: unknown, out: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = []) {
  if (Array.isArray(v)) v.forEach((x, i) => (out.push({ parent: v, key: i }), places(x, out)))
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (out.push({ parent: v as Record<string, unknown>, key: k }), places(x, out))
  return out
}

/** Wraps the first pack of each order in `levels` more packs (a deeper tree). */
function deepen(doc: Record<string, unknown>, levels: number): void {
  for (const o of (doc.orders as { packs?: unknown[] }[] | undefined) ?? []) {
    if (!Array.isArray(o?.packs) || o.packs.length === 0) continue
    let p = o.packs[0]
    for (let i = 0; i < levels; i++) p = { type: 'pallet', items: [], packs: [p] }
    o.packs[0] = p
  }
}

function mutate(r: R, seed: Record<string, unknown>): Record<string, unknown> {
  const doc = structuredClone(seed)
  const n = 1 + int(r, 3)
  for (let k = 0; k < n; k++) {
    const all = places(doc).filter((p) => !(p.parent === doc && p.key === 'kind'))
    if (all.length === 0) break
    const at = all[int(r, all.length)]
    const op = int(r, 5)
    if (op === 0) {
      if (Array.isArray(at.parent)) at.parent.splice(at.key as number, 1)
      else delete at.parent[at.key as string]
    } else if (op === 1) (at.parent as Record<string | number, unknown>)[at.key] = WRONG[int(r, WRONG.length)]
    else if (op === 2) {
      const target = (at.parent as Record<string | number, unknown>)[at.key]
      if (target && typeof target === 'object' && !Array.isArray(target)) (target as Record<string, unknown>)[`extra${int(r, 3)}`] = 'x'
    } else if (op === 3) deepen(doc, int(r, PACK_DEPTH + 4))
    else if (Array.isArray(at.parent)) at.parent.push(structuredClone(at.parent[0]))
  }
  return doc
}

function same(doc: unknown, kind: CanonicalKind): void {
  const want = CANONICAL_SCHEMAS[kind].safeParse(doc)
  const got = checkCanonical(kind, doc)
  expect(got.success).toBe(want.success)
  if (want.success) expect(isDeepStrictEqual(got.data, want.data)).toBe(true)
  else expect(got.error!.issues).toEqual(want.error!.issues)
}

describe('checkCanonical answers as the canonical schemas do', () => {
  it('finds a seed document of every kind in the fixtures', () => {
    expect(new Set(seeds.map((s) => s.kind))).toEqual(new Set(['purchase_order', 'po_ack', 'asn', 'invoice']))
  })

  it('accepts the fixtures as they are, with the same output', () => {
    for (const s of seeds) {
      same(s, s.kind as CanonicalKind)
      expect(checkCanonical(s.kind as CanonicalKind, s).success).toBe(true)
    }
  })

  it('ASN pack trees at, just past and far past the unrolled depth', () => {
    const asn = seeds.find((s) => s.kind === 'asn' && (s.orders as { packs: unknown[] }[]).some((o) => o.packs.length > 0))!
    for (const levels of [PACK_DEPTH - 2, PACK_DEPTH - 1, PACK_DEPTH, PACK_DEPTH + 1, 40]) {
      const doc = structuredClone(asn)
      deepen(doc, levels)
      const r = checkCanonical('asn', doc)
      expect(r.success, `${levels} more levels`).toBe(true)
      same(doc, 'asn')
      // an invalid value at the bottom of the deep tree is still found
      let p = (doc.orders as { packs: Record<string, unknown>[] }[]).find((o) => o.packs.length > 0)!.packs[0]
      while ((p.packs as unknown[]).length > 0) p = (p.packs as Record<string, unknown>[])[0]
      p.type = 'crate'
      expect(checkCanonical('asn', doc).success).toBe(false)
      same(doc, 'asn')
    }
  })

  it('3,000 seeded mutations get the same answer, both ways', () => {
    const r = prng(20261207)
    let rejected = 0
    for (let i = 0; i < 3000; i++) {
      const seed = seeds[i % seeds.length]
      const doc = mutate(r, seed)
      const want = CANONICAL_SCHEMAS[seed.kind as CanonicalKind].safeParse(doc)
      if (!want.success) rejected++
      same(doc, seed.kind as CanonicalKind)
    }
    // both verdicts are exercised
    expect(rejected).toBeGreaterThan(300)
    expect(rejected).toBeLessThan(2700)
  })
})
