/**
 * Every X12 file of ../shared/corpus (SOURCES.md) through the parser, the ack builder and the
 * chunked reader. Good files must be accepted; NEGATIVE and mismatch files must produce the
 * issues SOURCES.md lists, and a 997 that says so. Skips when the corpus is absent.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ParsedInterchange, ParseResult } from '../../src/edi/types.ts'
import { buildX12Acks, createX12Reader, parseX12, summarizeX12 } from '../../src/edi/x12/index.ts'

const repoRoot = resolve(import.meta.dirname, '../..')
const dir = join(process.env.SHARED_DIR ?? resolve(repoRoot, '../shared'), 'corpus/x12')
const present = existsSync(dir)
if (!present) console.warn(`x12 corpus not found at ${dir}: skipping (set SHARED_DIR)`)

const load = (f: string): Buffer => readFileSync(join(dir, f))
const issuesOf = (r: ParseResult) =>
  [...r.issues, ...r.interchanges.flatMap((ic) => [...ic.issues, ...ic.groups.flatMap((g) => [...g.issues, ...g.transactions.flatMap((t) => t.issues)])])]
const codes = (r: ParseResult) => issuesOf(r).map((i) => i.code)
const statuses = (r: ParseResult) => r.interchanges.flatMap((ic) => ic.groups.flatMap((g) => g.transactions.map((t) => t.status)))
const ack997 = (r: ParseResult) =>
  buildX12Acks(r, { ackType: '997', sender: { qualifier: 'ZZ', id: 'OURCO' }, version: '004010', controlNumbers: { interchange: 1, group: 1, transaction: 1 }, date: '20240101', time: '0000' })
    .interchanges.map((i) => i.text).join('')

/** Files with no issue at all (beyond "no dictionary" notes for versions we do not carry). */
const CLEAN = [
  'EdiFabric__X12.NET__Invoice.txt',
  'Stedi-Demos__bootstrap-archived__inbound.edi',
  'aaronhuggins__node-x12__850.edi',
  'aaronhuggins__node-x12__850_2.edi',
  'aaronhuggins__node-x12__850_fat.edi',
  'aaronhuggins__node-x12__855.edi',
  'aaronhuggins__node-x12__856.edi',
  'olmelabs__EdiEngine__850.Composite.SLN.OK.edi',
  'olmelabs__EdiEngine__856.Crossdock.OK.edi',
  'xlate__staedi__simple810.edi',
  'xlate__staedi__simple997-multiple-interchanges.edi',
  'xlate__staedi__simple997.edi',
  'xlate__staedi__simple999.edi',
  // Group 2 is 003010: its GS04 is YYMMDD (DT 6/6 before 004010), not an error; the 003010 850
  // is only envelope-checked (no 003010 dictionary).
  'xlate__staedi__invoice810_po850_dual.edi',
]

/** SOURCES.md findings per file: issue codes that must appear, transaction statuses. */
const EXPECT: Record<string, { codes: string[]; statuses?: string[]; ack?: string[] }> = {
  'EdiFabric__X12.NET__997.txt': { codes: ['element_too_short'], statuses: ['accepted'], ack: ['AK9*E*1*1*1~'] },
  // An 855 in a GS01=IN (invoice) group: not in its functional group (X12.5), rejected.
  'EdiFabric__X12.NET__PurchaseOrdersAcknowledgement.txt': { codes: ['group_count_mismatch', 'transaction_not_in_group'], statuses: ['rejected'], ack: ['AK5*R*6~', 'AK9*R*2*1*0*5~'] },
  // A 5010 850 in a GS01=OW (warehouse shipping order) group: rejected; otherwise clean under 5010.
  'Stedi-Demos__bootstrap-archived__input.edi': { codes: ['transaction_not_in_group'], statuses: ['rejected'], ack: ['AK1*OW*', 'AK2*850*000000057~', 'AK5*R*6~', 'AK9*R*1*1*0~'] },
  'indice-co__EDI.Net__x12.850.issue135.edi': { codes: ['group_control_mismatch', 'interchange_control_mismatch'], statuses: ['rejected', 'rejected'], ack: ['TA1*000000001*190805*1134*E*001'] },
  'indice-co__EDI.Net__x12.850a.edi': { codes: ['interchange_control_mismatch', 'isa_field_width'], ack: ['TA1*000000055*090827*0936*E*'] },
  'olmelabs__EdiEngine__850.SyntaxNotes.ERR.edi': { codes: ['element_conditional_missing', 'element_conditional_missing'], statuses: ['rejected'], ack: ['AK4*7*234*2', 'AK4*6*384*2', 'AK5*R*5', 'AK9*R*1*1*0'] },
  'olmelabs__EdiEngine__WrongGroupsAndTranCount.edi': { codes: ['group_count_mismatch', 'interchange_count_mismatch', 'interchange_control_mismatch'], statuses: ['accepted'], ack: ['AK9*E*2*1*1*5'] },
  'walmartlabs__gozer__asn856.txt': { codes: ['interchange_control_mismatch'], statuses: ['accepted'], ack: ['TA1*000003438*101127*1719*E*001'] },
  'walmartlabs__gozer__po850.txt': { codes: ['transaction_count_mismatch'], statuses: ['rejected'], ack: ['AK5*R*4', 'AK9*R*1*1*0'] },
  'xlate__staedi__invalid997.edi': { codes: ['element_too_long', 'element_invalid_numeric'], statuses: ['rejected'], ack: ['AK4*1*479*5*HC NOT IN CODESET', 'AK4*2*725*6*66 NON NUMERIC'] },
}

