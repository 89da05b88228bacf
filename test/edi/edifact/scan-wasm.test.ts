import { describe, expect, it } from 'vitest'
import { prng } from '../../../bench/gen/edifact.ts'
import { segmentsOf } from '../../../src/edi/dictionary/edifact-index.ts'

const SEGMENTS_D96A = segmentsOf('D96A')!
const SEGMENTS_D01B = segmentsOf('D01B')!
import { createWasmScanner } from '../../../src/edi/edifact/scan-wasm.ts'
import { compileElements, elementsClean, hasCodes, wasmProgram } from '../../../src/edi/edifact/validate-raw.ts'
import { tagKey, tagKeyBytes } from '../../../src/edi/dictionary/edifact-dsl.ts'

// The WebAssembly scan must agree with its JavaScript references (lexer.ts scanSegment,
// validate-raw.ts elementsClean) on every input; the parser tests check the results end to end,
// these check the function directly, on random segments of every dictionary segment.
const scanner = createWasmScanner()

/** Byte classes for the default separators (as lexer.ts classTable). */
function classes(u8: Uint8Array): void {
  for (let b = 0; b < 256; b++) u8[b] = b < 0x20 || b > 0x7e ? 4 : 0
  u8[0x27] = 1
  u8[0x2b] = 2
  u8[0x3a] = 2
  u8[0x3f] = 3
}

const VALUES = ['', '1', '12', '007', '9', 'ZZZ', 'AA', '-5', '1.5', ',5', '.5', '5.', '1-2', '1.2.3', 'A', 'AB', 'ABC', 'ABCD', 'A?+B', '??', '?:', 'x'.repeat(36), '9'.repeat(19), 'S', 'D', '-', '1,25']

describe.skipIf(scanner === undefined)('WebAssembly scanner', () => {
  it('the value check during the scan agrees with elementsClean() on random segments of every dictionary segment', () => {
    const w = scanner!
    classes(w.u8)
    const rnd = prng(77)
    const pick = <T,>(a: T[]): T => a[Math.floor(rnd() * a.length)]
    let cleanCount = 0
    let total = 0
    for (const dict of [SEGMENTS_D96A, SEGMENTS_D01B]) {
      const progs = new Map(Object.entries(dict).map(([tag, defs]) => [tagKey(tag), compileElements(defs)]))
      // The scanner gets the programs without code lists (wasmProgram): a coded value fails there.
      const table = w.table(new Map([...progs].map(([k, p]) => [k, wasmProgram(p)])))
      expect(table).toBeGreaterThan(0)
      for (const tag of [...Object.keys(dict), 'ZZZ', 'UN']) {
        const prog = progs.get(tagKey(tag))
        const nDefs = dict[tag]?.length ?? 3
        for (let n = 0; n < 400; n++) {
          const els: string[] = []
          const nel = Math.floor(rnd() * (nDefs + 2))
          for (let e = 0; e < nel; e++) {
            const comps: string[] = []
            const nc = rnd() < 0.5 ? 1 : 1 + Math.floor(rnd() * 7)
            for (let c = 0; c < nc; c++) comps.push(rnd() < 0.3 ? '' : pick(VALUES))
            els.push(comps.join(':'))
          }
          // Now and then a component separator right after the tag (the tag part is no element).
          const text = (rnd() < 0.05 ? tag + ':X' : tag) + (els.length ? '+' + els.join('+') : '') + "'"
          const buf = Buffer.from(text, 'latin1')
          buf.copy(w.u8, w.data)
          const end = w.scan(0, buf.length, w.data, table, 0x3a)
          expect(end).toBe(buf.length - 1)
          expect(w.res[1]).toBe(0)
          const ns = w.res[0]
          const js = prog !== undefined && elementsClean(buf, w.seps, w.rels, ns, end, 0x3a, prog)
          // Clean for the scanner implies clean for elementsClean; the reverse only without coded values.
          if (w.res[2] === 1) expect(js, text).toBe(true)
          else if (js) expect(prog !== undefined && hasCodes(prog), text).toBe(true)
          // The tag key came out of the lookup, as the validator would compute it.
          expect(w.res[3], text).toBe(tagKeyBytes(buf, 0, ns > 0 ? w.seps[0] : end))
          total++
          if (js) cleanCount++
          // Without a table there is no check.
          w.scan(0, buf.length, w.data, 0, 0x3a)
          expect(w.res[2]).toBe(0)
        }
      }
    }
    // Both outcomes are well represented.
    expect(cleanCount).toBeGreaterThan(total / 20)
    expect(cleanCount).toBeLessThan(total - total / 20)
  })

  it('scan() finds separators, release counts, the terminator and odd bytes like the lexer', () => {
    const w = scanner!
    classes(w.u8)
    const buf = Buffer.from("LIN+1++400?:08??:SRS'QTY", 'latin1')
    buf.copy(w.u8, w.data + 10)
    // Window placed so that buffer position q is at data + 10 + q.
    expect(w.scan(0, buf.length, w.data + 10, 0, 0x3a)).toBe(20)
    expect(w.res[0]).toBe(4)
    expect(w.res[1]).toBe(0)
    expect(Array.from(w.seps.subarray(0, 4))).toEqual([3, 5, 6, 16])
    expect(Array.from(w.rels.subarray(0, 5))).toEqual([0, 0, 0, 2, 0])
    // No terminator: the end of the range; a release character as the last byte skips past it.
    expect(w.scan(21, buf.length, w.data + 10, 0, 0x3a)).toBe(buf.length)
    const rel = Buffer.from('FTX+A?', 'latin1')
    rel.copy(w.u8, w.data)
    expect(w.scan(0, rel.length, w.data, 0, 0x3a)).toBe(rel.length + 1)
    // A released character in the tag, and a byte outside printable ASCII, mark the segment.
    for (const t of ['L?IN+1', 'LIN+\u00e9', 'LIN+a\nb']) {
      const b = Buffer.from(t + "'", 'latin1')
      b.copy(w.u8, w.data)
      expect(w.scan(0, b.length, w.data, 0, 0x3a), t).toBe(b.length - 1)
      expect(w.res[1], t).toBe(1)
    }
  })
})

describe.skipIf(scanner === undefined)('scanner pool', () => {
  it('a batch of 16 lexers at once gets its scanners back from the pool the next time', async () => {
    const { acquireScanner, releaseScanner, POOL_MAX } = await import('../../../src/edi/edifact/scan-wasm.ts')
    expect(POOL_MAX).toBeGreaterThanOrEqual(16)
    const first = Array.from({ length: 16 }, () => acquireScanner()!)
    for (const s of first) releaseScanner(s)
    const again = Array.from({ length: 16 }, () => acquireScanner()!)
    expect(again.filter((s) => first.includes(s))).toHaveLength(16)
    for (const s of again) releaseScanner(s)
  })
})
