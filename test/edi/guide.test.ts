/**
 * Partner implementation guides (src/edi/guide.ts) on X12 and EDIFACT alike: the same checker,
 * the same position syntax, reported in the 997/999 and the CONTRL.
 */
import { describe, expect, it } from 'vitest'
import { applyGuide, checkGuide, parseGuidePosition } from '../../src/edi/guide.ts'
import { buildContrl, parseEdifact } from '../../src/edi/edifact/index.ts'
import { buildX12Acks, parseX12 } from '../../src/edi/x12/index.ts'
import type { ParseResult, ParsedTransaction } from '../../src/edi/types.ts'
import { envelope, PO_850 } from './x12/fixtures.ts'
import { interchange, ORDERS_BODY } from './edifact/helpers.ts'

const tx0 = (r: ParseResult): ParsedTransaction => r.interchanges[0].groups[0].transactions[0]
const x12 = (body = PO_850) => parseX12(Buffer.from(envelope([{ type: '850', ctl: '0001', body }]), 'latin1'))
const ack997 = (r: ParseResult) =>
  buildX12Acks(r, { ackType: '997', sender: { qualifier: 'ZZ', id: 'OURCO' }, version: '004010', controlNumbers: { interchange: 1, group: 1, transaction: 1 }, date: '20240105', time: '1200' }).interchanges[0].text

describe('guide positions', () => {
  it('reads tag, element and component', () => {
    expect(parseGuidePosition('BEG01')).toEqual({ tag: 'BEG', element: 1 })
    expect(parseGuidePosition('REF04-01')).toEqual({ tag: 'REF', element: 4, component: 1 })
    expect(parseGuidePosition('BGM01-01')).toEqual({ tag: 'BGM', element: 1, component: 1 })
    expect(parseGuidePosition('beg01')).toBeUndefined()
    expect(parseGuidePosition('BEG00')).toBeUndefined()
  })
})

describe('X12: a guide narrows a valid 850', () => {
  it('the base validation accepts the file; the guide finds nothing when it is met', () => {
    const r = x12()
    expect(tx0(r).status).toBe('accepted')
    expect(checkGuide(tx0(r).segments, { requiredSegments: ['REF', 'CTT'], forbiddenSegments: ['SPI'], codes: { BEG01: ['00'], N101: ['ST', 'BY'] } })).toEqual([])
  })

  it('required segment missing, forbidden segment present, code not allowed: rejected, and the 997 says so', () => {
    const r = x12()
    const tx = tx0(r)
    const found = applyGuide(tx, { requiredSegments: ['PER'], forbiddenSegments: ['CUR'], codes: { BEG02: ['NE'], PO103: ['EA'] } })
    expect(found.map((i) => `${i.code} ${i.segment}${i.element ? String(i.element).padStart(2, '0') : ''}`).sort()).toEqual([
      'guide_code_not_allowed BEG02',
      'guide_code_not_allowed PO103',
      'guide_segment_forbidden CUR',
      'guide_segment_missing PER',
    ])
    expect(tx.status).toBe('rejected')
    const ack = ack997(r)
    // BEG02 'SA' (AK4 element 2, 7 = invalid code), CUR unexpected (AK304 2), PER missing (3).
    expect(ack).toContain('AK3*BEG*2**8~')
    expect(ack).toContain('AK4*2**7*SA~')
    expect(ack).toContain('AK3*CUR*3**2~')
    expect(ack).toContain('AK4*3**7*CA~')
    expect(ack).toMatch(/AK3\*PER\*\d+\*\*3~/)
    expect(ack).toContain('AK5*R*5~')
  })

  it('a composite component position (REF04-01)', () => {
    const body = PO_850.map((s) => (s.startsWith('REF*DP') ? 'REF*DP*038**ZZ>1' : s))
    const r = x12(body)
    expect(tx0(r).status).toBe('accepted')
    const found = checkGuide(tx0(r).segments, { codes: { 'REF04-01': ['DP'] } })
    expect(found).toMatchObject([{ code: 'guide_code_not_allowed', segment: 'REF', element: 4, component: 1, value: 'ZZ' }])
  })
})

describe('EDIFACT: the same checker', () => {
  it('BGM01-01 and a required segment, reported in the CONTRL', () => {
    const r = parseEdifact(interchange([{ body: ORDERS_BODY }]))
    const tx = tx0(r)
    expect(tx.status).toBe('accepted')
    const found = applyGuide(tx, { requiredSegments: ['FTX'], codes: { 'BGM01-01': ['105'], 'NAD01': ['BY', 'SU'] } })
    expect(found.map((i) => `${i.code} ${i.segment}`).sort()).toEqual(['guide_code_not_allowed BGM', 'guide_segment_missing FTX'])
    expect(tx.status).toBe('rejected')
    const contrl = buildContrl(r.interchanges[0], { reference: '9001', now: new Date('2024-01-05T12:00:00Z') })
    const text = contrl.bytes.toString('latin1')
    // UCM 0083 = 4 (rejected); BGM (position 2) element 1 component 1: UCD 12 (invalid value).
    expect(text).toMatch(/UCM\+1\+ORDERS:D:96A:UN\+4/)
    expect(text).toContain("UCS+2'UCD+12+1:1'")
    // FTX missing, noticed at the UNT (position 11): UCS 0085 13 (missing).
    expect(text).toContain("UCS+11+13'")
  })
})