function chunked(bytes: Buffer, at: number) {
  const interchanges: ParsedInterchange[] = []
  const r = createX12Reader({ onInterchange: (ic) => interchanges.push(ic) })
  r.push(bytes.subarray(0, at))
  r.push(bytes.subarray(at))
  const end = r.end()
  return JSON.stringify({ standard: 'x12', interchanges, issues: end.issues, unreadable: end.unreadable })
}

describe.skipIf(!present)('x12 corpus', () => {
  const files = present ? readdirSync(dir).sort() : []

  it('covers every file of the corpus in one list or the other', () => {
    expect(files.length).toBeGreaterThanOrEqual(24)
    for (const f of files) expect(CLEAN.includes(f) || f in EXPECT, f).toBe(true)
  })

  for (const f of files) {
    it(`${f}: parses without crashing, summary agrees on counts`, () => {
      const bytes = load(f)
      const r = parseX12(bytes)
      expect(r.unreadable).toBe(false)
      const s = summarizeX12(bytes)
      expect(s.interchanges).toBe(r.interchanges.length)
      expect(s.transactions).toBe(statuses(r).length)
      if (CLEAN.includes(f)) {
        expect(codes(r).filter((c) => c !== 'transaction_not_validated')).toEqual([])
        expect(statuses(r).every((x) => x === 'accepted')).toBe(true)
        expect(ack997(r)).not.toMatch(/AK5\*[ER]|AK9\*[EPR]/)
      } else {
        const e = EXPECT[f]
        const got = codes(r)
        for (const c of new Set(e.codes)) expect(got.filter((x) => x === c).length, c).toBeGreaterThanOrEqual(e.codes.filter((x) => x === c).length)
        if (e.statuses) expect(statuses(r)).toEqual(e.statuses)
        const ack = ack997(r)
        for (const needle of e.ack ?? []) expect(ack).toContain(needle)
      }
    })
  }

  it('specific facts: 850_fat has 2 interchanges, 997-multiple has 3, SLN05 is a 6-part composite, BOM files read', () => {
    expect(parseX12(load('aaronhuggins__node-x12__850_fat.edi')).interchanges).toHaveLength(2)
    expect(parseX12(load('xlate__staedi__simple997-multiple-interchanges.edi')).interchanges).toHaveLength(3)
    const sln = parseX12(load('olmelabs__EdiEngine__850.Composite.SLN.OK.edi')).interchanges[0].groups[0].transactions[0].segments.find((s) => s.tag === 'SLN')
    expect(sln?.elements[4]).toEqual(['PC', '11.1', '12.2', 'EA', '13.3', '14.4'])
    const bom = parseX12(load('EdiFabric__X12.NET__997.txt'))
    expect(bom.interchanges[0].span.start).toBe(3)
    const po = parseX12(load('walmartlabs__gozer__po850.txt')).interchanges[0]
    expect(po.controlNumber).toBe('000003438') // leading zeros kept (node-x12 strips them)
    const wrong = parseX12(load('olmelabs__EdiEngine__WrongGroupsAndTranCount.edi')).interchanges[0]
    expect(wrong.issues.find((i) => i.code === 'interchange_control_mismatch')?.value).toBe('3438')
  })

  it('Stedi 5010 850 in a GS01=OW group: the group fit is its only issue; a 999 says IK5 R 18', () => {
    const r = parseX12(load('Stedi-Demos__bootstrap-archived__input.edi'))
    expect(codes(r)).toEqual(['transaction_not_in_group'])
    const ack = buildX12Acks(r, { ackType: '999', sender: { qualifier: 'ZZ', id: 'OURCO' }, version: '005010X231', controlNumbers: { interchange: 1, group: 1, transaction: 1 }, date: '20240101', time: '0000' })
    expect(ack.interchanges[0].text).toContain('AK2*850*000000057~IK5*R*18~AK9*R*1*1*0~')
  })

  for (const f of ['indice-co__EDI.Net__x12.850a.edi', 'indice-co__EDI.Net__x12.850.issue135.edi', 'EdiFabric__X12.NET__997.txt', 'olmelabs__EdiEngine__856.Crossdock.OK.edi', 'walmartlabs__gozer__po850.txt', 'xlate__staedi__simple999.edi']) {
    it(`${f}: a chunk boundary at every byte gives the same result`, () => {
      const bytes = load(f)
      const whole = chunked(bytes, bytes.length)
      for (let at = 0; at < bytes.length; at++) if (chunked(bytes, at) !== whole) expect.fail(`split at ${at} differs`)
    })
  }
})
