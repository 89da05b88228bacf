/**
 * A minimal ASN.1 BER reader and DER writer over Buffers (X.690), just enough for CMS.
 * Reading accepts BER (indefinite lengths, constructed OCTET STRINGs) because BouncyCastle-based
 * partners (OpenAS2, Mendelson) stream their enveloped data that way; writing is always DER.
 * Every node keeps its exact bytes (`raw`), so signed attributes and certificate names are reused
 * byte for byte instead of being re-encoded.
 */

export interface Node {
  /** First identifier octet: class (2 bits), constructed (1 bit), tag number (5 bits). */
  readonly tag: number
  readonly constructed: boolean
  /** Exact bytes of the whole TLV as read. */
  readonly raw: Buffer
  /** Content octets (for indefinite lengths: without the end-of-contents octets). */
  readonly value: Buffer
  readonly children: Node[]
}

export const TAG = {
  INTEGER: 0x02,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8: 0x0c,
  PRINTABLE: 0x13,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const

/** Context-specific tag [n], constructed or primitive (X.690 §8.1.2). */
export const ctx = (n: number, constructed = true): number => 0x80 | (constructed ? 0x20 : 0) | n

export class DerError extends Error {
  override name = 'DerError'
}

/**
 * Limits on what one `read` may build. A 50 MiB body of 26 million NULLs once took the event
 * loop for minutes and then the heap; no CMS structure an AS2 partner sends comes near these.
 * BouncyCastle streams large content as a constructed OCTET STRING of 1,000-octet segments, so
 * `maxElements` must leave room for about one element per KiB of body: 262,144 covers 256 MiB.
 */
export interface ReadLimits {
  /** Most TLV elements in the whole tree. */
  maxElements: number
  /** Deepest nesting (the outermost element is depth 0). */
  maxDepth: number
}

export const DEFAULT_LIMITS: ReadLimits = { maxElements: 262_144, maxDepth: 32 }

/** Thrown when input exceeds ReadLimits: hostile rather than malformed. */
export class DerLimitError extends DerError {
  override name = 'DerLimitError'
  readonly limit: 'elements' | 'depth'
  constructor(limit: 'elements' | 'depth', message: string) {
    super(message)
    this.limit = limit
  }
}

/** The identifier and length octets of one TLV, without reading its content. */
export interface Header {
  tag: number
  constructed: boolean
  /** Offset of the first content octet. */
  start: number
  /** Content length, or -1 for an indefinite length. */
  length: number
}

/** Read only the header of the TLV at `off` (X.690 §8.1.2-8.1.3). Throws DerError. */
export function readHeader(buf: Buffer, off = 0): Header {
  if (off + 2 > buf.length) throw new DerError('truncated ASN.1 element')
  const tag = buf[off]
  // High tag numbers (0x1f) never occur in the CMS structures we read.
  if ((tag & 0x1f) === 0x1f) throw new DerError('unsupported high tag number')
  const constructed = (tag & 0x20) !== 0
  let p = off + 1
  const first = buf[p++]
  let length = -1
  if (first < 0x80) length = first
  else if (first > 0x80) {
    const n = first & 0x7f
    if (n > 4 || p + n > buf.length) throw new DerError('bad ASN.1 length')
    length = 0
    for (let i = 0; i < n; i++) length = length * 256 + buf[p++]
  }
  if (length >= 0 && p + length > buf.length) throw new DerError('ASN.1 length beyond end of data')
  if (length < 0 && !constructed) throw new DerError('indefinite length on a primitive element')
  return { tag, constructed, start: p, length }
}

/** Parse one BER TLV at `off` within `limits`. Throws DerError (DerLimitError past a limit). */
export function read(buf: Buffer, off = 0, limits: ReadLimits = DEFAULT_LIMITS): Node {
  const budget = { left: limits.maxElements }
  return readTlv(buf, off, 0, limits.maxDepth, budget)
}

/**
 * A node whose `raw` and `value` views are made only when asked for: creating two Buffer views
 * per element was most of the cost of reading a flood of tiny elements up to the cap.
 */
class LazyNode implements Node {
  readonly tag: number
  readonly constructed: boolean
  readonly children: Node[]
  readonly #buf: Buffer
  readonly #off: number
  readonly #start: number
  readonly #end: number
  readonly #rawEnd: number
  constructor(buf: Buffer, tag: number, constructed: boolean, off: number, start: number, end: number, rawEnd: number, children: Node[]) {
    this.tag = tag
    this.constructed = constructed
    this.children = children
    this.#buf = buf
    this.#off = off
    this.#start = start
    this.#end = end
    this.#rawEnd = rawEnd
  }
  get raw(): Buffer {
    return this.#buf.subarray(this.#off, this.#rawEnd)
  }
  get value(): Buffer {
    return this.#buf.subarray(this.#start, this.#end)
  }
  /** Length of the whole TLV, without making a view. */
  get size(): number {
    return this.#rawEnd - this.#off
  }
}

function readTlv(buf: Buffer, off: number, depth: number, maxDepth: number, budget: { left: number }): LazyNode {
  if (depth > maxDepth) throw new DerLimitError('depth', `ASN.1 nesting deeper than ${maxDepth}`)
  if (--budget.left < 0) throw new DerLimitError('elements', 'too many ASN.1 elements')
  const { tag, constructed, start: p, length: len } = readHeader(buf, off)
  const children: Node[] = []
  if (len >= 0) {
    const end = p + len
    if (constructed) {
      let q = p
      while (q < end) {
        const c = readTlv(buf, q, depth + 1, maxDepth, budget)
        if (q + c.size > end) throw new DerError('ASN.1 element overruns its parent')
        children.push(c)
        q += c.size
      }
    }
    return new LazyNode(buf, tag, constructed, off, p, end, end, children)
  }
  // Indefinite length (BER §8.1.3.6): children until the end-of-contents octets 00 00.
  let q = p
  for (;;) {
    if (q + 2 > buf.length) throw new DerError('missing end-of-contents')
    if (buf[q] === 0 && buf[q + 1] === 0) break
    const c = readTlv(buf, q, depth + 1, maxDepth, budget)
    children.push(c)
    q += c.size
  }
  return new LazyNode(buf, tag, constructed, off, p, q, q + 2, children)
}

/** Content of an OCTET STRING, joining the segments of a constructed (BER) one. */
export function octets(n: Node): Buffer {
  if (!n.constructed) return n.value
  return Buffer.concat(n.children.map(octets))
}

/** Dotted OID from an OBJECT IDENTIFIER node. */
export function oid(n: Pick<Node, 'tag' | 'value'>): string {
  if (n.tag !== TAG.OID) throw new DerError(`expected OBJECT IDENTIFIER, got tag 0x${n.tag.toString(16)}`)
  const v = n.value
  const out: number[] = []
  let acc = 0
  for (const b of v) {
    acc = acc * 128 + (b & 0x7f)
    if (!(b & 0x80)) {
      if (out.length === 0) out.push(acc < 80 ? Math.floor(acc / 40) : 2, acc < 80 ? acc % 40 : acc - 80)
      else out.push(acc)
      acc = 0
    }
  }
  return out.join('.')
}

/** Encode a DER TLV. */
export function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = parts.length === 1 ? parts[0] : Buffer.concat(parts)
  const n = body.length
  let head: Buffer
  if (n < 0x80) head = Buffer.from([tag, n])
  else {
    const bytes: number[] = []
    for (let x = n; x > 0; x = Math.floor(x / 256)) bytes.unshift(x & 0xff)
    head = Buffer.from([tag, 0x80 | bytes.length, ...bytes])
  }
  return Buffer.concat([head, body])
}

