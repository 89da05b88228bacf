/**
 * Envelope nesting: UNB (UNG) UNH .. UNT (UNE) UNZ → interchanges, groups, messages, with the
 * header/trailer checks of ISO 9735-1 §6 (references equal, counts right). A bad message never
 * stops the rest: each message carries its own issues and status. Without UNG, messages are put
 * in one synthetic group per message type (explicit: false).
 */
import { hasErrors, issue, type EdiIssue } from '../issues.ts'
import type { ParsedGroup, ParsedInterchange, ParsedTransaction, Segment, Delimiters } from '../types.ts'
import { LazyTransaction } from './transaction.ts'
import type { MessageValidator, SepView } from './validate.ts'
import { MessageValidators, NO_ISSUES } from './validators.ts'
import { tagKeyBytes } from '../dictionary/edifact-dsl.ts'
import { latin1, type SepCodes } from './segment.ts'
import { SegCursor, SegmentStore } from './store.ts'
import { RefSet } from './refs.ts'
import { checkUne, checkUnt, checkUnz, comp, readUnb, readUng, readUnh, type UnbHeader, type UnhHeader } from './envelope.ts'
import { compactIssue, keepIssue, MAX_ISSUES, MAX_MESSAGE_BYTES, MAX_MESSAGE_SEGMENTS, Overflow, overflowIssue, trimIssues } from './limits.ts'

export interface AssemblerEvents {
  onMessage?(tx: ParsedTransaction, group: ParsedGroup, interchange: ParsedInterchange): void
  onInterchange?(ich: ParsedInterchange): void
}

export interface Assembler {
  /** One segment with the absolute end offset (after its terminator); `view` see validate.ts. */
  segment(s: Segment, end: number, view?: SepView): void
  /**
   * Fast path for a printable-ASCII data segment inside a message: kept as a record, validated
   * from its bytes, no object. Returns false (nothing done) when the segment must go through
   * segment() instead: no open message, a service segment (UN..), other separators.
   */
  raw(buf: Buffer, tagStart: number, tagEnd: number, end: number, offset: number, index: number, line: number, endOffset: number, view: SepView, sep: SepCodes): boolean
  /** Issues of the message/interchange the next segment belongs to (charset problems). */
  note(i: EdiIssue): void
  end(): void
  /** File-level issues (segments outside any interchange, no interchange at all). */
  fileIssues: EdiIssue[]
  interchanges: number
  /** Header of the interchange in progress (the reader needs its syntax identifier). */
  current(): UnbHeader | undefined
}

interface OpenMessage {
  h: UnhHeader
  segments: SegmentStore
  issues: EdiIssue[]
  start: number
  /** Dictionary checks run segment by segment while the bytes are at hand. */
  validator: MessageValidator | undefined
  /** Issues about the dictionary choice (substituted / unavailable). */
  dictIssues: EdiIssue[]
  /** Substitute more than two release-years away: findings become warnings. */
  far: boolean
  /** Any substitute: an unknown code may be a newer release's, so it is a warning. */
  subst: boolean
  /**
   * Over the size limit (limits.ts): rejected, the store holds only UNH (and UNT at the end)
   * and `skipped` counts the body segments seen but not kept, for the UNT check.
   */
  big: boolean
  skipped: number
}


/** What the assembler asks its reader for: the separators in force (as text and as codes). */
export interface AssemblerHost {
  delimiters(): Delimiters
  separators(): SepCodes
}

/**
 * `host` is an object with methods rather than two closures: the optimizing compiler inlines
 * what it calls, and code that inlined a per-reader closure is thrown away once that reader is
 * collected.
 */
type AssemblerOptions = { retain: boolean; validate: boolean; host: AssemblerHost }

export function createAssembler(events: AssemblerEvents, opts: AssemblerOptions): Assembler {
  return new EnvelopeAssembler(events, opts)
}

/** A segment with no position of its own, for issues about an interchange without messages. */
const msgLessPos = (x: ParsedInterchange): Segment => ({ tag: 'UNE', elements: [], pos: { offset: x.span.start, index: 0, line: 0 } })

/**
 * A class, not a closure per reader: the methods exist once per process, so their optimized
 * code survives between files (see validate.ts IncrementalValidator).
 */
