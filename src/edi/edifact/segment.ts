/**
 * A segment whose element values are decoded on first access. The lexer only finds where a
 * segment and its tag are; validation reads the raw bytes (validate-raw.ts) without building a
 * string per component; `elements` is tokenized when a consumer (map engine, writer) asks.
 * For a large file where most values are never looked at, this is most of the parse cost saved.
 * JSON.stringify and toPlain() give the ordinary Segment shape.
 */
import type { Element, Position, Segment } from '../types.ts'
import { tokenize, type ServiceChars, type Tokens } from './tokenize.ts'
import { TAG_KEYS, tagKeyBytes } from '../dictionary/edifact-dsl.ts'

/** Separators as char codes (-1 = none) plus the strings tokenize() wants. */
export interface SepCodes {
  component: number
  element: number
  release: number
  repetition: number
  chars: ServiceChars
}

/**
 * What the byte-level validator (validate-raw.ts) reads of a segment: its bytes after the tag,
 * the separators, and the tag and position for issue texts. A RawSegment is one; so is the
 * reader's reusable cursor for segments that never become objects (store.ts).
 */
export interface RawLike {
  readonly tag: string
  readonly buf: Buffer
  readonly start: number
  readonly end: number
  readonly sep: SepCodes
  readonly pos: Position
}

export class RawSegment implements Segment {
  // `declare` fields are assigned in the constructor only: plain stores, no class-field
  // definitions (measurably cheaper for a million segments); toJSON() hides the internals.
  declare tag: string
  /** The bytes holding the segment (printable ASCII only); [start, end) follows the tag. */
  declare readonly buf: Buffer
  declare readonly start: number
  declare readonly end: number
  declare readonly sep: SepCodes
  declare _offset: number
  declare _index: number
  declare _line: number
  declare _tok: Tokens | undefined
  declare _pos: Position | undefined

  constructor(tag: string, buf: Buffer, start: number, end: number, sep: SepCodes, offset: number, index: number, line: number) {
    this.tag = tag
    this.buf = buf
    this.start = start
    this.end = end
    this.sep = sep
    this._offset = offset
    this._index = index
    this._line = line
    this._tok = undefined
    this._pos = undefined
  }

  /** True once elements were tokenized (or assigned). */
  get materialized(): boolean {
    return this._tok !== undefined
  }

  _tokens(): Tokens {
    if (!this._tok) {
      // Tokenize "TAG<rest>" with the same rules as the slow path; the tag is already known.
      const t = tokenize(this.tag + latin1(this.buf, this.start, this.end), this.sep.chars)
      this._tok = t
    }
    return this._tok
  }

  get elements(): Element[] {
    return this._tokens().elements
  }
  set elements(v: Element[]) {
    this._tok = { ...this._tokens(), elements: v }
  }

  get repeats(): Record<number, Element[]> | undefined {
    return this._tokens().repeats
  }
  set repeats(v: Record<number, Element[]> | undefined) {
    this._tok = { ...this._tokens(), repeats: v }
  }

  get pos(): Position {
    return (this._pos ??= { offset: this._offset, index: this._index, line: this._line })
  }
  set pos(v: Position) {
    this._pos = v
  }

  toJSON(): Segment {
    return toPlain(this)
  }
}

/** The plain-object Segment (what parseEdifact returns and the pipeline stores). */
export function toPlain(s: Segment): Segment {
  if (!(s instanceof RawSegment)) return s
  const r = s.repeats
  return r ? { tag: s.tag, elements: s.elements, repeats: r, pos: s.pos } : { tag: s.tag, elements: s.elements, pos: s.pos }
}

type FastBuffer = Buffer & { latin1Slice(start: number, end: number): string }
/** Latin-1 (here: ASCII) text of buf[start, end). */
export const latin1 = (buf: Buffer, start: number, end: number): string => (buf as FastBuffer).latin1Slice(start, end)

/**
 * Tags are interned: one string per distinct tag for the whole process, so a segment costs no
 * string allocation for its tag. Tags of three digits/capitals use a dense array (tagKeyBytes);
 * other shapes (lower case, odd lengths: rare, usually errors) a bounded map.
 */
const DENSE: (string | undefined)[] = new Array(TAG_KEYS).fill(undefined)
const OTHER = new Map<string, string>()
export function tagOf(buf: Buffer, start: number, end: number): string {
  const k = tagKeyBytes(buf, start, end)
  if (k >= 0) return (DENSE[k] ??= latin1(buf, start, end))
  const t = latin1(buf, start, end)
  const known = OTHER.get(t)
  if (known !== undefined) return known
  if (OTHER.size < 4096) OTHER.set(t, t)
  return t
}
