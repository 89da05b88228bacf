/**
 * Transaction set structures (segment order, loops, usage, max use) for 850, 855, 856, 810, 860,
 * 865, 846, 997 (004010 and 005010) and 999 (005010), compiled from the generated dictionary
 * data (generated/x12-<version>.ts: the published tables as public machine-readable definitions
 * carry them, see each file's header). Each set's GS01 comes from the GS01 → ST01 table
 * (x12-groups.ts).
 */
import { functionalIdOf } from './x12-groups.ts'
import { DICT_004010, DICT_005010 } from './x12-segments.ts'
import type { X12TransactionDef } from './x12-types.ts'

const DEFS = new Map<string, X12TransactionDef>()
for (const [version, dict] of [['004010', DICT_004010], ['005010', DICT_005010]] as const) {
  for (const [id, { name, body }] of Object.entries(dict.sets)) {
    const functionalId = functionalIdOf(id)
    if (functionalId === undefined) throw new Error(`x12-groups.ts has no GS01 for ${id}`)
    DEFS.set(`${id}/${version}`, { id, version, functionalId, name, body, segments: dict.segments })
  }
}

/**
 * The dictionary for ST01 under a GS08/ST03 version string (`004010VICS`, `005010X231`):
 * the first six characters pick the release. Undefined when we carry no dictionary for it;
 * the caller then checks the envelope only.
 */
export function x12TransactionDef(type: string, version: string): X12TransactionDef | undefined {
  return DEFS.get(`${type}/${version.slice(0, 6)}`)
}

export const X12_SUPPORTED = {
  types: ['850', '855', '856', '810', '860', '865', '846', '997', '999'],
  versions: ['004010', '005010'],
} as const
