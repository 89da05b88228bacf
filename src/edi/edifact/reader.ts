/**
 * Streaming EDIFACT reader: lexer (bytes → segment boundaries) → charset decode (per UNB S001)
 * → tokenize (release characters) → assembler (envelopes, validation). Memory is bounded by one
 * segment of lexer buffer (maxSegmentBytes) plus one message of segments, itself capped with the
 * issue lists (limits.ts), whatever the input; results are identical for any chunking.
 */
import { issue, type EdiIssue } from '../issues.ts'
import type { ParsedGroup, ParsedInterchange, ParsedTransaction, Segment } from '../types.ts'
import { createAssembler } from './assemble.ts'
import { charsetFor, decode, F_C1, F_HIGH, F_NOT_A, looksUtf8, scanBytes, type Charset } from './charset.ts'
import { toDelimiters, withSyntaxVersion, type ServiceBytes } from './delimiters.ts'
import { createLexer, MAX_SEPS } from './lexer.ts'
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
  let sc: ServiceChars
  let sep: SepCodes
  const setSeps = (s: ServiceBytes) => {
    sc = CHARS(s)
    sep = { component: s.component, element: s.element, release: s.release, repetition: s.repetition, chars: sc }
  }
  let hadUna = false
  let charset: Charset | undefined
  let segCount = 0
  const asm = createAssembler(events, {
    retain: opts.retain ?? false,
    validate: opts.validate ?? true,
    delimiters: () => toDelimiters(lexer.service),
    sep: () => sep,
  })
  // Segments may skip the object (body() below) unless the caller listens to every segment.
  const onSeg = events.onSegment
  let levelA = false

  const lexer = createLexer(
    {
      una(svc, offset, usable) {
        if (usable) {
          hadUna = true
          setSeps(svc)
        } else {
          asm.note(issue('una_invalid', 'interchange', 'UNA service string advice has duplicate or alphanumeric separators; ignored', { segment: 'UNA', position: { offset, index: segCount, line: 0 } }))
        }
      },
      body(buf, start, tagEnd, end, offset, line, nseps) {
        // Fast path: a printable-ASCII data segment inside a message goes into the message's
        // store as a record and is validated from its bytes (assembler raw()), no object. Not
        // when the caller listens to every segment; UNOA interchanges take the object path for
        // their level A check.
        if (onSeg !== undefined || levelA || nseps > MAX_SEPS) return false
        if (!asm.raw(buf, start, tagEnd, end, offset, segCount, line, offset + (end - start) + 1, view, sep)) return false
        segCount++
        return true
      },
      segment(ascii, tagEnd, buf, start, end, offset, line, terminated) {
        // Printable ASCII: values stay in the bytes until asked for. Otherwise decode the bytes
        // under the declared set (or as UTF-8 when they are valid UTF-8).
        let seg: Segment
        let flags = 0
        let asUtf8 = false
        let lf = 0
        if (ascii) {
          seg = new RawSegment(tagOf(buf, start, tagEnd), buf, tagEnd, end, sep, offset, segCount++, line)
          if (charset !== undefined && charset.id === 'UNOA' && NOT_LEVEL_A.test(latin1(buf, start, end))) flags = F_NOT_A
        } else {
          flags = scanBytes(buf, start, end)
          if (flags & F_HIGH && (!charset || charset.kind !== 'utf8')) asUtf8 = looksUtf8(buf, start, end)
          const decoded = decode(buf, start, end, charset ?? LATIN1, flags, asUtf8)
          for (let i = 0; i < decoded.length; i++) if (decoded.charCodeAt(i) === 10) lf++
          const t = tokenize(decoded, sc)
          const pos = { offset, index: segCount++, line }
          seg = t.repeats ? { tag: t.tag, elements: t.elements, repeats: t.repeats, pos } : { tag: t.tag, elements: t.elements, pos }
        }
        if (!terminated) {
          asm.note(issue('trailing_garbage', 'file', `segment ${seg.tag} at offset ${offset} has no terminator`, { segment: seg.tag, position: seg.pos, severity: 'warning' }))
        }
        if (seg.tag === 'UNB') {
          // UNB itself is written in the declared repertoire; check it once the set is known.
          onUnb(seg)
        }
        if (flags !== 0 && charset && (flags & charset.forbidden || asUtf8 || (charset.kind === 'utf8' && flags & F_HIGH && !looksUtf8(buf, start, end)))) {
          reportCharset(seg, flags, asUtf8, buf, start, end)
        }
        events.onSegment?.(seg)
        if (ascii) {
          asm.segment(seg, offset + (end - start) + (terminated ? 1 : 0), view)
        } else asm.segment(seg, offset + (end - start) + (terminated ? 1 : 0))
        if (pending.length > 0) flush()
        return lf
      },
    },
    { maxSegmentBytes: opts.maxSegmentBytes }
  )
  setSeps(lexer.service)
  const view: SepView = lexer.view

  function onUnb(seg: Segment) {
    const id = seg.elements[0]?.[0] ?? ''
    const version = seg.elements[0]?.[1] ?? ''
    charset = charsetFor(id)
    levelA = charset !== undefined && charset.id === 'UNOA'
    lexer.service = withSyntaxVersion(lexer.service, version, hadUna)
    setSeps(lexer.service)
    hadUna = false
    if (!charset) {
      later(() =>
        asm.note(issue('charset_violation', 'interchange', `unknown syntax identifier "${id}"; bytes read as ISO 8859-1`, { segment: 'UNB', position: seg.pos, element: 1, ref: '0001', value: id, severity: 'warning' }))
      )
    }
  }

  // Charset notes are queued and delivered right after the segment reached the assembler, so
  // a note about UNB lands in the interchange UNB opens and one about UNH in its message.
  let pending: (() => void)[] = []
  const later = (f: () => void) => pending.push(f)

  function reportCharset(seg: Segment, flags: number, asUtf8: boolean, buf: Buffer, start: number, end: number) {
    const cs = charset!
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
    later(() => asm.note(issue('charset_violation', 'segment', what, { segment: seg.tag, position: seg.pos, severity: 'warning', value: bad })))
  }

  function flush() {
    const p = pending
    pending = []
    for (const f of p) f()
  }

  return {
    push(chunk) {
      lexer.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
    },
    end() {
      lexer.end()
      flush()
      asm.end()
      return {
        issues: asm.fileIssues,
        unreadable: asm.interchanges === 0,
        interchanges: asm.interchanges,
        segments: segCount,
        bytes: lexer.bytes,
      }
    },
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
