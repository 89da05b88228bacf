/**
 * The segments of one open message, kept as numbers rather than objects: for each segment a
 * record of (buffer slot, start, tag end, end, index, line) in one array of small integers, plus the few
 * segments that already are objects (UNH/UNT, segments decoded under a character set) on the
 * side. Nothing is allocated per segment while a message streams through the reader; the
 * Segment objects are built when a consumer first asks for `tx.segments` (RawSegment, whose
 * values are in turn decoded on first access), and they are exactly the objects the reader
 * used to build eagerly: same tag, bytes, separators and position.
 */
import type { Segment } from '../types.ts'
import { latin1, RawSegment, tagOf, type SepCodes } from './segment.ts'
import { tokenize } from './tokenize.ts'

const W = 6 // record width: slot, start, tagEnd, end, index, line

/**
 * Records are small integers in a plain array. While the message is open they go into one
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

  constructor(sep: SepCodes, scratch: number[]) {
    this.rec = scratch
    this.n = 0
    this.bufs = []
    this.bases = []
    this.extras = []
    this.sep = sep
    this.lastBuf = undefined
  }

  get length(): number {
    return this.n
  }

  /** A segment that already is an object (kept as is). */
  pushObject(s: Segment): void {
    const r = this.rec
    const at = this.n * W
    r[at] = -(this.extras.length + 1)
    r[at + 1] = 0
    r[at + 2] = 0
    r[at + 3] = 0
    r[at + 4] = 0
    r[at + 5] = 0
    this.extras.push(s)
    this.n++
  }

  /** A printable-ASCII segment: bytes buf[start, end), tag buf[start, tagEnd), at absolute `offset`. */
  pushRaw(buf: Buffer, start: number, tagEnd: number, end: number, offset: number, index: number, line: number): void {
    if (buf !== this.lastBuf) {
      this.lastBuf = buf
      this.bufs.push(buf)
      this.bases.push(offset - start)
    }
    const r = this.rec
    const at = this.n * W
    r[at] = this.bufs.length - 1
    r[at + 1] = start
    r[at + 2] = tagEnd
    r[at + 3] = end
    r[at + 4] = index
    r[at + 5] = line
    this.n++
  }

  /** The message is complete: keep its records, give the scratch array back to the reader. */
  close(): void {
    this.rec = this.rec.slice(0, this.n * W)
  }

  /** Segment k as the reader used to deliver it (a RawSegment for byte records). */
  get(k: number): Segment {
    const r = this.rec
    const at = k * W
    const slot = r[at]
    if (slot < 0) return this.extras[-slot - 1]
    const buf = this.bufs[slot]
    const start = r[at + 1]
    const tagEnd = r[at + 2]
    return new RawSegment(tagOf(buf, start, tagEnd), buf, tagEnd, r[at + 3], this.sep, this.bases[slot] + start, r[at + 4], r[at + 5])
  }

  toArray(): Segment[] {
    const out: Segment[] = new Array(this.n)
    for (let k = 0; k < this.n; k++) out[k] = this.get(k)
    return out
  }

  /** Plain segments (what toPlain() gives for each), without the RawSegment in between. */
  toPlainArray(): Segment[] {
    const out: Segment[] = new Array(this.n)
    const r = this.rec
    for (let k = 0; k < this.n; k++) {
      const at = k * W
      const slot = r[at]
      if (slot < 0) {
        const s = this.extras[-slot - 1]
        out[k] = s instanceof RawSegment ? s.toJSON() : s
        continue
      }
      const buf = this.bufs[slot]
      const start = r[at + 1]
      const tagEnd = r[at + 2]
      const tag = tagOf(buf, start, tagEnd)
      // Same tokenization as RawSegment._tokens(): "TAG<rest>" under the message's separators.
      const t = tokenize(tag + latin1(buf, tagEnd, r[at + 3]), this.sep.chars)
      const pos = { offset: this.bases[slot] + start, index: r[at + 4], line: r[at + 5] }
      out[k] = t.repeats ? { tag, elements: t.elements, repeats: t.repeats, pos } : { tag, elements: t.elements, pos }
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
