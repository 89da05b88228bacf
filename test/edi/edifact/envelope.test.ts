import { describe, expect, it } from 'vitest'
import { parseEdifact } from '../../../src/edi/edifact/index.ts'
import { codes, edi, interchange, ORDERS_BODY, txs } from './helpers.ts'

const UNB = 'UNB+UNOC:3+SENDER:14+RECEIVER:14+240101:1200+REF1'
const msg = (ref = '1', n = ORDERS_BODY.length + 2, unt = ref) => [`UNH+${ref}+ORDERS:D:96A:UN:EAN008`, ...ORDERS_BODY, `UNT+${n}+${unt}`]
const clean = edi([UNB, ...msg(), 'UNZ+1+REF1'])

describe('EDIFACT envelope', () => {
  it('reads a clean interchange with no issues', () => {
    const r = parseEdifact(clean)
    expect(codes(r)).toEqual([])
    const x = r.interchanges[0]
    expect(x).toMatchObject({ controlNumber: 'REF1', syntax: 'UNOC:3', sender: { id: 'SENDER', qualifier: '14' }, test: false, ackRequested: false })
    expect(x.groups[0]).toMatchObject({ type: 'ORDERS', explicit: false, version: 'D96A' })
    expect(txs(r)[0]).toMatchObject({ type: 'ORDERS', version: 'D96A', implementation: 'EAN008', controlNumber: '1', status: 'accepted' })
  })

  // [code, input that must raise it]; the clean interchange above is the negative case for each.
  const cases: [string, Buffer][] = [
    ['interchange_control_mismatch', edi([UNB, ...msg(), 'UNZ+1+OTHER'])],
    ['interchange_count_mismatch', edi([UNB, ...msg(), 'UNZ+2+REF1'])],
    ['interchange_trailer_missing', edi([UNB, ...msg()])],
    ['transaction_count_mismatch', edi([UNB, ...msg('1', 21), 'UNZ+1+REF1'])],
    ['transaction_control_mismatch', edi([UNB, ...msg('1', 11, '2'), 'UNZ+1+REF1'])],
    ['transaction_trailer_missing', edi([UNB, ...msg().slice(0, -1), 'UNZ+1+REF1'])],
    ['interchange_version_unsupported', edi([UNB.replace('UNOC:3', 'UNOC:9'), ...msg(), 'UNZ+1+REF1'])],
    ['interchange_test_indicator_invalid', edi([UNB + '++++++2', ...msg(), 'UNZ+1+REF1'])],
    ['interchange_sender_invalid', edi([UNB.replace('SENDER:14', ''), ...msg(), 'UNZ+1+REF1'])],
    ['interchange_receiver_invalid', edi([UNB.replace('RECEIVER:14', ''), ...msg(), 'UNZ+1+REF1'])],
    ['interchange_date_invalid', edi([UNB.replace('240101:1200', '241301:1200'), ...msg(), 'UNZ+1+REF1'])],
    ['element_missing', edi(['UNB+UNOC:3+S+R+240101:1200', ...msg(), 'UNZ+1'])],
    ['segment_unexpected', edi([UNB, 'BGM+220+1+9', ...msg(), 'UNZ+1+REF1'])],
    ['trailing_garbage', Buffer.concat([clean, Buffer.from("XYZ+1'")])],
    ['envelope_unreadable', Buffer.from('this is not edifact at all')],
    ['una_invalid', Buffer.concat([Buffer.from("UNA::.? '"), clean])],
    ['transaction_id_invalid', edi([UNB, 'UNH+1+ORD:D:96A:UN', ...ORDERS_BODY, 'UNT+11+1', 'UNZ+1+REF1'])],
    ['transaction_control_invalid', edi([UNB, 'UNH++ORDERS:D:96A:UN', ...ORDERS_BODY, 'UNT+11', 'UNZ+1+REF1'])],
    ['group_control_mismatch', edi([UNB, 'UNG+ORDERS+S+R+240101:1200+G1+UN+D:96A', ...msg(), 'UNE+1+G2', 'UNZ+1+REF1'])],
    ['group_count_mismatch', edi([UNB, 'UNG+ORDERS+S+R+240101:1200+G1+UN+D:96A', ...msg(), 'UNE+3+G1', 'UNZ+1+REF1'])],
    ['group_trailer_missing', edi([UNB, 'UNG+ORDERS+S+R+240101:1200+G1+UN+D:96A', ...msg(), 'UNZ+1+REF1'])],
    ['group_control_invalid', edi([UNB, 'UNG+ORDERS+S+R+240101:1200++UN+D:96A', ...msg(), 'UNE+1', 'UNZ+1+REF1'])],
    ['dictionary_substituted', edi([UNB, ...msg().map((s) => s.replace('D:96A', 'D:97A')), 'UNZ+1+REF1'])],
    ['dictionary_unavailable', edi([UNB, 'UNH+1+IFTMIN:D:96A:UN', 'BGM+610+1+9', 'UNT+3+1', 'UNZ+1+REF1'])],
    ['element_invalid_code', edi([UNB, ...msg().map((s) => s.replace('ORDERS:D:', 'ORDERS:0:')), 'UNZ+1+REF1'])],
  ]
  it.each(cases)('%s is raised when present', (code, buf) => {
    expect(codes(parseEdifact(buf))).toContain(code)
  })
  it.each(cases.map(([c]) => c))('%s is absent from the clean interchange', (code) => {
    expect(codes(parseEdifact(clean))).not.toContain(code)
  })

  it('UNZ counts groups when UNG is used; group fields are read', () => {
    const buf = edi([UNB, 'UNG+ORDERS+GS:14+GR:14+240101:1200+G1+UN+D:96A', ...msg(), 'UNE+1+G1', 'UNZ+1+REF1'])
    const r = parseEdifact(buf)
    expect(codes(r)).toEqual([])
    expect(r.interchanges[0].groups[0]).toMatchObject({ explicit: true, controlNumber: 'G1', senderId: 'GS', version: 'D96A' })
  })

  it('syntax versions 1 and 2 are read with a warning, not rejected', () => {
    const r = parseEdifact(edi([UNB.replace('UNOC:3', 'UNOA:1'), ...msg(), 'UNZ+1+REF1']))
    const i = r.interchanges[0].issues.find((x) => x.code === 'interchange_version_unsupported')!
    expect(i.severity).toBe('warning')
    expect(txs(r)[0].status).toBe('accepted')
  })

  it('reads the test indicator and the acknowledgement request', () => {
    const r = parseEdifact(edi([UNB + '++APP++1++1', ...msg(), 'UNZ+1+REF1']))
    expect(r.interchanges[0]).toMatchObject({ test: true, ackRequested: true })
  })

  it('makes one synthetic group per message type, and one bad message rejects only itself', () => {
    const r = parseEdifact(
      interchange([
        { body: ORDERS_BODY },
        { type: 'INVOIC', body: ['BGM+380+1+9', 'DTM+137:20240101:102', 'UNS+S', 'MOA+79:1'] },
        { body: ORDERS_BODY.filter((s) => !s.startsWith('BGM')) },
      ])
    )
    expect(r.interchanges[0].groups.map((g) => [g.type, g.transactions.length, g.explicit])).toEqual([
      ['ORDERS', 2, false],
      ['INVOIC', 1, false],
    ])
    expect(txs(r).map((t) => t.status)).toEqual(['accepted', 'rejected', 'accepted'])
  })

  it('reads two interchanges in one file', () => {
    const r = parseEdifact(Buffer.concat([clean, Buffer.from('\n'), clean]))
    expect(r.interchanges).toHaveLength(2)
    expect(r.issues).toEqual([])
  })

  it('never throws on truncations of a clean file', () => {
    for (let i = 0; i <= clean.length; i++) expect(() => parseEdifact(clean.subarray(0, i))).not.toThrow()
  })

  // A plain UNT is read from its bytes (assemble.ts rawUnt); one with release characters takes
  // the ordinary way. Both must report the same values and point at the UNT.
  it('reads the UNT values and position alike on the fast and the ordinary path', () => {
    const body = ORDERS_BODY.join("'\n") + "'\n"
    const make = (unt: string) => Buffer.from(`${UNB}'\nUNH+M1+ORDERS:D:96A:UN'\n${body}${unt}'\nUNZ+1+REF1'`, 'latin1')
    // Fast: plain, values in components, a component separator right after the tag (part of
    // the tag, not element 1); ordinary: a released character; last, a wrong reference.
    const variants = ['UNT+99+M1', 'UNT+99:x+M1:y', 'UNT:z+99+M1', 'UNT+99+M?1', 'UNT+99+M2']
    const found = variants.map((unt) => {
      const buf = make(unt)
      const tx = txs(parseEdifact(buf))[0]
      const at = buf.indexOf(unt.slice(0, 4), buf.indexOf('CNT'))
      for (const i of tx.issues) expect(i.position, unt).toEqual({ offset: at, index: ORDERS_BODY.length + 2, line: ORDERS_BODY.length + 3 })
      expect(tx.segments.at(-1)!.tag).toBe('UNT')
      return tx.issues.map((i) => `${i.code}:${i.value}`).join(' ')
    })
    expect(found).toEqual([...Array(4).fill('transaction_count_mismatch:99'), 'transaction_count_mismatch:99 transaction_control_mismatch:M2'])
    // The right count: no issue either way.
    expect(txs(parseEdifact(make(`UNT+${ORDERS_BODY.length + 2}+M1`)))[0].issues).toEqual([])
    expect(txs(parseEdifact(make(`UNT+${ORDERS_BODY.length + 2}+M?1`)))[0].issues).toEqual([])
  })
})
