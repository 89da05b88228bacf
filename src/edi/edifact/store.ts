/**
 * The segments of one open message, kept as numbers rather than objects: for each segment a
 * record of (buffer slot, start, tag end, end, line) in one array of numbers, plus the few
 * segments that already are objects (UNH/UNT, segments decoded under a character set) on the
 * side. Nothing is allocated per segment while a message streams through the reader; the
 * Segment objects are built when a consumer first asks for `tx.segments` (RawSegment, whose
 * values are in turn decoded on first access), and they are exactly the objects the reader
 * used to build eagerly: same tag, bytes, separators and position.
 */
import type { Segment } from '../types.ts'
import { RawSegment, tagOf, toPlain, type SepCodes } from './segment.ts'

/**
 * Record width: two numbers, each a whole number below 2^53 kept unboxed in a double array:
 * [start + tagLen·2^32, (end − start) + slot·2^32]. The index is not stored: records hold
 * consecutive segments, so record k has the index of record 0 plus k; nor is the line while
 * lines follow line0 + lineStep·k (one segment per line, or all on one line), the usual
 * layouts; otherwise the store keeps a line per segment. A third of the bytes of six small
 * integers (an array element is 8 bytes either way); the records are the bulk of what the
 * reader allocates. A segment that does not fit (tag or slot number ≥ 2^21, an index out of
 * sequence) is kept as an object instead.
 */
const W = 2
// Shared empty slot lists of a store that has no byte records yet (never written to).
const NONE: Buffer[] = []
const NO_BASES: number[] = []
const HI = 0x100000000 // 2^32
const FIT = 0x200000 // 2^21: tag lengths and slot numbers below this are packed

/**
 * Records are numbers in a plain array. While the message is open they go into one
 * scratch array per reader (never reallocated once large enough); close() copies them into an
 * array of the exact size. Measured alternatives: a typed array per message, or a shared
 * typed-array arena, is off-heap memory whose external-memory pressure forced a full
 * mark-compact every few megabytes; a growing array per message got its backing stores
 * promoted to the old generation. Either cost more than the objects the records replace.
 */
export class SegmentStore {
  /** slot >= 0: index into bufs; slot < 0: -(k + 1) for extras[k]. */
  declare rec: number[]
  declare n: number
  declare bufs: Buffer[]
  /** Absolute offset of buf[0] for each slot (offsets may exceed 2^31 on long streams). */
  declare bases: number[]
  declare extras: Segment[]
  declare sep: SepCodes
  declare lastBuf: Buffer | undefined
  /** Index of the first segment (record k has index0 + k). */
  declare index0: number
  /** Line of record k: lines[k] when kept, else line0 + lineStep·k (lineStep -1: not known yet). */
  declare line0: number
  declare lineStep: number
  declare lines: number[] | undefined

  constructor(sep: SepCodes, scratch: number[]) {
    this.rec = scratch
    this.n = 0
    this.bufs = NONE
    this.bases = NO_BASES
    this.extras = []
    this.sep = sep
    this.lastBuf = undefined
    this.index0 = 0
    this.line0 = 0
    this.lineStep = -1
    this.lines = undefined
  }

  get length(): number {
    return this.n
  }

  /** A segment that already is an object (kept as is). */
  pushObject(s: Segment): void {
    if (this.n === 0) {
      const pos = s.pos
      this.index0 = pos.index
      this.line0 = pos.line
    }
    if (this.lines !== undefined) this.lines.push(0) // objects carry their own position
    const r = this.rec
    const at = this.n * W
    r[at] = -(this.extras.length + 1)
    r[at + 1] = 0
    this.extras.push(s)
    this.n++
  }

