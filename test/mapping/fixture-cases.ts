/**
 * Discovers and runs the golden fixtures under fixtures/<partner-id>/:
 *   <case>.edi                      inbound X12/EDIFACT, parsed with the real parsers
 *   <docType>.<case>.json           inbound JSON payload (docType selects the json-v1 map)
 *   <docType>.<case>.canonical.json outbound: canonical document → message body segments
 * with the expected result next to each: <case>.expected.json (canonical docs, or issues) or
 * <case>.expected.txt (outbound segments, one per line). Map selection uses the partner's
 * profile (partners/<id>.yaml) when there is one, exactly as the pipeline does.
 * Shared by fixtures.test.ts and update-fixtures.ts (which writes the expected files).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { parseX12 } from '../../src/edi/x12/index.ts'
import { parseEdifact } from '../../src/edi/edifact/index.ts'
import type { CanonicalDoc } from '../../src/canonical/index.ts'
import { loadMaps, runInbound, runOutbound, selectMap, splitJson, type PartnerMaps, type ResolvedMap } from '../../src/mapping/index.ts'
import { render } from './split.ts'

export const repoRoot = join(import.meta.dirname, '../..')
export const fixturesDir = join(repoRoot, 'fixtures')

export interface FixtureCase {
  partner: string
  name: string
  input: string
  expected: string
  kind: 'edi' | 'json' | 'out'
}

export function listCases(): FixtureCase[] {
  const out: FixtureCase[] = []
  for (const partner of readdirSync(fixturesDir).sort()) {
    const dir = join(fixturesDir, partner)
    // erp: ERP seed data; conformance: other projects' sample files (test/conformance), no partner.
    if (partner === 'erp' || partner === 'conformance' || !existsSync(dir) || !readdirSync(dir).length) continue
    for (const f of readdirSync(dir).sort()) {
      const p = join(dir, f)
      if (f.endsWith('.edi')) out.push({ partner, name: f, input: p, expected: p.replace(/\.edi$/, '.expected.json'), kind: 'edi' })
      else if (f.endsWith('.canonical.json'))
        out.push({ partner, name: f, input: p, expected: p.replace(/\.canonical\.json$/, '.expected.txt'), kind: 'out' })
      else if (f.endsWith('.json') && !f.endsWith('.expected.json'))
        out.push({ partner, name: f, input: p, expected: p.replace(/\.json$/, '.expected.json'), kind: 'json' })
    }
  }
  return out
}

export function partnerMaps(id: string): PartnerMaps & { x12?: { version?: string }; edifact?: { version?: string } } {
  const file = join(repoRoot, 'partners', `${id}.yaml`)
  if (!existsSync(file)) return { id, documents: [] }
  return parseYaml(readFileSync(file, 'utf8'))
}

let cached: Map<string, ResolvedMap> | undefined
export function maps(): Map<string, ResolvedMap> {
  if (cached) return cached
  const r = loadMaps(join(repoRoot, 'maps'))
  if (r.errors.length) throw new Error(r.errors.map((e) => `${e.file}: ${e.path}: ${e.message}`).join('\n'))
  return (cached = r.maps)
}

/** What a case produces; `mapIds` lets the test check which map was selected. */
export function runCase(c: FixtureCase): { actual: unknown; mapIds: string[]; hashes: string[] } {
  const partner = partnerMaps(c.partner)
  const mapIds: string[] = []
  const hashes: string[] = []
  const pick = (q: Parameters<typeof selectMap>[2]) => {
    const sel = selectMap(maps(), partner, q)
    if (!sel.ok) return undefined
    mapIds.push(sel.map.id)
    hashes.push(sel.map.hash)
    return sel.map
  }
  const inbound = (r: ReturnType<typeof runInbound>) => (r.ok ? stripHash(r.doc) : { issues: r.issues })
  if (c.kind === 'edi') {
    const buf = readFileSync(c.input)
    const edifact = buf.toString('latin1').replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart().startsWith('UN')
    const parsed = edifact ? parseEdifact(buf) : parseX12(buf)
    const results: unknown[] = []
    for (const ic of parsed.interchanges)
      for (const g of ic.groups)
        for (const tx of g.transactions) {
          const standard = parsed.standard
          const version = standard === 'x12' ? tx.version.slice(0, 6) : tx.version
          const map = pick({ direction: 'in', standard, version, docType: tx.type })
          if (!map) {
            results.push({ noMap: `${standard} ${version} ${tx.type}` })
            continue
          }
          results.push(
            inbound(runInbound(map, tx, { partnerId: c.partner, interchangeControl: ic.controlNumber, groupControl: g.controlNumber, test: ic.test }))
          )
        }
    return { actual: results.length === 1 ? results[0] : results, mapIds, hashes }
  }
  const body = JSON.parse(readFileSync(c.input, 'utf8'))
  const docType = c.name.split('.')[0]
  if (c.kind === 'json') {
    const map = pick({ direction: 'in', standard: 'json', version: 'v1', docType })
    if (!map) return { actual: { noMap: `json v1 ${docType}` }, mapIds, hashes }
    const docs = splitJson(map, body).map((j) => inbound(runInbound(map, j, { partnerId: c.partner })))
    return { actual: docs.length === 1 ? docs[0] : docs, mapIds, hashes }
  }
  const standard = partner.edifact ? 'edifact' : 'x12'
  const version = (standard === 'x12' ? partner.x12?.version : partner.edifact?.version) ?? (standard === 'x12' ? '004010' : 'D96A')
  const map = pick({ direction: 'out', standard, version, docType })
  if (!map) return { actual: `no map for out ${standard} ${version} ${docType}\n`, mapIds, hashes }
  const r = runOutbound(map, body as CanonicalDoc)
  if (!r.ok) return { actual: `${JSON.stringify(r.issues, null, 2)}\n`, mapIds, hashes }
  const text = standard === 'x12' ? render(r.segments) : render(r.segments, '+', ':').replace(/\n/g, "'\n")
  return { actual: `# ${map.id}\n${text}`, mapIds, hashes }
}

/** The map hash changes with every map edit; golden files keep `*` and the test checks it separately. */
function stripHash(doc: CanonicalDoc): unknown {
  const d = structuredClone(doc)
  if (d.provenance.map) d.provenance.map.hash = '*'
  return d
}
