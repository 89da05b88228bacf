import { describe, expect, it } from 'vitest'
import type { ParsedInterchange } from '../../../src/edi/types.ts'
import { createX12Reader, createX12Summarizer, parseX12 } from '../../../src/edi/x12/index.ts'
import { ASN_856, envelope, PO_850 } from './fixtures.ts'

/** Parse `bytes` delivered as the given chunks; same shape as parseX12. */
export function parseChunks(chunks: Buffer[], keepSegments = true) {
  const interchanges: ParsedInterchange[] = []
  const reader = createX12Reader({ onInterchange: (ic) => interchanges.push(ic) }, { keepSegments })
  for (const c of chunks) reader.push(c)
  const end = reader.end()
  return { standard: 'x12', interchanges, issues: end.issues, unreadable: end.unreadable }
}

function summarizeChunks(chunks: Buffer[]) {
  const s = createX12Summarizer()
  for (const c of chunks) s.push(c)
  return s.end()
}

/** Every split of `bytes` into two chunks, and 1-byte chunks, must equal the whole parse. */
export function assertChunkInvariant(bytes: Buffer): void {
  const whole = JSON.stringify(parseX12(bytes))
  const sum = JSON.stringify(summarizeChunks([bytes]))
  for (let at = 0; at <= bytes.length; at++) {
    const parts = [bytes.subarray(0, at), bytes.subarray(at)]
    const got = JSON.stringify(parseChunks(parts))
    if (got !== whole) expect.fail(`split at byte ${at} changes the parse`)
    if (JSON.stringify(summarizeChunks(parts)) !== sum) expect.fail(`split at byte ${at} changes the summary`)
  }
  // The streaming fast path (segments not kept, text validated in place) must find the same.
  const lean = (r: { interchanges: ParsedInterchange[] }) =>
    JSON.stringify(r, (k, v) => (k === 'segments' ? undefined : v))
  const wholeLean = lean(parseX12(bytes))
  for (let at = 0; at <= bytes.length; at += 7) {
    if (lean(parseChunks([bytes.subarray(0, at), bytes.subarray(at)], false)) !== wholeLean) expect.fail(`lean split at ${at} differs`)
  }
  const ones = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1))
  expect(JSON.stringify(parseChunks(ones))).toBe(whole)
  expect(JSON.stringify(summarizeChunks(ones))).toBe(sum)
}

const fixtures: Record<string, string> = {
  'BOM + CRLF 850': '\uFEFF' + envelope([{ type: '850', ctl: '0001', body: PO_850 }], { eol: '\r\n' }),
  'LF terminator 856': envelope([{ type: '856', ctl: '0001', body: ASN_856 }], { term: '\n', eol: '' }),
  'CR LF terminator pair': envelope([{ type: '850', ctl: '0001', body: PO_850 }], { term: '\r', eol: '\n' }),
  'two interchanges + garbage + errors': envelope([{ type: '850', ctl: '0001', body: PO_850 }]).replace('SE*15*', 'SE*16*') + ' junk ' + envelope([{ type: '856', ctl: '0002', body: ASN_856 }], { isa13: '000000102', version: '005010' }) + 'tail',
  'UTF-8 data, tabs, no final terminator': envelope([{ type: '850', ctl: '0001', body: PO_850.map((s) => s.replace('BLUE', 'BLÜE')) }]).replaceAll('\n', '\n\t').replace(/~\n\t$/, ''),
}

describe('x12 chunk boundaries', () => {
  for (const [name, text] of Object.entries(fixtures)) {
    it(`${name}: identical result for a split at every byte and for 1-byte chunks`, () => {
      assertChunkInvariant(Buffer.from(text, 'utf8'))
    })
  }
})
