/**
 * Golden fixtures: every fixtures/<partner>/<case> runs through the map the partner's profile
 * selects (real X12/EDIFACT parsers for .edi) and must equal its expected file exactly.
 * Regenerate with `node bin/run-ts.js test/mapping/update-fixtures.ts`, then review the diff.
 */
import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { listCases, maps, runCase } from './fixture-cases.ts'

const cases = listCases()

describe('golden fixtures', () => {
  it('finds fixtures for every demo partner and every document family', () => {
    const partners = new Set(cases.map((c) => c.partner))
    for (const p of ['demo-x12-supplier', 'demo-edifact-supplier', 'demo-3pl', 'demo-json-supplier']) expect(partners).toContain(p)
    expect(cases.length).toBeGreaterThanOrEqual(12)
  })

  for (const c of cases) {
    it(`${c.partner}/${c.name}`, () => {
      expect(existsSync(c.expected), `missing ${c.expected}`).toBe(true)
      const { actual, mapIds, hashes } = runCase(c)
      expect(mapIds.length).toBeGreaterThan(0)
      if (c.kind === 'out') {
        expect(actual).toBe(readFileSync(c.expected, 'utf8'))
        return
      }
      expect(actual).toEqual(JSON.parse(readFileSync(c.expected, 'utf8')))
      // every document records the selected map and its current content hash
      const docs = (Array.isArray(actual) ? actual : [actual]) as { provenance?: { map?: { id: string } } }[]
      for (const d of docs) {
        expect(d.provenance?.map?.id).toBe(mapIds[0])
        expect(maps().get(mapIds[0])!.hash).toBe(hashes[0])
        expect(hashes[0]).toMatch(/^[0-9a-f]{16}$/)
      }
    })
  }

  it('the demo-x12-supplier 856 goes through its partner overlay', () => {
    const c = cases.find((x) => x.name.startsWith('856-'))!
    expect(runCase(c).mapIds).toEqual(['x12-004010/856.in@demo-x12-supplier'])
  })
})
