/**
 * Memory caps of the streaming reader (src/edi/edifact/limits.ts): issues past MAX_ISSUES are
 * counted behind one summary issue with the exact number; a message over the size limit is
 * rejected with its reason, its body is not kept, and the next message still goes through.
 */
import { describe, expect, it } from 'vitest'
import { createEdifactReader, parseEdifact } from '../../../src/edi/edifact/index.ts'
import { MAX_ISSUES, MAX_MESSAGE_BYTES, MAX_MESSAGE_SEGMENTS } from '../../../src/edi/edifact/limits.ts'
import type { EdiIssue } from '../../../src/edi/issues.ts'
import type { ParsedTransaction } from '../../../src/edi/types.ts'
import { edi, interchange, ORDERS_BODY, parseInPieces, txs } from './helpers.ts'

/** ORDERS_BODY with `n` unknown segments after BGM: one segment_unrecognized each. */
const withUnknown = (n: number) => [ORDERS_BODY[0], ...Array.from({ length: n }, (_, k) => `ZZZ+${k}`), ...ORDERS_BODY.slice(1)]

/**
 * ORDERS body of `lines` LIN/IMD/QTY lines, each with an FTX of five 70-character texts when
 * `ftx` (valid: SG25 repeats up to 200000 times in D96A, C108 4440 is an..70).
 */
function bigBody(lines: number, ftx = false): string[] {
  const out = ORDERS_BODY.slice(0, 4)
  const text = Array.from({ length: 5 }, (_, k) => String(k).repeat(70)).join(':')
  for (let l = 1; l <= lines; l++) {
    out.push(`LIN+${l}++4000862141404:SRS`, 'IMD+F++:::DESCRIPTION', 'QTY+21:48')
    if (ftx) out.push(`FTX+AAI+++${text}`)
  }
  out.push('UNS+S', `CNT+2:${lines}`)
  return out
}

const summaryOf = (issues: EdiIssue[]) => issues.filter((i) => i.code === 'issues_truncated')

describe('EDIFACT reader: issue cap', () => {
  it('keeps the first MAX_ISSUES of a message and counts the rest exactly in one summary', () => {
    // Below the cap every issue is listed: that is the count the summary must reproduce.
    const small = txs(parseEdifact(interchange([{ body: withUnknown(50) }])))[0]
    expect(small.issues.filter((i) => i.code === 'segment_unrecognized')).toHaveLength(50)
    const others = small.issues.length - 50

    const n = 1000
    const [tx] = txs(parseEdifact(interchange([{ body: withUnknown(n) }])))
    expect(tx.status).toBe('rejected')
    expect(tx.issues).toHaveLength(MAX_ISSUES + 1)
    const [more] = summaryOf(tx.issues)
    expect(tx.issues.at(-1)).toBe(more)
    expect(more.severity).toBe('error')
    expect(more.level).toBe('transaction')
    expect(Number(more.value)).toBe(n + others - MAX_ISSUES)
    expect(more.message).toContain(`${n + others - MAX_ISSUES} more issues not shown`)
    expect(more.message).toContain(`segment_unrecognized ${n + others - MAX_ISSUES}`)
    // The kept ones are the first ones, in order.
    const kept = tx.issues.filter((i) => i.code === 'segment_unrecognized')
    expect(kept[0].position?.index).toBeLessThan(kept[kept.length - 1].position!.index)
    expect(kept[0].segment).toBe('ZZZ')
  })

  it('caps segments outside messages at the interchange level; messages after them still pass', () => {
    const n = 700
    const junk = Array.from({ length: n }, (_, k) => `XYZ+${k}`)
    const buf = edi([
      'UNB+UNOC:3+SENDER:14+RECEIVER:14+240101:1200+REF1',
      ...junk,
      'UNH+1+ORDERS:D:96A:UN', ...ORDERS_BODY, `UNT+${ORDERS_BODY.length + 2}+1`,
      'UNZ+1+REF1',
    ])
    for (const r of [parseEdifact(buf), parseInPieces(buf, [100, 5000, 5001, 9000])]) {
      const ich = r.interchanges[0]
      expect(ich.issues).toHaveLength(MAX_ISSUES + 1)
      expect(ich.issues.slice(0, MAX_ISSUES).every((i) => i.code === 'segment_unexpected')).toBe(true)
      const [more] = summaryOf(ich.issues)
      expect(more.level).toBe('interchange')
      expect(more.value).toBe(String(n - MAX_ISSUES))
      expect(more.message).toBe(`${n - MAX_ISSUES} more issues not shown (segment_unexpected ${n - MAX_ISSUES})`)
      expect(txs(r).map((t) => t.status)).toEqual(['accepted'])
    }
  })

  it('adds no summary when nothing was left out', () => {
    const r = parseEdifact(interchange([{ body: withUnknown(MAX_ISSUES - 5) }]))
    expect(summaryOf(txs(r)[0].issues)).toEqual([])
    expect(summaryOf(r.interchanges[0].issues)).toEqual([])
  })
})

