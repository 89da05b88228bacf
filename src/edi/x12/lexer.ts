/**
 * Streaming X12 lexer: Buffer chunks in, `Segment`s out, memory bounded by the longest segment.
 * It knows delimiters and byte positions, never the schema (StAEDI's lexer/validator split).
 * Chunks may end at any byte: inside a BOM, inside the ISA, on a terminator, between CR and LF.
 *
 * Each chunk is viewed as a latin1 string (one char per byte), so string offsets are byte
 * offsets and `indexOf` runs natively; segments holding non-ASCII bytes are decoded as UTF-8
 * when they are valid UTF-8, else as Latin-1 (a Latin-1 or Windows partner's `é` is one byte
 * that is never valid UTF-8 on its own: it read as U+FFFD). Our writer sends Latin-1.
 */
import { isAscii, isUtf8 } from 'node:buffer'
import { issue, type EdiIssue } from '../issues.ts'
import type { Delimiters, Position, Segment } from '../types.ts'
import { checkIsa, looksLikeIsa, scanIsa } from './isa.ts'

export interface X12LexerSink {
  /** An ISA was read: its delimiters apply until the next ISA. Called before the ISA segment. */
  interchange(delimiters: Delimiters, issues: EdiIssue[], pos: Position): void
  /** The ISA, already split (its ISA16 is the component separator, so never split it again). */
  isa(seg: Segment, end: number): void
  /**
   * Any other segment, left as text: `s[start, stop)` (CR before an LF terminator removed).
   * `s` is a view of the whole chunk, or the UTF-8 decoded segment when it holds non-ASCII bytes.
   * Its position comes as plain numbers (no object per segment: the reader builds a `Position`
   * only when it keeps the segment or reports on it). `end` is the byte offset just after the
   * terminator. Splitting is the reader's choice. Returning true promises that `s[start, stop)`
   * holds no line break (the sink read every char of it anyway): the lexer then skips its own
   * search when it counts lines.
   */
  segment(s: string, start: number, stop: number, offset: number, index: number, line: number, end: number): boolean | void
  /** A new string that the following `segment` calls index into (caches keyed on it reset). */
  view(s: string): void
  /** Bytes outside any interchange, unreadable ISA headers. */
  fileIssue(i: EdiIssue): void
}

export interface X12Lexer {
  push(chunk: Buffer): void
  end(): void
  /** Bytes consumed so far. */
  readonly offset: number
}

const BOM = '\xEF\xBB\xBF'

export function createX12Lexer(sink: X12LexerSink): X12Lexer {
  return new StreamLexer(sink)
}

/**
 * A class, not closures per lexer: the methods exist once per process, so their optimized code
 * survives between files (closures died with their lexer, and the next major GC took their
 * optimized code along).
 */
class StreamLexer implements X12Lexer {
  declare readonly sink: X12LexerSink
  declare pending: Buffer | null
  declare base: number
  declare line: number
  declare index: number
  declare started: boolean
  declare d: Delimiters | null
  declare term: string
  declare inside: boolean
  // A run of bytes that are not EDI: reported once when it ends.
  declare garbageAt: number
  declare garbageLine: number
  declare garbageBytes: number
  declare garbageSample: string

  constructor(sink: X12LexerSink) {
    this.sink = sink
    this.pending = null
    this.base = 0
    this.line = 1
    this.index = 0
    this.started = false
    this.d = null
    this.term = ''
    this.inside = false
    this.garbageAt = -1
    this.garbageLine = 0
    this.garbageBytes = 0
    this.garbageSample = ''
  }

  get offset(): number {
    return this.base
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk
    this.pending = null
    this.process(buf, false)
  }

  end(): void {
    const buf = this.pending ?? Buffer.alloc(0)
    this.pending = null
    this.process(buf, true)
    this.flushGarbage()
  }

  garbage(s: string, from: number, to: number): void {
    if (to <= from) return
    if (this.garbageAt < 0) {
      this.garbageAt = this.base + from
      this.garbageLine = this.line
      this.garbageSample = ''
    }
    if (this.garbageSample.length < 40) this.garbageSample += s.slice(from, Math.min(to, from + 40 - this.garbageSample.length))
    this.garbageBytes += to - from
    this.line += countLf(s, from, to)
  }

  flushGarbage(): void {
    if (this.garbageAt < 0) return
    this.sink.fileIssue(
      issue('trailing_garbage', 'file', `${this.garbageBytes} byte(s) outside any ISA..IEA interchange`, {
        severity: 'warning',
        position: { offset: this.garbageAt, index: this.index, line: this.garbageLine },
        value: this.garbageSample,
      })
    )
    this.garbageAt = -1
    this.garbageBytes = 0
  }

