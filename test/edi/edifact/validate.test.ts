import { describe, expect, it } from 'vitest'
import { createEdifactReader, parseEdifact, RawSegment, toPlain, validateMessage } from '../../../src/edi/edifact/index.ts'
import { findMessageDef } from '../../../src/edi/dictionary/edifact-index.ts'
import type { Segment } from '../../../src/edi/types.ts'
import { interchange, ORDERS_BODY, txs } from './helpers.ts'

const issuesOf = (body: string[], type = 'ORDERS', version = 'D:96A') => txs(parseEdifact(interchange([{ type, version, body }])))[0].issues
const codesOf = (body: string[], type?: string, version?: string) => issuesOf(body, type, version).map((i) => i.code)
const replace = (from: string, to: string | string[]) => ORDERS_BODY.flatMap((s) => (s === from ? to : [s]))

describe('EDIFACT dictionary validation', () => {
  it('a valid ORDERS has no issues (negative case for every code below)', () => {
    expect(codesOf(ORDERS_BODY)).toEqual([])
  })

  const cases: [string, string[], Record<string, unknown>][] = [
    ['segment_missing', ORDERS_BODY.filter((s) => !s.startsWith('BGM')), { segment: 'BGM' }],
    ['segment_unexpected', [...ORDERS_BODY.slice(0, 2), 'CNT+2:1', ...ORDERS_BODY.slice(2)], { segment: 'NAD' }],
    ['segment_unrecognized', [...ORDERS_BODY.slice(0, 2), 'ZZZ+1', ...ORDERS_BODY.slice(2)], { segment: 'ZZZ' }],
    ['segment_over_max', replace('UNS+S', ['UNS+S', 'UNS+S']), { segment: 'UNS' }],
    ['loop_over_max', replace('NAD+SU+4012345500004::9', Array.from({ length: 100 }, (_, i) => `NAD+SU+${i}::9`)), { loop: 'SG2' }],
    ['element_missing', replace('QTY+21:48', 'QTY+:48'), { segment: 'QTY', ref: '6063', element: 1, component: 1 }],
    ['element_too_long', replace('NAD+BY+5412345000013::9', 'NAD+BYZZ+5412345000013::9'), { segment: 'NAD', ref: '3035', value: 'BYZZ' }],
    ['element_invalid_numeric', replace('QTY+21:48', 'QTY+21:1020A'), { segment: 'QTY', ref: '6060' }],
    ['element_invalid_decimal', replace('PRI+AAA:14.58', 'PRI+AAA:.58'), { segment: 'PRI', ref: '5118' }],
    ['element_invalid_code', replace('UNS+S', 'UNS+X'), { segment: 'UNS', ref: '0081' }],
    ['element_too_many', replace('CNT+2:1', 'CNT+2:1+EXTRA'), { segment: 'CNT', element: 2 }],
    ['element_too_many_components', replace('QTY+21:48', 'QTY+21:48:PCE:X'), { segment: 'QTY', ref: 'C186' }],
  ]
  it.each(cases)('%s', (code, body, fields) => {
    const found = issuesOf(body).filter((i) => i.code === code)
    expect(found.length).toBeGreaterThan(0)
    expect(found[0]).toMatchObject({ severity: 'error', ...fields })
    expect(txs(parseEdifact(interchange([{ body }])))[0].status).toBe('rejected')
  })

  it('element_too_short on a fixed-length element', () => {
    expect(codesOf(replace('UNS+S', 'UNS+'))).toContain('element_missing')
  })

  it('the first LIN of ORDERS D96A opens SG25 and a repeated LIN opens the next one', () => {
    const body = replace('QTY+21:48', ['QTY+21:48', 'LIN+2++4000862141405:SRS', 'QTY+21:1'])
    expect(codesOf(body)).toEqual([])
    expect(issuesOf(replace('LIN+1++4000862141404:SRS', 'LIN+1++4000862141404:SRS++++X'))[0]).toMatchObject({ code: 'element_too_many' })
  })

  it('DESADV keeps the CPS → PAC → PCI/GIN → LIN hierarchy', () => {
    const body = [
      'BGM+351+DES1+9', 'DTM+137:20240101:102', 'NAD+SU+1::9', 'CPS+1', 'PAC+2++201::9', 'CPS+2+1', 'PAC+1++201::9',
      'MEA+PD+AAB+KGM:263.2', 'PCI+33E', 'GIN+BJ+354107380000001051', 'LIN+1++5410738000152:SRV', 'QTY+12:20', 'CNT+2:1',
    ]
    expect(codesOf(body, 'DESADV')).toEqual([])
    // GIN before PCI is out of place in SG13.
    const bad = body.flatMap((s) => (s === 'PCI+33E' ? [] : s.startsWith('GIN') ? [s, 'PCI+33E'] : [s]))
    expect(codesOf(bad, 'DESADV')).toContain('segment_unexpected')
  })

  it('INVOIC and ORDRSP validate in D96A and D01B', () => {
    const inv = ['BGM+380+1+9', 'DTM+137:20240101:102', 'NAD+BY+1::9', 'LIN+1++1:SRV', 'QTY+47:1', 'MOA+203:1.5', 'PRI+AAA:1.5', 'UNS+S', 'MOA+79:1.5']
    expect(codesOf(inv, 'INVOIC')).toEqual([])
    expect(codesOf(inv, 'INVOIC', 'D:01B')).toEqual([])
    const rsp = ['BGM+231+R1+4', 'DTM+137:20240101:102', 'RFF+ON:1', 'NAD+BY+1::9', 'LIN+1+5+1:SRV', 'QTY+21:1', 'UNS+S']
    expect(codesOf(rsp, 'ORDRSP')).toEqual([])
    expect(codesOf(rsp, 'ORDRSP', 'D:01B')).toEqual([])
  })

  it('D01B accepts the composite BGM C106; D96A does not', () => {
    const body = replace('BGM+220+PO123+9', 'BGM+220+PO123:1:X+9')
    expect(codesOf(body, 'ORDERS', 'D:01B')).toEqual([])
    expect(codesOf(body, 'ORDERS', 'D:96A')).toEqual(expect.arrayContaining(['element_too_many_components']))
  })

  it('measure unit 6411 is an..3 in D96A and D01B (UNTDID; both sources agree): GBND is too long', () => {
    // The hand-written dictionary had widened D01B 6411 to an..8 for one sample; D.01B says an..3.
    const body = replace('QTY+21:48', 'QTY+21:48:GBND')
    expect(codesOf(body, 'ORDERS', 'D:01B')).toEqual(['element_too_long'])
    expect(codesOf(body, 'ORDERS', 'D:96A')).toEqual(['element_too_long'])
  })

  it('a far substitute dictionary reports findings as warnings only', () => {
    const r = issuesOf(replace('QTY+21:48', 'QTY+21:1020A'), 'ORDERS', 'D:10A')
    expect(r.find((i) => i.code === 'dictionary_substituted')?.value).toBe('D01B')
    expect(r.every((i) => i.severity === 'warning')).toBe(true)
  })
})

