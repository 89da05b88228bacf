/**
 * 999 CTX "SITUATIONAL TRIGGER" (005010X231 2100 segment context, 2110 element context) and the
 * GS01 ↔ ST01 fit (X12.5: a group holds sets of its functional identifier only; AK5/IK5 6, and 18
 * in 005010 acks).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildX12Acks, createX12Reader, x12TransactionDef, X12_SUPPORTED, type X12AckOptions, type X12Transaction } from '../../../src/edi/x12/index.ts'
import { functionalIdOf, SETS_BY_FUNCTIONAL_ID } from '../../../src/edi/dictionary/x12-groups.ts'
import { FUNCTIONAL_ID_479 } from '../../../src/edi/dictionary/x12-codes.ts'
import { envelope, INVOICE_810, PO_850, type EnvelopeOptions, type Tx } from './fixtures.ts'
import { allIssues, codes, edit, firstTx, parse } from './helpers.ts'

const golden = join(import.meta.dirname, 'golden')
const opts = (ackType: '997' | '999', version = ackType === '997' ? '004010' : '005010X231'): X12AckOptions => ({
  ackType,
  sender: { qualifier: 'ZZ', id: 'OURCO' },
  version,
  controlNumbers: { interchange: 501, group: 601, transaction: 1 },
  date: '20240103',
  time: '0800',
  separators: { lineBreak: '\n' },
})

function compareGolden(name: string, text: string): void {
  const file = join(golden, name)
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, text)
  expect(text).toBe(readFileSync(file, 'utf8'))
}

/** One interchange holding one functional group per entry (ISA/IEA of the first). */
function groups(...gs: Array<[Tx[], EnvelopeOptions]>): string {
  const parts = gs.map(([txs, o]) => envelope(txs, o).split('~\n'))
  const lines = [parts[0][0], ...parts.flatMap((p) => p.slice(1, -2)), `IEA*${gs.length}*000000101`]
  return lines.join('~\n') + '~\n'
}

/** A 997 whose first AK2 loop has no AK5: the absence is noticed at the second AK2 (set position 6). */
const FA_NO_AK5 = ['AK1*PO*7001', 'AK2*850*0001', 'AK3*PO1*9*PO1*8', 'AK4*2*330*6*X', 'AK2*850*0002', 'AK5*A', 'AK9*P*2*2*1']
/** 005010 810 whose N4 breaks E0207 (N402 and N407 both present). */
const INVOICE_N4 = [...INVOICE_810.slice(0, 2), 'N4*SPRINGFIELD*IL*62701*US***IL', ...INVOICE_810.slice(2)]

const file = () =>
  groups(
    [[{ type: '997', ctl: '0001', body: FA_NO_AK5 }], { version: '005010X230', gs06: '11' }],
    [[{ type: '850', ctl: '0002', body: PO_850 }, { type: '810', ctl: '0003', body: INVOICE_N4 }, { type: '810', ctl: '0004', body: INVOICE_810 }], { version: '005010', fid: 'IN', gs06: '12' }]
  )

const lines = (text: string, tag: string) => text.trim().split('~\n').filter((l) => l.startsWith(`${tag}*`))

