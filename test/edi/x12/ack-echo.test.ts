/**
 * Values our 997/999/TA1 copy from the input must fit the ack's own dictionary (X12.5), even when
 * the input's value does not; the fault is still reported (AK905, AK502, AK304, TA105). And a
 * transaction set outside any GS..GE is an envelope error (TA1 E/024), never accepted.
 */
import { describe, expect, it } from 'vitest'
import type { EdiIssue } from '../../../src/edi/issues.ts'
import type { ParseResult } from '../../../src/edi/types.ts'
import { buildX12Acks, ta1Outcome, type X12AckOptions } from '../../../src/edi/x12/index.ts'
import { cleaner, idFit, groupControl, position, elementRef, ta1Reference, applicationReceiver } from '../../../src/edi/x12/ack-values.ts'
import { envelope, isaText, PO_850 } from './fixtures.ts'
import { allIssues, codes, firstTx, parse } from './helpers.ts'

const opts = (ackType: '997' | '999'): X12AckOptions => ({
  ackType,
  sender: { qualifier: 'ZZ', id: 'OURCO' },
  version: ackType === '997' ? '004010' : '005010X231',
  controlNumbers: { interchange: 501, group: 601, transaction: 1 },
  date: '20240103',
  time: '0800',
  separators: { lineBreak: '\n' },
})

/** Builds the ack, reads it back with our own parser and returns its segments and issues. */
function ack(r: ParseResult, type: '997' | '999' = '997') {
  const built = buildX12Acks(r, opts(type))
  const text = built.interchanges[0].text
  const back = parse(text)
  const lines = text.trim().split('~\n')
  const seg = (tag: string) => lines.filter((l) => l.startsWith(`${tag}*`))
  return { built, text, issues: allIssues(back), seg, status: firstTx(back).status }
}

const bothTypes = ['997', '999'] as const

