/**
 * Streaming EDIFACT reader: lexer (bytes → segment boundaries) → charset decode (per UNB S001)
 * → tokenize (release characters) → assembler (envelopes, validation). Memory is bounded by one
 * segment of lexer buffer (maxSegmentBytes) plus one message of segments, itself capped with the
 * issue lists (limits.ts), whatever the input; results are identical for any chunking.
 */
import { issue, type EdiIssue } from '../issues.ts'
import type { Delimiters, ParsedGroup, ParsedInterchange, ParsedTransaction, Segment } from '../types.ts'
import { createAssembler, type Assembler, type AssemblerHost } from './assemble.ts'
import { charsetFor, decode, F_C1, F_HIGH, F_NOT_A, looksUtf8, scanBytes, type Charset } from './charset.ts'
import { toDelimiters, withSyntaxVersion, type ServiceBytes } from './delimiters.ts'
import { createLexer, MAX_SEPS, type Lexer, type LexerSink } from './lexer.ts'
import { latin1, RawSegment, tagOf, type SepCodes } from './segment.ts'
import { tokenize, type ServiceChars } from './tokenize.ts'
import type { SepView } from './validate.ts'

export interface EdifactReaderEvents {
  /** Every segment in file order (UNB..UNZ included), already unescaped and decoded. */
  onSegment?(segment: Segment): void
  /** A message closed (UNT, or a following header / end of input), validated, with its status. */
  onMessage?(tx: ParsedTransaction, group: ParsedGroup, interchange: ParsedInterchange): void
  /** An interchange closed. Its groups hold transactions only when `retain` is set. */
  onInterchange?(interchange: ParsedInterchange): void
}

export interface EdifactReaderOptions {
  /** Keep messages inside their groups (parseEdifact does; streaming callers usually not). */
  retain?: boolean
  /** Dictionary validation (default true). Envelope checks always run. */
  validate?: boolean
  /** Guard against input without terminators (default 16 MiB). */
  maxSegmentBytes?: number
}

export interface EdifactReaderResult {
  /** File-level issues. */
  issues: EdiIssue[]
  unreadable: boolean
  interchanges: number
  segments: number
  bytes: number
}

export interface EdifactReader {
  push(chunk: Buffer | Uint8Array): void
  end(): EdifactReaderResult
}

const CHARS = (s: ServiceBytes): ServiceChars => ({
  component: String.fromCharCode(s.component),
  element: String.fromCharCode(s.element),
  release: s.release >= 0 ? String.fromCharCode(s.release) : '',
  repetition: s.repetition >= 0 ? String.fromCharCode(s.repetition) : '',
})

/**
 * Streaming parse. Messages reach `onMessage` already envelope-checked and validated; their
 * segments are RawSegments whose `elements` are decoded on first access (toPlain() gives plain
 * objects), and they keep a reference to the pushed chunk, so chunks must not be reused or
 * modified after push(). With `retain`, messages are also kept in their groups as plain data.
 *
 * @example
 * const r = createEdifactReader({ onMessage: (tx) => console.log(tx.type, tx.status) })
 * for await (const chunk of stream) r.push(chunk)
 * const { issues, unreadable } = r.end()
 */
export function createEdifactReader(events: EdifactReaderEvents = {}, opts: EdifactReaderOptions = {}): EdifactReader {
  return new StreamReader(events, opts)
}

/**
 * The reader is the lexer's sink. A class, not closures per reader: its methods exist once per
 * process, so their optimized code survives between files (see validate.ts IncrementalValidator).
 */
class StreamReader implements EdifactReader, LexerSink, AssemblerHost {
  declare readonly events: EdifactReaderEvents
  /** Segments may skip the object (body()) unless the caller listens to every segment. */
  declare readonly onSeg: ((segment: Segment) => void) | undefined
  declare readonly asm: Assembler
  declare readonly lexer: Lexer
  declare readonly view: SepView
  declare sc: ServiceChars
  declare sep: SepCodes
  declare hadUna: boolean
  declare charset: Charset | undefined
  /** The interchange is UNOA: segments take the object path for their level A check. */
  declare levelA: boolean
  declare segCount: number
  /**
   * Charset notes are queued and delivered right after the segment reached the assembler, so a
   * note about UNB lands in the interchange UNB opens and one about UNH in its message.
   */
  declare pending: (() => void)[]
  /** Results of the last decoded(): read as UTF-8, and the line feeds in its text. */
  declare asUtf8: boolean
  declare lineFeeds: number

