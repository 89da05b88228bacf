/**
 * Conformant EDIFACT that the hand-picked dictionaries rejected, and acknowledgement faults seen
 * on public sample files: 80-column wrapped files, CONTRL echoing raw line feeds, our own CONTRL
 * unreadable by `parse`, duplicate message references, invalid code-list agencies, and message
 * types (ORDCHG, INVRPT, APERAK, CONTRL) we had no tables for.
 */
import { describe, expect, it } from 'vitest'
import { buildContrl, parseEdifact, readContrl } from '../../../src/edi/edifact/index.ts'
import { codes, edi, interchange, ORDERS_BODY, txs } from './helpers.ts'

const now = new Date(Date.UTC(2024, 4, 17, 9, 5))
const opts = { reference: 'OUR0001', now }

/** Inserts a line break every `width` bytes, inside segments too (how some mainframes send). */
function wrap(buf: Buffer, width = 80, nl = '\n'): Buffer {
  const s = buf.toString('latin1')
  const lines: string[] = []
  for (let i = 0; i < s.length; i += width) lines.push(s.slice(i, i + width))
  return Buffer.from(lines.join(nl), 'latin1')
}

const contrlText = (b: Buffer) => b.toString('latin1')
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f]/

describe('interchanges wrapped at a fixed width (line breaks inside segments)', () => {
  // CR and LF are in no EDIFACT repertoire (ISO 9735-1): a line break inside a segment is an
  // invalid character, not a separator, so a wrapped file is not read as if it were unwrapped.
  // What matters is that the partner is told: never a CONTRL "7" that covers nothing.
  const plain = interchange([{ body: ORDERS_BODY }, { body: ORDERS_BODY, ref: 'M2' }], 'UNB+UNOC:3+SENDER:14+RECEIVER:14+240101:1200+REFERENCE01')

  it('80 columns: every damaged message is rejected in its own UCM, the damage is named', () => {
    const w = wrap(plain, 80)
    expect(w.toString('latin1')).toMatch(/[^'\n][\n][^\n]/) // the wrap really cuts segments
    const r = parseEdifact(w)
    expect(codes(r)).toContain('charset_violation')
    const ack = buildContrl(r.interchanges[0], opts)
    const report = readContrl(txs(parseEdifact(ack.bytes))[0])
    const read = txs(r)
    if (read.length === 0) expect(report.interchange).toBe('rejected')
    else {
      expect(report.messages.map((m) => m.ref)).toEqual(read.map((t) => t.controlNumber.replace(/[\r\n]/g, '')))
      expect(report.messages.some((m) => m.status === 'rejected')).toBe(true)
    }
  })

  it('a wrap that cuts the only UNH tag: no message read, so UCI 4 with a reason (not 7 without UCM)', () => {
    const one = interchange([{ body: ORDERS_BODY }], 'UNB+UNOC:3+SENDER:14+RECEIVER:14+240101:1200+REF1')
    const width = one.indexOf('UNH') + 2 // the first break falls between "UN" and "H"
    const r = parseEdifact(wrap(one, width))
    expect(txs(r)).toHaveLength(0)
    const ack = buildContrl(r.interchanges[0], opts)
    expect(ack.interchangeAction).toBe('4')
    const report = readContrl(txs(parseEdifact(ack.bytes))[0])
    expect(report.interchange).toBe('rejected')
    expect(report.error).toMatch(/^\d+$/)
    expect(report.messages).toEqual([])
  })

  it('an interchange in which no message could be read is rejected at interchange level (UCI 4 with a code)', () => {
    const r = parseEdifact(edi(['UNB+UNOC:3+SENDER:14+RECEIVER:14+240101:1200+REF1', 'XXX+1+ORDERS:D:96A:UN', 'BGM+220+1+9', 'UNZ+1+REF1']))
    expect(txs(r)).toHaveLength(0)
    const ack = buildContrl(r.interchanges[0], opts)
    expect(ack.interchangeAction).toBe('4')
    const report = readContrl(txs(parseEdifact(ack.bytes))[0])
    expect(report.interchange).toBe('rejected')
    expect(report.error).toBe('15') // XXX: not supported in this position
    expect(report.messages).toEqual([])
  })

  it('line breaks between segments are fine', () => {
    const r = parseEdifact(edi(['UNB+UNOC:3+SENDER:14+RECEIVER:14+240101:1200+REF1', 'UNH+1+ORDERS:D:96A:UN', ...ORDERS_BODY, `UNT+${ORDERS_BODY.length + 2}+1`, 'UNZ+1+REF1'], '\r\n'))
    expect(codes(r)).toEqual([])
  })
})

describe('CONTRL echoes only clean values', () => {
  it('control characters in UNB/UNH values never reach the CONTRL', () => {
    const r = parseEdifact(interchange([{ body: ORDERS_BODY, ref: 'M\t1' }], 'UNB+UNOC:3+SEN\tDER:14+RECEIVER:14+240101:1200+RE\u0007F1'))
    const ack = buildContrl(r.interchanges[0], opts)
    const back = parseEdifact(ack.bytes)
    for (const s of txs(back)[0].segments) for (const el of s.elements) for (const v of el) expect(v).not.toMatch(CONTROL)
    for (const el of back.interchanges[0].sender.id + back.interchanges[0].receiver.id) expect(el).not.toMatch(CONTROL)
    expect(readContrl(txs(back)[0]).interchangeRef).toBe('REF1')
  })

  it('a wrapped UNB does not put its line feed into UCI', () => {
    // The break falls inside the interchange reference (0020).
    const src = interchange([{ body: ORDERS_BODY }], 'UNB+UNOC:3+SENDER:14+RECEIVER:14+240101:1200+REF0000001')
    const cut = src.indexOf('REF0000001') + 4
    const w = Buffer.concat([src.subarray(0, cut), Buffer.from('\n'), src.subarray(cut)])
    const ack = buildContrl(parseEdifact(w).interchanges[0], opts)
    expect(contrlText(ack.bytes)).not.toMatch(CONTROL)
    expect(contrlText(ack.bytes)).toContain('UCI+REF0000001+')
  })
})

describe('our own CONTRL', () => {
  it.each([
    ['syntax 3', 'UNB+UNOC:3+SENDER:14+RECEIVER:14+240101:1200+REF1'],
    ['syntax 4', 'UNB+UNOC:4+SENDER:14+RECEIVER:14+20240101:1200+REF1'],
  ])('parses with a dictionary and is accepted (%s)', (_n, unb) => {
    const bad = ORDERS_BODY.filter((s) => !s.startsWith('DTM'))
    const r = parseEdifact(interchange([{ body: ORDERS_BODY }, { body: bad, ref: 'BAD' }], unb))
    const back = parseEdifact(buildContrl(r.interchanges[0], opts).bytes)
    const t = txs(back)[0]
    expect(t.type).toBe('CONTRL')
    expect(codes(back)).not.toContain('dictionary_unavailable')
    expect(codes(back)).not.toContain('dictionary_substituted')
    expect(t.status).toBe('accepted')
  })

  it('a CONTRL with a bad action code is not accepted', () => {
    const r = parseEdifact(interchange([{ type: 'CONTRL', version: 'D:3', body: ['UCI+REF9+SENDER:14+RECEIVER:14+X'] }]))
    expect(txs(r)[0].status).toBe('rejected')
    expect(codes(r)).toContain('element_invalid_code')
  })
})

describe('message references', () => {
  it('a second UNH with the same reference in one interchange is rejected (0085 = 26)', () => {
    const r = parseEdifact(interchange([{ body: ORDERS_BODY, ref: 'A1' }, { body: ORDERS_BODY, ref: 'A1' }]))
    expect(txs(r).map((t) => t.status)).toEqual(['accepted', 'rejected'])
    expect(txs(r)[1].issues.find((i) => i.code === 'transaction_duplicate')).toMatchObject({ severity: 'error', value: 'A1' })
    const text = contrlText(buildContrl(r.interchanges[0], opts).bytes)
    expect(text).toContain("UCM+A1+ORDERS:D:96A:UN+7'")
    expect(text).toContain("UCM+A1+ORDERS:D:96A:UN+4+26'")
  })

  it('among 300 messages only the one repeating an earlier reference is rejected', () => {
    const msgs = Array.from({ length: 300 }, (_, i) => ({ body: ORDERS_BODY, ref: `R${i}` }))
    msgs.push({ body: ORDERS_BODY, ref: 'R17' })
    const t = txs(parseEdifact(interchange(msgs)))
    expect(t.filter((x) => x.status === 'rejected').map((x) => x.controlNumber)).toEqual(['R17'])
    expect(t.at(-1)!.status).toBe('rejected')
  })

  it('the same reference in two interchanges is fine', () => {
    const one = interchange([{ body: ORDERS_BODY, ref: 'A1' }])
    const r = parseEdifact(Buffer.concat([one, interchange([{ body: ORDERS_BODY, ref: 'A1' }], 'UNB+UNOC:3+SENDER:14+RECEIVER:14+240101:1200+REF2')]))
    expect(txs(r).map((t) => t.status)).toEqual(['accepted', 'accepted'])
  })
})

describe('code lists', () => {
  const withFtx = (agency: string) => ORDERS_BODY.flatMap((s) => (s.startsWith('DTM') ? [s, `FTX+AAI++001:1:${agency}+DELIVER TO DOCK 4`] : [s]))

  it('a code-list responsible agency (3055) outside UNCL 3055 is an error', () => {
    const r = parseEdifact(interchange([{ body: withFtx('AA') }]))
    expect(txs(r)[0].status).toBe('rejected')
    expect(txs(r)[0].issues.find((i) => i.code === 'element_invalid_code')).toMatchObject({ segment: 'FTX', ref: '3055', value: 'AA' })
  })

  it('under a substitute dictionary (D97B read with D96A) an unknown code is a warning: a later release may have it', () => {
    // 3055 = 260 exists from D.01B on; a D97B message is validated with the D96A tables.
    const r = parseEdifact(interchange([{ version: 'D:97B', body: withFtx('260') }]))
    const t = txs(r)[0]
    expect(t.issues.find((i) => i.code === 'element_invalid_code')).toMatchObject({ severity: 'warning', value: '260' })
    expect(t.status).not.toBe('rejected')
    // The exact release still rejects it.
    expect(txs(parseEdifact(interchange([{ body: withFtx('260') }])))[0].status).toBe('rejected')
  })

  it.each(['9', '91', 'ZZZ'])('agency %s is accepted', (agency) => {
    const r = parseEdifact(interchange([{ body: withFtx(agency) }]))
    expect(txs(r)[0].issues).toEqual([])
  })
})

const ORDCHG = ['BGM+230+PO123-C1+4', 'DTM+137:20240102:102', 'RFF+ON:PO123', 'NAD+BY+5412345000013::9', 'LIN+1+3+4000862141404:SRS', 'QTY+21:40', 'UNS+S', 'CNT+2:1']
const INVRPT = ['BGM+35+INV-1+9', 'DTM+137:20240102:102', 'NAD+SU+5412345000013::9', 'LIN+1++4000862141404:SRS', 'QTY+145:120']
// D.01B put the line quantities into an INV group (SG9 of the line).
const INVRPT_01B = ['BGM+35+INV-1+9', 'DTM+137:20240102:102', 'NAD+SU+5412345000013::9', 'LIN+1++4000862141404:SRS', 'INV+1', 'QTY+145:120']
const APERAK = ['BGM+23+ERR-1+9', 'DTM+137:20240102:102', 'RFF+ON:PO123', 'ERC+12', 'FTX+AAO+++WRONG PRICE']

describe('message types beyond the first four', () => {
  it.each([
    ['ORDCHG', 'D:96A', ORDCHG],
    ['ORDCHG', 'D:01B', ORDCHG],
    ['INVRPT', 'D:96A', INVRPT],
    ['INVRPT', 'D:01B', INVRPT_01B],
    ['APERAK', 'D:96A', APERAK],
    ['APERAK', 'D:01B', APERAK],
  ])('%s %s validates against its own table and is acknowledged', (type, version, body) => {
    const r = parseEdifact(interchange([{ type, version, body }]))
    expect(codes(r)).toEqual([])
    expect(txs(r)[0].status).toBe('accepted')
    expect(contrlText(buildContrl(r.interchanges[0], opts).bytes)).toContain(`UCM+1+${type}:${version}:UN+7'`)
  })

  it('an ORDCHG missing its mandatory DTM is rejected', () => {
    const r = parseEdifact(interchange([{ type: 'ORDCHG', body: ORDCHG.filter((s) => !s.startsWith('DTM')) }]))
    expect(txs(r)[0].issues.find((i) => i.code === 'segment_missing')).toMatchObject({ segment: 'DTM' })
  })

  it('D01B DESADV allows what D01B added (header CUX), not only the D96A layout', () => {
    const body = ['BGM+351+DES1+9', 'DTM+137:20240101:102', 'CUX+2:EUR:9', 'CPS+1', 'LIN+1++4000862141404:SRS', 'QTY+12:48', 'CNT+2:1']
    const r = parseEdifact(interchange([{ type: 'DESADV', version: 'D:01B', body }]))
    expect(codes(r)).toEqual([])
  })

  it('element checks cover every segment, not only a hand-picked list (DOC 1001 too long)', () => {
    const body = ORDERS_BODY.flatMap((s) => (s.startsWith('NAD+BY') ? [s, 'DOC+ABCD:::'] : [s]))
    const r = parseEdifact(interchange([{ body }]))
    expect(txs(r)[0].issues.find((i) => i.code === 'element_too_long')).toMatchObject({ segment: 'DOC', ref: '1001' })
  })
})
