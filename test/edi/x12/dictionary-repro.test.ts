/**
 * Conformant 004010/005010 documents that the hand-picked dictionary falsely rejected (each case
 * from the dictionary issue: segments the published set tables allow, element types and lengths
 * the X12.3 dictionary gives, the ISB/ISE interchange segments, an interchange with no readable
 * transaction set). Every case here failed on the old dictionary.
 */
import { describe, expect, it } from 'vitest'
import { buildX12Acks } from '../../../src/edi/x12/index.ts'
import { envelope, INVOICE_810, PO_850, POACK_855, ASN_856, isaText } from './fixtures.ts'
import { allIssues, codes, parse } from './helpers.ts'

const po = (body: string[], version = '004010') => parse(envelope([{ type: '850', ctl: '0001', body }], { version }))

/** Insert `add` before the first segment starting with `before`. */
function insert(body: string[], before: string, ...add: string[]): string[] {
  const i = body.findIndex((s) => s.startsWith(before))
  if (i < 0) throw new Error(`no ${before}`)
  return [...body.slice(0, i), ...add, ...body.slice(i)]
}

const issuesText = (r: ReturnType<typeof parse>) => allIssues(r).map((i) => `${i.code} ${i.segment ?? ''} ${i.element ?? ''} ${i.message}`)

describe('004010 850 segments the published table allows', () => {
  it('AMT loop in the heading (AMT, REF, DTM, PCT)', () => {
    const r = po(insert(PO_850, 'N1*ST', 'AMT*1*100.00', 'REF*ZZ*X', 'DTM*002*20240115', 'PCT*ZZ*5'))
    expect(issuesText(r)).toEqual([])
  })

  it('SPI loop with MSG in the heading', () => {
    const r = po(insert(PO_850, 'PO1*1', 'SPI*ZZ*ZZ*SPEC-1', 'MSG*HANDLE WITH CARE'))
    expect(issuesText(r)).toEqual([])
  })

  it('IT8, SDQ, IT3, PO3, QTY, SI, PWK, PAM in the PO1 loop and SI, PWK, PAM in the heading', () => {
    let body = insert(PO_850, 'DTM*002', 'PAM*ZZ*1*EA')
    body = insert(body, 'N1*ST', 'SI*ZZ*AA*1', 'PWK*BL*EL')
    body = insert(body, 'PID*F', 'SI*ZZ*AA*1', 'PO3*ZZ**CAT*10*PE*2*EA', 'PAM*ZZ*1*EA')
    body = insert(body, 'PO4*4', 'PWK*BL*EL')
    body = insert(body, 'PO1*2', 'IT8*N', 'SDQ*EA*92*0012*5', 'IT3*5*EA', 'QTY*01*5*EA', 'SI*ZZ*AA*1')
    expect(issuesText(po(body))).toEqual([])
  })
})

