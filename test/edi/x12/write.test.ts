import { describe, expect, it } from 'vitest'
import type { ParseResult } from '../../../src/edi/types.ts'
import { writeX12, type X12WriteInterchange } from '../../../src/edi/x12/index.ts'
import { ASN_856, envelope, FA_997, IA_999, INVOICE_810, PO_850, POACK_855 } from './fixtures.ts'
import { codes, parse } from './helpers.ts'

/** Rebuild writer input from a parse: same envelope values, body without ST/SE. */
export function toWriteInput(r: ParseResult, separators: X12WriteInterchange['separators']): X12WriteInterchange {
  const ic = r.interchanges[0]
  return {
    sender: ic.sender, receiver: ic.receiver, controlNumber: ic.controlNumber, date: ic.date ?? '', time: ic.time ?? '',
    version: ic.syntax, test: ic.test, ackRequested: ic.ackRequested, separators,
    groups: ic.groups.map((g) => ({
      functionalId: g.type, senderId: g.senderId ?? '', receiverId: g.receiverId ?? '', date: '20240102', time: '1200',
      controlNumber: g.controlNumber, version: g.version,
      transactions: g.transactions.map((t) => ({ type: t.type, controlNumber: t.controlNumber, implementation: t.implementation, segments: t.segments })),
    })),
  }
}

const strip = (r: ParseResult) =>
  r.interchanges.flatMap((ic) => ic.groups.flatMap((g) => g.transactions.map((t) => t.segments.map((s) => ({ tag: s.tag, elements: s.elements, repeats: s.repeats })))))

const types: Array<[string, string[], string]> = [
  ['850', PO_850, '004010'], ['855', POACK_855, '004010'], ['856', ASN_856, '004010'],
  ['810', INVOICE_810, '004010'], ['997', FA_997, '004010'], ['999', IA_999, '005010X231'],
  ['850', [...PO_850.slice(0, 2), 'REF*DP*038^039>X', ...PO_850.slice(3)], '005010'],
]

describe('x12 writer', () => {
  for (const [type, body, version] of types) {
    it(`round trip ${type} ${version}: parse → write → parse gives the same segments`, () => {
      const first = parse(envelope([{ type, ctl: '0001', body }, { type, ctl: '0002', body }], { version }))
      for (const seps of [{ element: '*', component: '>', segment: '~' }, { element: '|', component: ':', segment: '\n', repetition: '{' }]) {
        const out = writeX12(toWriteInput(first, seps))
        expect(out.ok).toBe(true)
        if (!out.ok) continue
        const second = parse(out.text)
        expect(codes(second).filter((c) => c !== 'element_too_many_repetitions')).toEqual(codes(first).filter((c) => c !== 'element_too_many_repetitions'))
        expect(strip(second)).toEqual(strip(first))
      }
    })
  }

  it('pads the ISA to 106 bytes and writes SE01/GE01/IEA01 counts', () => {
    const first = parse(envelope([{ type: '850', ctl: '0001', body: PO_850 }]))
    const out = writeX12({ ...toWriteInput(first, { element: '*', component: '>', segment: '~', lineBreak: '\r\n' }), controlNumber: 42 })
    if (!out.ok) throw new Error('write failed')
    const lines = out.text.split('\r\n')
    expect(lines[0]).toHaveLength(106)
    expect(lines[0]).toContain('*000000042*0*P*>~')
    expect(lines).toContain(`SE*${PO_850.length + 2}*0001~`)
    expect(lines).toContain('GE*1*7001~')
    expect(lines).toContain('IEA*1*000000042~')
  })

  it('refuses data that contains a delimiter (X12 has no release character)', () => {
    const first = parse(envelope([{ type: '850', ctl: '0001', body: PO_850 }]))
    const input = toWriteInput(first, { element: '*', component: '>', segment: '~' })
    input.groups[0].transactions[0].segments[1] = { tag: 'BEG', elements: [['00'], ['SA'], ['PO~1'], [''], ['20240102']] }
    const out = writeX12(input)
    expect(out.ok).toBe(false)
    if (!out.ok) expect(out.issues[0]).toMatchObject({ code: 'element_invalid_character', segment: 'BEG', element: 3 })
  })

  it('writes a character beyond Latin-1 as `?`, never as the delimiter its low byte is', () => {
    const first = parse(envelope([{ type: '850', ctl: '0001', body: PO_850 }]))
    const input = toWriteInput(first, { element: '*', component: '>', segment: '~' })
    // U+012A's low byte is `*`, U+017E's is `~`: Latin-1 bytes would split the element and end the segment.
    input.groups[0].transactions[0].segments.push({ tag: 'MSG', elements: [['R\u012Aga \u017Eubrowka 20\u20AC']] })
    const out = writeX12(input)
    expect(out.ok).toBe(true)
    if (!out.ok) return
    expect(out.text).toContain('MSG*R?ga ?ubrowka 20?~')
    const back = parse(Buffer.from(out.text, 'latin1').toString('latin1'))
    const seg = back.interchanges[0].groups[0].transactions[0].segments.find((x) => x.tag === 'MSG')!
    expect(seg.elements).toEqual([['R?ga ?ubrowka 20?']])
    // With `?` itself a delimiter there is no safe substitute: refused.
    const q = writeX12({ ...input, separators: { element: '?', component: '>', segment: '~' } })
    expect(q.ok).toBe(false)
    if (!q.ok) expect(q.issues[0].message).toContain("its substitute '?' is a delimiter")
    // A replacement, if given, is that substitute; one beyond Latin-1 is refused (U+012A would be `*`).
    const r = writeX12({ ...input, separators: { element: '?', component: '>', segment: '~' }, replaceInData: '_' })
    expect(r.ok && r.text.includes('MSG?R_ga _ubrowka 20_~')).toBe(true)
    expect(writeX12({ ...input, replaceInData: '\u012A' }).ok).toBe(false)
  })

  it('refuses separators that collide or are alphanumeric, and over-long ISA ids', () => {
    const first = parse(envelope([{ type: '850', ctl: '0001', body: PO_850 }]))
    expect(writeX12(toWriteInput(first, { element: '*', component: '*', segment: '~' })).ok).toBe(false)
    expect(writeX12(toWriteInput(first, { element: 'A', component: '>', segment: '~' })).ok).toBe(false)
    const long = { ...toWriteInput(first, { element: '*', component: '>', segment: '~' }), sender: { qualifier: 'ZZ', id: 'X'.repeat(16) } }
    const out = writeX12(long)
    expect(out.ok).toBe(false)
    if (!out.ok) expect(out.issues[0].code).toBe('isa_field_width')
  })
})
