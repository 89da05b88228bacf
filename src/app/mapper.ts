/** Wires the map engine (src/mapping) into the pipeline's Mapper port. */
import type { PartnerProfile } from '../config/partner.ts'
import { issueRows, runInbound, runOutbound, selectMap, splitJson, type ResolvedMap } from '../mapping/index.ts'
import type { Mapper, MapOutcome } from '../pipeline/deps.ts'

/** GS08 `004010VICS` and ST03 variants select the `004010` maps. */
export function mapVersion(standard: string, version: string): string {
  if (standard === 'x12') return version.slice(0, 6)
  if (standard === 'edifact') return version.toUpperCase()
  return version
}

/**
 * Standard + document types some inbound map reads (`x12 850`, `edifact ORDERS`), whatever the
 * version or partner. A document type outside it is not mapped by anyone: `unsupported_document`
 * (handled by a person), not `no_map` (one partner's onboarding gap).
 */
function mappedTypes(maps: ReadonlyMap<string, ResolvedMap>): Set<string> {
  const out = new Set<string>()
  for (const m of maps.values()) if (m.direction === 'in') out.add(`${m.message.standard} ${m.message.docType}`)
  return out
}

export function createMapper(maps: ReadonlyMap<string, ResolvedMap>): Mapper {
  const mapped = mappedTypes(maps)
  const pick = (profile: PartnerProfile, standard: 'x12' | 'edifact' | 'json', version: string, docType: string) =>
    selectMap(maps, profile, { direction: 'in', standard, version: mapVersion(standard, version), docType })
  return {
    outbound(profile, q, doc) {
      const sel = selectMap(maps, profile, { direction: 'out', standard: q.standard, version: mapVersion(q.standard, q.version), docType: q.docType })
      if (!sel.ok) return { ok: false, reasons: [sel.reason] }
      const r = runOutbound(sel.map, doc)
      if (!r.ok) return { ok: false, reasons: [{ code: 'canonical_invalid', mapId: sel.map.id, issues: issueRows(r.issues) }] }
      return { ok: true, segments: r.segments, mapId: sel.map.id, mapHash: sel.map.hash }
    },
    splitJson(profile, docType, version, body) {
      const sel = pick(profile, 'json', version, docType)
      return sel.ok ? splitJson(sel.map, body) : [{ json: body, path: '$' }]
    },
    inbound(profile, input, prov): MapOutcome {
      const sel = pick(profile, input.standard, input.version, input.docType)
      if (!sel.ok && !mapped.has(`${input.standard} ${input.docType}`)) {
        const { standard, version, docType } = input
        return { ok: false, reasons: [{ code: 'unsupported_document', partnerId: profile.id, standard, version, docType, ...(prov.transactionControl ? { controlNumber: prov.transactionControl } : {}) }] }
      }
      if (!sel.ok) return { ok: false, reasons: [sel.reason] }
      const meta = { partnerId: profile.id, ...prov }
      const r =
        input.standard === 'json'
          ? runInbound(sel.map, input.body as { json: unknown; path?: string }, meta)
          : runInbound(sel.map, (input.segments ?? []) as never, meta)
      if (!r.ok) return { ok: false, reasons: [{ code: 'canonical_invalid', mapId: sel.map.id, issues: issueRows(r.issues) }] }
      return { ok: true, doc: r.doc, mapId: sel.map.id, mapHash: sel.map.hash }
    },
  }
}
