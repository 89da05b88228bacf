import { describe, expect, it } from 'vitest'
import { parseX12, ta1Outcome } from '../../../src/edi/x12/index.ts'
import { MAX_ISSUES } from '../../../src/edi/limits.ts'

// Garbage can hold a stray segment per ~256 bytes; the reader must keep a bounded number of
// issues whatever the input (500 MiB of random bytes after a stray "SE*" grew the heap by
// 272 MiB before the cap: scripts/fuzz.ts garbage run).
const ISA = 'ISA*00*          *00*          *ZZ*PARTNER        *ZZ*OURCO          *240102*1200*U*00401*000000101*0*P*>~'
const GS = 'GS*PO*PARTNERAPP*OURAPP*20240102*1200*7001*X*004010~'
const parse = (s: string) => parseX12(Buffer.from(s, 'latin1'))

describe('X12 issue caps', () => {
  it('stray segments in a group: MAX_ISSUES kept, the rest counted in one issues_truncated', () => {
    const r = parse(`${ISA}${GS}${'REF*ZZ*1~'.repeat(1000)}GE*0*7001~IEA*1*000000101~`)
    const g = r.interchanges[0].groups[0]
    expect(g.issues).toHaveLength(MAX_ISSUES + 1)
    expect(g.issues.slice(0, MAX_ISSUES).every((i) => i.code === 'segment_unexpected')).toBe(true)
    expect(g.issues[MAX_ISSUES]).toMatchObject({ code: 'issues_truncated', level: 'group', value: String(1000 - MAX_ISSUES), severity: 'error' })
  })

  it('stray segments before any group: the interchange keeps MAX_ISSUES and a count', () => {
    const r = parse(`${ISA}${'REF*ZZ*1~'.repeat(700)}IEA*0*000000101~`)
    const ic = r.interchanges[0]
    expect(ic.issues.filter((i) => i.code === 'segment_unexpected')).toHaveLength(MAX_ISSUES)
    expect(ic.issues.find((i) => i.code === 'issues_truncated')).toMatchObject({ level: 'interchange', value: '500' })
  })

  it('a file of TA1s keeps MAX_ISSUES of them; the rest are stray segments, counted', () => {
    const ta1 = (n: number) => `TA1*${String(n).padStart(9, '0')}*240101*1200*A*000~`
    const r = parse(`${ISA}${Array.from({ length: 500 }, (_, n) => ta1(n)).join('')}IEA*0*000000101~`)
    const ic = r.interchanges[0]
    expect(ic.ta1).toHaveLength(MAX_ISSUES)
    expect(ic.issues.filter((i) => i.code === 'segment_unexpected')).toHaveLength(MAX_ISSUES)
    expect(ic.issues.find((i) => i.code === 'issues_truncated')?.value).toBe('100')
  })

  it('a few strays stay as they were: no summary issue', () => {
    const g = parse(`${ISA}${GS}${'REF*ZZ*1~'.repeat(3)}GE*0*7001~IEA*1*000000101~`).interchanges[0].groups[0]
    expect(g.issues.map((i) => i.code)).toEqual(['segment_unexpected', 'segment_unexpected', 'segment_unexpected'])
  })

  it('past the cap on stray segments, an ST outside any group still makes the TA1 say E/024', () => {
    const r = parse(`${ISA}${'REF*ZZ*1~'.repeat(250)}ST*850*0001~BEG*00*SA*1**20240101~SE*3*0001~ST*850*0002~SE*2*0002~IEA*0*000000101~`)
    const ic = r.interchanges[0]
    expect(ic.issues.filter((i) => i.code === 'transaction_outside_group')).toHaveLength(1)
    expect(ta1Outcome(ic)).toEqual({ code: 'E', note: '024' })
  })

  it('a set with more issues than the cap says validation stopped, and is rejected', () => {
    const body = 'BEG*00*SA*1**20240101~' + 'ZZZ*1~'.repeat(300)
    const r = parse(`${ISA}${GS}ST*850*0001~${body}SE*${302}*0001~GE*1*7001~IEA*1*000000101~`)
    const tx = r.interchanges[0].groups[0].transactions[0]
    expect(tx.status).toBe('rejected')
    expect(tx.issues.at(-1)).toMatchObject({ code: 'issues_truncated', level: 'transaction', value: '200' })
    // Under the cap: no such issue.
    const few = parse(`${ISA}${GS}ST*850*0001~BEG*00*SA*1**20240101~ZZZ*1~SE*4*0001~GE*1*7001~IEA*1*000000101~`).interchanges[0].groups[0].transactions[0]
    expect(few.issues.map((i) => i.code)).not.toContain('issues_truncated')
  })

  it('a bad ISA14 is noted (TA1 E/019); the interchange is still processed', () => {
    const [ic] = parse(`${ISA.replace('*000000101*0*P*', '*000000101*2*P*')}${GS}GE*0*7001~IEA*1*000000101~`).interchanges
    expect(ic.issues.map((i) => i.code)).toContain('interchange_ack_request_invalid')
    expect(ta1Outcome(ic)).toEqual({ code: 'E', note: '019' })
  })
})
