/**
 * Runs every transaction of the shared public corpus (../shared/corpus, see SOURCES.md) through
 * our base maps. Strangers' files use other implementation guides, so the assertion is about
 * robustness: the engine never throws, every result is a canonical document or issues (data),
 * and documents that do map are valid canonical documents with provenance.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CANONICAL_SCHEMAS } from '../../src/canonical/index.ts'
import { parseEdifact } from '../../src/edi/edifact/index.ts'
import { parseX12 } from '../../src/edi/x12/index.ts'
import { loadMaps, runInbound, selectMap } from '../../src/mapping/index.ts'

const repoRoot = resolve(import.meta.dirname, '../..')
const shared = process.env.SHARED_DIR ?? resolve(repoRoot, '../shared')
const corpus = join(shared, 'corpus')
const present = existsSync(corpus)
if (!present) console.warn(`mapping-corpus: skipped, ${corpus} not found (set SHARED_DIR)`)

describe.skipIf(!present)('corpus through the maps', () => {
  const { maps } = loadMaps(join(repoRoot, 'maps'))
  for (const std of ['x12', 'edifact'] as const) {
    const dir = join(corpus, std)
    for (const f of present ? readdirSync(dir).sort() : []) {
      it(`${std}/${f}`, () => {
        const buf = readFileSync(join(dir, f))
        const parsed = std === 'x12' ? parseX12(buf) : parseEdifact(buf)
        const rows: string[] = []
        for (const ic of parsed.interchanges)
          for (const g of ic.groups)
            for (const tx of g.transactions) {
              const version = std === 'x12' ? tx.version.slice(0, 6) : tx.version.toUpperCase()
              const sel = selectMap(maps, { id: 'corpus' }, { direction: 'in', standard: std, version, docType: tx.type })
              if (!sel.ok) {
                rows.push(`${tx.type} ${version}: no_map`)
                continue
              }
              const r = runInbound(sel.map, tx, { partnerId: 'corpus' })
              if (r.ok) {
                expect(CANONICAL_SCHEMAS[r.doc.kind].safeParse(r.doc).success).toBe(true)
                expect(Object.keys(r.provenance.fields).length).toBeGreaterThan(0)
                rows.push(`${tx.type} ${version}: ok ${r.doc.kind}`)
              } else {
                expect(r.issues.length).toBeGreaterThan(0)
                for (const i of r.issues) expect(i.field).toEqual(expect.any(String))
                rows.push(`${tx.type} ${version}: ${r.issues.map((i) => `${i.code} ${i.field}`).join('; ')}`)
              }
            }
        console.log(`${std}/${f}\n  ${rows.join('\n  ') || '(no transactions)'}`)
      })
    }
  }
})
