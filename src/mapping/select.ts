/**
 * Map selection, most specific first (bots' translate table; DESIGN 2.6):
 *   1. the partner profile names a map for this document (`documents[].map`);
 *   2. `<standard>-<version>/<docType>.<in|out>@<partner>`;
 *   3. the base map `<standard>-<version>/<docType>.<in|out>`.
 * Nothing found is a `no_map` result (an exception for the onboarding queue), not a throw.
 */
import type { ResolvedMap } from './resolve.ts'

/** What selection needs from a partner profile (config/partner.ts PartnerProfile fits). */
export interface PartnerMaps {
  id: string
  documents?: readonly { direction: 'in' | 'out'; standard: string; version: string; docType: string; map?: string }[]
}

export interface MapQuery {
  direction: 'in' | 'out'
  standard: 'x12' | 'edifact' | 'json'
  version: string
  docType: string
}

export type Selection =
  | { ok: true; map: ResolvedMap; by: 'explicit' | 'partner' | 'base' }
  | {
      ok: false
      reason: { code: 'no_map'; partnerId: string; direction: 'in' | 'out'; standard: string; version: string; docType: string }
      /** Map ids that were looked for, most specific first. */
      tried: string[]
    }

/**
 * @example
 * const sel = selectMap(registry.maps, profile, { direction: 'in', standard: 'x12', version: '004010', docType: '856' })
 * if (!sel.ok) return { ok: false, reasons: [sel.reason] }
 */
export function selectMap(maps: ReadonlyMap<string, ResolvedMap>, partner: PartnerMaps, q: MapQuery): Selection {
  const tried: string[] = []
  const fits = (m: ResolvedMap | undefined): m is ResolvedMap =>
    m !== undefined && m.direction === q.direction && m.message.standard === q.standard && m.message.docType === q.docType
  const entry = partner.documents?.find(
    (d) => d.direction === q.direction && d.standard === q.standard && d.version === q.version && d.docType === q.docType && d.map
  )
  if (entry?.map) {
    tried.push(entry.map)
    const m = maps.get(entry.map)
    if (fits(m)) return { ok: true, map: m, by: 'explicit' }
  }
  const base = `${q.standard}-${q.version}/${q.docType}.${q.direction}`
  for (const [id, by] of [
    [`${base}@${partner.id}`, 'partner'],
    [base, 'base'],
  ] as const) {
    tried.push(id)
    const m = maps.get(id)
    if (fits(m)) return { ok: true, map: m, by }
  }
  return { ok: false, reason: { code: 'no_map', partnerId: partner.id, ...q }, tried }
}