  /** A printable-ASCII segment: bytes buf[start, end), tag buf[start, tagEnd), at absolute `offset`. */
  pushRaw(buf: Buffer, start: number, tagEnd: number, end: number, offset: number, index: number, line: number): void {
    if (buf !== this.lastBuf) this.newSlot(buf, offset - start)
    const slot = this.bufs.length - 1
    const tagLen = tagEnd - start
    const k = this.n
    if (tagLen >= FIT || slot >= FIT || index !== this.index0 + k || k === 0) {
      this.pushObject(new RawSegment(tagOf(buf, start, tagEnd), buf, tagEnd, end, this.sep, offset, index, line))
      return
    }
    if (this.lines !== undefined || line !== this.line0 + this.lineStep * k) this.irregularLine(k, line)
    const r = this.rec
    const at = k * W
    r[at] = start + tagLen * HI
    r[at + 1] = end - start + slot * HI
    this.n = k + 1
  }

  newSlot(buf: Buffer, base: number): void {
    this.lastBuf = buf
    if (this.bufs === NONE) {
      // Most messages lie in one buffer: arrays of one, grown only when needed.
      this.bufs = [buf]
      this.bases = [base]
    } else {
      this.bufs.push(buf)
      this.bases.push(base)
    }
  }

  /** Record k's line does not follow line0 + lineStep·k (or lines are kept already). */
  irregularLine(k: number, line: number): void {
    if (this.lines !== undefined) this.lines.push(line)
    else if (k === 1) this.lineStep = line - this.line0
    else {
      // Irregular layout: keep a line per segment from here on.
      const lines: number[] = new Array(k)
      for (let j = 0; j < k; j++) lines[j] = this.line0 + this.lineStep * j
      lines.push(line)
      this.lines = lines
    }
  }

  /** The message is complete: keep its records, give the scratch array back to the reader. */
  close(): void {
    this.rec = this.rec.slice(0, this.n * W)
  }

  /** Segment k as the reader used to deliver it (a RawSegment for byte records). */
  get(k: number): Segment {
    const r = this.rec
    const at = k * W
    const a = r[at]
    if (a < 0) return this.extras[-a - 1]
    const tagLen = Math.floor(a / HI)
    const start = a - tagLen * HI
    const b = r[at + 1]
    const slot = Math.floor(b / HI)
    const buf = this.bufs[slot]
    const tagEnd = start + tagLen
    const line = this.lines !== undefined ? this.lines[k] : this.line0 + this.lineStep * k
    return new RawSegment(tagOf(buf, start, tagEnd), buf, tagEnd, start + b - slot * HI, this.sep, this.bases[slot] + start, this.index0 + k, line)
  }

  toArray(): Segment[] {
    const out: Segment[] = new Array(this.n)
    for (let k = 0; k < this.n; k++) out[k] = this.get(k)
    return out
  }

  /** Plain segments (what toPlain() gives for each), without the RawSegment in between. */
  toPlainArray(): Segment[] {
    const out: Segment[] = new Array(this.n)
    for (let k = 0; k < this.n; k++) {
      const s = this.get(k)
      out[k] = s instanceof RawSegment ? toPlain(s) : s
    }
    return out
  }
}

/**
 * The segment being delivered, when it goes into a store as a record: one object reused for
 * every segment, read by the validator (RawLike) while the bytes are at hand. `tag` and `pos`
 * are built only when an issue needs them.
 */
export class SegCursor {
  declare buf: Buffer
  /** Bytes after the tag: [start, end). */
  declare start: number
  declare end: number
  declare tagStart: number
  declare sep: SepCodes
  declare offset: number
  declare index: number
  declare line: number

  constructor(sep: SepCodes) {
    this.buf = Buffer.alloc(0)
    this.start = 0
    this.end = 0
    this.tagStart = 0
    this.sep = sep
    this.offset = 0
    this.index = 0
    this.line = 0
  }

  get tag(): string {
    return tagOf(this.buf, this.tagStart, this.start)
  }

  get pos(): { offset: number; index: number; line: number } {
    return { offset: this.offset, index: this.index, line: this.line }
  }
}
