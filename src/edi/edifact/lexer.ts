/**
 * Streaming EDIFACT lexer over bytes: finds segment boundaries and UNA service string advice,
 * knows no schema and no envelope (StAEDI's lexer/validator split). It keeps only the bytes of
 * the segment in progress, so memory stays constant whatever the input size, and its output is
 * identical wherever the chunk boundaries fall: a segment is handed out only once its unreleased
 * terminator is in the buffer, and the BOM and the 9-byte UNA are only read once complete.
 */
import { DEFAULT_SERVICE, parseUna, unaUsable, type ServiceBytes } from './delimiters.ts'

export interface LexerSink {
  /** A UNA service string advice was read at `offset`; `usable` false = ignored (bad separators). */
  una(service: ServiceBytes, offset: number, usable: boolean): void
  /**
   * One segment: bytes buf[start, end) without its terminator, starting at absolute `offset`
   * on 1-based `line`. `terminated` is false only for a last segment cut off by end of input or
   * by the size guard. Returns the number of line feeds inside the segment (for line tracking).
   */
  segment(buf: Buffer, start: number, end: number, offset: number, line: number, terminated: boolean): number
}

export interface Lexer {
  push(chunk: Buffer): void
  end(): void
  /** Separators in force; the reader may set `repetition` once UNB's syntax version is known. */
  service: ServiceBytes
  /** Total bytes pushed so far. */
  readonly bytes: number
}

const CR = 0x0d
const LF = 0x0a
const EMPTY = Buffer.alloc(0)

/** Whitespace tolerated between segments: CR, LF (line breaks after terminators), tab, space. */
const isGap = (b: number) => b === LF || b === CR || b === 0x09 || b === 0x20

export interface LexerOptions {
  /** A segment longer than this is cut (defends memory against input with no terminator). */
  maxSegmentBytes?: number
}

export function createLexer(sink: LexerSink, opts: LexerOptions = {}): Lexer {
  const maxSeg = opts.maxSegmentBytes ?? 16 * 1024 * 1024
  let buf: Buffer = EMPTY
  let base = 0 // absolute offset of buf[0]
  let total = 0
  let started = false // BOM handled
  let segStart = -1 // relative start of the segment in progress, -1 = between segments
  let scanFrom = 0 // relative index where the terminator search resumes
  let line = 1
  let ended = false

  const lexer: Lexer = {
    service: { ...DEFAULT_SERVICE },
    get bytes() {
      return total
    },
    push(chunk: Buffer) {
      if (ended || chunk.length === 0) return
      total += chunk.length
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk])
      run()
    },
    end() {
      if (ended) return
      ended = true
      run()
      if (segStart >= 0 && segStart < buf.length) {
        line += sink.segment(buf, segStart, buf.length, base + segStart, line, false)
      }
      buf = EMPTY
    },
  }

  /** True when the terminator at i is preceded by an odd run of release characters. */
  function released(i: number, from: number): boolean {
    const rel = lexer.service.release
    if (rel < 0) return false
    let k = 0
    while (i - 1 - k >= from && buf[i - 1 - k] === rel) k++
    return (k & 1) === 1
  }

  function run(): void {
    let p = segStart >= 0 ? segStart : 0
    const len = buf.length
    if (!started) {
      // UTF-8 BOM (EF BB BF) at the very start: skip it, but only once all 3 bytes are here.
      if (buf[0] === 0xef && !ended && len < 3) return
      if (len >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) p = 3
      started = true
    }
    for (;;) {
      if (segStart < 0) {
        while (p < len && isGap(buf[p])) {
          if (buf[p] === LF) line++
          p++
        }
        if (p >= len) break
        // UNA is exactly 9 bytes and has no terminator of its own (ISO 9735-1 §7.2).
        if (buf[p] === 0x55) {
          const avail = len - p
          if (avail < 3 && !ended) break
          if (avail >= 3 && buf[p + 1] === 0x4e && buf[p + 2] === 0x41) {
            if (avail < 9 && !ended) break
            if (avail >= 9) {
              const svc = parseUna(buf.subarray(p + 3, p + 9))
              const ok = unaUsable(svc)
              if (ok) lexer.service = svc
              sink.una(svc, base + p, ok)
              p += 9
              continue
            }
          }
        }
        segStart = p
        scanFrom = p
      }
      const term = lexer.service.segment
      let idx = buf.indexOf(term, scanFrom)
      while (idx >= 0 && released(idx, segStart)) idx = buf.indexOf(term, idx + 1)
      if (idx < 0) {
        if (len - segStart > maxSeg) {
          // Size guard: cut at a fixed distance from the segment start so the result does not
          // depend on how the input was chunked.
          const cut = segStart + maxSeg
          line += sink.segment(buf, segStart, cut, base + segStart, line, false)
          segStart = cut
          scanFrom = cut
          continue
        }
        scanFrom = len
        break
      }
      line += sink.segment(buf, segStart, idx, base + segStart, line, true)
      p = idx + 1
      segStart = -1
    }
    // Keep only the unfinished tail (constant memory).
    const keep = segStart >= 0 ? segStart : p
    if (keep > 0) {
      buf = keep >= len ? EMPTY : buf.subarray(keep)
      base += keep
      if (segStart >= 0) {
        scanFrom -= keep
        segStart = 0
      }
    }
  }

  return lexer
}

export { CR, LF }
