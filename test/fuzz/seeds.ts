/**
 * Fuzz seeds: every file of the shared corpus (../shared/corpus/{x12,edifact}, overridable by
 * SHARED_DIR) and every fixtures/**\/*.edi|json of the repository. Sorted by name so case
 * numbers are stable across machines.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sniff } from '../../src/edi/sniff.ts'
import type { Seed } from './mutators.ts'

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const sharedDir = process.env.SHARED_DIR ?? resolve(repoRoot, '../shared')

function walk(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...walk(p))
    else out.push(p)
  }
  return out
}

export interface Seeds {
  seeds: Seed[]
  /** Why some seeds are missing (no corpus), for the test's skip message. */
  notes: string[]
}

export function loadSeeds(): Seeds {
  const notes: string[] = []
  const files: string[] = []
  for (const std of ['x12', 'edifact']) {
    const dir = join(sharedDir, 'corpus', std)
    if (existsSync(dir)) files.push(...walk(dir))
    else notes.push(`corpus ${dir} is absent: fuzzing fixtures only`)
  }
  // fixtures/conformance (other projects' samples, test/conformance) is left out: its manifest is
  // no EDI, and its largest file would make every fuzz case that picks it slow.
  const conformance = join(repoRoot, 'fixtures', 'conformance') + sep
  files.push(...walk(join(repoRoot, 'fixtures')).filter((f) => /\.(edi|json)$/.test(f) && !f.startsWith(conformance)))
  const seeds: Seed[] = []
  for (const f of files.sort()) {
    const bytes = readFileSync(f)
    const k = sniff(bytes)
    if (k !== 'x12' && k !== 'edifact' && k !== 'json') continue
    const name = f.startsWith(repoRoot) ? relative(repoRoot, f) : relative(sharedDir, f)
    seeds.push({ name, kind: k, bytes })
  }
  return { seeds, notes }
}
