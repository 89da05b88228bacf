/**
 * A segment whose element values are decoded on first access. The lexer only finds where a
 * segment and its tag are; validation reads the raw text (validate-raw.ts) without building a
 * string per component; `elements` is tokenized when a consumer (map engine, writer) asks.
 * For a large file where most values are never looked at, this is most of the parse cost saved.
 * JSON.stringify and toPlain() give the ordinary Segment shape.
 */
import type { Element, Position, Segment } from '../types.ts'
import { tokenize, type ServiceChars, type Tokens } from './tokenize.ts'

/** Separators as char codes (-1 = none) plus the strings tokenize() wants. */
export interface SepCodes {
  component: number
  element: number
  release: number
  repetition: number
  chars: ServiceChars
}

export class RawSegment implements Segment {
  tag: string
  /** Latin-1 text holding the segment; [start, end) is the segment after its tag. */
  readonly text: string
  /** The bytes `text` was decoded from (same indices; byte loops are faster than charCodeAt). */
  readonly buf: Buffer
  readonly start: number
  readonly end: number
  readonly sep: SepCodes
  // Plain fields (faster to construct than #private ones); toJSON() hides them.
  _offset: number
  _index: number
  _line: number
  _tok: Tokens | undefined = undefined
  _pos: Position | undefined = undefined

  constructor(tag: string, text: string, buf: Buffer, start: number, end: number, sep: SepCodes, offset: number, index: number, line: number) {
    this.tag = tag
    this.text = text
    this.buf = buf
    this.start = start
    this.end = end
    this.sep = sep
    this._offset = offset
    this._index = index
    this._line = line
  }

  /** True once elements were tokenized (or assigned). */
  get materialized(): boolean {
    return this._tok !== undefined
  }

  _tokens(): Tokens {
    if (!this._tok) {
      // Tokenize "TAG<rest>" with the same rules as the slow path; the tag is already known.
      const t = tokenize(this.tag + this.text.substring(this.start, this.end), this.sep.chars)
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