class EnvelopeAssembler implements Assembler {
  declare readonly events: AssemblerEvents
  declare readonly opts: AssemblerOptions
  declare readonly fileIssues: EdiIssue[]
  declare interchanges: number
  declare ich: ParsedInterchange | undefined
  declare unb: UnbHeader | undefined
  /** Explicit UNG group in progress. */
  declare group: ParsedGroup | undefined
  declare groupMsgs: number
  declare synthetic: Map<string, ParsedGroup>
  declare msg: OpenMessage | undefined
  declare msgsInIch: number
  declare groupsInIch: number
  /** The dictionary and validator for each message (validators.ts). */
  declare readonly validators: MessageValidators
  declare lastEnd: number
  /** Inside a run of segments outside any interchange. */
  declare garbage: boolean
  /** Issues past the caps (limits.ts), counted for the summary issue of each level. */
  declare readonly fileOver: Overflow
  declare readonly ichOver: Overflow
  /** Per message, reset after each use (closeWith). */
  declare readonly msgOver: Overflow
  declare readonly cur: SegCursor
  /** Records of the open message (store.ts), reused from message to message. */
  declare readonly scratch: number[]
  /** Message references (UNH 0062) seen in the interchange: each must be unique in it. */
  declare readonly refs: RefSet

  constructor(events: AssemblerEvents, opts: AssemblerOptions) {
    this.events = events
    this.opts = opts
    this.fileIssues = []
    this.interchanges = 0
    this.ich = undefined
    this.unb = undefined
    this.group = undefined
    this.groupMsgs = 0
    this.synthetic = new Map()
    this.msg = undefined
    this.msgsInIch = 0
    this.groupsInIch = 0
    this.validators = new MessageValidators()
    this.lastEnd = 0
    this.garbage = false
    this.fileOver = new Overflow()
    this.ichOver = new Overflow()
    this.msgOver = new Overflow()
    this.cur = new SegCursor(opts.host.separators())
    // Doubles from the start (records are; store.ts); grown by appending as messages need.
    this.scratch = new Array(2 * 64).fill(0.5).fill(0)
    this.refs = new RefSet()
  }

  current(): UnbHeader | undefined {
    return this.unb
  }

  note(i: EdiIssue): void {
    // One note per code in a message or interchange; file-level notes are capped (limits.ts).
    const msg = this.msg
    const ich = this.ich
    if (msg) {
      if (!msg.issues.some((x) => x.code === i.code)) msg.issues.push(compactIssue(i))
    } else if (ich) {
      if (!ich.issues.some((x) => x.code === i.code)) keepIssue(ich.issues, compactIssue(i), this.ichOver)
    } else keepIssue(this.fileIssues, compactIssue(i), this.fileOver)
  }

  raw(buf: Buffer, tagStart: number, tagEnd: number, end: number, offset: number, index: number, line: number, endOffset: number, view: SepView, sep: SepCodes): boolean {
    const m = this.msg
    if (m === undefined || m.segments.sep !== sep) return false
    if (buf[tagStart] === 0x55 && buf[tagStart + 1] === 0x4e) {
      // Service segments take segment(), except a plain UNT closing the open message.
      return tagEnd - tagStart === 3 && buf[tagStart + 2] === 0x54 && this.rawUnt(m, buf, tagStart, tagEnd, end, offset, index, line, endOffset)
    }
    this.lastEnd = endOffset
    if (!this.overLimit(m, endOffset, offset, line)) m.segments.pushRaw(buf, tagStart, tagEnd, end, offset, index, line)
    const v = m.validator
    if (v !== undefined) {
      const cur = this.cur
      cur.buf = buf
      cur.tagStart = tagStart
      cur.start = tagEnd
      cur.end = end
      cur.sep = sep
      cur.offset = offset
      cur.index = index
      cur.line = line
      // The scanner looked the tag up already when it checked the values (view.key >= -1).
      v.stepRaw(cur, view.key !== -2 ? view.key : tagKeyBytes(buf, tagStart, tagEnd), view)
    }
    return true
  }