  constructor(events: EdifactReaderEvents, opts: EdifactReaderOptions) {
    this.events = events
    this.onSeg = events.onSegment
    this.hadUna = false
    this.charset = undefined
    this.levelA = false
    this.segCount = 0
    this.pending = []
    this.asUtf8 = false
    this.lineFeeds = 0
    const lexer = (this.lexer = createLexer(this, { maxSegmentBytes: opts.maxSegmentBytes }))
    this.view = lexer.view
    this.setSeps(lexer.service)
    this.asm = createAssembler(events, {
      retain: opts.retain ?? false,
      validate: opts.validate ?? true,
      host: this,
    })
  }

  setSeps(s: ServiceBytes): void {
    const sc = (this.sc = CHARS(s))
    this.sep = { component: s.component, element: s.element, release: s.release, repetition: s.repetition, chars: sc }
  }

  delimiters(): Delimiters {
    return toDelimiters(this.lexer.service)
  }

  separators(): SepCodes {
    return this.sep
  }

  push(chunk: Buffer | Uint8Array): void {
    this.lexer.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
  }

  end(): EdifactReaderResult {
    this.lexer.end()
    this.flush()
    const asm = this.asm
    asm.end()
    return {
      issues: asm.fileIssues,
      unreadable: asm.interchanges === 0,
      interchanges: asm.interchanges,
      segments: this.segCount,
      bytes: this.lexer.bytes,
    }
  }

  una(svc: ServiceBytes, offset: number, usable: boolean): void {
    if (usable) {
      this.hadUna = true
      this.setSeps(svc)
    } else {
      this.asm.note(issue('una_invalid', 'interchange', 'UNA service string advice has duplicate or alphanumeric separators; ignored', { segment: 'UNA', position: { offset, index: this.segCount, line: 0 } }))
    }
  }

  body(buf: Buffer, start: number, tagEnd: number, end: number, offset: number, line: number, nseps: number): boolean {
    // Fast path: a printable-ASCII data segment inside a message goes into the message's store
    // as a record and is validated from its bytes (assembler raw()), no object. Not when the
    // caller listens to every segment; UNOA interchanges take the object path for their level
    // A check.
    if (this.onSeg !== undefined || this.levelA || nseps > MAX_SEPS) return false
    if (!this.asm.raw(buf, start, tagEnd, end, offset, this.segCount, line, offset + (end - start) + 1, this.view, this.sep)) return false
    this.segCount++
    return true
  }

  segment(ascii: boolean, tagEnd: number, buf: Buffer, start: number, end: number, offset: number, line: number, terminated: boolean): number {
    // Printable ASCII: values stay in the bytes until asked for. Otherwise decode the bytes
    // under the declared set (or as UTF-8 when they are valid UTF-8).
    let seg: Segment
    let flags = 0
    if (ascii) {
      seg = new RawSegment(tagOf(buf, start, tagEnd), buf, tagEnd, end, this.sep, offset, this.segCount++, line)
    } else {
      flags = scanBytes(buf, start, end)
      seg = this.decoded(buf, start, end, offset, this.segCount++, line, flags)
    }
    if (!terminated) {
      this.asm.note(issue('trailing_garbage', 'file', `segment ${seg.tag} at offset ${offset} has no terminator`, { segment: seg.tag, position: seg.pos, severity: 'warning' }))
    }
    if (seg.tag === 'UNB') {
      // UNB itself is written in the repertoire it declares: its bytes are checked (and, outside
      // printable ASCII, decoded) under that set, not under the previous interchange's.
      const before = this.charset
      this.onUnb(seg)
      if (!ascii && this.charset !== before) seg = this.decoded(buf, start, end, offset, seg.pos.index, line, flags)
    }
    const charset = this.charset
    if (ascii && charset !== undefined && charset.id === 'UNOA' && NOT_LEVEL_A.test(latin1(buf, start, end))) flags = F_NOT_A
    const asUtf8 = !ascii && this.asUtf8
    if (flags !== 0 && charset && (flags & charset.forbidden || asUtf8 || (charset.kind === 'utf8' && flags & F_HIGH && !looksUtf8(buf, start, end)))) {
      this.reportCharset(seg, flags, asUtf8, buf, start, end)
    }
    this.events.onSegment?.(seg)
    const segEnd = offset + (end - start) + (terminated ? 1 : 0)
    if (ascii) this.asm.segment(seg, segEnd, this.view)
    else this.asm.segment(seg, segEnd)
    if (this.pending.length > 0) this.flush()
    return ascii ? 0 : this.lineFeeds
  }