describe('999 CTX situational trigger', () => {
  it('golden: segment context for a segment missing in a loop, element context for a syntax note, IK5 18 for a set in the wrong group', () => {
    const r = parse(file())
    const ack = buildX12Acks(r, opts('999'))
    compareGolden('context.999.edi', ack.interchanges[0].text)
    expect(ack.groups.map((g) => [g.functionalId, g.status])).toEqual([['FA', 'R'], ['IN', 'P']])
    // The ack reads back clean with our own 005010 999 dictionary.
    const back = parse(ack.interchanges[0].text)
    expect(allIssues(back)).toEqual([])
  })

  it('golden: the 004010 997 of the same file has no CTX and says AK5 6 for the set in the wrong group', () => {
    const text = buildX12Acks(parse(file()), opts('997')).interchanges[0].text
    compareGolden('context.997.edi', text)
    expect(lines(text, 'CTX')).toEqual([])
    expect(lines(text, 'AK3')[0]).toBe('AK3*AK5*6*AK2*3')
    expect(lines(text, 'AK5')).toContain('AK5*R*6')
    expect(allIssues(parse(text))).toEqual([])
  })

  it('a 005010 997 says AK5 18 (transaction set not in functional group), still without CTX', () => {
    const text = buildX12Acks(parse(file()), opts('997', '005010')).interchanges[0].text
    expect(lines(text, 'AK5')).toContain('AK5*R*18')
    expect(lines(text, 'CTX')).toEqual([])
    expect(allIssues(parse(text))).toEqual([])
  })

  it('segment context points at the trigger of the iteration in error, not at where the absence was noticed', () => {
    const tx = firstTx(parse(file()))
    const missing = tx.issues.find((i) => i.code === 'segment_missing')
    expect(missing).toMatchObject({ segment: 'AK5', loop: 'AK2', trigger: { segment: 'AK2', loop: 'AK2' } })
    // The absence is noticed at the second AK2; the trigger is the first one.
    const st = (tx as X12Transaction).stIndex
    expect(missing!.position!.index - st + 1).toBe(6)
    expect(missing!.trigger!.position.index - st + 1).toBe(3)
    const text = buildX12Acks(parse(file()), opts('999')).interchanges[0].text
    const all = text.split('~\n')
    const at = all.indexOf('IK3*AK5*6*AK2*3')
    expect(all[at + 1]).toBe('CTX*SITUATIONAL TRIGGER*AK2*3*AK2')
  })

  it('a missing segment at SE belongs to the last iteration', () => {
    const body = ['AK1*PO*7001', 'AK2*850*0001', 'AK5*A', 'AK2*850*0002', 'AK3*PO1*9*PO1*8', 'AK9*P*2*2*1']
    const text = buildX12Acks(parse(envelope([{ type: '997', ctl: '0001', body }])), opts('999')).interchanges[0].text
    // AK5 of the second AK2 (position 5) is missing, noticed at AK9 (position 7).
    expect(text).toContain('IK3*AK5*7*AK2*3~\nCTX*SITUATIONAL TRIGGER*AK2*5*AK2~\n')
  })

  it('element context names the present element of a P, C or E note; R notes and plain loop errors get none', () => {
    const ctxAfter = (body: string[], version = '004010') => {
      const text = buildX12Acks(parse(envelope([{ type: body === INVOICE_N4 ? '810' : '850', ctl: '0001', body }], { version })), opts('999')).interchanges[0].text
      return { ik4: lines(text, 'IK4'), ctx: lines(text, 'CTX') }
    }
    // P0607: PO107 missing, PO106 present (ref 235), in loop PO1 at set position 9.
    expect(ctxAfter(edit(PO_850, 'PO1*1', 'PO1*1*10*EA*9.25*PE*BP'))).toEqual({ ik4: ['IK4*7*234*2'], ctx: ['CTX*SITUATIONAL TRIGGER*PO1*9*PO1*6*235'] })
    // C0302: PO103 present makes PO102 required.
    expect(ctxAfter(edit(PO_850, 'PO1*2', 'PO1*2**CA*19.5**BP*ITEM-2'))).toEqual({ ik4: ['IK4*2*330*2'], ctx: ['CTX*SITUATIONAL TRIGGER*PO1*12*PO1*3*355'] })
    // E0207 (005010 N4): N407 reported, N402 is the trigger; N4 sits in the N1 loop.
    expect(ctxAfter(INVOICE_N4, '005010')).toEqual({ ik4: ['IK4*7*1715*10'], ctx: ['CTX*SITUATIONAL TRIGGER*N4*4*N1*2*156'] })
    // R0203: neither REF02 nor REF03 — nothing present, no trigger.
    expect(ctxAfter(edit(PO_850, 'REF', 'REF*DP'))).toEqual({ ik4: ['IK4*2*127*2'], ctx: [] })
    // A bad postal code in the N1 loop: IK302/IK303 already place it, no CTX.
    expect(ctxAfter(edit(PO_850, 'N4', 'N4*SPRINGFIELD*IL*62*US'))).toEqual({ ik4: ['IK4*3*116*4*62'], ctx: [] })
  })

  it('the trigger is kept on the issue (element triggers carry position in segment and reference)', () => {
    const tx = firstTx(parse(envelope([{ type: '850', ctl: '0001', body: edit(PO_850, 'PO1*1', 'PO1*1*10*EA*9.25*PE*BP') }])))
    const i = tx.issues.find((x) => x.code === 'element_conditional_missing')
    expect(i?.trigger).toEqual({ segment: 'PO1', position: i!.position, loop: 'PO1', element: 6, ref: '235' })
  })

  it('without kept segments nothing is recorded (the reader stays in constant memory)', () => {
    const got: X12Transaction[] = []
    const reader = createX12Reader({ onTransaction: (tx) => got.push(tx) }, { keepSegments: false })
    reader.push(Buffer.from(file()))
    reader.end()
    const issues = got.flatMap((t) => t.issues)
    expect(issues.map((i) => i.code)).toContain('segment_missing')
    expect(issues.filter((i) => i.trigger)).toEqual([])
  })
})