  segment(s: Segment, end: number, view?: SepView): void {
    this.lastEnd = end
    // Fast path: a data segment inside a message (service segments all start with "UN").
    const tag = s.tag
    const msg = this.msg
    if (msg !== undefined && (tag.charCodeAt(0) !== 0x55 || tag.charCodeAt(1) !== 0x4e)) return this.body(msg, s, end, view)
    switch (tag) {
      case 'UNB':
        return this.onUnb(s)
      case 'UNG':
        return this.onUng(s)
      case 'UNH':
        return this.onUnh(s)
      case 'UNT':
        return this.onUnt(s, end)
      case 'UNE':
        return this.onUne(s)
      case 'UNZ':
        return this.onUnz(s, end)
    }
    if (msg) return this.body(msg, s, end, view)
    if (this.ich) {
      this.ichIssue(issue('segment_unexpected', 'interchange', `${s.tag} outside a message (UNH..UNT)`, { segment: s.tag, position: s.pos }))
      return
    }
    this.outside(s)
  }

  end(): void {
    if (this.ich) this.closeInterchange(undefined, this.lastEnd)
    if (this.interchanges === 0) {
      this.fileIssues.unshift(issue('envelope_unreadable', 'file', 'no UNB interchange header found', {}))
    }
    const more = overflowIssue('file', this.fileOver)
    if (more) this.fileIssues.push(more)
  }

  /** A body segment as an object: kept (unless over the limits) and validated. */
  body(m: OpenMessage, s: Segment, end: number, view: SepView | undefined): void {
    if (!this.overLimit(m, end, s.pos.offset, s.pos.line)) m.segments.pushObject(s)
    if (m.validator !== undefined) m.validator.step(s, view)
  }

  /** True when the message is (now) over a size limit (limits.ts): the segment is not kept. */
  overLimit(m: OpenMessage, end: number, offset: number, line: number): boolean {
    if (!m.big && end - m.start <= MAX_MESSAGE_BYTES && m.segments.n < MAX_MESSAGE_SEGMENTS) return false
    this.drop(m, offset, line)
    return true
  }

  /** An interchange-level finding about one segment: kept while under the cap, else counted. */
  ichIssue(i: EdiIssue): void {
    const ich = this.ich!
    if (ich.issues.length < MAX_ISSUES) ich.issues.push(compactIssue(i))
    else this.ichOver.add(i)
  }

  /**
   * A body segment of a message over the size limit: the first time, the message is rejected
   * and its body dropped (UNH stays, for CONTRL UCM S009); from then on only counted.
   */
  drop(m: OpenMessage, offset: number, line: number): void {
    m.skipped++
    if (m.big) return
    m.big = true
    const unh = m.segments.get(0)
    m.skipped += m.segments.n - 1
    const store = new SegmentStore(m.segments.sep, this.scratch)
    store.pushObject(unh)
    m.segments = store
    const bySegs = m.skipped >= MAX_MESSAGE_SEGMENTS
    const why = bySegs ? `${MAX_MESSAGE_SEGMENTS} segments` : `${MAX_MESSAGE_BYTES} bytes`
    m.issues.push(
      compactIssue(
        issue('transaction_too_large', 'transaction', `message ${m.h.ref} is over the limit of ${why} (reached at offset ${offset}, line ${line}); rejected, its content is not kept`, {
          segment: 'UNH',
          position: unh.pos,
          value: String(bySegs ? MAX_MESSAGE_SEGMENTS : MAX_MESSAGE_BYTES),
        })
      )
    )
  }

  outside(s: Segment): void {
    if (this.garbage) return
    this.garbage = true
    this.fileIssues.push(issue('trailing_garbage', 'file', `${s.tag || 'data'} outside any UNB..UNZ interchange`, { segment: s.tag, position: s.pos }))
  }

  onUnb(s: Segment): void {
    if (this.ich) this.closeInterchange(undefined, s.pos.offset)
    this.garbage = false
    const r = readUnb(s)
    this.unb = r.header
    this.ich = {
      standard: 'edifact',
      sender: r.header.sender,
      receiver: r.header.receiver,
      controlNumber: r.header.controlNumber,
      test: r.header.test,
      date: r.header.date,
      time: r.header.time,
      syntax: `${r.header.syntaxId}:${r.header.syntaxVersion}`,
      ackRequested: r.header.ackRequested,
      delimiters: this.opts.host.delimiters(),
      issues: r.issues.map(compactIssue),
      groups: [],
      span: { start: s.pos.offset, end: s.pos.offset },
    }
    this.synthetic = new Map()
    this.msgsInIch = 0
    this.groupsInIch = 0
    this.ichOver.reset()
    this.refs.clear()
  }

