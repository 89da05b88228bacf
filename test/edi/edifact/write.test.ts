import { describe, expect, it } from 'vitest'
import { escapeValue, parseEdifact, writeEdifact, writeSegments } from '../../../src/edi/edifact/index.ts'
import { fromDelimiters } from '../../../src/edi/edifact/delimiters.ts'
import type { ParsedInterchange } from '../../../src/edi/types.ts'
import type { EdifactInterchangeInput } from '../../../src/edi/edifact/write.ts'
import { txs } from './helpers.ts'

const base: Omit<EdifactInterchangeInput, 'messages'> = {
  syntax: { id: 'UNOC', version: '3' },
  sender: { id: 'US', qualifier: '14' },
  receiver: { id: 'THEM', qualifier: '14' },
  date: '240101',
  time: '1200',
  controlNumber: '77',
}

/** Rebuilds the writer input from a parsed interchange (what the pipeline does on re-send). */
function fromParsed(x: ParsedInterchange): EdifactInterchangeInput {
  const [id, version] = x.syntax.split(':')
  return {
    ...base,
    syntax: { id, version },
    messages: x.groups.flatMap((g) =>
      g.transactions.map((t) => ({ ref: t.controlNumber, type: t.type, version: t.version, association: t.implementation, segments: t.segments.slice(1, -1) }))
    ),
  }
}

const SAMPLES: Record<string, string> = {
  ORDERS: "BGM+220+PO?+1+9'DTM+137:20240101:102'FTX+AAI+++Use ?:, ?+, ?' and ?? here'NAD+BY+5412345000013::9++M?'Donald?+Co'LIN+1++4000862141404:SRS'QTY+21:48'PRI+AAA:14.58'UNS+S'CNT+2:1'",
  ORDRSP: "BGM+231+R?:1+4'DTM+137:20240101:102'RFF+ON:1?'2'NAD+BY+1::9'LIN+1+5+1:SRV'QTY+21:1'UNS+S'",
  DESADV: "BGM+351+DES?+1+9'DTM+137:20240101:102'NAD+SU+1::9'CPS+1'PAC+2++201::9'CPS+2+1'PAC+1++201::9'PCI+33E'GIN+BJ+354107380000001051'LIN+1++5410738000152:SRV'IMD+F++:::Box ?? Co?'s'QTY+12:20'CNT+2:1'",
  INVOIC: "BGM+380+INV?:1+9'DTM+137:20240101:102'NAD+BY+1::9++A?+B'LIN+1++1:SRV'QTY+47:1'MOA+203:1.5'PRI+AAA:1.5'UNS+S'MOA+79:1.5'",
}

