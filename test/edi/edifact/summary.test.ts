import { describe, expect, it } from 'vitest'
import { parseEdifact, summarizeEdifact } from '../../../src/edi/edifact/index.ts'
import { edi, interchange, ORDERS_BODY } from './helpers.ts'

describe('summarizeEdifact', () => {
  it('counts interchanges, groups, messages, segments and types', () => {
    const buf = Buffer.concat([
      interchange([{ body: ORDERS_BODY }, { type: 'INVOIC', body: ['BGM+380+1+9'] }]),
      edi(['UNB+UNOC:3+S+R+240101:1200+2', 'UNG+ORDERS+S+R+240101:1200+G+UN+D:96A', 'UNH+1+ORDERS:D:96A:UN', 'BGM+220+1+9', 'UNT+3+1', 'UNE+1+G', 'UNZ+1+2'], '\r\n'),
    ])
    const s = summarizeEdifact(buf)
    expect(s).toMatchObject({ interchanges: 2, groups: 1, transactions: 3, byType: { ORDERS: 2, INVOIC: 1 }, issues: 0, unreadable: false })
    expect(s.segments).toBe(11 + 3 + 2 + 7)
  })

  it('does not split on released terminators, but does after an escaped release char', () => {
    const buf = edi(['UNB+UNOC:3+S+R+240101:1200+1', 'UNH+1+ORDERS:D:96A:UN', "FTX+AAI+++a?'b", 'FTX+AAI+++c??', 'UNT+4+1', 'UNZ+1+1'])
    const s = summarizeEdifact(buf)
    expect(s.segments).toBe(6)
    expect(s.issues).toBe(0)
  })

  it('follows UNA separators and counts count mismatches as issues', () => {
    const buf = Buffer.from("UNA=*.? ~UNB*UNOC=3*S*R*240101=1200*1~UNH*1*ORDERS=D=96A=UN~BGM*220*1?~x~UNT*9*1~UNZ*2*1~")
    const s = summarizeEdifact(buf)
    expect(s).toMatchObject({ segments: 5, transactions: 1, byType: { ORDERS: 1 }, issues: 2 })
  })

  it('agrees with the full parser on message and segment counts', () => {
    const buf = interchange([{ body: ORDERS_BODY }, { body: ORDERS_BODY, ref: '2' }])
    const p = parseEdifact(buf)
    const s = summarizeEdifact(buf)
    expect(s.transactions).toBe(p.interchanges[0].groups[0].transactions.length)
    expect(s.segments).toBe(2 + p.interchanges[0].groups[0].transactions.reduce((n, t) => n + t.segments.length, 0))
  })

  it('reports unreadable input', () => {
    expect(summarizeEdifact(Buffer.from('hello')).unreadable).toBe(true)
  })
})
