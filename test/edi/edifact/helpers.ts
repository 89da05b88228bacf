/** Shared helpers for the EDIFACT tests: build interchanges and parse them in chunks. */
import { createEdifactReader } from '../../../src/edi/edifact/index.ts'
import type { EdiIssue } from '../../../src/edi/issues.ts'
import type { ParsedInterchange, ParseResult, ParsedTransaction } from '../../../src/edi/types.ts'

/** Joins segments (without terminators) into an interchange with `'` and optional line breaks. */
export function edi(segments: string[], lineBreak = ''): Buffer {
  return Buffer.from(segments.map((s) => (s.startsWith('UNA') ? s : s + "'")).join(lineBreak), 'latin1')
}

/** A small valid ORDERS D96A body (BGM .. CNT) without UNH/UNT. */
export const ORDERS_BODY = [
  'BGM+220+PO123+9',
  'DTM+137:20240101:102',
  'NAD+BY+5412345000013::9',
  'NAD+SU+4012345500004::9',
  'LIN+1++4000862141404:SRS',
  'QTY+21:48',
  'PRI+AAA:14.58',
  'UNS+S',
  'CNT+2:1',
]

/** Wraps bodies into UNB/UNH/UNT/UNZ with correct counts. */
export function interchange(messages: { type?: string; version?: string; body: string[]; ref?: string }[], unb = 'UNB+UNOC:3+SENDER:14+RECEIVER:14+240101:1200+REF1'): Buffer {
  const segs = [unb]
  messages.forEach((m, i) => {
    const ref = m.ref ?? String(i + 1)
    segs.push(`UNH+${ref}+${m.type ?? 'ORDERS'}:${m.version ?? 'D:96A'}:UN`, ...m.body, `UNT+${m.body.length + 2}+${ref}`)
  })
  segs.push(`UNZ+${messages.length}+${/\+([^+]*)$/.exec(unb)?.[1] ?? 'REF1'}`)
  return edi(segs)
}

/** Parses `buf` through the streaming reader in pieces cut at `cuts` (byte offsets). */
export function parseInPieces(buf: Buffer, cuts: number[]): ParseResult {
  const interchanges: ParsedInterchange[] = []
  const r = createEdifactReader({ onInterchange: (x) => interchanges.push(x) }, { retain: true })
  let from = 0
  for (const c of [...cuts, buf.length]) {
    r.push(buf.subarray(from, c))
    from = c
  }
  const out = r.end()
  return { standard: 'edifact', interchanges, issues: out.issues, unreadable: out.unreadable }
}

export const txs = (r: ParseResult): ParsedTransaction[] => r.interchanges.flatMap((x) => x.groups.flatMap((g) => g.transactions))

/** Every issue anywhere in a result. */
export function allIssues(r: ParseResult): EdiIssue[] {
  return [
    ...r.issues,
    ...r.interchanges.flatMap((x) => [...x.issues, ...x.groups.flatMap((g) => [...g.issues, ...g.transactions.flatMap((t) => t.issues)])]),
  ]
}

export const codes = (r: ParseResult): string[] => allIssues(r).map((i) => i.code)
