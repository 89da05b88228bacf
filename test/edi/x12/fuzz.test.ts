import { describe, expect, it } from 'vitest'
import { buildX12Acks, createX12Reader, parseX12, summarizeX12 } from '../../../src/edi/x12/index.ts'
import { ASN_856, envelope, FA_997, INVOICE_810, PO_850, POACK_855 } from './fixtures.ts'

/** mulberry32: small seeded PRNG so failures reproduce. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const seeds = [
  envelope([{ type: '850', ctl: '0001', body: PO_850 }, { type: '855', ctl: '0002', body: POACK_855 }]),
  envelope([{ type: '856', ctl: '0001', body: ASN_856 }], { term: '\n', eol: '' }),
  '\uFEFF' + envelope([{ type: '810', ctl: '0001', body: INVOICE_810 }], { eol: '\r\n', version: '005010' }),
  envelope([{ type: '997', ctl: '0001', body: FA_997 }]),
].map((s) => Buffer.from(s))

const INTERESTING = [0x2a, 0x7e, 0x3e, 0x0a, 0x0d, 0x5e, 0x00, 0xff, 0xc2, 0x41, 0x49, 0x53]

describe('x12 fuzz: truncation and byte flips never throw', () => {
  it('2000 seeded mutations parse to issues or a clean rejection', () => {
    const rand = rng(20240102)
    let flagged = 0
    for (let n = 0; n < 2000; n++) {
      const base = seeds[n % seeds.length]
      let bytes = Buffer.from(base)
      if (rand() < 0.4) bytes = bytes.subarray(0, Math.floor(rand() * bytes.length))
      const flips = 1 + Math.floor(rand() * 4)
      for (let k = 0; k < flips && bytes.length > 0; k++) {
        const at = Math.floor(rand() * bytes.length)
        bytes[at] = rand() < 0.5 ? INTERESTING[Math.floor(rand() * INTERESTING.length)] : Math.floor(rand() * 256)
      }
      const r = parseX12(bytes)
      const s = summarizeX12(bytes)
      // The lean streaming path validates text in place: it must agree on every status.
      const lean: string[] = []
      const reader = createX12Reader({ onTransaction: (t) => lean.push(`${t.controlNumber}:${t.status}:${t.issues.map((i) => i.code).join(',')}`) }, { keepSegments: false })
      reader.push(bytes)
      reader.end()
      const full = r.interchanges.flatMap((ic) => ic.groups.flatMap((g) => g.transactions.map((t) => `${t.controlNumber}:${t.status}:${t.issues.map((i) => i.code).join(',')}`)))
      expect(lean).toEqual(full)
      expect(typeof s.segments).toBe('number')
      buildX12Acks(r, { ackType: n % 2 ? '997' : '999', sender: { qualifier: 'ZZ', id: 'US' }, version: n % 2 ? '004010' : '005010X231', controlNumbers: { interchange: 1, group: 1, transaction: 1 }, date: '20240101', time: '0000' })
      const issues = r.issues.length + r.interchanges.reduce((a, ic) => a + ic.issues.length + ic.groups.reduce((b, g) => b + g.issues.length + g.transactions.reduce((c, t) => c + t.issues.length, 0), 0), 0)
      if (r.unreadable || issues > 0) flagged++
    }
    // Nearly every mutation must be noticed (a flip inside free text can be legitimately valid).
    expect(flagged).toBeGreaterThan(1500)
  })
})
