/**
 * Streaming EDIFACT lexer: bytes → tokenized segments, knowing no schema and no envelope
 * (StAEDI's lexer/validator split). Built for throughput on large files:
 * - one byte loop per segment finds the unreleased terminator, the end of the tag and any byte
 *   outside printable ASCII; no string is built per element (see segment.ts);
 * - each push decodes the pending bytes to one Latin-1 string with a single native call
 *   (byte i = char i, so offsets stay byte offsets) that segments slice on demand;
 * - segments holding bytes outside printable ASCII come without text so the reader decodes
 *   them under the declared character set.
 * Memory: only the bytes of the segment in progress are kept between pushes. Output does not
 * depend on chunking: a segment is emitted only once its unreleased terminator is buffered,
 * and the BOM and the 9-byte UNA are read only once complete.
 */
import { DEFAULT_SERVICE, parseUna, unaUsable, type ServiceBytes } from './delimiters.ts'

export interface LexerSink {
  /** A UNA service string advice at `offset`; `usable` false = ignored (bad separators). */
  una(service: ServiceBytes, offset: number, usable: boolean): void
  /**
   * One segment: bytes buf[start, end) without terminator, at absolute `offset`, 1-based `line`;
   * the tag is [start, tagEnd). `text` is the Latin-1 decoding of `buf` (same indices), or
   * undefined when the segment holds bytes outside printable ASCII: the reader then decodes it
   * under the declared character set. `terminated` is false for a segment cut off by end of
   * input or by the size guard. Returns the number of line feeds inside the segment.
   */
  segment(text: string | undefined, tagEnd: number, buf: Buffer, start: number, end: number, offset: number, line: number, terminated: boolean): number
}

export interface Lexer {
  push(chunk: Buffer): void
  end(): void
  /** Separators in force; the reader may set `repetition` once UNB's syntax version is known. */
  service: ServiceBytes
  readonly bytes: number
}

export interface LexerOptions {
  /** A segment longer than this is cut (defends memory against input with no terminator). */
  maxSegmentBytes?: number
}

type FastBuffer = Buffer & { latin1Slice(start: number, end: number): string }
const EMPTY = Buffer.alloc(0)
export function createLexer(sink: LexerSink, opts: LexerOptions = {}): Lexer {
  const maxSeg = opts.maxSegmentBytes ?? 16 * 1024 * 1024
  let pendingBuf: Buffer = EMPTY
  let base = 0 // absolute offset of buf[0]
  let total = 0
  let started = false // BOM handled
  let pending = false // buf starts with an unfinished segment
  let scanFrom = 0 // where to look for a terminator in an unfinished segment
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
      const buf = (pendingBuf = pendingBuf.length === 0 ? chunk : Buffer.concat([pendingBuf, chunk]))
      // A long unfinished segment: skip the full pass until a terminator can be in the buffer.
      if (pending && buf.length - scanFrom > 0 && buf.length < maxSeg) {
        if (buf.indexOf(lexer.service.segment, scanFrom) < 0) {
          scanFrom = buf.length
          return
        }
      }
      run()
    },
    end() {
      if (ended) return
      ended = true
      run()
      pendingBuf = EMPTY
    },
  }

  function run(): void {
    // Locals, not closure slots, in the hot loop.
    const buf = pendingBuf
    const len = buf.length
    let p = 0
    if (!started) {
      // UTF-8 BOM (EF BB BF) at the very start: skip it once all three bytes are here.
      if (buf[0] === 0xef && len < 3 && !ended) return
      if (len >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) p = 3
      started = true
    }
    const text = (buf as FastBuffer).latin1Slice(0, len)
    let svc = lexer.service
    let T = svc.segment
    let E = svc.element
    let C = svc.component
    let R = svc.release
    let keep = len // start of the bytes to carry over
    for (;;) {
      let c = 0
      while (p < len) {
        c = buf[p]
        if (c === 10) line++
        else if (c !== 13 && c !== 32 && c !== 9) break
        p++
      }
      if (p >= len) break
      // UNA is exactly 9 bytes and has no terminator of its own (ISO 9735-1 §7.2).
      if (c === 0x55 && (len - p < 3 ? !ended : text.charCodeAt(p + 1) === 0x4e && text.charCodeAt(p + 2) === 0x41)) {
        if (len - p < 9 && !ended) {
          keep = p
          break
        }
        if (len - p >= 9) {
          const s = parseUna(buf.subarray(p + 3, p + 9))
          const ok = unaUsable(s)
          if (ok) {
            lexer.service = svc = s
            T = s.segment
            E = s.element
            C = s.component
            R = s.release
          }
          sink.una(s, base + p, ok)
          p += 9
          continue
        }
      }
      // One pass over the bytes of the segment: terminator (minding release characters), end of
      // the tag, and whether anything outside printable ASCII is present.
      const start = p
      let tagEnd = -1
      let odd = false
      let i = p
      for (; i < len; i++) {
        c = buf[i]
        if (c === R) {
          if (tagEnd < 0) odd = true // a released character inside the tag: let the reader decide
          i++
          if (i < len && (buf[i] < 0x20 || buf[i] > 0x7e)) odd = true
          continue
        }
        if (c === T) break
        if (c === E || c === C) {
          if (tagEnd < 0) tagEnd = i
        } else if (c < 0x20 || c > 0x7e) odd = true
      }
      let terminated = true
      let end = i
      if (i >= len) {
        if (!ended) {
          if (len - start > maxSeg) {
            // Size guard: cut at a fixed distance from the segment start so the result does
            // not depend on chunking.
            end = start + maxSeg
            terminated = false
            odd = true
          } else {
            keep = start
            scanFrom = len - start
            break
          }
        } else {
          terminated = false
          end = len
          odd = true // re-tokenized by the reader from the bytes actually present
        }
      }
      line += sink.segment(odd ? undefined : text, tagEnd < 0 || tagEnd > end ? end : tagEnd, buf, start, end, base + start, line, terminated)
      p = terminated ? end + 1 : end
      if (lexer.service !== svc) {
        // The reader changed the separators (UNB syntax version 4 repetition separator).
        svc = lexer.service
      }
    }
    pending = keep < len
    if (keep >= len) {
      pendingBuf = EMPTY
      base += len
    } else if (keep > 0) {
      pendingBuf = buf.subarray(keep)
      base += keep
    }
    if (!pending) scanFrom = 0
  }

  return lexer
}
