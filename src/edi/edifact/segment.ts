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

/**
 * Element `e` (0-based) of a RawSegment read straight from its bytes, as tokenize() would give
 * it in `elements[e]`: components split at unreleased component separators, release characters
 * removed. undefined when the segment has no element `e`. For the envelope readers (UNH, UNT),
 * which need a few values per message and no more.
 */
export function rawElement(s: RawSegment, e: number): string[] | undefined {
  let i = elementStart(s, e)
  if (i < 0) return undefined
  const buf = s.buf
  const end = s.end
  const { element: E, component: C, release: R } = s.sep
  // The same bytes as last time (UNH S009 is the same in every message of a stream): the same
  // strings, in a new array.
  let to = i
  while (to < end && buf[to] !== E) to += buf[to] === R ? 2 : 1
  if (to > end) to = end
  const n = to - i
  if (n <= LAST_MAX && n === lastLen && E === lastE && C === lastC && R === lastR) {
    let k = 0
    while (k < n && buf[i + k] === lastBytes[k]) k++
    if (k === n) return lastOut.slice()
  }
  const out = rawElementAt(buf, i, end, E, C, R)
  if (n <= LAST_MAX) {
    for (let k = 0; k < n; k++) lastBytes[k] = buf[i + k]
    lastLen = n
    lastE = E
    lastC = C
    lastR = R
    lastOut = out.slice()
  }
  return out
}

const LAST_MAX = 64
const lastBytes = new Uint8Array(LAST_MAX)
let lastLen = -1
let lastE = -1
let lastC = -1
let lastR = -1
let lastOut: string[] = []

// Whether the value that boundary() last walked over held a release character.
let boundaryRel = false

/**
 * The end of the value starting at i: the next unreleased component or element separator, or
 * `end`. Sets boundaryRel.
 */
function boundary(buf: Buffer, i: number, end: number, E: number, C: number, R: number): number {
  let rel = false
  while (i < end) {
    const b = buf[i]
    if (b === R) {
      rel = true
      i += 2
      continue
    }
    if (b === C || b === E) break
    i++
  }
  boundaryRel = rel
  return i < end ? i : end
}

function rawElementAt(buf: Buffer, i: number, end: number, E: number, C: number, R: number): string[] {
  const out: string[] = []
  for (;;) {
    const j = boundary(buf, i, end, E, C, R)
    out.push(text(buf, i, j, boundaryRel, R))
    if (j >= end || buf[j] === E) return out
    i = j + 1
  }
}

/** Component c of element e of a RawSegment from its bytes ('' when absent), as comp() gives it. */
export function rawComponent(s: RawSegment, e: number, c: number): string {
  let i = elementStart(s, e)
  if (i < 0) return ''
  const buf = s.buf
  const end = s.end
  const { element: E, component: C, release: R } = s.sep
  for (let k = 0; ; k++) {
    const j = boundary(buf, i, end, E, C, R)
    if (k === c) return text(buf, i, j, boundaryRel, R)
    if (j >= end || buf[j] === E) return ''
    i = j + 1
  }
}

/**
 * Where element e (0-based) of a RawSegment starts in its bytes, -1 when it has no such element.
 * elements[0] starts after the first unreleased element separator (the tag part before it,
 * components included, is not an element), as in tokenize().
 */
function elementStart(s: RawSegment, e: number): number {
  const buf = s.buf
  const end = s.end
  const { element: E, release: R } = s.sep
  let i = s.start
  for (let k = -1; k < e; k++) {
    while (i < end && buf[i] !== E) i += buf[i] === R ? 2 : 1
    if (i >= end) return -1
    i++
  }
  return i
}

function text(buf: Buffer, from: number, to: number, rel: boolean, R: number): string {
  return rel ? unrelease(buf, from, to, R) : to - from <= 12 ? shortText(buf, from, to) : latin1(buf, from, to)
}

/** Text of a few bytes: cheaper built here than through the native slice call. */
function shortText(buf: Buffer, from: number, to: number): string {
  let out = ''
  for (let i = from; i < to; i++) out += String.fromCharCode(buf[i])
  return out
}

/** Text of buf[from, to) without its release characters (a lone trailing one stays as data). */
function unrelease(buf: Buffer, from: number, to: number, R: number): string {
  let out = ''
  for (let i = from; i < to; i++) {
    if (buf[i] === R && i + 1 < to) i++
    out += String.fromCharCode(buf[i])
  }
  return out
}
