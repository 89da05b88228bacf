/**
 * Golden fixtures from a partner's first real samples (`partners certify --write-fixtures`):
 * each sample that passed certification becomes `fixtures/<partner>/<case>.edi` (or
 * `<docType>.<case>.json`) plus `<case>.expected.json`, the canonical document(s) our maps read
 * from it, in the exact form the golden-fixture test (test/mapping/fixtures.test.ts) compares:
 * one document or an array, map hash written as `*`. Nothing is written here: the caller asks a
 * human first.
 */
import { existsSync, readFileSync } from 'node:fs'
import { basename, extname, join } from 'node:path'
import type { PartnerProfile } from '../config/partner.ts'
import { sniff } from '../edi/sniff.ts'
import type { Standard } from '../edi/types.ts'
import { runInbound, selectMap, splitJson, type ResolvedMap } from '../mapping/index.ts'
import type { EdiEngine } from '../pipeline/deps.ts'
import { jsonDocType } from '../pipeline/json-kind.ts'

export interface FixtureFile {
  /** Relative to the config root: fixtures/<partner>/<name>. */
  path: string
  text: string
  /** A file with this name is already there (with other content): it is left alone. */
  exists: 'no' | 'same' | 'different'
}

export interface FixturePlan {
  sample: string
  files: FixtureFile[]
  /** Why no fixture is proposed for this sample. */
  skipped?: string
}

const stripHash = (doc: unknown): unknown => {
  const d = structuredClone(doc) as { provenance?: { map?: { hash?: string } } }
  if (d.provenance?.map) d.provenance.map.hash = '*'
  return d
}

/** The canonical documents our maps read from one sample, as the golden-fixture runner computes them. */
export function expectedDocs(
  bytes: Buffer,
  profile: PartnerProfile,
  maps: ReadonlyMap<string, ResolvedMap>,
  engines: Partial<Record<Standard, EdiEngine>>
): { docType: string; docs: unknown } | { error: string } {
  const kind = sniff(bytes)
  if (kind === 'x12' || kind === 'edifact') {
    const parsed = engines[kind]?.parse(bytes)
    if (!parsed) return { error: `no ${kind} engine` }
    const results: unknown[] = []
    let docType = ''
    for (const ic of parsed.interchanges)
      for (const g of ic.groups)
        for (const tx of g.transactions) {
          docType ||= tx.type
          const version = kind === 'x12' ? tx.version.slice(0, 6) : tx.version
          const sel = selectMap(maps, profile, { direction: 'in', standard: kind, version, docType: tx.type })
          if (!sel.ok) return { error: `no map for in ${kind} ${version} ${tx.type}` }
          const r = runInbound(sel.map, tx, { partnerId: profile.id, interchangeControl: ic.controlNumber, groupControl: g.controlNumber, test: ic.test })
          if (!r.ok) return { error: `${tx.type} ${tx.controlNumber} does not map cleanly` }
          results.push(stripHash(r.doc))
        }
    if (!results.length) return { error: 'no transaction' }
    return { docType, docs: results.length === 1 ? results[0] : results }
  }
  if (kind === 'json') {
    let body: unknown
    try {
      body = JSON.parse(bytes.toString('utf8'))
    } catch {
      return { error: 'not valid JSON' }
    }
    const docType = jsonDocType(body)
    if (!docType) return { error: 'JSON document type not recognised' }
    const sel = selectMap(maps, profile, { direction: 'in', standard: 'json', version: 'v1', docType })
    if (!sel.ok) return { error: `no map for in json v1 ${docType}` }
    const docs: unknown[] = []
    for (const part of splitJson(sel.map, body)) {
      const r = runInbound(sel.map, part.json as never, { partnerId: profile.id })
      if (!r.ok) return { error: `${docType} does not map cleanly` }
      docs.push(stripHash(r.doc))
    }
    return { docType, docs: docs.length === 1 ? docs[0] : docs }
  }
  return { error: 'not X12, EDIFACT or JSON' }
}

/**
 * The fixture files for the samples that passed. Names follow the golden-fixture convention:
 * EDI as `<case>.edi`, JSON as `<docType>.<case>.json`, expected as `<case>.expected.json`.
 */
export function planFixtures(opts: {
  root: string
  profile: PartnerProfile
  maps: ReadonlyMap<string, ResolvedMap>
  engines: Partial<Record<Standard, EdiEngine>>
  dir: string
  passed: string[]
}): FixturePlan[] {
  const rel = join('fixtures', opts.profile.id)
  const file = (name: string, text: string): FixtureFile => {
    const full = join(opts.root, rel, name)
    const exists = !existsSync(full) ? 'no' : readFileSync(full, 'latin1') === text ? 'same' : 'different'
    return { path: join(rel, name), text, exists }
  }
  return opts.passed.map((sample) => {
    const bytes = readFileSync(join(opts.dir, sample))
    const r = expectedDocs(bytes, opts.profile, opts.maps, opts.engines)
    if ('error' in r) return { sample, files: [], skipped: r.error }
    const stem = basename(sample, extname(sample))
    const json = sniff(bytes) === 'json'
    const input = json ? (stem.startsWith(`${r.docType}.`) ? `${stem}.json` : `${r.docType}.${stem}.json`) : `${stem}.edi`
    const caseName = input.replace(/\.(edi|json)$/, '')
    return {
      sample,
      files: [file(input, bytes.toString('latin1')), file(`${caseName}.expected.json`, `${JSON.stringify(r.docs, null, 2)}\n`)],
    }
  })
}