describe('EDIFACT writer', () => {
  it('escapes every separator and the release character', () => {
    const s = fromDelimiters({})
    expect(escapeValue("a+b:c'd?e", s)).toBe("a?+b?:c?'d??e")
    expect(escapeValue('plain', s)).toBe('plain')
    const custom = fromDelimiters({ element: '*', component: '=', segment: '~' })
    expect(escapeValue('a*b=c~d+e:', custom)).toBe('a?*b?=c?~d+e:')
  })

  it('throws (a defect, not a document problem) when data needs escaping and there is no release char', () => {
    expect(() => escapeValue('a+b', fromDelimiters({ release: '' }))).toThrow(/release/)
  })

  it('writes UNA only for non-default separators and computes UNT/UNZ counts', () => {
    const messages = [{ ref: 'A', type: 'ORDERS', version: 'D96A', segments: [{ tag: 'BGM', elements: [['220'], ['1']] }] }]
    const plain = writeEdifact({ ...base, messages }).toString('latin1')
    expect(plain).toBe("UNB+UNOC:3+US:14+THEM:14+240101:1200+77'UNH+A+ORDERS:D:96A:UN'BGM+220+1'UNT+3+A'UNZ+1+77'")
    const custom = writeEdifact({ ...base, messages }, { delimiters: { element: '*', component: '=', segment: '~' }, lineBreak: '\n' }).toString('latin1')
    expect(custom.startsWith('UNA=*.? ~\nUNB*UNOC=3*US=14')).toBe(true)
    expect(custom).toContain('UNT*3*A~\nUNZ*1*77~\n')
  })

  it('encodes in the declared repertoire (UNOE → ISO 8859-5, UNOY → UTF-8)', () => {
    const messages = [{ ref: '1', type: 'ORDERS', version: 'D01B', segments: [{ tag: 'FTX', elements: [['AAI'], [''], [''], ['Москва']] }] }]
    const e = writeEdifact({ ...base, syntax: { id: 'UNOE', version: '3' }, messages })
    expect(txs(parseEdifact(e))[0].segments[1].elements[3][0]).toBe('Москва')
    expect(e.includes(Buffer.from([0xbc, 0xde, 0xe1]))).toBe(true)
    const y = writeEdifact({ ...base, syntax: { id: 'UNOY', version: '4' }, messages })
    expect(y.toString('utf8')).toContain('Москва')
  })

  for (const [type, body] of Object.entries(SAMPLES)) {
    for (const seps of [{}, { element: '*', component: '=', segment: '~' }]) {
      it(`round trip ${type} ${JSON.stringify(seps)}: parse → write → parse gives the same segments`, () => {
        const src = Buffer.from(`UNB+UNOC:3+US:14+THEM:14+240101:1200+77'UNH+1+${type}:D:96A:UN'${body}UNT+${body.replace(/\?./g, '').split("'").length + 1}+1'UNZ+1+77'`, 'latin1')
        const first = parseEdifact(src)
        expect(txs(first)[0].status).toBe('accepted')
        const out = writeEdifact(fromParsed(first.interchanges[0]), { delimiters: seps })
        const second = parseEdifact(out)
        const shape = (r: typeof first) => txs(r).map((t) => t.segments.map((s) => [s.tag, s.elements]))
        expect(shape(second)).toEqual(shape(first))
        expect(txs(second)[0].issues).toEqual([])
        // Escapes included: with the same separators the body bytes come back unchanged.
        if (Object.keys(seps).length === 0) expect(out.toString('latin1')).toContain(body)
      })
    }
  }

  it('writeSegments re-emits parsed segments byte for byte', () => {
    const body = SAMPLES.ORDERS
    const src = Buffer.from(`UNB+UNOC:3+US+THEM+240101:1200+77'UNH+1+ORDERS:D:96A:UN'${body}UNT+11+1'UNZ+1+77'`)
    const t = txs(parseEdifact(src))[0]
    expect(writeSegments(t.segments.slice(1, -1))).toBe(body)
  })
  it('releases a `*` in a value when syntax version 4 is written without UNA (the reader takes `*` as repetition)', () => {
    const input: EdifactInterchangeInput = {
      ...base,
      syntax: { id: 'UNOA', version: '4' },
      messages: [{ ref: '1', type: 'ORDERS', version: 'D96A', segments: [{ tag: 'BGM', elements: [['220'], ['PO*7'], ['9']] }] }],
    }
    const text = writeEdifact(input).toString('latin1')
    expect(text.startsWith('UNB+')).toBe(true)
    expect(text).toContain("BGM+220+PO?*7+9'")
    const back = txs(parseEdifact(Buffer.from(text, 'latin1')))[0]
    expect(back.segments[1].elements[1]).toEqual(['PO*7'])
    // Syntax version 3 has no repetition separator: `*` is an ordinary character there.
    expect(writeEdifact({ ...input, syntax: { id: 'UNOA', version: '3' } }).toString('latin1')).toContain("BGM+220+PO*7+9'")
  })
  it('writes a character its repertoire cannot hold as a released `?`, never as a byte the reader takes for structure', () => {
    const msg = (v: string) => [{ ref: '1', type: 'ORDERS', version: 'D96A', segments: [{ tag: 'FTX', elements: [['AAI'], [''], [''], [v]] }] }]
    // Latin-1 (UNOC) keeps only the low byte: U+012B would become `+`, U+0127 the terminator `'`.
    const unoc = writeEdifact({ ...base, messages: msg('Rīga ħ ok') })
    expect(unoc.toString('latin1')).toContain("FTX+AAI+++R??ga ?? ok'")
    expect(txs(parseEdifact(unoc))[0].segments[1].elements[3]).toEqual(['R?ga ? ok'])
    // ISO 8859-5 (UNOE) has Cyrillic but no é: the substitute `?` is the release character.
    const unoe = writeEdifact({ ...base, syntax: { id: 'UNOE', version: '3' }, messages: msg('Café Жук') })
    const back = txs(parseEdifact(unoe))[0]
    expect(back.segments[1].elements[3]).toEqual(['Caf? Жук'])
    expect(back.segments.map((x) => x.tag)).toEqual(['UNH', 'FTX', 'UNT'])
  })
})
