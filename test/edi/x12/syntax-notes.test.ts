/**
 * X12.6 syntax notes (P, R, E, C, L) on random presence patterns: both validation paths (the
 * in-place span check and the split Segment check) must agree with a plain reading of the
 * notes, including element positions past 31 (the presence masks use two 32-bit words).
 */
import { describe, expect, it } from 'vitest'
import { compileSegment } from '../../../src/edi/dictionary/x12-types.ts'
import type { EdiIssue } from '../../../src/edi/issues.ts'
import { planOf, validateElements, validateSpan } from '../../../src/edi/x12/validate-elements.ts'

const N = 40
const NOTES = 'P0102 R0304 E050607 C080910 L111213 P3031 C3233 E0140 R3536 L313439 P2939'
const def = compileSegment('ZZZ', { name: 'notes', elements: Array.from({ length: N }, () => 'O AN 1/5').join(', '), rules: NOTES }, {})

/** The notes read literally: [element position, code] for every complaint, in note order. */
function expected(present: Set<number>): Array<[number, string]> {
  const out: Array<[number, string]> = []
  for (const note of NOTES.split(' ')) {
    const kind = note[0]
    const ps: number[] = []
    for (let i = 1; i < note.length; i += 2) ps.push(Number(note.slice(i, i + 2)))
    const here = ps.filter((p) => present.has(p))
    const missing = (from: number) => ps.slice(from).filter((p) => !present.has(p))
    if (kind === 'P' && here.length > 0 && here.length < ps.length) for (const p of missing(0)) out.push([p, 'element_conditional_missing'])
    if (kind === 'R' && here.length === 0) out.push([ps[0], 'element_conditional_missing'])
    if (kind === 'C' && present.has(ps[0])) for (const p of missing(1)) out.push([p, 'element_conditional_missing'])
    if (kind === 'L' && present.has(ps[0]) && here.length === 1) out.push([ps[1], 'element_conditional_missing'])
    if (kind === 'E' && here.length > 1) out.push([here[1], 'element_exclusion_violated'])
  }
  return out
}

function rand(seed: number): () => number {
  let x = seed
  return () => ((x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32)
}

const got = (issues: EdiIssue[]): Array<[number, string]> => issues.map((i) => [i.element as number, i.code])

describe('x12 syntax notes', () => {
  it('agree with the literal reading on 2000 random presence patterns, on both paths', () => {
    // Each round's patterns come twice: the second time, patterns that passed are remembered
    // (checkRules' cache), and the outcome must not change.
    let complaints = 0
    for (let k = 0; k < 2000; k++) {
      const r = rand(7 + (k >> 1))
      const density = r()
      const present = new Set<number>()
      const values: string[] = []
      for (let p = 1; p <= N; p++) {
        const on = r() < density
        if (on) present.add(p)
        values.push(on ? 'V' : '')
      }
      const want = expected(present)
      complaints += want.length
      const span: EdiIssue[] = []
      const s = `ZZZ*${values.join('*')}`
      const ref = { tag: 'ZZZ', pos: { offset: 0, index: 0, line: 1 } }
      validateSpan(s, 3, s.length, 42, ref, planOf(def), undefined, span)
      expect(got(span)).toEqual(want)
      const split: EdiIssue[] = []
      validateElements({ tag: 'ZZZ', elements: values.map((v) => [v]), pos: ref.pos }, def, undefined, split)
      expect(got(split)).toEqual(want)
    }
    // The patterns must exercise the notes, not pass vacuously.
    expect(complaints).toBeGreaterThan(2000)
  })

  it('tells apart patterns that differ only past element 31 (remembered passes included)', () => {
    const ref = { tag: 'ZZZ', pos: { offset: 0, index: 0, line: 1 } }
    const run = (present: number[]) => {
      const values = Array.from({ length: N }, (_, i) => (present.includes(i + 1) ? 'V' : ''))
      const s = `ZZZ*${values.join('*')}`
      const out: EdiIssue[] = []
      validateSpan(s, 3, s.length, 42, ref, planOf(def), undefined, out)
      return got(out)
    }
    // C3233: 32 present wants 33. Elements 1..31 are the same each time (3 for R0304; 35 for R3536).
    expect(run([3, 32, 33, 35])).toEqual([])
    expect(run([3, 32, 35])).toEqual([[33, 'element_conditional_missing']])
    expect(run([3, 32, 33, 35])).toEqual([])
    expect(run([3, 32, 35])).toEqual([[33, 'element_conditional_missing']])
  })
})
