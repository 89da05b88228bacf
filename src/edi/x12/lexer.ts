/**
 * Streaming X12 lexer: Buffer chunks in, `Segment`s out, memory bounded by the longest segment.
 * It knows delimiters and byte positions, never the schema (StAEDI's lexer/validator split).
 * Chunks may end at any byte: inside a BOM, inside the ISA, on a terminator, between CR and LF.
 *
 * Each chunk is viewed as a latin1 string (one char per byte), so string offsets are byte
 * offsets and `indexOf` runs natively; segments holding non-ASCII bytes are decoded as UTF-8.
 */
import { isAscii } from 'node:buffer'
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
  let pending: Buffer | null = null
  let base = 0
  let line = 1
  let index = 0
  let started = false
  let d: Delimiters | null = null
  let term = ''
  let inside = false
  // A run of bytes that are not EDI: reported once when it ends.
  let garbageAt = -1
  let garbageLine = 0
  let garbageBytes = 0
  let garbageSample = ''
  // Position of the next LF in the current chunk string (-1: none, -2: not searched yet).
  let nextLf = -2

  function garbage(s: string, from: number, to: number): void {
    if (to <= from) return
    if (garbageAt < 0) {
      garbageAt = base + from
      garbageLine = line
      garbageSample = ''
    }
    if (garbageSample.length < 40) garbageSample += s.slice(from, Math.min(to, from + 40 - garbageSample.length))
    garbageBytes += to - from
    line += countLf(s, from, to)
  }

  function flushGarbage(): void {
    if (garbageAt < 0) return
    sink.fileIssue(
      issue('trailing_garbage', 'file', `${garbageBytes} byte(s) outside any ISA..IEA interchange`, {
        severity: 'warning',
        position: { offset: garbageAt, index, line: garbageLine },
        value: garbageSample,
      })
    )
    garbageAt = -1
    garbageBytes = 0
  }

  function process(buf: Buffer, final: boolean): void {
    const s = buf.toString('latin1')
    const n = s.length
    const ascii = isAscii(buf)
    let p = 0
    nextLf = -2
    sink.view(s)
    if (!started) {
      if (n < 3 && !final && BOM.startsWith(s)) return void (pending = buf)
      started = true
      if (s.startsWith(BOM)) p = 3
    }
    while (p < n) {
      const c = s.charCodeAt(p)
      // Whitespace and line breaks between segments are not data (common partner habit).
      // Inside a run of garbage they belong to the run, so chunking cannot change its length.
      if (garbageAt >= 0 && c <= 32 && !inside) {
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
        if (looksLikeIsa(s, p)) {
          const scan = scanIsa(s, p, final)
          if (scan.kind === 'need_more') break
          if (scan.kind === 'invalid') {
            flushGarbage()
            sink.fileIssue(
              issue('envelope_unreadable', 'file', `unreadable ISA: ${scan.reason}`, {
                position: { offset: base + p, index, line },
                segment: 'ISA',
              })
            )
            p += 3
            continue
          }
          flushGarbage()
          d = scan.delimiters
          term = d.segment
          const pos: Position = { offset: base + p, index: index++, line }
          const widths = scan.fields.map((f) => f.length)
          const text = ascii || isAscii(buf.subarray(p, scan.end)) ? s.slice(p, scan.end - 1) : buf.toString('utf8', p, scan.end - 1)
          const values = text.split(d.element).slice(1, 16)
          values.push(d.component)
          sink.interchange(d, checkIsa(values, widths, pos), pos)
          sink.isa({ tag: 'ISA', elements: values.map((v) => [v]), pos }, base + scan.end)
          if (term === '\n') line++
          p = scan.end
          inside = true
          continue
        }
        // Not an ISA: skip to the next candidate, keeping a possible partial 'IS' at the end.
        const q = s.indexOf('ISA', p + 1)
        if (q < 0) {
          const stop = final ? n : Math.max(p, n - 2)
          garbage(s, p, stop)
          p = stop
          break
        }
        garbage(s, p, q)
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
      if (c === 73 && s.charCodeAt(p + 1) === 69 && s.charCodeAt(p + 2) === 65 && s[p + 3] === (d as Delimiters).element) inside = false
      const next = e + 1 > n ? n : e + 1
      let clean: boolean | void = false
      if (ascii || isAscii(buf.subarray(p, to))) {
        if (!ascii) sink.view(s)
        clean = sink.segment(s, p, to, base + p, segIndex, segLine, base + next)
      } else {
        const text = buf.toString('utf8', p, to)
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
    if (p > n) p = n
    pending = p < n ? buf.subarray(p) : null
    base += p
  }

  return {
    push(chunk: Buffer): void {
      if (chunk.length === 0) return
      const buf = pending ? Buffer.concat([pending, chunk]) : chunk
      pending = null
      process(buf, false)
    },
    end(): void {
      const buf = pending ?? Buffer.alloc(0)
      pending = null
      process(buf, true)
      flushGarbage()
    },
    get offset() {
      return base
    },
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
