import { describe, expect, it } from 'vitest'
import { parseEdifact } from '../../../src/edi/edifact/index.ts'
import { allIssues, txs } from './helpers.ts'

/** One ORDERS with a free-text FTX holding `text` bytes, under syntax identifier `id`. */
function withText(id: string, text: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`UNB+${id}:3+S+R+240101:1200+1'UNH+1+ORDERS:D:96A:UN'BGM+220+1+9'DTM+137:20240101:102'FTX+AAI+++`),
    text,
    Buffer.from("'UNS+S'UNT+6+1'UNZ+1+1'"),
  ])
}
const ftx = (buf: Buffer) => txs(parseEdifact(buf))[0].segments.find((s) => s.tag === 'FTX')!.elements[3][0]
const charsetIssues = (buf: Buffer) => allIssues(parseEdifact(buf)).filter((i) => i.code === 'charset_violation')

describe('EDIFACT character sets (UNB S001)', () => {
  it('UNOA: lowercase is a charset_violation warning, uppercase is clean', () => {
    expect(charsetIssues(withText('UNOA', Buffer.from('lower case')))).toHaveLength(1)
    expect(charsetIssues(withText('UNOA', Buffer.from('lower case')))[0].severity).toBe('warning')
    expect(charsetIssues(withText('UNOA', Buffer.from('UPPER CASE (OK)')))).toHaveLength(0)
    // The message is still processed, not rejected.
    expect(txs(parseEdifact(withText('UNOA', Buffer.from('lower')))).map((t) => t.status)).toEqual(['accepted_with_errors'])
  })

  it('UNOB allows lowercase but not control bytes', () => {
    expect(charsetIssues(withText('UNOB', Buffer.from('lower case')))).toHaveLength(0)
    expect(charsetIssues(withText('UNOB', Buffer.from([0x41, 0x07, 0x42])))).toHaveLength(1)
  })

  it('UNOC decodes ISO 8859-1', () => {
    expect(ftx(withText('UNOC', Buffer.from([0x4d, 0xfc, 0x6e, 0x63, 0x68, 0x65, 0x6e])))).toBe('München')
    expect(charsetIssues(withText('UNOC', Buffer.from('M\xfcnchen', 'latin1')))).toHaveLength(0)
  })

  it('UNOC with a C1 control byte is a violation', () => {
    expect(charsetIssues(withText('UNOC', Buffer.from([0x41, 0x85, 0x42])))).toHaveLength(1)
  })

  it('UNOD decodes ISO 8859-2 and UNOE ISO 8859-5', () => {
    expect(ftx(withText('UNOD', Buffer.from([0xa3, 0xf3, 0x64, 0xbc])))).toBe('Łódź')
    expect(ftx(withText('UNOE', Buffer.from([0xbc, 0xde, 0xe1, 0xda, 0xd2, 0xd0])))).toBe('Москва')
    expect(charsetIssues(withText('UNOE', Buffer.from([0xbc, 0xde, 0xe1, 0xda, 0xd2, 0xd0])))).toHaveLength(0)
  })

  it('UNOW/UNOY decode UTF-8; invalid UTF-8 is a violation', () => {
    expect(ftx(withText('UNOY', Buffer.from('Zürich €', 'utf8')))).toBe('Zürich €')
    expect(ftx(withText('UNOW', Buffer.from('Ærø', 'utf8')))).toBe('Ærø')
    expect(charsetIssues(withText('UNOY', Buffer.from('Zürich', 'utf8')))).toHaveLength(0)
    expect(charsetIssues(withText('UNOY', Buffer.from([0x41, 0xff, 0x42])))).toHaveLength(1)
  })

  it('valid UTF-8 under a single-byte declaration is decoded as UTF-8, with a warning', () => {
    const buf = withText('UNOC', Buffer.from('MUNCIË', 'utf8'))
    expect(ftx(buf)).toBe('MUNCIË')
    const i = charsetIssues(buf)
    expect(i).toHaveLength(1)
    expect(i[0].message).toMatch(/UTF-8/)
  })

  it('an unknown syntax identifier is reported and bytes are kept as Latin-1', () => {
    const buf = withText('UNOZ', Buffer.from([0xe9]))
    expect(ftx(buf)).toBe('é')
    expect(charsetIssues(buf)[0].value).toBe('UNOZ')
  })

  // Every declared set reports what falls outside it, as a warning on the segment, and the
  // message is still processed; the same text is clean under a set that holds it.
  const violations: [string, Buffer, string][] = [
    ['UNOA', Buffer.from('a#b'), 'a#b'],
    ['UNOA', Buffer.from([0x41, 0xe9, 0x42]), '\\xe9'],
    ['UNOB', Buffer.from([0x41, 0xe9, 0x42]), '\\xe9'],
    ['UNOC', Buffer.from([0x41, 0x9f, 0x42]), '\\x9f'],
    ['UNOD', Buffer.from([0xa3, 0x85, 0x64]), '\\x85'],
    ['UNOE', Buffer.from([0xbc, 0x1b, 0xde]), '\x1b'],
    ['UNOW', Buffer.from([0x41, 0xc3, 0x28]), '\\xc3'],
    ['UNOW', Buffer.from([0xed, 0xa0, 0x80]), '\\xed'], // a UTF-16 surrogate, invalid in UTF-8
    ['UNOY', Buffer.from([0xc0, 0xaf]), '\\xc0'], // overlong '/'
  ]
  it.each(violations)('%s (case %#): bytes outside the set are a charset_violation warning on FTX; the message is accepted_with_errors', (id, bytes, shown) => {
    const buf = withText(id, bytes)
    const found = charsetIssues(buf)
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({ severity: 'warning', segment: 'FTX' })
    expect(found[0].value).toContain(shown)
    expect(found[0].message).toContain(id)
    expect(txs(parseEdifact(buf)).map((t) => t.status)).toEqual(['accepted_with_errors'])
  })

  it('the same bytes are clean under a set that holds them', () => {
    expect(charsetIssues(withText('UNOB', Buffer.from('a#b')))).toEqual([])
    expect(charsetIssues(withText('UNOC', Buffer.from([0x41, 0xe9, 0x42])))).toEqual([])
    expect(charsetIssues(withText('UNOD', Buffer.from([0xa3, 0xf3, 0x64])))).toEqual([])
    expect(charsetIssues(withText('UNOW', Buffer.from('A\u00e9B', 'utf8')))).toEqual([])
  })

  it('never throws on arbitrary bytes in any set', () => {
    for (const id of ['UNOA', 'UNOB', 'UNOC', 'UNOD', 'UNOE', 'UNOW', 'UNOY']) {
      const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i).filter((b) => ![0x27, 0x2b, 0x3a, 0x3f].includes(b)))
      expect(() => parseEdifact(withText(id, bytes))).not.toThrow()
    }
  })

  it('a UNB is checked under the set it declares, not the previous interchange\'s', () => {
    const unb = (id: string, sender: string, ref: string) => `UNB+${id}:3+${sender}+R+240101:1200+${ref}'UNH+1+ORDERS:D:96A:UN'BGM+220+1+9'DTM+137:20240101:102'UNS+S'UNT+5+1'UNZ+1+${ref}'`
    // Lowercase in the sender of a UNOA interchange that follows a UNOB one.
    const issues = allIssues(parseEdifact(Buffer.from(unb('UNOB', 'SENDER', '1') + unb('UNOA', 'sender', '2'))))
    const found = issues.filter((i) => i.code === 'charset_violation')
    expect(found).toHaveLength(1)
    expect(found[0].segment).toBe('UNB')
    // And the other way round: a UNOB interchange after a UNOA one may hold lowercase.
    expect(charsetIssues(Buffer.from(unb('UNOA', 'SENDER', '1') + unb('UNOB', 'sender', '2')))).toHaveLength(0)
  })

  it('a UNB outside ASCII is decoded under the set it declares', () => {
    const text = (id: string, name: Buffer, ref: string) =>
      Buffer.concat([Buffer.from(`UNB+${id}:3+`), name, Buffer.from(`+R+240101:1200+${ref}'UNH+1+ORDERS:D:96A:UN'BGM+220+1+9'DTM+137:20240101:102'UNS+S'UNT+5+1'UNZ+1+${ref}'`)])
    // ISO 8859-5 0xC4 is Cyrillic "Ф"; under the UNOC of the interchange before it would be "Ä".
    const r = parseEdifact(Buffer.concat([text('UNOC', Buffer.from('S'), '1'), text('UNOE', Buffer.from([0xc4]), '2')]))
    expect(r.interchanges.map((x) => x.sender.id)).toEqual(['S', 'Ф'])
    expect(allIssues(r).filter((i) => i.code === 'charset_violation')).toHaveLength(0)
  })
})
