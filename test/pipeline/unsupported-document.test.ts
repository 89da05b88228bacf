/**
 * X12 860 (PO change), 865 (PO change acknowledgment) and 846 (inventory advice): read,
 * validated and acknowledged like every set we carry a dictionary for, then held for a person as
 * `unsupported_document` because no map turns them into a canonical document. An 850 from the
 * same partner without a map of its own stays `no_map` (an onboarding gap, not an unknown type).
 */
import { describe, expect, it } from 'vitest'
import { listExceptions } from '../../src/db/exceptions.ts'
import { explain } from '../../src/exceptions/render.ts'
import { pipelineSuite } from '../helpers/pipeline.ts'

const ISA = (ctl: string) => `ISA*00*          *00*          *ZZ*DEMOSUPPLY     *ZZ*OURCO          *250302*0915*U*00401*${ctl}*0*P*>`

function interchange(ctl: string, fid: string, type: string, body: string[]): Buffer {
  const segs = [ISA(ctl), `GS*${fid}*DEMOSUPPLY*OURCO*20250302*0915*${Number(ctl)}*X*004010`, `ST*${type}*0001`, ...body, `SE*${body.length + 2}*0001`, `GE*1*${Number(ctl)}`, `IEA*1*${ctl}`]
  return Buffer.from(`${segs.join('~\n')}~\n`, 'latin1')
}

const CHANGE_860 = [
  'BCH*04*SA*4500012345***20250301*****20250302',
  'REF*IA*V1',
  'N1*ST*STORE 12*92*0012',
  'POC*1*QD*10*2*EA*9.25**BP*ITEM-1',
  'PID*F****BLUE WIDGET',
  'POC*2*DI*5*5*CA*19.5**BP*ITEM-2',
  'CTT*2',
]
const CHANGE_ACK_865 = ['BCA*04*AC*4500012345**1*20250301*****20250302', 'POC*1*QD*10*2*EA*9.25**BP*ITEM-1', 'ACK*IA*10*EA', 'CTT*1']
const INVENTORY_846 = ['BIA*00*MM*INV-1*20250302', 'DTM*007*20250302', 'LIN*1*BP*ITEM-1*UP*012345678905', 'PID*F****BLUE WIDGET', 'QTY*33*120*EA', 'LIN*2*BP*ITEM-2', 'QTY*33*0*EA', 'CTT*2']

describe('860 / 865 / 846: acknowledged, then held as unsupported_document', () => {
  const s = pipelineSuite()

  for (const [name, ctl, fid, type, body] of [
    ['860 PO change', '000000801', 'PC', '860', CHANGE_860],
    ['865 PO change acknowledgment', '000000802', 'CA', '865', CHANGE_ACK_865],
    ['846 inventory advice', '000000803', 'IB', '846', INVENTORY_846],
  ] as const) {
    it(name, async () => {
      const msg = await s.p.ingest({ transport: 'cli', body: interchange(ctl, fid, type, [...body]) })
      const [tx] = await s.db.sql<{ status: string; doc_type: string }[]>`select status, doc_type from transactions where payload_id = ${msg}`
      expect(tx).toEqual({ status: 'held', doc_type: type })
      const acks = await s.db.sql<{ doc_type: string; bytes: Buffer }[]>`select d.doc_type, d.bytes from deliveries d
        join interchanges i on i.id = d.parent_id where d.kind = 'ack' and i.payload_id = ${msg}`
      expect(acks.map((a) => a.doc_type)).toEqual(['997'])
      const ack = acks[0].bytes.toString('latin1')
      // Valid under the full 004010 table: the 997 accepts the set.
      expect(ack).toContain(`AK1*${fid}*${Number(ctl)}`)
      expect(ack).toContain(`AK2*${type}*0001`)
      expect(ack).toMatch(/AK5\*A~/)
      const exc = await listExceptions(s.db.sql, { payloadId: msg })
      expect(exc.map((e) => e.reason)).toEqual([{ code: 'unsupported_document', partnerId: 'demo-x12-supplier', standard: 'x12', version: '004010', docType: type, controlNumber: '0001' }])
      expect(explain(exc[0].reason)).toContain(`X12 ${type} 004010 0001 from partner demo-x12-supplier was read, validated and acknowledged`)
    })
  }

  it('a type other partners have maps for stays no_map (the partner lacks one)', async () => {
    // demo-x12-supplier is sent 850s, it does not send them; a base 850 inbound map exists, so an
    // 850 it sends anyway is mapped by the base map: not unsupported.
    const body = ['BEG*00*SA*PO-77**20250302', 'PO1*1*10*EA*9.25**BP*ITEM-1', 'CTT*1']
    const msg = await s.p.ingest({ transport: 'cli', body: interchange('000000804', 'PO', '850', body) })
    const exc = await listExceptions(s.db.sql, { payloadId: msg })
    expect(exc.map((e) => e.code)).not.toContain('unsupported_document')
  })
})

describe('an interchange with nothing readable after the ISA', () => {
  const s = pipelineSuite()

  it('is rejected by a TA1 R 024 and held with the reason, never acknowledged positively', async () => {
    // A 3-byte UTF-8 character after ISA16: the reader takes its first byte as the terminator.
    const term = '\u2192'
    const body = [ISA('000000901'), 'GS*PR*DEMOSUPPLY*OURCO*20250302*0915*901*X*004010', 'ST*855*0001', 'BAK*00*AC*4500012345*20250302', 'SE*3*0001', 'GE*1*901', 'IEA*1*000000901']
    const msg = await s.p.ingest({ transport: 'cli', body: Buffer.from(body.join(term) + term, 'utf8') })
    const acks = await s.db.sql<{ doc_type: string; bytes: Buffer }[]>`select d.doc_type, d.bytes from deliveries d
      join interchanges i on i.id = d.parent_id where d.kind = 'ack' and i.payload_id = ${msg}`
    expect(acks.map((a) => a.doc_type)).toEqual(['TA1'])
    expect(acks[0].bytes.toString('latin1')).toMatch(/TA1\*000000901\*250302\*0915\*R\*024/)
    const exc = await listExceptions(s.db.sql, { payloadId: msg })
    expect(exc.map((e) => e.code)).toEqual(['envelope_unreadable'])
    expect(JSON.stringify(exc[0].reason)).toContain('no functional group or transaction set could be read')
  })
})
