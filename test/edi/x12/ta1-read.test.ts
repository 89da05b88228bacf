/**
 * A partner's TA1 in an inbound interchange: found between ISA and the first GS whatever the line
 * breaks, read into TA101..TA105 with the I18 note code's meaning, and never confused with a
 * TA1 after a GS (stray, X12.5) or a TA1 inside a set's data.
 */
import { describe, expect, it } from 'vitest'
import { createX12Reader, parseX12, readTa1, ta1Outcome, TA1_NOTE_CODES } from '../../../src/edi/x12/index.ts'

const ISA = 'ISA*00*          *00*          *ZZ*DEMOSUPPLY     *ZZ*OURCO          *250302*0915*U*00401*000000777*0*P*>~'
const parse = (s: string) => parseX12(Buffer.from(s, 'latin1'))

describe('TA1 in an inbound X12 interchange', () => {
  it('TA1s between ISA and IEA (no group) with CRLF line breaks: all of them, in order', () => {
    const r = parse(`${ISA}\r\nTA1*000000901*250301*1200*A*000~\r\nTA1*902*250301*1200*R*024~\r\nIEA*0*000000777~\r\n`)
    expect(r.unreadable).toBe(false)
    const [ic] = r.interchanges
    expect(ic.issues).toEqual([])
    expect(ic.ta1?.map((t) => t.elements)).toEqual([['000000901', '250301', '1200', 'A', '000'], ['902', '250301', '1200', 'R', '024']])
    expect(ic.ta1?.[0].offset).toBe(108)
  })

  it('only before the first GS: a TA1 after the group, or TA1 text in a set, is not an ack', () => {
    const gs = 'GS*FA*DEMOSUPPLY*OURCO*20250302*0915*1*X*004010~ST*997*0001~AK1*PO*1~AK9*A*1*1*1~SE*4*0001~GE*1*1~'
    const [ic] = parse(`${ISA}TA1*000000901*250301*1200*E*014~${gs}TA1*000000999*250301*1200*R*024~IEA*1*000000777~`).interchanges
    expect(ic.ta1?.map((t) => t.elements[0])).toEqual(['000000901'])
    // The one after the group is reported where it stands, not taken silently.
    expect(ic.issues.filter((i) => i.code === 'segment_unexpected').map((i) => [i.segment, i.position?.offset])).toEqual([['TA1', ic.span.end - 'TA1*000000999*250301*1200*R*024~IEA*1*000000777~'.length]])
    expect(parse(`${ISA}${gs}IEA*1*000000777~`).interchanges[0].ta1).toBeUndefined()
  })

  it('the streaming reader keeps them too, whatever the chunking', () => {
    const text = `${ISA}TA1*000000901*250301*1200*A*000~TA1*902*250301*1200*R*024~IEA*0*000000777~`
    for (const size of [1, 7, 64, text.length]) {
      const got: (string[] | undefined)[] = []
      const r = createX12Reader({ onInterchange: (ic) => void got.push(ic.ta1?.map((t) => t.elements.join('|'))) }, { keepSegments: false, keepTransactions: false })
      for (let i = 0; i < text.length; i += size) r.push(Buffer.from(text.slice(i, i + size), 'latin1'))
      r.end()
      expect(got, `chunks of ${size}`).toEqual([['000000901|250301|1200|A|000', '902|250301|1200|R|024']])
    }
  })

  it('one interchange per ISA: each keeps its own TA1s', () => {
    const second = ISA.replace('000000777', '000000778')
    const r = parse(`${ISA}TA1*000000901*250301*1200*A*000~IEA*0*000000777~${second}TA1*000000902*250301*1200*R*022~IEA*0*000000778~`)
    expect(r.interchanges.map((ic) => ic.ta1?.map((t) => t.elements[0]))).toEqual([['000000901'], ['000000902']])
  })

  it('reads TA104/TA105: status, zero-padded TA101, the note code meaning', () => {
    expect(readTa1(['902', '250301', '1200', 'R', '024'])).toEqual({
      controlNumber: '000000902', date: '250301', time: '1200', code: 'R', note: '024', status: 'rejected',
      text: 'TA104 R, TA105 024: invalid interchange content (e.g. an invalid GS segment)',
    })
    expect(readTa1(['000000901', '250301', '1200', 'A', '000']).status).toBe('accepted')
    expect(readTa1(['000000901', '250301', '1200', 'E', '020'])).toMatchObject({ status: 'accepted_with_errors', text: 'TA104 E, TA105 020: invalid test indicator value' })
    // We cannot tell an unknown TA104 was an acceptance.
    expect(readTa1(['000000901', '250301', '1200', 'X', '099'])).toMatchObject({ status: 'rejected', text: "TA104 'X' (not A, E or R), TA105 099: not an X12 interchange note code" })
  })

  it('the I18 table holds 000 through 031', () => {
    expect(Object.keys(TA1_NOTE_CODES)).toEqual(Array.from({ length: 32 }, (_, i) => String(i).padStart(3, '0')))
  })

  it('our own TA1 for a bad ISA15 says 020 (invalid test indicator value), not 019 (acknowledgment requested)', () => {
    const [ic] = parse(`${ISA.replace('*0*P*>', '*0*Q*>')}GS*PO*DEMOSUPPLY*OURCO*20250302*0915*1*X*004010~GE*0*1~IEA*1*000000777~`).interchanges
    const out = ta1Outcome(ic)
    expect(out).toEqual({ code: 'E', note: '020' })
    expect(TA1_NOTE_CODES[out.note]).toBe('invalid test indicator value')
  })
})
