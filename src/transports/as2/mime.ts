/**
 * Byte-exact MIME (RFC 2045/2046) over Buffers. AS2 signatures and MICs cover exact bytes, so
 * nothing here decodes a body to text or normalises line endings: a part is the slice between
 * its delimiters, and "the CRLF preceding the boundary delimiter line is conceptually attached
 * to the boundary" (RFC 2046 §5.1.1). Header names are matched case-insensitively; values are
 * unfolded (RFC 5322 §2.2.3) only when read, never in the bytes we keep.
 */
import { randomBytes } from 'node:crypto'

export type Headers = [name: string, value: string][]

export interface Entity {
  headers: Headers
  /** Exact bytes of the whole entity (headers, blank line, body). */
  raw: Buffer
  body: Buffer
}

const CRLF = Buffer.from('\r\n')

/** Index just past the blank line ending the header block, and where that block ends. */
function headerEnd(buf: Buffer): { end: number; bodyStart: number } | undefined {
  // A body may start right away when the entity has no headers at all.
  if (buf[0] === 0x0d && buf[1] === 0x0a) return { end: 0, bodyStart: 2 }
  if (buf[0] === 0x0a) return { end: 0, bodyStart: 1 }
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] !== 0x0a) continue
    if (buf[i + 1] === 0x0a) return { end: i + 1, bodyStart: i + 2 }
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) return { end: i + 1, bodyStart: i + 3 }
  }
  return undefined
}

/** Parse header lines (folded lines joined, CR/LF removed). */
export function parseHeaders(text: string): Headers {
  const out: Headers = []
  for (const line of text.split(/\r?\n/)) {
    if (!line) continue
    if (/^[ \t]/.test(line) && out.length) out[out.length - 1][1] += ' ' + line.trim()
    else {
      const i = line.indexOf(':')
      if (i > 0) out.push([line.slice(0, i).trim(), line.slice(i + 1).trim()])
    }
  }
  return out
}

/** Split an entity into headers and body without copying or altering any byte. */
export function parseEntity(raw: Buffer): Entity {
  const h = headerEnd(raw)
  if (!h) return { headers: [], raw, body: raw }
  return { headers: parseHeaders(raw.subarray(0, h.end).toString('latin1')), raw, body: raw.subarray(h.bodyStart) }
}

export function header(headers: Headers, name: string): string | undefined {
  const n = name.toLowerCase()
  return headers.find(([k]) => k.toLowerCase() === n)?.[1]
}

/** `multipart/signed; boundary="x"` → `multipart/signed` (lower case). */
export const mediaType = (value: string | undefined): string => (value ?? '').split(';')[0].trim().toLowerCase()

/** A parameter of a structured header value (RFC 2045 §5.1), quotes removed; name case-insensitive. */
export function param(value: string | undefined, name: string): string | undefined {
  if (!value) return undefined
  const re = /;\s*([^=;\s]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^;]*)/g
  for (let m = re.exec(value); m; m = re.exec(value)) {
    if (m[1].toLowerCase() === name.toLowerCase()) return m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[2].trim()
  }
  return undefined
}

/**
 * The parts of a multipart body, each the exact bytes between its delimiter line and the CRLF
 * before the next delimiter. Preamble and epilogue are dropped.
 */
export function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const delim = Buffer.from('--' + boundary, 'latin1')
  const starts: { at: number; after: number; close: boolean }[] = []
  let i = 0
  while ((i = body.indexOf(delim, i)) !== -1) {
    // A delimiter only counts at the start of a line.
    if (i === 0 || body[i - 1] === 0x0a) {
      let p = i + delim.length
      const close = body[p] === 0x2d && body[p + 1] === 0x2d
      if (close) p += 2
      while (body[p] === 0x20 || body[p] === 0x09) p++ // transport padding
      if (p >= body.length || body[p] === 0x0a || (body[p] === 0x0d && body[p + 1] === 0x0a)) {
        const after = p >= body.length ? p : body[p] === 0x0a ? p + 1 : p + 2
        starts.push({ at: i, after, close })
        if (close) break
      }
    }
    i += delim.length
  }
  const parts: Buffer[] = []
  for (let k = 0; k + 1 < starts.length; k++) {
    let end = starts[k + 1].at
    if (body[end - 1] === 0x0a) end -= body[end - 2] === 0x0d ? 2 : 1
    parts.push(body.subarray(starts[k].after, Math.max(end, starts[k].after)))
  }
  return parts
}

/** An entity from headers and body: CRLF after each header and before the body. */
export function buildEntity(headers: Headers, body: Buffer): Buffer {
  const head = headers.map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n'
  return Buffer.concat([Buffer.from(head, 'latin1'), body])
}

/** A multipart body: each part is an already built entity (headers + body). */
export function buildMultipart(boundary: string, parts: Buffer[]): Buffer {
  const out: Buffer[] = []
  for (const p of parts) out.push(Buffer.from(`--${boundary}\r\n`, 'latin1'), p, CRLF)
  out.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'))
  return Buffer.concat(out)
}

export const newBoundary = (prefix = 'as2'): string => `----=_${prefix}_${randomBytes(12).toString('hex')}`

/** Base64 in lines of 76 characters with CRLF (RFC 2045 §6.8). */
export function base64Lines(b: Buffer): Buffer {
  const s = b.toString('base64')
  const lines: string[] = []
  for (let i = 0; i < s.length; i += 76) lines.push(s.slice(i, i + 76))
  return Buffer.from(lines.join('\r\n') + '\r\n', 'latin1')
}

/** Decode a body by its Content-Transfer-Encoding; binary/8bit/7bit are returned untouched. */
export function decodeTransfer(cte: string | undefined, body: Buffer): Buffer {
  const e = (cte ?? '').trim().toLowerCase()
  if (e === 'base64') return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64')
  if (e === 'quoted-printable') return decodeQuotedPrintable(body)
  return body
}

function decodeQuotedPrintable(body: Buffer): Buffer {
  const s = body.toString('latin1').replace(/=\r?\n/g, '')
  return Buffer.from(s.replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1')
}

/** The filename parameter of a Content-Disposition (RFC 2183), or undefined. */
export function dispositionFilename(value: string | undefined): string | undefined {
  const f = param(value, 'filename')
  if (f === undefined) return undefined
  // Never let a path from the partner choose where something is written.
  const base = f.split(/[\\/]/).pop()?.trim()
  return base ? base : undefined
}

/** AS2-From/AS2-To (RFC 4130 §6.2): a token or a quoted-string; the value without quotes. */
export function unquoteAs2Id(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  const v = value.trim()
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(.)/g, '$1')
  return v
}

/** Quote an AS2 id when it is not an HTTP token (spaces, specials). */
export function quoteAs2Id(id: string): string {
  return /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(id) ? id : `"${id.replace(/(["\\])/g, '\\$1')}"`
}
