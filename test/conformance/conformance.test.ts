/**
 * Conformance suite: public sample files from other EDI projects (fixtures/conformance/, see
 * SOURCES.md there), each with what its project says of it and the verdict we must reach
 * (manifest.json). Our verdict is read from the 997/999/CONTRL we would send (verdict.ts).
 *
 * Nothing here is specific to a file: every expectation comes from the manifest, which records
 * the project's claim and, where the standard contradicts it, the correction and why.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { judge, type Judgement } from './verdict.ts'

const DIR = join(import.meta.dirname, '../../fixtures/conformance')

type Expected = 'valid' | 'invalid' | 'unsupported'

interface Entry {
  file: string
  repository: string
  path: string
  commit: string
  license: string
  standard: 'x12' | 'edifact'
  type: string
  sha256: string
  projectSays: string
  projectEvidence: string
  expected: Expected
  expectedIssues?: string[]
  outOfScope?: string[]
  claimCorrected?: string
  note?: string
}

const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as { files: Entry[] }

/** Whether our judgement matches the manifest, and if not, why (one reason per line). */
function compare(e: Entry, j: Judgement): string[] {
  const why: string[] = []
  const oos = new Set(e.outOfScope ?? [])
  // Sets we support must really have been validated (a dictionary gap is not a pass). Sets of a
  // type we do not support must say so with a clear code where that is the verdict asked for;
  // inside a valid or invalid file they may also be validated, should a dictionary appear.
  const flagged = new Set(j.unsupported)
  for (const t of new Set(j.types)) {
    if (oos.has(t) && !flagged.has(t) && e.expected === 'unsupported') why.push(`${t} is out of scope but carries no unsupported code`)
    if (!oos.has(t) && flagged.has(t) && e.expected !== 'unsupported') why.push(`${t} was not validated (no dictionary): ${j.codes.filter((c) => c.startsWith('transaction_not') || c.startsWith('dictionary')).join(', ')}`)
  }
  if (e.expected === 'valid') {
    if (j.verdict !== 'valid') why.push(`expected valid, ours ${j.verdict}`)
  } else if (e.expected === 'invalid') {
    if (j.verdict === 'valid') why.push('expected invalid, ours valid')
    const kinds = e.expectedIssues ?? []
    if (!kinds.some((k) => j.codes.includes(k))) why.push(`none of the expected issues [${kinds.join(', ')}] was reported`)
  } else {
    if (j.types.length === 0) why.push('expected an unsupported set, ours read no set at all')
    for (const t of oos) if (!j.types.includes(t)) why.push(`expected a ${t} set, none read`)
  }
  return why
}

function report(e: Entry, j: Judgement, why: string[]): string {
  return [
    `${e.file}: expected ${e.expected}${e.expectedIssues ? ` [${e.expectedIssues.join(', ')}]` : ''}, ours ${j.verdict}`,
    `  project (${e.repository}) says ${e.projectSays}: ${e.projectEvidence}`,
    ...why.map((w) => `  ✗ ${w}`),
    ...j.firstIssues.map((i) => `  ! ${i.replace(/\s+/g, ' ').slice(0, 200)}`),
    ...j.acks.slice(0, 6).map((a) => `  > ${a.slice(0, 200)}`),
  ].join('\n')
}

describe('conformance corpus', () => {
  it('holds at least 60 files, each listed once in the manifest and byte-exact', () => {
    const onDisk = readdirSync(DIR)
      .filter((d) => statSync(join(DIR, d)).isDirectory())
      .flatMap((d) => readdirSync(join(DIR, d)).map((f) => `${d}/${f}`))
      .sort()
    const listed = manifest.files.map((e) => e.file).sort()
    expect(listed.length).toBeGreaterThanOrEqual(60)
    expect(new Set(listed).size).toBe(listed.length)
    expect(onDisk).toEqual(listed)
    const changed = manifest.files.filter((e) => createHash('sha256').update(readFileSync(join(DIR, e.file))).digest('hex') !== e.sha256)
    expect(changed.map((e) => e.file)).toEqual([])
  })

  it('records the source and the claim of every file', () => {
    for (const e of manifest.files) {
      expect(e.repository, e.file).toMatch(/^[\w.-]+\/[\w.-]+$/)
      expect(e.commit, e.file).toMatch(/^[0-9a-f]{40}$/)
      expect(e.path && e.license && e.projectSays && e.projectEvidence, e.file).toBeTruthy()
      expect(['valid', 'invalid', 'unsupported'], e.file).toContain(e.expected)
      if (e.expected === 'invalid') expect(e.expectedIssues?.length, e.file).toBeGreaterThan(0)
      if (e.expected === 'unsupported') expect(e.outOfScope?.length, e.file).toBeGreaterThan(0)
      // A verdict that departs from the project's claim says why.
      const says = e.projectSays === 'valid with warnings' ? 'valid' : e.projectSays
      if (says !== 'no claim' && says !== e.expected && e.expected !== 'unsupported') expect(e.claimCorrected ?? e.note, e.file).toBeTruthy()
    }
  })
})

/** One line per file, printed once at the end: which files disagree, and a count of the rest. */
const lines: { ok: boolean; text: string }[] = []

describe.each(['x12', 'edifact'] as const)('%s samples: our verdict equals the expected one', (standard) => {
  const entries = manifest.files.filter((e) => e.standard === standard)
  it.each(entries.map((e) => [`${e.file} (${e.expected})`, e] as const))('%s', (_name, e) => {
    const j = judge(readFileSync(join(DIR, e.file)))
    const why = compare(e, j)
    const first = j.firstIssues[0]?.replace(/\s+/g, ' ').slice(0, 120) ?? ''
    const detail = [...why.filter((w) => !w.startsWith('expected ')), first].filter(Boolean).join('; ')
    lines.push({ ok: why.length === 0, text: `${why.length ? '✗' : '✓'} ${e.file}: expected ${e.expected}, ours ${j.verdict}${detail ? ` — ${detail}` : ''}` })
    expect(why, report(e, j, why)).toEqual([])
  })
})

afterAll(() => {
  if (lines.length === 0) return
  const bad = lines.filter((l) => !l.ok)
  const verbose = process.env.CONFORMANCE_VERBOSE === '1'
  console.log(
    [`conformance: ${lines.length - bad.length}/${lines.length} files as expected`, ...(verbose ? lines : bad).map((l) => `  ${l.text}`)].join('\n')
  )
})