  /** Reads an ISA at `p` if one is there: returns where to go on, -1 to wait for more bytes. */
  isa(buf: Buffer, s: string, p: number, ascii: boolean, final: boolean): number {
    const scan = scanIsa(s, p, final)
    if (scan.kind === 'need_more') return -1
    const sink = this.sink
    if (scan.kind === 'invalid') {
      this.flushGarbage()
      sink.fileIssue(
        issue('envelope_unreadable', 'file', `unreadable ISA: ${scan.reason}`, {
          position: { offset: this.base + p, index: this.index, line: this.line },
          segment: 'ISA',
        })
      )
      return p + 3
    }
    this.flushGarbage()
    const d = (this.d = scan.delimiters)
    this.term = d.segment
    const pos: Position = { offset: this.base + p, index: this.index++, line: this.line }
    const widths = scan.fields.map((f) => f.length)
    const text = ascii || isAscii(buf.subarray(p, scan.end)) ? s.slice(p, scan.end - 1) : decodeHigh(buf, p, scan.end - 1)
    let values = text.split(d.element).slice(1, 16)
    // A non-ASCII element separator does not survive the UTF-8 decoding of the values: take the
    // byte-wise (latin1) fields the scan found instead of reading past the end of the list.
    if (values.length < 15) values = scan.fields.slice(0, 15)
    values.push(d.component)
    sink.interchange(d, checkIsa(values, widths, pos), pos)
    sink.isa({ tag: 'ISA', elements: values.map((v) => [v]), pos }, this.base + scan.end)
    if (this.term === '\n') this.line++
    this.inside = true
    return scan.end
  }

  process(buf: Buffer, final: boolean): void {
    const s = buf.toString('latin1')
    const n = s.length
    const ascii = isAscii(buf)
    const sink = this.sink
    let p = 0
    // Position of the next LF in the chunk string (-1: none, -2: not searched yet).
    let nextLf = -2
    sink.view(s)
    if (!this.started) {
      if (n < 3 && !final && BOM.startsWith(s)) return void (this.pending = buf)
      this.started = true
      if (s.startsWith(BOM)) p = 3
    }
    // Locals in the loop, written back where other methods read them.
    const base = this.base
    let line = this.line
    let index = this.index
    let term = this.term
    let inside = this.inside
    while (p < n) {
      const c = s.charCodeAt(p)
      // Whitespace and line breaks between segments are not data (common partner habit).
      // Inside a run of garbage they belong to the run, so chunking cannot change its length.
      if (this.garbageAt >= 0 && c <= 32 && !inside) {
        // falls through to the garbage scan below
      } else if (c === 10) {
        line++
        p++
        continue
      } else if (c === 13 || c === 32 || c === 9) {
        p++
        continue
      }
      if (!inside) {
        if (c === 73 && p + 3 >= n && !final && 'ISA'.startsWith(s.slice(p))) break
        this.line = line
        this.index = index
        if (looksLikeIsa(s, p)) {
          const q = this.isa(buf, s, p, ascii, final)
          if (q < 0) break
          line = this.line
          index = this.index
          term = this.term
          inside = this.inside
          p = q
          continue
        }
        // Not an ISA: skip to the next candidate, keeping a possible partial 'IS' at the end.
        const q = s.indexOf('ISA', p + 1)
        if (q < 0) {
          const stop = final ? n : Math.max(p, n - 2)
          this.garbage(s, p, stop)
          line = this.line
          p = stop
          break
        }
        this.garbage(s, p, q)
        line = this.line
        p = q
        continue
      }
      // Inside an interchange: a new ISA before IEA ends the current one (envelope reports it).
      if (c === 73 && looksLikeIsa(s, p)) {
        inside = false
        continue
      }
      let e = s.indexOf(term, p)
      if (e < 0) {
        if (!final) break
        e = n
      }
      let to = e
      if (term === '\n' && s.charCodeAt(to - 1) === 13) to--
      const segLine = line
      const segIndex = index++
      // IEA ends the interchange: what follows must be a new ISA (or is garbage).
      if (c === 73 && s.charCodeAt(p + 1) === 69 && s.charCodeAt(p + 2) === 65 && s[p + 3] === (this.d as Delimiters).element) inside = false
      const next = e + 1 > n ? n : e + 1
      let clean: boolean | void = false
      if (ascii || isAscii(buf.subarray(p, to))) {
        if (!ascii) sink.view(s)
        clean = sink.segment(s, p, to, base + p, segIndex, segLine, base + next)
      } else {
        const text = decodeHigh(buf, p, to)
        sink.view(text)
        sink.segment(text, 0, text.length, base + p, segIndex, segLine, base + next)
      }
      if (term !== '\n') {
        // Line breaks inside a segment (lines of later segments count them), unless the sink
        // read the segment and saw none. The next LF of the chunk is searched once, not per segment.
        if (clean !== true) {
          if (nextLf === -2 || (nextLf !== -1 && nextLf < p)) nextLf = s.indexOf('\n', p)
          if (nextLf !== -1 && nextLf < e) line += countLf(s, p, e)
        }
      } else if (e < n) line++
      p = e + 1
    }
    this.line = line
    this.index = index
    this.inside = inside
    if (p > n) p = n
    this.pending = p < n ? buf.subarray(p) : null
    this.base = base + p
  }
}

function countLf(s: string, from: number, to: number): number {
  let k = 0
  let i = s.indexOf('\n', from)
  while (i !== -1 && i < to) {
    k++
    i = s.indexOf('\n', i + 1)
  }
  return k
}

/** A span holding non-ASCII bytes: UTF-8 when it is valid UTF-8, else Latin-1 (one char per byte). */
function decodeHigh(buf: Buffer, start: number, end: number): string {
  return isUtf8(buf.subarray(start, end)) ? buf.toString('utf8', start, end) : buf.toString('latin1', start, end)
}