describe('x12 acks: echoed values fit the 997/999 dictionary', () => {
  it.each(bothTypes)('%s: valid inbound values are echoed unchanged, AK9 without codes', (t) => {
    const a = ack(parse(envelope([{ type: '850', ctl: '0001', body: PO_850 }])), t)
    expect(a.issues).toEqual([])
    expect(a.seg('AK1')[0]).toBe(t === '999' ? 'AK1*PO*7001*004010' : 'AK1*PO*7001')
    expect(a.seg('AK2')).toEqual(['AK2*850*0001'])
    expect(a.seg('AK9')).toEqual(['AK9*A*1*1*1'])
  })

  it.each(bothTypes)('%s: empty / non-numeric / 10-digit GS06 → AK102 0 and AK905 6', (t) => {
    for (const gs06 of ['', 'A1B', '1234567890']) {
      const r = parse(envelope([{ type: '850', ctl: '0001', body: PO_850 }], { gs06 }))
      expect(codes(r)).toContain('group_control_invalid')
      const a = ack(r, t)
      expect(a.issues, `GS06 '${gs06}'`).toEqual([])
      expect(a.seg('AK1')[0]).toMatch(/^AK1\*PO\*0(\*|$)/)
      expect(a.seg('AK9')[0].split('*').slice(5)).toContain('6')
    }
  })

  it.each(bothTypes)('%s: GS01 outside code list 479 → AK101 from the set (850 → PO) and AK905 1', (t) => {
    for (const fid of ['/N', 'P', 'FAcReceiverDept']) {
      const r = parse(envelope([{ type: '850', ctl: '0001', body: PO_850 }], { fid }))
      expect(codes(r)).toContain('group_unsupported')
      const a = ack(r, t)
      expect(a.issues, `GS01 '${fid}'`).toEqual([])
      expect(a.seg('AK1')[0]).toMatch(/^AK1\*PO\*7001/)
      expect(a.seg('AK9')[0].split('*').slice(5)).toContain('1')
    }
  })

  it.each(bothTypes)('%s: ST02 too short / too long → AK202 fitted to 4..9, AK502 7, set rejected', (t) => {
    for (const [ctl, echoed] of [['12', '0012'], ['ABCDEFGHIJKL', 'ABCDEFGHI']]) {
      const r = parse(envelope([{ type: '850', ctl, body: PO_850 }]))
      expect(firstTx(r).status).toBe('rejected')
      expect(codes(r)).toContain('transaction_control_invalid')
      const a = ack(r, t)
      expect(a.issues, `ST02 '${ctl}'`).toEqual([])
      expect(a.seg('AK2')[0]).toBe(`AK2*850*${echoed}`)
      expect(a.seg(t === '999' ? 'IK5' : 'AK5')[0].split('*').slice(1)).toEqual(['R', '7', '5'])
    }
  })

  it.each(bothTypes)('%s: 1-letter and empty segment ids → AK301/IK301 padded to 2, AK304 1', (t) => {
    const body = [...PO_850.slice(0, 2), 'Z*1', '*1', ...PO_850.slice(2)]
    const a = ack(parse(envelope([{ type: '850', ctl: '0001', body }])), t)
    expect(a.issues).toEqual([])
    const tag = t === '999' ? 'IK3' : 'AK3'
    expect(a.seg(tag)).toEqual([`${tag}*ZX*4**1`, `${tag}*XX*5**1`])
  })

  it.each(bothTypes)('%s: AK404 copy cleaned and cut to 99; composite ref and huge positions fitted', (t) => {
    const r = parse(envelope([{ type: '850', ctl: '0001', body: PO_850 }]))
    const tx = firstTx(r)
    const at = { offset: 0, index: (tx as { stIndex?: number }).stIndex! + 1, line: 3 }
    const bad = 'A\u0100B\u0001C*D~E>F\r\n' + 'x'.repeat(200)
    const extra: EdiIssue[] = [
      { code: 'element_too_long', level: 'element', severity: 'error', message: 't', segment: 'BEG', position: at, element: 3, ref: '324', value: bad },
      { code: 'element_invalid_code', level: 'element', severity: 'error', message: 't', segment: 'B', position: { ...at, index: at.index + 5_000_000 }, element: 150, component: 0, ref: 'C040', value: '   ' },
    ]
    tx.issues.push(...extra)
    tx.status = 'rejected'
    const a = ack(r, t)
    expect(a.issues).toEqual([])
    const four = a.seg(t === '999' ? 'IK4' : 'AK4')
    const copy = four[0].split('*')[4]
    expect(copy).toHaveLength(99)
    expect(copy.startsWith('A?B?C D E F  xxx')).toBe(true)
    // Element 150 → 99; ref 'C040' is a composite, not a 725 number: left out; blank copy left out.
    expect(four[1]).toBe(`${t === '999' ? 'IK4' : 'AK4'}*99**7`)
    const three = a.seg(t === '999' ? 'IK3' : 'AK3')
    expect(three[1].split('*').slice(1, 3)).toEqual(['BX', t === '999' ? '5000002' : '999999'])
  })

  it('TA1 from a non-numeric ISA13 reads 000000000 and still says why (R/018, invalid interchange control number value)', () => {
    const r = parse(envelope([{ type: '850', ctl: '0001', body: PO_850 }], { isa13: 'A0000010B', ackRequested: '1' }))
    const a = ack(r)
    expect(a.seg('TA1')).toEqual(['TA1*000000000*240102*1200*R*018'])
  })

  it("a control character in an echoed id becomes a placeholder that is not one of the ack's delimiters", () => {
    // The partner uses '?' as component separator; the ack keeps the partner's separators, so
    // the placeholder for an unsendable character cannot be '?' (found by the long fuzz run,
    // seed 20261122 case 191929: 'ack writer refused its own output').
    const text = envelope([{ type: '850', ctl: '0001', body: PO_850 }]).replace('*P*>~', '*P*?~').replace('GS*PO*PARTNERAPP*', 'GS*PO*PART\x01ERAPP*')
    const built = buildX12Acks(parse(text), { ...opts('997'), separators: { lineBreak: '\n' } })
    const gs = built.interchanges[0].text.split('~\n').find((l) => l.startsWith('GS*'))!
    expect(gs.split('*')[3]).toBe('PART.ERAPP')
    expect(cleaner({ element: '*', component: '?', segment: '~' })('A\u0007B')).toBe('A.B')
    expect(cleaner({ element: '*', component: '>', segment: '~' })('A\u0007B')).toBe('A?B')
  })

  it('the fitting helpers keep valid values and replace unusable ones', () => {
    const clean = cleaner({ element: '*', component: '>', segment: '~', repetition: '^' })
    expect(clean('AB-12 é')).toBe('AB-12 é')
    expect(clean('a*b>c~d^e\nf\u0007g\u0085h\u20aci')).toBe('a b c d e f?g?h?i')
    expect([idFit('PO1', 2, 3), idFit('D', 2, 3), idFit('', 2, 3), idFit('N1/x9', 2, 3)]).toEqual(['PO1', 'DX', 'XX', 'N1x'])
    expect([groupControl('000000001'), groupControl('7001'), groupControl(''), groupControl('-5'), groupControl('1234567890')]).toEqual(['000000001', '7001', '0', '0', '0'])
    expect([position(0, 2), position(7, 2), position(123, 2), position(undefined, 6)]).toEqual(['1', '7', '99', '1'])
    expect([elementRef('330'), elementRef('C030'), elementRef(undefined)]).toEqual(['330', '', ''])
    expect(ta1Reference({ controlNumber: '42', date: '991399', time: '2561' }, { date: '20240103', time: '0800' })).toEqual(['000000042', '240103', '0800'])
    expect([applicationReceiver('PARTNERAPP', 'PARTNER', clean), applicationReceiver('X', 'PARTNER ', clean), applicationReceiver('', 'Q', clean)]).toEqual(['PARTNERAPP', 'PARTNER', '0Q'])
  })
})