  /**
   * A segment holding bytes outside printable ASCII, decoded under the declared set (as UTF-8
   * when it is valid UTF-8 under a single-byte set: `asUtf8`) and tokenized; `lineFeeds` counts
   * the line feeds in its text.
   */
  decoded(buf: Buffer, start: number, end: number, offset: number, index: number, line: number, flags: number): Segment {
    const charset = this.charset
    const asUtf8 = (this.asUtf8 = flags & F_HIGH && (!charset || charset.kind !== 'utf8') ? looksUtf8(buf, start, end) : false)
    const text = decode(buf, start, end, charset ?? LATIN1, flags, asUtf8)
    let lf = 0
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lf++
    this.lineFeeds = lf
    const t = tokenize(text, this.sc)
    const pos = { offset, index, line }
    return t.repeats ? { tag: t.tag, elements: t.elements, repeats: t.repeats, pos } : { tag: t.tag, elements: t.elements, pos }
  }

  onUnb(seg: Segment): void {
    const id = seg.elements[0]?.[0] ?? ''
    const version = seg.elements[0]?.[1] ?? ''
    const charset = (this.charset = charsetFor(id))
    this.levelA = charset !== undefined && charset.id === 'UNOA'
    const lexer = this.lexer
    lexer.service = withSyntaxVersion(lexer.service, version, this.hadUna)
    this.setSeps(lexer.service)
    this.hadUna = false
    if (!charset) {
      this.later(() =>
        this.asm.note(issue('charset_violation', 'interchange', `unknown syntax identifier "${id}"; bytes read as ISO 8859-1`, { segment: 'UNB', position: seg.pos, element: 1, ref: '0001', value: id, severity: 'warning' }))
      )
    }
  }

  later(f: () => void): void {
    this.pending.push(f)
  }

  reportCharset(seg: Segment, flags: number, asUtf8: boolean, buf: Buffer, start: number, end: number): void {
    const cs = this.charset!
    const what = asUtf8
      ? `${cs.id} declared but ${seg.tag} holds UTF-8 bytes; decoded as UTF-8`
      : cs.kind === 'utf8'
        ? `${seg.tag} holds bytes that are not valid UTF-8 under ${cs.id}`
        : `${seg.tag} holds characters outside ${cs.id}${flags & F_C1 ? ' (control bytes)' : ''}`
    let bad = ''
    for (let i = start; i < end && bad.length < 8; i++) {
      const b = buf[i]
      if (b >= 0x80 || scanBytes(buf, i, i + 1) & cs.forbidden) bad += b >= 0x80 ? `\\x${b.toString(16)}` : String.fromCharCode(b)
    }
    this.later(() => this.asm.note(issue('charset_violation', 'segment', what, { segment: seg.tag, position: seg.pos, severity: 'warning', value: bad })))
  }

  flush(): void {
    const p = this.pending
    this.pending = []
    for (const f of p) f()
  }
}

// Printable ASCII outside ISO 9735 level A (lowercase, #, $, @, [, ], ...).
const NOT_LEVEL_A = /[^A-Z0-9 .,\-()/='+:?!"%&*;<>]/
const LATIN1: Charset = { id: 'LATIN1', kind: 'single', forbidden: 0, label: 'iso-8859-1' }

/**
 * Hidden classes of the per-message objects (transactions, segment stores, segments, the
 * reader's cursor) live only as long as some object has them. Between parses nothing does, and
 * at the next full garbage collection V8 drops them together with all optimized code that
 * embeds them: the next parse starts over in the interpreter and recompiles (measured: ~300
 * deoptimizations per full collection, parses up to 40% slower after one). A tiny interchange
 * read once at load keeps one object of each kind alive, and with them the classes; it holds
 * a few hundred bytes.
 */
const SHAPES: unknown[] = []
{
  const r = createEdifactReader({ onMessage: (tx) => void SHAPES.push(tx) })
  r.push(
    Buffer.from(
      "UNB+UNOC:3+S+R+240101:1200+1'UNH+1+ORDERS:D:96A:UN:EAN008'BGM+220+1+9'DTM+137:20240101:102'UNT+4+1'" +
        "UNH+2+DESADV:D:96A:UN'BGM+351+1+9'DTM+137:20240101:102'UNT+4+2'UNZ+2+1'",
      'latin1'
    )
  )
  r.end()
  // One transaction whose segments were read (an ordinary array property from then on).
  for (const tx of SHAPES.slice(0, 1) as ParsedTransaction[]) SHAPES.push(tx.segments)
  SHAPES.push(r)
}
