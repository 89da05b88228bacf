import { describe, expect, it } from 'vitest'
import {
  buildEntity,
  buildMultipart,
  decodeTransfer,
  dispositionFilename,
  header,
  param,
  parseEntity,
  quoteAs2Id,
  splitMultipart,
  unquoteAs2Id,
} from '../../../src/transports/as2/mime.ts'

const binary = Buffer.from([0x00, 0x0a, 0x0d, 0x0a, 0x2d, 0x2d, 0xff, 0x0d, 0x0a, 0x0a, 0x80, 0x0d])

describe('MIME over Buffers', () => {
  it('splits a multipart body back into the exact part bytes it was built from', () => {
    const p1 = buildEntity([['Content-Type', 'application/octet-stream']], binary)
    const p2 = buildEntity([['Content-Type', 'text/plain']], Buffer.from('line one\nline two\n'))
    const body = buildMultipart('b-1', [p1, p2])
    const parts = splitMultipart(body, 'b-1')
    expect(parts).toHaveLength(2)
    expect(parts[0].equals(p1)).toBe(true)
    expect(parts[1].equals(p2)).toBe(true)
  })

  it('attaches the CRLF before a delimiter to the delimiter, ignores preamble, padding and epilogue', () => {
    const body = Buffer.from('preamble\r\n--xx  \r\nA: 1\r\n\r\nbody\r\n\r\n--xx\r\n\r\nsecond\n--xx--\r\nepilogue')
    const parts = splitMultipart(body, 'xx')
    expect(parts.map((p) => p.toString())).toEqual(['A: 1\r\n\r\nbody\r\n', '\r\nsecond'])
  })

  it('does not treat a boundary inside a line as a delimiter', () => {
    const body = Buffer.from('--q\r\n\r\nabc --q def\r\n--q--\r\n')
    expect(splitMultipart(body, 'q').map(String)).toEqual(['\r\nabc --q def'])
  })

  it('parses headers case-insensitively and unfolds values, keeping the raw bytes', () => {
    const raw = Buffer.concat([Buffer.from('content-TYPE: multipart/signed;\r\n boundary="a b"; micalg=sha-256\r\n\r\n'), binary])
    const e = parseEntity(raw)
    const ct = header(e.headers, 'Content-Type')
    expect(param(ct, 'boundary')).toBe('a b')
    expect(param(ct, 'MICALG')).toBe('sha-256')
    expect(e.body.equals(binary)).toBe(true)
    expect(e.raw).toBe(raw)
  })

  it('accepts LF-only header blocks', () => {
    const e = parseEntity(Buffer.from('Content-Type: text/plain\n\nhi\r\n'))
    expect(header(e.headers, 'content-type')).toBe('text/plain')
    expect(e.body.toString()).toBe('hi\r\n')
  })

  it('decodes base64 with line breaks and leaves binary untouched', () => {
    const b64 = Buffer.from(binary.toString('base64').replace(/(.{4})/g, '$1\r\n'))
    expect(decodeTransfer('BASE64', b64).equals(binary)).toBe(true)
    expect(decodeTransfer('binary', binary)).toBe(binary)
  })

  it('reads the Content-Disposition filename without any path', () => {
    expect(dispositionFilename('attachment; filename="po 1.x12"')).toBe('po 1.x12')
    expect(dispositionFilename('attachment; filename=../../etc/passwd')).toBe('passwd')
    expect(dispositionFilename('attachment')).toBeUndefined()
  })

  it('quotes AS2 ids that are not tokens and unquotes them', () => {
    expect(quoteAs2Id('ACME')).toBe('ACME')
    expect(quoteAs2Id('PEER PARTNER 01')).toBe('"PEER PARTNER 01"')
    expect(unquoteAs2Id(' "PEER PARTNER 01" ')).toBe('PEER PARTNER 01')
    expect(unquoteAs2Id(quoteAs2Id('a "q" b'))).toBe('a "q" b')
  })
})