  onUng(s: Segment): void {
    const ich = this.ich
    if (!ich) return this.outside(s)
    if (this.msg) this.closeMessage(undefined, s.pos.offset)
    if (this.group) this.closeGroup(undefined, s)
    const r = readUng(s)
    const group: ParsedGroup = {
      type: r.header.type,
      controlNumber: r.header.controlNumber,
      version: r.header.version,
      senderId: r.header.sender.id,
      receiverId: r.header.receiver.id,
      explicit: true,
      issues: r.issues,
      transactions: [],
    }
    this.group = group
    ich.groups.push(group)
    this.groupsInIch++
    this.groupMsgs = 0
  }

  onUnh(s: Segment): void {
    if (!this.ich) return this.outside(s)
    if (this.msg) this.closeMessage(undefined, s.pos.offset)
    const r = readUnh(s)
    const h = r.header
    let validator: MessageValidator | undefined
    let dictIssues = NO_ISSUES
    let far = false
    let subst = false
    if (this.opts.validate) {
      const v = this.validators
      validator = v.for(h, s.pos)
      dictIssues = v.dictIssues
      far = v.far
      subst = v.substituted
    }
    const store = new SegmentStore(this.opts.host.separators(), this.scratch)
    store.pushObject(s)
    const issues = r.issues.length === 0 ? [] : r.issues.map(compactIssue)
    this.checkRef(h.ref, s, issues)
    this.msg = { h, segments: store, issues, start: s.pos.offset, validator, dictIssues, far, subst, big: false, skipped: 0 }
  }

  /** ISO 9735-1: the message reference is unique within the interchange (CONTRL 0085 26). */
  checkRef(ref: string, unh: Segment, issues: EdiIssue[]): void {
    if (ref === '' || this.refs.add(ref)) return
    issues.push(compactIssue(issue('transaction_duplicate', 'transaction', `message reference ${ref} is used by an earlier message of this interchange`, { segment: 'UNH', position: unh.pos, element: 1, ref: '0062', value: ref })))
  }

  onUnt(s: Segment, end: number): void {
    if (!this.ich) return this.outside(s)
    const msg = this.msg
    if (!msg) {
      this.ichIssue(issue('segment_unexpected', 'interchange', 'UNT without a UNH', { segment: 'UNT', position: s.pos }))
      return
    }
    msg.segments.pushObject(s)
    this.closeMessage(s, end)
  }

  onUne(s: Segment): void {
    if (!this.ich) return this.outside(s)
    if (this.msg) this.closeMessage(undefined, s.pos.offset)
    if (!this.group) {
      this.ichIssue(issue('segment_unexpected', 'interchange', 'UNE without a UNG', { segment: 'UNE', position: s.pos }))
      return
    }
    this.closeGroup(s, s)
  }

  onUnz(s: Segment, end: number): void {
    if (!this.ich) return this.outside(s)
    this.closeInterchange(s, end)
  }

  groupFor(type: string, version: string): ParsedGroup {
    if (this.group) return this.group
    let g = this.synthetic.get(type)
    if (!g) {
      g = { type, controlNumber: '', version, explicit: false, issues: [], transactions: [] }
      this.synthetic.set(type, g)
      this.ich!.groups.push(g)
    }
    return g
  }

  /**
   * A UNT of printable ASCII without release characters, straight from the bytes: kept as a
   * record like the body segments, its two values read without tokenizing. False (nothing
   * done) sends it the ordinary way.
   */
  rawUnt(m: OpenMessage, buf: Buffer, tagStart: number, tagEnd: number, end: number, offset: number, index: number, line: number, endOffset: number): boolean {
    const { element: E, component: C, release: R } = m.segments.sep
    if (R >= 0) for (let i = tagEnd; i < end; i++) if (buf[i] === R) return false
    // Element 0 starts after the first element separator (tokenize()); component 0 of each.
    let i = tagEnd
    while (i < end && buf[i] !== E) i++
    let c0 = ''
    let c1 = ''
    if (i < end) {
      let from = ++i
      while (i < end && buf[i] !== E && buf[i] !== C) i++
      c0 = latin1(buf, from, i)
      while (i < end && buf[i] !== E) i++
      if (i < end) {
        from = ++i
        while (i < end && buf[i] !== E && buf[i] !== C) i++
        c1 = latin1(buf, from, i)
      }
    }
    this.lastEnd = endOffset
    m.segments.pushRaw(buf, tagStart, tagEnd, end, offset, index, line)
    this.closeWith(true, c0, c1, undefined, endOffset)
    return true
  }