describe('the three element-check paths agree', () => {
  // Lexer separator positions (parse), raw bytes (validateMessage on lazy segments) and
  // materialized values (validateMessage on plain segments) must give the same issues.
  const bodies: string[][] = [
    ORDERS_BODY,
    replace('QTY+21:48', 'QTY+21:1020A:PCE:X'),
    replace('PRI+AAA:14.58', 'PRI+AAA:.58'),
    replace('NAD+BY+5412345000013::9', 'NAD+BYZZ+54123?+45000013::9++A?:B'),
    replace('CNT+2:1', 'CNT+2:1+EXTRA'),
    replace('UNS+S', 'UNS+'),
    replace('QTY+21:48', 'QTY+:-4,5'),
    replace('DTM+137:20240101:102', `FTX+AAI+++${'x:'.repeat(1100)}`),
  ]
  it.each(bodies.map((b, i) => [i, b] as const))('body %i', (_i, body) => {
    const buf = interchange([{ body }])
    const viaSeps = txs(parseEdifact(buf))[0].issues.filter((i) => i.level === 'segment' || i.level === 'element')
    const lazy: Segment[] = []
    const r = createEdifactReader({ onMessage: (tx) => lazy.push(...tx.segments.slice(1, -1)) })
    r.push(buf)
    r.end()
    expect(lazy.every((s) => s instanceof RawSegment)).toBe(true)
    const def = findMessageDef('ORDERS', 'D96A')!.def
    const strip = (l: { code: string; segment?: string; element?: number; component?: number; value?: string }[]) =>
      l.map((i) => `${i.code}:${i.segment}:${i.element ?? ''}:${i.component ?? ''}:${i.value ?? ''}`).sort()
    expect(strip(validateMessage(def, lazy))).toEqual(strip(viaSeps))
    expect(strip(validateMessage(def, lazy.map(toPlain)))).toEqual(strip(viaSeps))
    if (body !== ORDERS_BODY) expect(viaSeps.length).toBeGreaterThan(0)
  })
})
