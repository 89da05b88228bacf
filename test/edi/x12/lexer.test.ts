import { describe, expect, it } from 'vitest'
import { parseX12 } from '../../../src/edi/x12/index.ts'
import { createX12Reader } from '../../../src/edi/x12/reader.ts'
import { envelope, isaText, PO_850 } from './fixtures.ts'
import { codes, edit, firstTx, parse } from './helpers.ts'

const po = (o = {}) => envelope([{ type: '850', ctl: '0001', body: PO_850 }], o)

describe('x12 lexer', () => {
  it('reads delimiters from the ISA and keeps byte offset, segment index and line', () => {
    const r = parse(po())
    const ic = r.interchanges[0]
    expect(ic.delimiters).toEqual({ element: '*', component: '>', segment: '~' })
    const tx = firstTx(r)
    expect(tx.segments[0].tag).toBe('ST')
    expect(tx.segments[0].pos).toEqual({ offset: 107 + 'GS*PO*PARTNERAPP*OURAPP*20240102*1200*7001*X*004010~\n'.length, index: 2, line: 3 })
    expect(tx.segments[1].elements[0]).toEqual(['00'])
  })

  it('skips a UTF-8 BOM and CRLF line ends', () => {
    const r = parse('\uFEFF' + po({ eol: '\r\n' }))
    expect(codes(r)).toEqual([])
    expect(firstTx(r).segments[0].pos.offset).toBe(3 + 108 + 'GS*PO*PARTNERAPP*OURAPP*20240102*1200*7001*X*004010~\r\n'.length)
  })

  it('accepts a line feed as the segment terminator and strips a CR before it', () => {
    for (const eol of ['', '\r']) {
      const r = parse(po({ term: eol + '\n', eol: '' }).replaceAll('\r\n', '\r\n'))
      expect(r.interchanges[0].delimiters.segment).toBe(eol === '' ? '\n' : '\r')
      expect(codes(r)).toEqual([])
    }
  })

  it('ignores tabs and blank lines between segments', () => {
    const text = po().split('\n').map((l) => `\t\t${l}\n`).join('\n')
    expect(codes(parse(text))).toEqual([])
  })

  it('reads several interchanges and reports trailing garbage as a warning', () => {
    const r = parse(po() + po({ isa13: '000000102' }) + '\nthis is not EDI\n')
    expect(r.interchanges.map((i) => i.controlNumber)).toEqual(['000000101', '000000102'])
    const g = r.issues.find((i) => i.code === 'trailing_garbage')
    expect(g?.severity).toBe('warning')
    expect(g?.value).toContain('this is not EDI')
  })

  it('is unreadable, never throwing, when there is no ISA', () => {
    const r = parse('hello world')
    expect(r.unreadable).toBe(true)
    expect(codes(r)).toContain('envelope_unreadable')
    expect(parseX12(Buffer.alloc(0)).unreadable).toBe(true)
  })

  it('reports an ISA that stops before ISA16 as envelope_unreadable', () => {
    const r = parse('ISA*00*          *00*')
    expect(r.unreadable).toBe(true)
    expect(r.issues[0].code).toBe('envelope_unreadable')
  })

  it('reads ISA fields by separator when NBSP padding breaks the 106-byte width', () => {
    const text = po().replace('*PARTNER        *', '*PARTNER\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0*')
    const r = parse(text)
    expect(r.interchanges[0].sender.id).toBe('PARTNER')
    expect(r.interchanges[0].issues.map((i) => [i.code, i.element])).toEqual([['isa_field_width', 6]])
  })

  it('splits components on ISA16 and repetitions on ISA11 only from 00501', () => {
    const body = ['BEG*00*SA*PO1**20240102', 'PO1*1*1*EA*1**BP*A^B', 'SLN*1**I*1*EA>2>3*1', 'CTT*1']
    const r5 = parse(envelope([{ type: '850', ctl: '0001', body }], { version: '005010' }))
    const po1 = firstTx(r5).segments[2]
    expect(po1.elements[6]).toEqual(['A'])
    expect(po1.repeats?.[6]).toEqual([['A'], ['B']])
    expect(firstTx(r5).segments[3].elements[4]).toEqual(['EA', '2', '3'])
    const r4 = parse(envelope([{ type: '850', ctl: '0001', body }], { version: '004010', isaVersion: '00406', rep: '^' }))
    expect(firstTx(r4).segments[2].elements[6]).toEqual(['A^B'])
  })

  it('follows ISA16 literally when it is ~ and LF ends segments (corpus trap)', () => {
    const text = isaText().slice(0, -1) + '~\nGS*PO*A*B*20240102*1200*1*X*004010~\nST*850*0001~\nSE*2*0001~\nGE*1*1~\nIEA*1*000000101~\n'
    const r = parse(text)
    expect(r.interchanges[0].delimiters).toMatchObject({ component: '~', segment: '\n' })
    expect(codes(r)).toContain('group_control_mismatch')
    expect(codes(r)).toContain('interchange_control_mismatch')
  })

  it('decodes non-ASCII data as UTF-8 while offsets stay in bytes', () => {
    const body = edit850('PID*F****BLUE WIDGET', 'PID*F****BLÜE WIDGET')
    const r = parse(envelope([{ type: '850', ctl: '0001', body }]))
    const tx = firstTx(r)
    const pid = tx.segments.find((s) => s.tag === 'PID')
    expect(pid?.elements[4]).toEqual(['BLÜE WIDGET'])
    const after = tx.segments[tx.segments.indexOf(pid!) + 1]
    const bytes = Buffer.from(envelope([{ type: '850', ctl: '0001', body }]))
    expect(bytes.subarray(after.pos.offset, after.pos.offset + 4).toString()).toBe('PO4*')
  })
})