export const seq = (...parts: Buffer[]): Buffer => tlv(TAG.SEQUENCE, ...parts)
export const octetString = (b: Buffer): Buffer => tlv(TAG.OCTET_STRING, b)
export const derNull = (): Buffer => Buffer.from([0x05, 0x00])

/** DER SET OF: elements sorted by their encodings (X.690 §11.6). */
export function setOf(...elements: Buffer[]): Buffer {
  return tlv(TAG.SET, ...[...elements].sort(Buffer.compare))
}

export function encodeOid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number)
  const out: number[] = []
  const push = (x: number) => {
    const tmp = [x & 0x7f]
    for (x = Math.floor(x / 128); x > 0; x = Math.floor(x / 128)) tmp.unshift(0x80 | (x & 0x7f))
    out.push(...tmp)
  }
  push(parts[0] * 40 + parts[1])
  for (const p of parts.slice(2)) push(p)
  return tlv(TAG.OID, Buffer.from(out))
}

/** Non-negative INTEGER from a small number or from big-endian magnitude bytes. */
export function integer(v: number | Buffer): Buffer {
  let b = typeof v === 'number' ? Buffer.from(v.toString(16).padStart(2, '0').replace(/^(.(..)*)$/, '0$1'), 'hex') : v
  while (b.length > 1 && b[0] === 0 && !(b[1] & 0x80)) b = b.subarray(1)
  if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b])
  return tlv(TAG.INTEGER, b)
}

/** Value of a small INTEGER node. */
export function intValue(n: Node): number {
  let x = 0
  for (const b of n.value) x = x * 256 + b
  return x
}

/** UTCTime for years 1950-2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5). */
export function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'
  const y = d.getUTCFullYear()
  return y >= 1950 && y < 2050 ? tlv(TAG.UTC_TIME, Buffer.from(iso.slice(2))) : tlv(TAG.GENERALIZED_TIME, Buffer.from(iso))
}

/** AlgorithmIdentifier SEQUENCE { OID, params? }. */
export const algId = (dotted: string, params?: Buffer | null): Buffer =>
  params === null ? seq(encodeOid(dotted)) : seq(encodeOid(dotted), params ?? derNull())
