import { describe, expect, it } from 'vitest'
import { parseEdifact } from '../../../src/edi/edifact/index.ts'
import { generateEdifact } from '../../../bench/gen/edifact.ts'
import { edi, interchange, ORDERS_BODY, parseInPieces, txs } from './helpers.ts'

const seg = (buf: Buffer, tag: string) => txs(parseEdifact(buf))[0].segments.find((s) => s.tag === tag)!

describe('EDIFACT lexer', () => {
  it('uses the ISO 9735 defaults without a UNA', () => {
    const r = parseEdifact(interchange([{ body: ORDERS_BODY }]))
    expect(r.unreadable).toBe(false)
    expect(r.interchanges[0].delimiters).toEqual({ element: '+', component: ':', segment: "'", decimal: '.', release: '?' })
    expect(seg(interchange([{ body: ORDERS_BODY }]), 'DTM').elements).toEqual([['137', '20240101', '102']])
  })

  it('reads non-default separators from the UNA', () => {
    const buf = Buffer.from('UNA=*.? ~UNB*UNOC=3*S=14*R=14*240101=1200*9~UNH*1*ORDERS=D=96A=UN~BGM*220*A?*B?=C?~D??*9~UNT*3*1~UNZ*1*9~')
    const r = parseEdifact(buf)
    expect(r.interchanges[0].delimiters).toMatchObject({ element: '*', component: '=', segment: '~' })
    const bgm = txs(r)[0].segments[1]
    expect(bgm.elements).toEqual([['220'], ['A*B=C~D?'], ['9']])
    expect(r.interchanges[0].issues).toEqual([])
  })

  it('releases every separator and the release character itself', () => {
    const buf = interchange([{ body: ["FTX+AAI+++a?+b?:c?'d??e?.f", ...ORDERS_BODY.slice(1)] }])
    const ftx = seg(buf, 'FTX')
    expect(ftx.elements[3]).toEqual(["a+b:c'd?e?.f".replace('?.', '.')])
  })

  it('keeps a decimal comma and reports it in the delimiters', () => {
    const buf = Buffer.concat([Buffer.from('UNA:+,? \''), interchange([{ body: ORDERS_BODY.map((s) => s.replace('14.58', '14,58')) }])])
    const r = parseEdifact(buf)
    expect(r.interchanges[0].delimiters.decimal).toBe(',')
    expect(txs(r)[0].segments.find((s) => s.tag === 'PRI')!.elements[0]).toEqual(['AAA', '14,58'])
    expect(txs(r)[0].status).toBe('accepted')
  })

  it('gives the same segments with LF, CRLF or no line breaks, and counts lines', () => {
    const segs = ['UNB+UNOC:3+S+R+240101:1200+1', 'UNH+1+ORDERS:D:96A:UN', ...ORDERS_BODY, 'UNT+11+1', 'UNZ+1+1']
    const shapes = ['', '\n', '\r\n'].map((lb) => parseEdifact(edi(segs, lb)))
    const strip = (r: ReturnType<typeof parseEdifact>) => txs(r)[0].segments.map((s) => [s.tag, s.elements])
    expect(strip(shapes[1])).toEqual(strip(shapes[0]))
    expect(strip(shapes[2])).toEqual(strip(shapes[0]))
    expect(txs(shapes[1])[0].segments[2].pos.line).toBe(4)
    expect(txs(shapes[0])[0].segments[2].pos.line).toBe(1)
  })

  it('skips a UTF-8 BOM and keeps byte offsets', () => {
    const body = interchange([{ body: ORDERS_BODY }])
    const r = parseEdifact(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]))
    expect(r.unreadable).toBe(false)
    expect(r.interchanges[0].span.start).toBe(3)
    expect(r.issues).toEqual([])
  })

  it('gives identical results for every chunk boundary (release char, BOM and UNA split)', () => {
    const buf = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from("UNA:+.? 'UNB+UNOC:3+S+R+240101:1200+1'UNH+1+ORDERS:D:96A:UN'FTX+AAI+++end?'+x??'"),
      Buffer.from('NAD+BY+1::9++M\xfcller?+S\xf6hne\'', 'latin1'),
      Buffer.from("UNT+4+1'UNZ+1+1'"),
    ])
    const whole = JSON.stringify(parseEdifact(buf))
    expect(txs(parseEdifact(buf))[0].segments[1].elements[3]).toEqual(["end'", 'x?'].slice(0, 1))
    for (let i = 0; i <= buf.length; i++) expect(JSON.stringify(parseInPieces(buf, [i])), `cut at ${i}`).toBe(whole)
    // Three pieces, including a cut right after every `?`.
    const rel = [...buf.keys()].filter((i) => buf[i] === 0x3f)
    for (const i of rel) expect(JSON.stringify(parseInPieces(buf, [i + 1, i + 2]))).toBe(whole)
    // One byte at a time.
    expect(JSON.stringify(parseInPieces(buf, [...buf.keys()].slice(1)))).toBe(whole)
  })

  it('reports a last segment without terminator but still reads it', () => {
    const buf = Buffer.from(interchange([{ body: ORDERS_BODY }]).toString('latin1').replace(/'$/, ''))
    const r = parseEdifact(buf)
    expect(r.interchanges[0].issues.map((i) => i.code)).not.toContain('interchange_trailer_missing')
    expect(r.interchanges[0].issues.map((i) => i.code)).toContain('trailing_garbage')
  })

  // The scan works on a window of the buffer (scan-wasm.ts, 240 KiB): segments crossing the
  // window's end are scanned again from a new window, and one longer than the window is scanned
  // by the JavaScript loop. None of that may show in the results.
  it('gives the same results across scan-window boundaries and for a segment longer than the window', () => {
    const big = generateEdifact({ type: 'ORDERS', bytes: 700_000, seed: 3 })
    const whole = parseEdifact(big)
    expect(txs(whole).every((t) => t.status === 'accepted')).toBe(true)
    const json = JSON.stringify(whole)
    expect(JSON.stringify(parseInPieces(big, [65_536, 300_001, 300_002, 650_000]))).toBe(json)
    const cuts: number[] = []
    for (let c = 4096; c < big.length; c += 4096) cuts.push(c)
    expect(JSON.stringify(parseInPieces(big, cuts))).toBe(json)

    const text = 'A?+B?:C '.repeat(40_000) // 320,000 bytes, 240,000 characters after release
    const long = interchange([{ body: [...ORDERS_BODY.slice(0, 2), `FTX+AAI+++${text}`, ...ORDERS_BODY.slice(2)] }])
    const r = parseEdifact(long)
    const ftx = txs(r)[0].segments.find((s) => s.tag === 'FTX')!
    expect(ftx.elements[3][0]).toBe('A+B:C '.repeat(40_000))
    // 4440 is an..70: the one value is far too long, and reported once.
    expect(txs(r)[0].issues.map((i) => i.code)).toEqual(['element_too_long'])
    const jl = JSON.stringify(r)
    expect(JSON.stringify(parseInPieces(long, [100, 200_000, 250_000]))).toBe(jl)
    expect(JSON.stringify(parseInPieces(long, [long.length - 10]))).toBe(jl)
  })
})
