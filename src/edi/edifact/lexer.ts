/**
 * Streaming EDIFACT lexer: bytes → tokenized segments, knowing no schema and no envelope
 * (StAEDI's lexer/validator split). Built for throughput on large files:
 * - each push decodes the pending bytes to one Latin-1 string with a single native call
 *   (byte i = char i, so offsets stay byte offsets) and one charCodeAt pass finds terminators,
 *   elements, components and release characters together;
 * - only segments holding bytes outside printable ASCII are handed back untokenized
 *   (`tokens: undefined`) so the reader can decode them under the declared character set.
 * Memory: only the bytes of the segment in progress are kept between pushes. Output does not
 * depend on chunking: a segment is emitted only once its unreleased terminator is buffered,
 * and the BOM and the 9-byte UNA are read only once complete.
 */
import type { Element } from '../types.ts'
import { DEFAULT_SERVICE, parseUna, unaUsable, type ServiceBytes } from './delimiters.ts'
import type { Tokens } from './tokenize.ts'

export interface LexerSink {
  /** A UNA service string advice at `offset`; `usable` false = ignored (bad separators). */
  una(service: ServiceBytes, offset: number, usable: boolean): void
  /**
   * One segment: bytes buf[start, end) without terminator, at absolute `offset`, 1-based `line`.
   * `tokens` is undefined when the segment holds bytes outside printable ASCII (the reader
   * decodes and tokenizes those itself). `terminated` is false for a segment cut off by end of
   * input or by the size guard. Returns the number of line feeds inside the segment.
   */
  segment(tokens: Tokens | undefined, buf: Buffer, start: number, end: number, offset: number, line: number, terminated: boolean): number
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
  let buf: Buffer = EMPTY
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
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk])
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
      buf = EMPTY
    },
  }

  function run(): void {
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
    let P = svc.repetition
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
            P = s.repetition
          }
          sink.una(s, base + p, ok)
          p += 9
          continue
        }
      }
      // One pass over the segment: components, elements, repetitions, release characters.
      const start = p
      let from = p
      let tag: string | undefined
      const elements: Element[] = []
      let el: string[] = []
      let reps: Element[] | undefined
      let repeats: Record<number, Element[]> | undefined
      let acc = '' // unescaped text of the current component before `from` (release chars seen)
      let rel = false
      let odd = false // bytes outside printable ASCII: the reader decodes this segment itself
      let i = p
      for (; i < len; i++) {
        c = buf[i]
        if (c === R) {
          // Drop the release character; the released one stays in the next literal run.
          acc += text.substring(from, i)
          rel = true
          from = i + 1
          i++
          continue
        }
        if (c === C || c === E || c === T || (c === P && tag !== undefined)) {
          let v = text.substring(from, i)
          if (rel) {
            v = acc + v
            acc = ''
            rel = false
          }
          from = i + 1
          el.push(v)
          if (c === C) continue
          if (c === P) {
            ;(reps ??= []).push(el)
            el = []
            continue
          }
          if (tag === undefined) tag = el[0]
          else if (reps) {
            reps.push(el)
            elements.push(reps[0])
            ;(repeats ??= {})[elements.length - 1] = reps
            reps = undefined
          } else elements.push(el)
          el = []
          if (c === T) break
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
      const tokens: Tokens | undefined = odd ? undefined : repeats ? { tag: tag!, elements, repeats } : { tag: tag!, elements }
      line += sink.segment(tokens, buf, start, end, base + start, line, terminated)
      p = terminated ? end + 1 : end
      if (lexer.service !== svc) {
        // The reader changed the separators (UNB syntax version 4 repetition separator).
        svc = lexer.service
        P = svc.repetition
      }
    }
    pending = keep < len
    if (keep >= len) {
      buf = EMPTY
      base += len
    } else if (keep > 0) {
      buf = buf.subarray(keep)
      base += keep
    }
    if (!pending) scanFrom = 0
  }

  return lexer
}
