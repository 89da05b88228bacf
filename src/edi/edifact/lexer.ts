/**
 * Streaming EDIFACT lexer: bytes → tokenized segments, knowing no envelope (StAEDI's
 * lexer/validator split). Built for throughput on large files:
 * - one byte loop per segment finds the unreleased terminator, the end of the tag and any byte
 *   outside printable ASCII; no string is built per element (see segment.ts). The loop runs in
 *   WebAssembly where available (scan-wasm.ts), which also checks the values of the segment
 *   against the element programs the validator hands it (SepView.table), so a clean segment
 *   needs no second pass; scanSegment() below is the reference and the fallback;
 * - nothing is decoded here: segments keep (buffer, start, end) and decode on demand;
 * - segments holding bytes outside printable ASCII come without text so the reader decodes
 *   them under the declared character set.
 * Memory: only the bytes of the segment in progress are kept between pushes. Output does not
 * depend on chunking: a segment is emitted only once its unreleased terminator is buffered,
 * and the BOM and the 9-byte UNA are read only once complete.
 */
import { DEFAULT_SERVICE, parseUna, unaUsable, type ServiceBytes } from './delimiters.ts'
import { acquireScanner, MAX_SEPS, releaseScanner, type WasmScanner } from './scan-wasm.ts'

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
  /**
   * Tried first for every terminated printable-ASCII segment (the bulk of a file): the same
   * segment with its separator count `nseps` (positions in seps/rels). Returns true when it
   * took the segment; false sends it on to segment(). Such a segment holds no line feed.
   * `view` describes the segment (separators, scanner results) during the call.
   */
  body(buf: Buffer, start: number, tagEnd: number, end: number, offset: number, line: number, nseps: number): boolean
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
   * seps[k] closes (rels[n] for the last value), n = view.n; n > MAX_SEPS means "not recorded".
   */
  readonly seps: Int32Array
  readonly rels: Int32Array
  /** The WebAssembly scanner (undefined where not available); seps/rels live in its memory. */
  readonly wasm: WasmScanner | undefined
  /** What the scan found out about the segment being delivered (valid during the callback). */
  readonly view: SepView
}

/**
 * The segment being delivered, as the scan saw it: separator positions (seps[0] ends the tag),
 * release counts (rels[k]: in the value seps[k] closes), their number `n`; with the WebAssembly
 * scanner, where the bytes are in its window (`base`, -1: not there) and, when the scan also
 * checked the values with element programs (table `scanned`, 0: no check), whether they are
 * clean. `table` is set by the validator: the programs to check the next segments with.
 */
export interface SepView {
  seps: Int32Array
  rels: Int32Array
  n: number
  wasm: WasmScanner | undefined
  base: number
  table: number
  scanned: number
  clean: boolean
  /** The tag key (edifact-dsl.ts tagKey) if the scan computed it (-1: not a dictionary tag), else -2. */
  key: number
}

