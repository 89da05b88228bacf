/**
 * 860 (PO change), 865 (PO change acknowledgment) and 846 (inventory advice) in 004010 and
 * 005010: validated against the generated tables and acknowledged by 997 and 999. The same sets
 * with a segment the table does not have are refused, so the dictionary is really applied.
 */
import { describe, expect, it } from 'vitest'
import { buildX12Acks } from '../../../src/edi/x12/index.ts'
import { envelope } from './fixtures.ts'
import { codes, parse } from './helpers.ts'

const SETS: Record<string, { fid: string; body: string[] }> = {
  '860': {
    fid: 'PC',
    body: ['BCH*04*SA*4500012345***20250301', 'REF*IA*V1', 'N1*ST*STORE 12*92*0012', 'POC*1*QD*10*2*EA*9.25**BP*ITEM-1', 'PID*F****BLUE WIDGET', 'POC*2*DI*5*5*CA*19.5**BP*ITEM-2', 'CTT*2'],
  },
  '865': { fid: 'CA', body: ['BCA*04*AC*4500012345**1*20250301', 'POC*1*QD*10*2*EA*9.25**BP*ITEM-1', 'ACK*IA*10*EA', 'CTT*1'] },
  '846': { fid: 'IB', body: ['BIA*00*MM*INV-1*20250302', 'DTM*007*20250302', 'LIN*1*BP*ITEM-1*UP*012345678905', 'QTY*33*120*EA', 'LIN*2*BP*ITEM-2', 'QTY*33*0*EA', 'CTT*2'] },
}

const ack = (text: string, type: '997' | '999', version: string) =>
  buildX12Acks(parse(text), { ackType: type, sender: { qualifier: 'ZZ', id: 'OURCO' }, version, controlNumbers: { interchange: 1, group: 1, transaction: 1 }, date: '20250302', time: '1200' }).interchanges[0].text

describe('860 / 865 / 846', () => {
  for (const [type, { fid, body }] of Object.entries(SETS)) {
    for (const version of ['004010', '005010']) {
      it(`${type} ${version}: valid, accepted by the ${version === '005010' ? '999' : '997'}`, () => {
        const text = envelope([{ type, ctl: '0001', body }], { version, fid })
        expect(codes(parse(text))).toEqual([])
        const a = version === '005010' ? ack(text, '999', '005010X231') : ack(text, '997', '004010')
        expect(a).toContain(version === '005010' ? 'IK5*A~' : 'AK5*A~')
      })

      it(`${type} ${version}: a segment outside the table is refused`, () => {
        const text = envelope([{ type, ctl: '0001', body: [...body.slice(0, 1), 'BEG*00*SA*X**20250301', ...body.slice(1)] }], { version, fid })
        expect(codes(parse(text))).toContain('segment_not_in_set')
      })
    }
  }
})