  closeMessage(unt: Segment | undefined, end: number): void {
    if (unt === undefined) this.closeWith(false, '', '', undefined, end)
    else this.closeWith(true, comp(unt, 0), comp(unt, 1), unt, end)
  }

  /**
   * Closes the open message; with a UNT whose first components are c0 (0074) and c1 (0062).
   * `unt` undefined with hasUnt: the UNT is the last segment of the store (read for positions).
   */
  closeWith(hasUnt: boolean, c0: string, c1: string, unt: Segment | undefined, end: number): void {
    const m = this.msg!
    this.msg = undefined
    m.segments.close()
    const issues = m.issues
    if (!hasUnt) {
      issues.push(issue('transaction_trailer_missing', 'transaction', `message ${m.h.ref} has no UNT`, { segment: 'UNH', position: m.segments.get(0).pos }))
    } else {
      checkUnt(c0, c1, m.segments.length + m.skipped, m.h.ref, unt, m.segments, issues)
    }
    for (let k = 0; k < m.dictIssues.length; k++) issues.push(m.dictIssues[k])
    // The first MAX_ISSUES in order (header, trailer, dictionary, body), then one summary that
    // counts the rest exactly, the validator's overflow included.
    const over = this.msgOver
    over.reset()
    if (m.validator !== undefined) {
      for (const i of m.validator.finish()) issues.push(m.far || (m.subst && i.code === 'element_invalid_code') ? { ...i, severity: 'warning' } : i)
      over.merge(m.validator.overflow(), m.far)
    }
    trimIssues(issues, over)
    const more = overflowIssue('transaction', over)
    if (more) issues.push(more)
    const status = issues.length === 0 ? 'accepted' : hasErrors(issues) ? 'rejected' : 'accepted_with_errors'
    const span = { start: m.start, end }
    // Retained results are plain data (stored, printed, compared). Streaming callers get the
    // segments built on first access of tx.segments (an own enumerable accessor, so spreading
    // and JSON.stringify see an ordinary array), as RawSegments whose values are decoded on
    // first access (segment.ts): a consumer that only reads the status builds nothing.
    const retain = this.opts.retain
    const tx: ParsedTransaction = retain
      ? { type: m.h.type, controlNumber: m.h.ref, version: m.h.version, status, issues, segments: m.segments.toPlainArray(), span }
      : (new LazyTransaction(m.h, status, issues, m.segments, span) as ParsedTransaction)
    if (m.h.association) tx.implementation = m.h.association
    const g = this.groupFor(m.h.type, m.h.version)
    if (retain) g.transactions.push(tx)
    this.msgsInIch++
    this.groupMsgs++
    this.events.onMessage?.(tx, g, this.ich!)
  }

  closeGroup(une: Segment | undefined, at: Segment): void {
    const g = this.group!
    this.group = undefined
    if (!une) {
      g.issues.push(issue('group_trailer_missing', 'group', `group ${g.controlNumber} has no UNE`, { segment: 'UNE', position: at.pos }))
      return
    }
    checkUne(une, this.groupMsgs, g.controlNumber, g.issues)
  }

  closeInterchange(unz: Segment | undefined, end: number): void {
    const x = this.ich!
    if (this.msg) this.closeMessage(undefined, unz ? unz.pos.offset : end)
    if (this.group) this.closeGroup(undefined, unz ?? msgLessPos(x))
    if (!unz) {
      x.issues.push(issue('interchange_trailer_missing', 'interchange', `interchange ${x.controlNumber} has no UNZ`, { segment: 'UNZ' }))
    } else {
      checkUnz(unz, this.groupsInIch, this.msgsInIch, x.controlNumber, x.issues)
    }
    const more = overflowIssue('interchange', this.ichOver)
    if (more) x.issues.push(more)
    x.span.end = end
    this.ich = undefined
    this.unb = undefined
    this.interchanges++
    this.events.onInterchange?.(x)
  }
}