export { MAX_SEPS }

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
// The last table, and the separators it was built for: compared by value, since every reader
// (every file) holds its own copy of the same default separators.
let lastSvc: ServiceBytes | undefined
let lastTable = new Uint8Array(256)
function classTable(s: ServiceBytes): Uint8Array {
  const l = lastSvc
  if (s === l || (l !== undefined && s.component === l.component && s.element === l.element && s.segment === l.segment && s.release === l.release && s.repetition === l.repetition)) return lastTable
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
let scanOdd = false
let scanNs = 0

/**
 * One pass over the bytes of a segment from `p`: returns the index of its unreleased terminator
 * (or `len`), and sets whether anything outside printable ASCII is present,
 * and where the element and component separators are (with the release count of each value)
 * for the validator. One table load per byte (see classTable): an ordinary byte costs a load and
 * a compare. Kept small and separate from run() so the optimizing compiler handles it alone.
 */
function scanSegment(buf: Buffer, p: number, len: number, cls: Uint8Array, seps: Int32Array, rels: Int32Array): number {
  let odd = false
  let ns = 0
  let relRun = 0
  let i = p
  for (;;) {
    // Ordinary bytes: one load, one table read, one compare each, in a loop of its own.
    let k = 0
    while (i < len && (k = cls[buf[i]]) === 0) i++
    if (i >= len) break
    if (k === K_SEP) {
      if (ns < MAX_SEPS) {
        seps[ns] = i
        rels[ns] = relRun
      }
      ns++
      relRun = 0
    } else if (k === K_TERM) break
    else if (k === K_REL) {
      if (ns === 0) odd = true // a released character inside the tag: let the reader decide
      relRun++
      i++
      if (i < len && (buf[i] < 0x20 || buf[i] > 0x7e)) odd = true
    } else odd = true
    i++
  }
  if (ns < MAX_SEPS) rels[ns] = relRun
  scanOdd = odd
  scanNs = ns
  return i
}

export function createLexer(sink: LexerSink, opts: LexerOptions = {}): Lexer {
  return new StreamLexer(sink, opts.maxSegmentBytes ?? 16 * 1024 * 1024)
}

/**
 * A class, not a closure per lexer: its methods exist once per process, so their optimized code
 * survives between files (per-lexer closures lost it to any major GC that ran while no lexer was
 * alive, and the next file ran interpreted until re-optimized).
 */
class StreamLexer implements Lexer {
  declare readonly sink: LexerSink
  declare readonly maxSeg: number
  declare service: ServiceBytes
  declare readonly seps: Int32Array
  declare readonly rels: Int32Array
  declare readonly wasm: WasmScanner | undefined
  declare readonly view: SepView
  declare pendingBuf: Buffer
  /** Absolute offset of pendingBuf[0]. */
  declare base: number
  declare total: number
  /** BOM handled. */
  declare started: boolean
  /** pendingBuf starts with an unfinished segment. */
  declare pending: boolean
  /** Where to look for a terminator in an unfinished segment. */
  declare scanFrom: number
  declare line: number
  declare ended: boolean
  /** Class table last copied into the scanner. */
  declare wsTable: Uint8Array | undefined

  constructor(sink: LexerSink, maxSeg: number) {
    this.sink = sink
    this.maxSeg = maxSeg
    this.service = { ...DEFAULT_SERVICE }
    // The segment scan runs in WebAssembly where available (scan-wasm.ts): its memory holds the
    // class table, the separator positions (seps/rels are views on it) and a window of the
    // buffer; scanSegment() takes over for a segment longer than the window.
    const ws = acquireScanner()
    this.wasm = ws
    this.seps = ws !== undefined ? ws.seps : new Int32Array(MAX_SEPS)
    this.rels = ws !== undefined ? ws.rels : new Int32Array(MAX_SEPS + 1)
    this.view = { seps: this.seps, rels: this.rels, n: 0, wasm: ws, base: -1, table: 0, scanned: 0, clean: false, key: -2 }
    this.pendingBuf = EMPTY
    this.base = 0
    this.total = 0
    this.started = false
    this.pending = false
    this.scanFrom = 0
    this.line = 1
    this.ended = false
    this.wsTable = undefined
  }

  get bytes(): number {
    return this.total
  }

  push(chunk: Buffer): void {
    if (this.ended || chunk.length === 0) return
    this.total += chunk.length
    // An unfinished segment is joined with the head of the chunk up to the next terminator
    // byte only, not with the whole chunk: one small copy per chunk instead of a copy of every
    // chunk. Feeding the chunk in two pieces gives the same result (output never depends on
    // chunking), whether or not that terminator turns out to be released (then the rest is
    // joined as before: once per chunk, so a long segment costs no repeated copies).
    let c = chunk
    if (this.pendingBuf.length > 0) {
      const t = c.indexOf(this.service.segment)
      if (t >= 0 && t + 1 < c.length) {
        this.feed(c.subarray(0, t + 1))
        c = c.subarray(t + 1)
      }
    }
    this.feed(c)
  }

  end(): void {
    if (this.ended) return
    this.ended = true
    this.run()
    this.pendingBuf = EMPTY
    // No segment callback comes after this: the scanner's memory is free for another lexer.
    if (this.wasm !== undefined) releaseScanner(this.wasm)
  }

  feed(chunk: Buffer): void {
    const prev = this.pendingBuf
    const buf = (this.pendingBuf = prev.length === 0 ? chunk : Buffer.concat([prev, chunk]))
    // A long unfinished segment: skip the full pass until a terminator can be in the buffer.
    if (this.pending && buf.length - this.scanFrom > 0 && buf.length < this.maxSeg) {
      if (buf.indexOf(this.service.segment, this.scanFrom) < 0) {
        this.scanFrom = buf.length
        return
      }
    }
    this.run()
  }

  run(): void {
    // Locals, not object fields, in the hot loop (written back at the end).
    const buf = this.pendingBuf
    const len = buf.length
    const sink = this.sink
    const ws = this.wasm
    const view = this.view
    const ended = this.ended
    const base = this.base
    let line = this.line
    let p = 0
    if (!this.started) {
      // UTF-8 BOM (EF BB BF) at the very start: skip it once all three bytes are here.
      if (buf[0] === 0xef && len < 3 && !ended) return
      if (len >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) p = 3
      this.started = true
    }
    let svc = this.service
    let cls = classTable(svc)
    const seps = this.seps
    const rels = this.rels
    let keep = len // start of the bytes to carry over
    let winStart = 0
    let winEnd = 0
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
            this.service = svc = s
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
      let i: number
      let ns: number
      let odd: boolean
      let wbase = -1
      if (ws === undefined) {
        i = scanSegment(buf, p, len, cls, seps, rels)
        ns = scanNs
        odd = scanOdd
      } else {
        if (cls !== this.wsTable) {
          ws.u8.set(cls, 0)
          this.wsTable = cls
        }
        // The window holds buf[winStart, winEnd); a scan that reaches its end before the end of
        // the buffer is redone on a window starting at the segment.
        if (p >= winEnd) {
          winEnd = Math.min(len, p + ws.window)
          buf.copy(ws.u8, ws.data, p, winEnd)
          winStart = p
        }
        const table = view.table
        i = ws.scan(p, winEnd, ws.data - winStart, table, svc.component)
        if (i >= winEnd && winEnd < len && p !== winStart) {
          winEnd = Math.min(len, p + ws.window)
          buf.copy(ws.u8, ws.data, p, winEnd)
          winStart = p
          i = ws.scan(p, winEnd, ws.data - winStart, table, svc.component)
        }
        if (i >= winEnd && winEnd < len) {
          // Longer than the window: the JavaScript scan, straight on the buffer.
          i = scanSegment(buf, p, len, cls, seps, rels)
          ns = scanNs
          odd = scanOdd
          view.scanned = 0
          view.key = -2
        } else {
          const res = ws.res
          ns = res[0]
          odd = res[1] !== 0
          wbase = ws.data - winStart
          view.scanned = table
          view.clean = res[2] === 1
          view.key = res[3]
        }
      }
      let tagEnd = ns > 0 ? seps[0] : -1
      view.n = ns
      view.base = wbase
      if (i < len && !odd && sink.body(buf, start, tagEnd < 0 ? i : tagEnd, i, base + start, line, ns)) {
        p = i + 1
        continue
      }
      let terminated = true
      let end = i
      if (i >= len) {
        if (!ended) {
          if (len - start > this.maxSeg) {
            // Size guard: cut at a fixed distance from the segment start so the result does
            // not depend on chunking.
            end = start + this.maxSeg
            terminated = false
            odd = true
          } else {
            keep = start
            this.scanFrom = len - start
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
      if (this.service !== svc) {
        // The reader changed the separators (UNB syntax version 4 repetition separator).
        svc = this.service
        cls = classTable(svc)
      }
    }
    this.line = line
    const pending = (this.pending = keep < len)
    if (keep >= len) {
      this.pendingBuf = EMPTY
      this.base = base + len
    } else if (keep > 0) {
      this.pendingBuf = buf.subarray(keep)
      this.base = base + keep
    }
    if (!pending) this.scanFrom = 0
  }
}