/** ISA .. ST/SE .. IEA with no GS/GE around the set; optionally a proper group after it. */
function noGroup(withGroup = false, ackRequested: '0' | '1' = '0'): string {
  const stray = ['ST*850*0009', ...PO_850, `SE*${PO_850.length + 2}*0009`]
  const grouped = envelope([{ type: '850', ctl: '0001', body: PO_850 }]).split('~\n').slice(1, -2)
  const lines = [isaText({ ackRequested }), ...stray, ...(withGroup ? grouped : []), `IEA*${withGroup ? 1 : 0}*000000101`]
  return lines.join('~\n') + '~\n'
}

describe('x12: transaction set outside a functional group', () => {
  it('is an interchange error and the set is rejected with an issue', () => {
    const r = parse(noGroup())
    const ic = r.interchanges[0]
    expect(ic.issues.map((i) => [i.code, i.severity])).toEqual([['transaction_outside_group', 'error']])
    const tx = ic.groups[0].transactions[0]
    expect(ic.groups[0].explicit).toBe(false)
    expect(tx.status).toBe('rejected')
    expect(tx.issues.filter((i) => i.severity === 'error').map((i) => i.code)).toEqual(['transaction_outside_group'])
  })

  it('the TA1 says E/024, not A/000, even when only ISA14=1 asked for it', () => {
    for (const ackRequested of ['0', '1'] as const) {
      const r = parse(noGroup(false, ackRequested))
      expect(ta1Outcome(r.interchanges[0])).toEqual({ code: 'E', note: '024' })
      const built = buildX12Acks(r, opts('997'))
      expect(built.interchanges).toHaveLength(1)
      expect(built.interchanges[0].ta1).toEqual({ code: 'E', note: '024' })
      expect(built.interchanges[0].text).toContain('TA1*000000101*240102*1200*E*024~')
      // No GS, so no AK1 can answer for it: no 997 group.
      expect(built.interchanges[0].controlNumbers.groups).toEqual([])
      expect(built.groups[0].status).toBe('R')
    }
  })

  it('a proper group beside it is still acknowledged and accepted', () => {
    const r = parse(noGroup(true))
    const [stray, good] = r.interchanges[0].groups
    expect([stray.explicit, good.explicit]).toEqual([false, true])
    expect(good.transactions.map((t) => [t.controlNumber, t.status])).toEqual([['0001', 'accepted']])
    const built = buildX12Acks(r, opts('997'))
    const text = built.interchanges[0].text
    expect(text).toContain('TA1*000000101*240102*1200*E*024~')
    expect(text).toContain('AK1*PO*7001~\nAK2*850*0001~\nAK5*A~\nAK9*A*1*1*1~')
    expect(text).not.toContain('0009')
  })

  it('negative: sets inside GS..GE raise no such issue, and ISA14=1 gets TA1 A/000', () => {
    const r = parse(envelope([{ type: '850', ctl: '0001', body: PO_850 }], { ackRequested: '1' }))
    expect(codes(r)).not.toContain('transaction_outside_group')
    expect(firstTx(r).status).toBe('accepted')
    expect(ta1Outcome(r.interchanges[0])).toEqual({ code: 'A', note: '000' })
  })
})