describe('element definitions the X12.3 dictionary gives', () => {
  it('1019 (BEG08) is ID 3/3', () => {
    const r = po(PO_850.map((s) => (s.startsWith('BEG') ? 'BEG*00*SA*PO12345**20240102***AAB' : s)))
    expect(issuesText(r)).toEqual([])
  })

  it('350 (TXI10) is AN 1/20', () => {
    const r = po(insert(PO_850, 'N1*ST', 'TXI*ST*10.00********LINE-ABC-1'))
    expect(issuesText(r)).toEqual([])
  })

  it('22 (TD104) is AN 1/30: an NMFC commodity code in an 856', () => {
    const body = ASN_856.map((s) => (s.startsWith('TD1') ? 'TD1*CTN*2*Z*156600**G*30*LB' : s))
    const r = parse(envelope([{ type: '856', ctl: '0001', body }]))
    expect(issuesText(r)).toEqual([])
  })

  it('752 (PO415) is ID 2/2', () => {
    const r = po(PO_850.map((s) => (s.startsWith('PO4') ? 'PO4*4*4*EA************BC' : s)))
    expect(issuesText(r)).toEqual([])
  })

  it('102 (TD307) is ID 1/1', () => {
    const r = po(insert(PO_850, 'N1*ST', 'TD3*TL**TRAILER1****L'))
    expect(issuesText(r)).toEqual([])
  })

  it('936 (MEA08) is ID 2/2', () => {
    const r = po(insert(PO_850, 'N1*ST', 'MEA*PD*WT******AA'))
    expect(issuesText(r)).toEqual([])
  })

  it('499/289 (CTP10/CTP11) are AN 1/10 and N0 1/2', () => {
    const r = po(insert(PO_850, 'DTM*002', 'CTP**RES*10.5*******COND-ABC*12'))
    expect(issuesText(r)).toEqual([])
  })

  it('107 (ITD14) is ID 1/2 and 753 (PKG02) is ID 1/5', () => {
    const r = po(insert(insert(PO_850, 'DTM*002', 'ITD*01*3************ZZ'), 'N1*ST', 'PKG*F*PALLT***GIFT WRAP'))
    expect(issuesText(r).filter((t) => /ITD|PKG/.test(t))).toEqual([])
  })

  it('CSH06..09 are 559, 560, 566, 954', () => {
    const r = po(insert(PO_850, 'DTM*002', 'CSH*N*****AS*SPECIAL1*A*5*1'))
    expect(issuesText(r)).toEqual([])
  })

  it('ISS08 is 81 (weight, R 1/10)', () => {
    const body = insert(INVOICE_810, 'CTT', 'ISS*10*CT*25*LB****12.5')
    const r = parse(envelope([{ type: '810', ctl: '0001', body }]))
    expect(issuesText(r)).toEqual([])
  })

  it('the 855 header and detail accept the full table too (ACK in PO1, SCH, N1 with NX2)', () => {
    const r = parse(envelope([{ type: '855', ctl: '0001', body: insert(POACK_855, 'N1*ST', 'PWK*BL*EL') }]))
    expect(issuesText(r)).toEqual([])
  })
})

describe('interchange level', () => {
  it('a 003010 group: GS04 is YYMMDD (DT 6/6) before 004010', () => {
    const text = envelope([{ type: '850', ctl: '0001', body: PO_850 }], { version: '003010' }).replace('*20240102*1200*7001*', '*240102*1200*7001*')
    expect(allIssues(parse(text)).filter((i) => i.segment === 'GS')).toEqual([])
    // ... and an 8-digit GS04 in a 004010 group stays right, a 6-digit one wrong.
    const bad = envelope([{ type: '850', ctl: '0001', body: PO_850 }]).replace('*20240102*1200*7001*', '*240102*1200*7001*')
    expect(codes(parse(bad))).toContain('element_too_short')
  })

  it('ISB/ISE between ISA and GS are interchange control segments, not unexpected', () => {
    const text = envelope([{ type: '850', ctl: '0001', body: PO_850 }]).replace('~\nGS*', '~\nISB*3~\nISE*20240105*1200*1~\nGS*')
    const r = parse(text)
    expect(codes(r)).toEqual([])
  })

  it('an interchange with no readable transaction set is rejected by the TA1, with the reason', () => {
    // ISA16 '>' then a 3-byte UTF-8 terminator: the reader takes its first byte as the
    // terminator, and nothing after the ISA forms a GS/ST.
    const term = '\u2192'
    const body = ['GS*PO*PARTNERAPP*OURAPP*20240102*1200*7001*X*004010', 'ST*850*0001', ...PO_850, `SE*${PO_850.length + 2}*0001`, 'GE*1*7001', 'IEA*1*000000101']
    const text = isaText() + term + body.join(term) + term
    const r = parse(text)
    const acks = buildX12Acks(r, { ackType: '997', sender: { qualifier: 'ZZ', id: 'OURCO' }, version: '004010', controlNumbers: { interchange: 1, group: 1, transaction: 1 }, date: '20240105', time: '1200' })
    expect(acks.interchanges.length).toBe(1)
    expect(acks.interchanges[0].ta1?.code).toBe('R')
    expect(acks.interchanges[0].ta1?.note).not.toBe('023')
    expect(allIssues(r).some((i) => i.code === 'interchange_no_transactions')).toBe(true)
  })
})

describe('005010', () => {
  it('an 850 with AMT in the heading and BEG08 of 3 characters', () => {
    const body = insert(PO_850, 'N1*ST', 'AMT*1*100.00').map((s) => (s.startsWith('BEG') ? 'BEG*00*SA*PO12345**20240102***AAB' : s))
    expect(issuesText(po(body, '005010'))).toEqual([])
  })
})
