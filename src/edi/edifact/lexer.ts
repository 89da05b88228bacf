/**
 * Streaming EDIFACT lexer: bytes → tokenized segments, knowing no schema and no envelope
 * (StAEDI's lexer/validator split). Built for throughput on large files:
 * - one byte loop per segment finds the unreleased terminator, the end of the tag and any byte
 *   outside printable ASCII; no string is built per element (see segment.ts);
 * - nothing is decoded here: segments keep (buffer, start, end) and decode on demand;
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
   * the tag is [start, tagEnd). `ascii` is false when the segment holds bytes outside printable
   * ASCII: the reader then decodes it under the declared character set. The reader may keep a
   * reference to `buf` (lazy values), so pushed chunks must not be modified afterwards. `terminated` is false for a segment cut off by end of
   * input or by the size guard. Returns the number of line feeds inside the segment.
   */
  segment(ascii: boolean, tagEnd: number, buf: Buffer, start: number, end: number, offset: number, line: number, terminated: boolean): number
}

export interface Lexer {
  push(chunk: Buffer): void
  end(): void
  /** Separators in force; the reader may set `repetition` once UNB's syntax version is known. */
  service: ServiceBytes
  readonly bytes: number
  /**
   * Valid during a segment() callback only: positions of the element/component separators of
   * the segment (seps[0] ends the tag), and rels[k] = release characters in the value that
   * seps[k] closes (rels[nseps] for the last value). nseps > MAX_SEPS means "not recorded".
   */
  readonly seps: Int32Array
  readonly rels: Int32Array
  nseps: number
}

export const MAX_SEPS = 1024

export interface LexerOptions {
  /** A segment longer than this is cut (defends memory against input with no terminator). */
  maxSegmentBytes?: number
}

const EMPTY = Buffer.alloc(0)

// Byte classes for the segment loop. Precedence follows ISO 9735-1 §7.4: the release character
// wins over everything, then the terminator, then the element/component separators; anything
// outside printable ASCII and the v4 repetition separator mark the segment for the slow path.
const K_TERM = 1
const K_SEP = 2
const K_REL = 3
const K_ODD = 4
let lastSvc: ServiceBytes | undefined
let lastTable = new Uint8Array(256)
function classTable(s: ServiceBytes): Uint8Array {
  if (s === lastSvc) return lastTable
  const t = new Uint8Array(256)
  for (let b = 0; b < 256; b++) if (b < 0x20 || b > 0x7e) t[b] = K_ODD
  if (s.repetition >= 0) t[s.repetition] = K_ODD
  t[s.component] = K_SEP
  t[s.element] = K_SEP
  t[s.segment] = K_TERM
  if (s.release >= 0) t[s.release] = K_REL
  lastSvc = s
  lastTable = t
  return t
}
// Results of scanSegment besides the end index (module state: no object per segment).
let scanTagEnd = -1
let scanOdd = false
let scanNs = 0

/**
 * One pass over the bytes of a segment from `p`: returns the index of its unreleased terminator
 * (or `len`), and sets the end of the tag, whether anything outside printable ASCII is present,
 * and where the element and component separators are (with the release count of each value)
 * for the validator. One table load per byte (see classTable): an ordinary byte costs a load and
 * a compare. Kept small and separate from run() so the optimizing compiler handles it alone.
 */
function scanSegment(buf: Buffer, p: number, len: number, cls: Uint8Array, seps: Int32Array, rels: Int32Array): number {
  let tagEnd = -1
  let odd = false
  let ns = 0
  let relRun = 0
  let i = p
  for (; i < len; i++) {
    const k = cls[buf[i]]
    if (k === 0) continue
    if (k === K_SEP) {
      if (tagEnd < 0) tagEnd = i
      if (ns < MAX_SEPS) {
        seps[ns] = i
        rels[ns] = relRun
      }
      ns++
      relRun = 0
    } else if (k === K_TERM) break
    else if (k === K_REL) {
      if (tagEnd < 0) odd = true // a released character inside the tag: let the reader decide
      relRun++
      i++
      if (i < len && (buf[i] < 0x20 || buf[i] > 0x7e)) odd = true
    } else odd = true
  }
  if (ns < MAX_SEPS) rels[ns] = relRun
  scanTagEnd = tagEnd
  scanOdd = odd
  scanNs = ns
  return i
}

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
    seps: new Int32Array(MAX_SEPS),
    rels: new Int32Array(MAX_SEPS + 1),
    nseps: 0,
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
    let svc = lexer.service
    let cls = classTable(svc)
    const seps = lexer.seps
    const rels = lexer.rels
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
      if (c === 0x55 && (len - p < 3 ? !ended : buf[p + 1] === 0x4e && buf[p + 2] === 0x41)) {
        if (len - p < 9 && !ended) {
          keep = p
          break
        }
        if (len - p >= 9) {
          const s = parseUna(buf.subarray(p + 3, p + 9))
          const ok = unaUsable(s)
          if (ok) {
            lexer.service = svc = s
            cls = classTable(s)
          }
          sink.una(s, base + p, ok)
          p += 9
          continue
        }
      }
      // One pass over the bytes of the segment: terminator (minding release characters), end of
      // the tag, whether anything outside printable ASCII is present, and where the element and
      // component separators are (with the release count of each value) for the validator.
      // One table load per byte (see classTable): ordinary bytes cost a load and a compare.
      const start = p
      const i = scanSegment(buf, p, len, cls, seps, rels)
      let tagEnd = scanTagEnd
      let odd = scanOdd
      lexer.nseps = scanNs
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
      line += sink.segment(!odd, tagEnd < 0 || tagEnd > end ? end : tagEnd, buf, start, end, base + start, line, terminated)
      p = terminated ? end + 1 : end
      if (lexer.service !== svc) {
        // The reader changed the separators (UNB syntax version 4 repetition separator).
        svc = lexer.service
        cls = classTable(svc)
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