describe('EDIFACT reader: message size cap', () => {
  const check = (buf: Buffer, reason: string) => {
    const seen: ParsedTransaction[] = []
    const r = createEdifactReader({ onMessage: (tx) => void seen.push(tx) })
    // Streaming in 64 KiB chunks, as the pipeline does.
    for (let p = 0; p < buf.length; p += 1 << 16) r.push(buf.subarray(p, p + (1 << 16)))
    const end = r.end()
    expect(end.issues).toEqual([])
    expect(seen.map((t) => [t.controlNumber, t.status])).toEqual([['1', 'rejected'], ['2', 'accepted']])
    const [big, next] = seen
    const tooLarge = big.issues.find((i) => i.code === 'transaction_too_large')!
    expect(tooLarge.message).toContain(`over the limit of ${reason}`)
    expect(tooLarge.message).toContain('not kept')
    expect(tooLarge.severity).toBe('error')
    // The UNT count was still checked against every segment (it is right here: no mismatch),
    // and only UNH and UNT were kept.
    expect(big.issues.map((i) => i.code)).toEqual(['transaction_too_large'])
    expect(big.segments.map((s) => s.tag)).toEqual(['UNH', 'UNT'])
    expect(big.segments[0].elements[1]).toEqual(['ORDERS', 'D', '96A', 'UN'])
    expect(next.segments).toHaveLength(ORDERS_BODY.length + 2)
    expect(next.issues).toEqual([])
  }

  it('rejects a message over the byte limit and accepts the next one in the interchange', () => {
    const lines = Math.ceil(MAX_MESSAGE_BYTES / 400)
    expect(lines * 4).toBeLessThan(MAX_MESSAGE_SEGMENTS)
    check(interchange([{ body: bigBody(lines, true) }, { body: ORDERS_BODY }]), `${MAX_MESSAGE_BYTES} bytes`)
  })

  it('rejects a message over the segment limit and accepts the next one in the interchange', () => {
    const lines = Math.ceil(MAX_MESSAGE_SEGMENTS / 3) + 1
    const buf = interchange([{ body: bigBody(lines) }, { body: ORDERS_BODY }])
    expect(buf.length).toBeLessThan(MAX_MESSAGE_BYTES)
    check(buf, `${MAX_MESSAGE_SEGMENTS} segments`)
  })

  it('still reports a wrong UNT count of an oversized message with the exact count', () => {
    const body = bigBody(Math.ceil(MAX_MESSAGE_SEGMENTS / 3) + 1)
    const segs = body.length + 2
    const buf = interchange([{ body }]).toString('latin1').replace(`UNT+${segs}+1'`, `UNT+${segs + 5}+1'`)
    const [tx] = txs(parseEdifact(Buffer.from(buf, 'latin1')))
    expect(tx.issues.map((i) => i.code)).toEqual(['transaction_too_large', 'transaction_count_mismatch'])
    expect(tx.issues[1].message).toBe(`UNT says ${segs + 5} segments, message has ${segs}`)
  })

  it('a message just under both limits is kept whole', () => {
    const lines = Math.floor((MAX_MESSAGE_SEGMENTS - 20) / 3)
    const [tx] = txs(parseEdifact(interchange([{ body: bigBody(lines) }])))
    expect(tx.status).toBe('accepted')
    expect(tx.segments).toHaveLength(lines * 3 + 8)
  })
})
