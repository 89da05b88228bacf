/**
 * Dictionary lookup by (message type, version). Versions we have no tables for are validated
 * against the closest release we have, with a warning, because EDIFACT directories change
 * slowly between neighbouring releases (D.93A..D.97B mostly add codes and conditional segments),
 * so the structure checks stay useful; the choice is by release distance, ties to the older.
 */
import type { ElementDef, MessageDef } from './edifact-dsl.ts'
import { compileDirectory, compileSegments, type DirectoryData } from './edifact-data.ts'
import { D96A } from './edifact-data-d96a.ts'
import { D01B } from './edifact-data-d01b.ts'
import { CONTRL_D3 } from './edifact-data-contrl-d3.ts'
import { CONTRL_41 } from './edifact-data-contrl-41.ts'

/**
 * The generated directories (scripts/gen-edifact-dictionary.ts): ORDERS, ORDRSP, DESADV, INVOIC,
 * ORDCHG, INVRPT, APERAK in D.96A and D.01B, and CONTRL under syntax 3 (`D:3`) and 4 (`4:1`).
 */
export const DIRECTORIES: readonly DirectoryData[] = [D96A, D01B, CONTRL_D3, CONTRL_41]

const ALL: MessageDef[] = DIRECTORIES.flatMap(compileDirectory)

/** The compiled segment table of a directory (`D96A`, `D01B`, `D3`, `41`). */
export function segmentsOf(version: string): Record<string, ElementDef[]> | undefined {
  const d = DIRECTORIES.find((x) => x.version === version)
  return d === undefined ? undefined : compileSegments(d)
}

const BY_KEY = new Map(ALL.map((m) => [`${m.type}/${m.version}`, m]))

/** `D96A` → 1996.0, `D01B` → 2001.5, `D93A` → 1993.0; NaN when not a D.yyR release. */
function releaseOrdinal(version: string): number {
  const m = /^D(\d\d)([A-C])$/.exec(version)
  if (!m) return NaN
  const yy = Number(m[1])
  return (yy >= 90 ? 1900 + yy : 2000 + yy) + (m[2].charCodeAt(0) - 65) / 3
}

export interface DictionaryMatch {
  def: MessageDef
  /** true when `def.version` differs from the message's own version. */
  substituted: boolean
}

export function findMessageDef(type: string, version: string): DictionaryMatch | undefined {
  const exact = BY_KEY.get(`${type}/${version}`)
  if (exact) return { def: exact, substituted: false }
  const want = releaseOrdinal(version)
  const candidates = ALL.filter((m) => m.type === type)
  if (candidates.length === 0 || Number.isNaN(want)) return undefined
  let best = candidates[0]
  for (const c of candidates) {
    const d = Math.abs(releaseOrdinal(c.version) - want)
    const bd = Math.abs(releaseOrdinal(best.version) - want)
    if (d < bd || (d === bd && releaseOrdinal(c.version) < releaseOrdinal(best.version))) best = c
  }
  return { def: best, substituted: true }
}

export const SUPPORTED_MESSAGES: readonly string[] = ALL.map((m) => `${m.type}/${m.version}`)

/** Years between two D.yyR releases (Infinity when either is not one). */
export function releaseDistance(a: string, b: string): number {
  const d = Math.abs(releaseOrdinal(a) - releaseOrdinal(b))
  return Number.isNaN(d) ? Infinity : d
}
