/** The inbound engine on real maps: HL trees, loop-level issues, canonical validation. */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadMaps, runInbound } from '../../src/mapping/index.ts'
import { x12 } from './split.ts'

const { maps } = loadMaps(join(import.meta.dirname, '../../maps'))
const m856 = maps.get('x12-004010/856.in')!
const meta = { partnerId: 'p' }

describe('856 HL tree', () => {
  it('links children through HL02, whatever the order, and keeps S/O/I items on the order', () => {
    // item HL 4 is listed before its order HL 2 is complete; HL 3 (I) hangs directly off the order
    const segs = x12(
      'ST*856*1~BSN*00*SH1*20250305*1200~HL*1**S~HL*2*1*O~PRF*PO-A~HL*3*2*I~LIN*1*BP*X~SN1**2*EA~' +
        'HL*5*1*O~PRF*PO-B~HL*6*5*P~MAN*GM*006141410000000029~HL*4*6*I~LIN*2*BP*Y~SN1**3*CA~SE*18*1~'
    )
    const r = runInbound(m856, segs, meta)
    if (!r.ok || r.doc.kind !== 'asn') throw new Error(JSON.stringify(r))
    expect(r.doc.orders.map((o) => o.poNumber)).toEqual(['PO-A', 'PO-B'])
    expect(r.doc.orders[0].items).toEqual([{ poLineNo: '1', item: { buyerPart: 'X' }, quantity: { value: '2', uom: 'EA' } }])
    expect(r.doc.orders[0].packs).toEqual([])
    expect(r.doc.orders[1].packs[0]).toMatchObject({ sscc: '006141410000000029', type: 'carton', items: [{ item: { buyerPart: 'Y' }, quantity: { value: '3', uom: 'CS' } }] })
    expect(r.provenance.fields['orders.1.packs.0.items.0.quantity.value']).toBe('SN1[2]/02')
    expect(r.provenance.fields['orders.1.packs.0.sscc']).toBe('MAN[1]/02')
  })

  it('a missing required value inside a loop names the loop instance', () => {
    const segs = x12('ST*856*1~BSN*00*SH1*20250305*1200~HL*1**S~HL*2*1*O~PRF*PO-A~HL*3*2*I~LIN*1*BP*X~SN1**~SE*9*1~')
    const r = runInbound(m856, segs, meta)
    expect(r.ok).toBe(false)
    if (!r.ok)
      expect(r.issues).toContainEqual({ code: 'required_missing', field: 'orders.0.items.0.quantity.value', source: 'SN1/02', at: 'HL[3]', rule: 'x12-004010/856.in: orders.items.quantity.value.required' })
  })

  it('a bad SSCC check digit is kept for matching (sscc_invalid); a wrong length is a transform issue naming field and source', () => {
    const kept = runInbound(m856, x12('ST*856*1~BSN*00*SH1*20250305*1200~HL*1**S~HL*2*1*O~PRF*PO-A~HL*3*2*P~MAN*GM*006141410000000028~HL*4*3*I~LIN*1*BP*X~SN1**1*EA~SE*11*1~'), meta)
    expect(kept.ok).toBe(true)
    if (kept.ok && kept.doc.kind === 'asn') expect(kept.doc.orders[0].packs[0].sscc).toBe('006141410000000028')
    const segs = x12('ST*856*1~BSN*00*SH1*20250305*1200~HL*1**S~HL*2*1*O~PRF*PO-A~HL*3*2*P~MAN*GM*06141410000000028~SE*8*1~')
    const r = runInbound(m856, segs, meta)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.issues[0]).toMatchObject({ code: 'transform_failed', field: 'orders.0.packs.0.sscc', source: 'MAN[1]/02', transform: 'sscc' })
  })

  it('no order level at all fails the required orders loop', () => {
    const r = runInbound(m856, x12('ST*856*1~BSN*00*SH1*20250305*1200~HL*1**S~SE*4*1~'), meta)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.issues).toEqual([expect.objectContaining({ code: 'required_missing', field: 'orders', source: 'HL[03=O]' })])
  })
})

describe('canonical validation after mapping', () => {
  it('an unknown code that survives the map is a canonical_invalid issue with its source', () => {
    const r = runInbound(maps.get('x12-004010/850.in')!, x12('ST*850*1~BEG*00*SA*P1**20250301~N1*ZZ*Who~PO1*1*1*EA***BP*A~SE*5*1~'), meta)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.issues).toContainEqual(expect.objectContaining({ code: 'canonical_invalid', field: 'parties.0.role', source: 'N1[1]/01' }))
  })
})