function edit850(from: string, to: string): string[] {
  return PO_850.map((s) => (s === from ? to : s))
}

describe('x12 segments with bytes beyond ASCII', () => {
  const body = (name: string) => [...PO_850.slice(0, 2), `N1*ST*${name}`, ...PO_850.slice(2)]
  const nameOf = (buf: Buffer) => firstTx(parseX12(buf)).segments.find((s) => s.tag === 'N1')!.elements[1][0]

  it('reads a Latin-1 segment as Latin-1 (a lone é byte is not UTF-8: it read as U+FFFD)', () => {
    const text = envelope([{ type: '850', ctl: '0001', body: body('Café Müller') }])
    expect(nameOf(Buffer.from(text, 'latin1'))).toBe('Café Müller')
  })

  it('reads a UTF-8 segment as UTF-8', () => {
    const text = envelope([{ type: '850', ctl: '0001', body: body('Café Łódź 東京') }])
    expect(nameOf(Buffer.from(text, 'utf8'))).toBe('Café Łódź 東京')
  })
})

describe('x12 line numbers with line breaks inside segments', () => {
  // Terminator '~' then LF; one LF (and one CRLF) sits inside N3 and PID values, so every later
  // segment's line must count it, whichever path (kept segments or in-place validation) read it.
  const body = PO_850.map((s) => (s.startsWith('N3') ? 'N3*1 MAIN\nST' : s.startsWith('PID') ? s.replace('*', '*\r\n') : s))
  const text = envelope([{ type: '850', ctl: '0001', body: edit(body, 'CTT', 'CTT*2X') }])
  const want = text.slice(0, text.indexOf('CTT*2X')).split('\n').length

  it('has the line breaks it claims to have', () => {
    expect(text).toContain('MAIN\nST')
    expect(text).toMatch(/PID\*\r\n/)
  })

  it('counts them on the streaming path, at every chunk size', async () => {
    const { createX12Reader } = await import('../../../src/edi/x12/index.ts')
    const buf = Buffer.from(text, 'latin1')
    for (const size of [1, 2, 3, 7, 64, 1000, buf.length]) {
      const lines: number[] = []
      const r = createX12Reader({ onTransaction: (t) => lines.push(...t.issues.filter((i) => i.code === 'element_invalid_numeric').map((i) => i.position?.line ?? -1)) }, { keepSegments: false })
      for (let i = 0; i < buf.length; i += size) r.push(buf.subarray(i, i + size))
      r.end()
      expect(lines, `chunk size ${size}`).toEqual([want])
    }
  })

  it('counts them when segments are kept', () => {
    const tx = firstTx(parse(text))
    const ctt = tx.segments.find((s) => s.tag === 'CTT')
    expect(ctt?.pos.line).toBe(want)
    expect(tx.issues.find((i) => i.code === 'element_invalid_numeric')?.position?.line).toBe(want)
  })
})

describe('x12 ISA with a non-ASCII element separator', () => {
  // Found by the streaming = whole-file mutation test: separator 0xC3 followed by a non-ASCII
  // byte in ISA06. The values were split from the UTF-8 decoding of the ISA, where 0xC3 no longer
  // is the separator, and the ISA checks read past the end of the list (a TypeError, not an issue).
  it('reads the ISA byte-wise and reports, never throws', () => {
    // ISA06 'PARTNERé       ' keeps its 15 bytes in latin1; every '*' becomes 0xC3.
    const text = envelope([{ type: '850', ctl: '0001', body: PO_850 }]).replace('PARTNER        ', 'PARTNER\u00e9      ').replace(/\*/g, '\u00c3')
    const bytes = Buffer.from(text, 'latin1')
    const r = parseX12(bytes)
    expect(r.interchanges.length + r.issues.length).toBeGreaterThan(0)
    // The streaming reader (what the parse stage uses) threw here; the whole-file parse did not.
    const seen: string[] = []
    const reader = createX12Reader({ onTransaction: (tx) => void seen.push(tx.type), onInterchange: (ic) => void seen.push(`IEA ${ic.issues.length}`) }, {})
    expect(() => {
      reader.push(bytes)
      reader.end()
    }).not.toThrow()
    expect(seen.length).toBeGreaterThan(0)
  })
})
