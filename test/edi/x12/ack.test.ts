import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildX12Acks, planX12Acks, readX12Ack, type X12AckOptions } from '../../../src/edi/x12/index.ts'
import { envelope, PO_850 } from './fixtures.ts'
import { edit, firstTx, parse } from './helpers.ts'

const golden = join(import.meta.dirname, 'golden')
const opts = (ackType: '997' | '999'): X12AckOptions => ({
  ackType,
  sender: { qualifier: 'ZZ', id: 'OURCO' },
  version: ackType === '997' ? '004010' : '005010X231',
  controlNumbers: { interchange: 501, group: 601, transaction: 1 },
  date: '20240103',
  time: '0800',
  separators: { lineBreak: '\n' },
})

/** Three 850s: one clean, one with bad optional data (E), one structurally broken (R). */
const mixed = envelope([
  { type: '850', ctl: '0001', body: PO_850 },
  { type: '850', ctl: '0002', body: edit(PO_850, 'N4', 'N4*SPRINGFIELD*IL*62*US') },
  { type: '850', ctl: '0003', body: edit(edit(PO_850, 'BEG', null), 'PO1*1', 'PO1*1*10*EA*9.25*PE*BP') },
])

function compareGolden(name: string, text: string): void {
  const file = join(golden, name)
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, text)
  expect(text).toBe(readFileSync(file, 'utf8'))
}

describe('x12 acknowledgements', () => {
  it('997 golden: AK2/AK3/AK4/AK5 per set, AK9 P', () => {
    const r = buildX12Acks(parse(mixed), opts('997'))
    expect(r.interchanges).toHaveLength(1)
    compareGolden('mixed-850.997.edi', r.interchanges[0].text)
    expect(r.groups[0].status).toBe('P')
    expect(r.groups[0].transactions.map((t) => t.status)).toEqual(['accepted', 'accepted_with_errors', 'rejected'])
    expect(r.used).toEqual({ interchange: 1, group: 1, transaction: 1 })
  })

  it('999 golden: IK3/IK4/IK5 and AK103 version', () => {
    const r = buildX12Acks(parse(mixed), opts('999'))
    compareGolden('mixed-850.999.edi', r.interchanges[0].text)
  })

  it('997 golden with TA1 for a broken envelope (IEA02 mismatch, GE01 count)', () => {
    const text = envelope([{ type: '850', ctl: '0001', body: PO_850 }]).replace('IEA*1*000000101', 'IEA*1*000000999').replace('GE*1*', 'GE*2*')
    const r = buildX12Acks(parse(text), opts('997'))
    compareGolden('broken-envelope.997.edi', r.interchanges[0].text)
    expect(r.interchanges[0].ta1).toEqual({ code: 'E', note: '001' })
  })

  it('TA1 when ISA14=1 even if all is well; none otherwise; never with ta1: never', () => {
    const asked = parse(envelope([{ type: '850', ctl: '0001', body: PO_850 }], { ackRequested: '1' }))
    expect(buildX12Acks(asked, opts('997')).interchanges[0].text).toContain('TA1*000000101*240102*1200*A*000~')
    expect(buildX12Acks(asked, { ...opts('997'), ta1: 'never' }).interchanges[0].text).not.toContain('TA1')
    const plain = parse(envelope([{ type: '850', ctl: '0001', body: PO_850 }]))
    expect(buildX12Acks(plain, opts('997')).interchanges[0].text).not.toContain('TA1')
  })

  it('plans exactly the control numbers it uses and numbers consecutively', () => {
    const two = parse(mixed + mixed.replaceAll('000000101', '000000102'))
    const plan = planX12Acks(two)
    const r = buildX12Acks(two, opts('997'))
    expect(r.used).toEqual(plan)
    expect(r.interchanges.map((i) => i.controlNumbers.interchange)).toEqual(['000000501', '000000502'])
    expect(r.interchanges.map((i) => i.controlNumbers.transactions)).toEqual([['0001'], ['0002']])
  })

  it('the generated 997/999 parse clean with our own dictionaries', () => {
    for (const t of ['997', '999'] as const) {
      const back = parse(buildX12Acks(parse(mixed), opts(t)).interchanges[0].text)
      expect(firstTx(back).issues).toEqual([])
      expect(firstTx(back).type).toBe(t)
    }
  })

  it('readX12Ack reconciles our control numbers from a 997 and a 999', () => {
    for (const t of ['997', '999'] as const) {
      const ack = firstTx(parse(buildX12Acks(parse(mixed), opts(t)).interchanges[0].text))
      const r = readX12Ack(ack)
      expect(r.groupControlNumber).toBe('7001')
      expect(r.groupCode).toBe('P')
      expect(r.transactions.map((x) => [x.controlNumber, x.status])).toEqual([
        ['0001', 'accepted'],
        ['0002', 'accepted_with_errors'],
        ['0003', 'rejected'],
      ])
      expect(r.transactions[2].notes.join(' ')).toContain('BEG')
    }
  })

  it('readX12Ack: AK9 A without AK2 means every set of the group was accepted', () => {
    const ack = firstTx(parse(envelope([{ type: '997', ctl: '0001', body: ['AK1*PO*55', 'AK9*A*3*3*3'] }])))
    const r = readX12Ack(ack)
    expect(r.allOthers).toBe('accepted')
    expect(r.counts).toEqual({ included: 3, received: 3, accepted: 3 })
    expect(readX12Ack({ ...ack, type: '850' }).notes[0]).toContain('not a 997/999')
  })
})