describe('GS01 must fit ST01', () => {
  const pair = (fid: string, types: string[], version = '004010') => parse(envelope(types.map((type, k) => ({ type, ctl: `000${k + 1}`, body: type === '810' ? INVOICE_810 : PO_850 })), { fid, version }))

  it('a set in the wrong group is rejected with transaction_not_in_group; its neighbour stands', () => {
    const r = pair('PO', ['850', '810'])
    const g = r.interchanges[0].groups[0]
    expect(g.transactions.map((t) => t.status)).toEqual(['accepted', 'rejected'])
    expect(g.transactions[1].issues.filter((i) => i.severity === 'error').map((i) => [i.code, i.element, i.ref, i.value])).toEqual([['transaction_not_in_group', 1, '143', '810']])
    const text = buildX12Acks(r, opts('997')).interchanges[0].text
    expect(text).toContain('AK1*PO*7001~\nAK2*850*0001~\nAK5*A~\nAK2*810*0002~\nAK5*R*6~\nAK9*P*2*2*1~')
    expect(buildX12Acks(r, opts('999')).interchanges[0].text).toContain('AK2*810*0002~\nIK5*R*18~\nAK9*P*2*2*1~')
  })

  it('negative: fitting sets, sets we have no pairing for, and an invalid GS01 (reported on the group) raise nothing per set', () => {
    expect(codes(pair('IN', ['810']))).toEqual([])
    expect(codes(pair('PO', ['850', '850']))).toEqual([])
    // 753 is not in the table: not judged (it has no dictionary either: envelope only).
    expect(codes(pair('PO', ['753']))).toEqual(['transaction_not_validated'])
    const badFid = pair('/N', ['810'])
    expect(codes(badFid)).toContain('group_unsupported')
    expect(codes(badFid)).not.toContain('transaction_not_in_group')
    expect(firstTx(badFid).status).toBe('accepted')
  })

  it('the table is data: every GS01 is a 479 code, every set has one GS01, and the dictionaries agree', () => {
    const fids = new Set(FUNCTIONAL_ID_479.split(' '))
    const seen = new Set<string>()
    for (const [fid, sets] of Object.entries(SETS_BY_FUNCTIONAL_ID)) {
      expect(fids.has(fid), fid).toBe(true)
      for (const set of sets) {
        expect(seen.has(set), set).toBe(false)
        seen.add(set)
      }
    }
    for (const set of ['810', '820', '830', '846', '850', '855', '856', '860', '865', '997', '999', '940', '945']) expect(functionalIdOf(set), set).toBeDefined()
    expect([functionalIdOf('850'), functionalIdOf('855'), functionalIdOf('856'), functionalIdOf('810'), functionalIdOf('999')]).toEqual(['PO', 'PR', 'SH', 'IN', 'FA'])
    for (const type of X12_SUPPORTED.types) {
      for (const version of X12_SUPPORTED.versions) {
        const def = x12TransactionDef(type, version)
        if (def) expect(def.functionalId).toBe(functionalIdOf(type))
      }
    }
  })
})

describe('readX12Ack reads the CTX of a partner 999', () => {
  it('keeps situational triggers and business unit ids as notes of the set', async () => {
    const { readX12Ack } = await import('../../../src/edi/x12/index.ts')
    const body = ['AK1*PO*7001*005010', 'AK2*850*0001', 'IK3*REF*9*N1*3', 'CTX*SITUATIONAL TRIGGER*N1*7*N1', 'CTX*BEG03>PO12345', 'IK5*R*5', 'AK9*R*1*1*0']
    const r = readX12Ack(firstTx(parse(envelope([{ type: '999', ctl: '0001', body }], { version: '005010X231' }))))
    expect(r.transactions[0].notes).toEqual([
      'IK3 REF at position 9 in loop N1: code 3',
      'CTX SITUATIONAL TRIGGER: N1 at position 7 in loop N1',
      'CTX BEG03 PO12345',
      'IK5 R: 5',
    ])
  })
})
