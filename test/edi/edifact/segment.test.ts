import { describe, expect, it } from 'vitest'
import { RawSegment, rawComponent, rawElement, type SepCodes } from '../../../src/edi/edifact/segment.ts'
import { tokenize } from '../../../src/edi/edifact/tokenize.ts'
import { rng } from '../../fuzz/mutators.ts'

// Values read lazily from the bytes (RawSegment, rawElement, rawComponent) must equal what the
// reference tokenizer gives for the same segment, whatever the release characters.
const chars = { component: ':', element: '+', release: '?', repetition: '' }
const sep: SepCodes = { component: 0x3a, element: 0x2b, release: 0x3f, repetition: -1, chars }
const ALPHABET = ['A', 'B', '1', ' ', '.', '?:', '?+', "?'", '??']

function randomSegment(r: () => number): string {
  const value = () => {
    let v = ''
    const n = Math.floor(r() * 5)
    for (let i = 0; i < n; i++) v += ALPHABET[Math.floor(r() * ALPHABET.length)]
    return v
  }
  let s = 'QTY'
  const elements = Math.floor(r() * 5)
  for (let e = 0; e < elements; e++) {
    s += '+'
    const comps = 1 + Math.floor(r() * 3)
    for (let c = 0; c < comps; c++) s += (c > 0 ? ':' : '') + value()
  }
  // Now and then a release character right at the end of the segment's bytes.
  return r() < 0.1 ? s + '?' : s
}

describe('EDIFACT RawSegment values from bytes', () => {
  it('equal the tokenizer on 3000 random segments with release characters', () => {
    const r = rng(9735)
    for (let n = 0; n < 3000; n++) {
      const text = randomSegment(r)
      const buf = Buffer.from(`XX'${text}'`, 'latin1')
      const start = 3
      const end = start + text.length
      const want = tokenize(text, chars).elements
      const seg = (): RawSegment => new RawSegment('QTY', buf, start + 3, end, sep, 0, 0, 1)
      for (let e = 0; e <= want.length; e++) {
        expect(rawElement(seg(), e), `${text} element ${e}`).toEqual(want[e])
        for (let c = 0; c < 4; c++) expect(rawComponent(seg(), e, c), `${text} ${e}:${c}`).toBe(want[e]?.[c] ?? '')
      }
      expect(seg().elements, text).toEqual(want)
    }
  })
})
