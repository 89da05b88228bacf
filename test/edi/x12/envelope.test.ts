import { describe, expect, it } from 'vitest'
import { envelope, isaText, PO_850, FA_997 } from './fixtures.ts'
import { codes, parse } from './helpers.ts'

const tx = (ctl = '0001', body = PO_850) => ({ type: '850', ctl, body })
const good = () => envelope([tx()])

/** Each case: a mutation of a valid file, the code it must produce. The unmutated file has none. */
const cases: Array<[string, () => string]> = [
  ['interchange_control_mismatch', () => good().replace('IEA*1*000000101', 'IEA*1*101')],
  ['interchange_count_mismatch', () => good().replace('IEA*1*', 'IEA*2*')],
  ['interchange_trailer_missing', () => good().replace(/IEA\*[^~]*~\n$/, '')],
  ['group_control_mismatch', () => good().replace('GE*1*7001', 'GE*1*7002')],
  ['group_count_mismatch', () => good().replace('GE*1*', 'GE*3*')],
  ['group_trailer_missing', () => good().replace(/GE\*[^~]*~\n/, '')],
  ['group_version_unsupported', () => good().replace('*X*004010~', '*X*V4~')],
  ['transaction_count_mismatch', () => good().replace('SE*15*', 'SE*14*')],
  ['transaction_control_mismatch', () => good().replace('SE*15*0001', 'SE*15*0002')],
  ['transaction_trailer_missing', () => good().replace(/SE\*[^~]*~\n/, '')],
  ['transaction_id_invalid', () => good().replace('ST*850*', 'ST*85X*')],
  ['transaction_control_invalid', () => good().replace('ST*850*0001', 'ST*850*').replace('SE*15*0001', 'SE*15*')],
  ['segment_unexpected', () => good().replace('ST*850*', 'REF*ZZ*1~\nST*850*')],
  ['isa_field_width', () => good().replace('*PARTNER        *', '*PARTNER*')],
  ['interchange_control_invalid', () => good().replace('*000000101*0*P*', '*00000010A*0*P*')],
  ['interchange_ack_request_invalid', () => good().replace('*000000101*0*P*', '*000000101*2*P*')],
  ['interchange_time_invalid', () => good().replace('*240102*1200*', '*240102*2460*')],
  ['interchange_sender_invalid', () => good().replace('*PARTNER        *', '*               *')],
  ['interchange_receiver_invalid', () => good().replace('*OURCO          *', '*               *')],
  ['interchange_date_invalid', () => good().replace('*240102*1200*', '*241302*1200*')],
  ['interchange_version_unsupported', () => good().replace('*00401*', '*ABCDE*')],
  ['interchange_test_indicator_invalid', () => good().replace('*0*P*>', '*0*Q*>')],
  ['envelope_unreadable', () => 'ISA*00*short~'],
  ['trailing_garbage', () => good() + 'junk'],
  ['transaction_not_validated', () => good().replace('ST*850*', 'ST*940*')],
  ['transaction_not_in_group', () => good().replace('GS*PO*', 'GS*IN*')],
]

describe('x12 envelope checks', () => {
  it('the valid base file has no issues', () => {
    expect(codes(parse(good()))).toEqual([])
  })

  for (const [code, make] of cases) {
    it(`reports ${code}`, () => {
      expect(codes(parse(make()))).toContain(code)
    })
  }

  it('a bad ST/SE does not reject the good transactions of the same group', () => {
    const text = envelope([tx('0001'), tx('0002'), tx('0003')]).replace('SE*15*0002', 'SE*99*0002')
    const r = parse(text)
    const g = r.interchanges[0].groups[0]
    expect(g.transactions.map((t) => t.status)).toEqual(['accepted', 'rejected', 'accepted'])
    expect(g.transactions[1].issues.map((i) => i.code)).toEqual(['transaction_count_mismatch'])
  })

  it('keeps ISA values: ids trimmed, control number as written, test flag, ack request', () => {
    const r = parse(envelope([tx()], { ackRequested: '1' }).replace('*0*P*', '*1*T*').replace('*1*P*', '*1*T*'))
    const ic = r.interchanges[0]
    expect(ic.sender).toEqual({ qualifier: 'ZZ', id: 'PARTNER' })
    expect(ic.controlNumber).toBe('000000101')
    expect(ic.test).toBe(true)
    expect(ic.ackRequested).toBe(true)
    expect(ic.syntax).toBe('00401')
  })

  it('compares control numbers as text: IEA02 without zero padding is a mismatch', () => {
    const r = parse(good().replace('IEA*1*000000101', 'IEA*1*000000101'))
    expect(codes(r)).toEqual([])
    expect(codes(parse(good().replace('IEA*1*000000101', 'IEA*1*101')))).toContain('interchange_control_mismatch')
  })

  it('an ISA before IEA closes the open interchange with trailer_missing', () => {
    const first = good().replace(/IEA\*[^~]*~\n$/, '')
    const r = parse(first + envelope([tx()], { isa13: '000000102' }))
    expect(r.interchanges).toHaveLength(2)
    expect(r.interchanges[0].issues.map((i) => i.code)).toContain('interchange_trailer_missing')
    expect(r.interchanges[1].issues).toEqual([])
  })

  it('a 997 inside a 5010 interchange uses the 5010 dictionary', () => {
    const r = parse(envelope([{ type: '997', ctl: '0001', body: FA_997 }], { version: '005010X230' }))
    expect(codes(r)).toEqual([])
    expect(isaText({ version: '005010' })).toContain('*^*00501*')
  })
})
