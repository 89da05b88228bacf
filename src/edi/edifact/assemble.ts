/**
 * Envelope nesting: UNB (UNG) UNH .. UNT (UNE) UNZ → interchanges, groups, messages, with the
 * header/trailer checks of ISO 9735-1 §6 (references equal, counts right). A bad message never
 * stops the rest: each message carries its own issues and status. Without UNG, messages are put
 * in one synthetic group per message type (explicit: false).
 */
import { hasErrors, issue, type EdiIssue } from '../issues.ts'
import type { ParsedGroup, ParsedInterchange, ParsedTransaction, Segment, Delimiters } from '../types.ts'
import { findMessageDef, releaseDistance, type DictionaryMatch } from '../dictionary/edifact-index.ts'
import type { MessageDef } from '../dictionary/edifact-dsl.ts'
import { createMessageValidator, type MessageValidator, type SepView } from './validate.ts'
import { tagKeyBytes } from '../dictionary/edifact-dsl.ts'
import { latin1, type SepCodes } from './segment.ts'
import { SegCursor, SegmentStore } from './store.ts'
import { comp, count, countOf, readUnb, readUng, readUnh, type UnbHeader, type UnhHeader } from './envelope.ts'
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
  /**
   * Over the size limit (limits.ts): rejected, the store holds only UNH (and UNT at the end)
   * and `skipped` counts the body segments seen but not kept, for the UNT check.
   */
  big: boolean
  skipped: number
}

const NO_SEGMENTS: Segment[] = []
/** No dictionary issues (shared, never written to). */
const NO_ISSUES: EdiIssue[] = []
let SEGMENTS: PropertyDescriptor

/**
 * A streamed message whose `segments` is an own enumerable accessor (spreading, Object.keys and
 * JSON.stringify see an ordinary array) that builds the array on first read; the store sits in
 * a private field, invisible to all of those. Own properties come in the order of a plain
 * transaction (JSON key order). A class rather than a plain object: every instance shares one
 * hidden class, and the store needs no second defineProperty (measured: less than half the
 * cost per message).
 */
class LazyTransaction {
  declare type: string
  declare controlNumber: string
  declare version: string
  declare status: ParsedTransaction['status']
  declare issues: EdiIssue[]
  declare segments: Segment[]
  declare span: { start: number; end: number }
  #store: SegmentStore | undefined

  constructor(h: UnhHeader, status: ParsedTransaction['status'], issues: EdiIssue[], store: SegmentStore, span: { start: number; end: number }) {
    this.type = h.type
    this.controlNumber = h.ref
    this.version = h.version
    this.status = status
    this.issues = issues
    this.#store = store
    Object.defineProperty(this, 'segments', SEGMENTS)
    this.span = span
  }

  static {
    // One shared getter/setter pair: no closure per message.
    SEGMENTS = {
      enumerable: true,
      configurable: true,
      get(this: LazyTransaction): Segment[] {
        const store = this.#store
        if (store === undefined) return NO_SEGMENTS
        this.#store = undefined
        const v = store.toArray()
        Object.defineProperty(this, 'segments', { value: v, writable: true, enumerable: true, configurable: true })
        return v
      },
      set(this: LazyTransaction, v: Segment[]) {
        this.#store = undefined
        Object.defineProperty(this, 'segments', { value: v, writable: true, enumerable: true, configurable: true })
      },
    }
  }
}

export function createAssembler(
  events: AssemblerEvents,
  opts: { retain: boolean; validate: boolean; delimiters: () => Delimiters; sep: () => SepCodes }
): Assembler {
  let ich: ParsedInterchange | undefined
  let unb: UnbHeader | undefined
  let group: ParsedGroup | undefined // explicit UNG group in progress
  let groupMsgs = 0
  let synthetic = new Map<string, ParsedGroup>()
  let msg: OpenMessage | undefined
  let msgsInIch = 0
  let groupsInIch = 0
  const validators = new Map<MessageDef, MessageValidator>()
  let lastEnd = 0
  let garbage = false // inside a run of segments outside any interchange
  const fileIssues: EdiIssue[] = []
  // Issues past the caps (limits.ts), counted for the summary issue of each level.
  const fileOver = new Overflow()
  const ichOver = new Overflow()
  // Per message, reset after each use (closeMessage).
  const msgOver = new Overflow()
  // The last dictionary lookup: a stream is usually one message type and version throughout.
  let lastType = ''
  let lastVersion = ''
  let lastFound: DictionaryMatch | undefined
  let lastDef: MessageDef | undefined
  let lastValidator: MessageValidator | undefined
  const cur = new SegCursor(opts.sep())
  // Records of the open message (store.ts), reused from message to message.
  // Doubles from the start (records are; store.ts); grown by appending as messages need.
  const scratch: number[] = new Array(2 * 64).fill(0.5).fill(0)

  const a: Assembler = {
    fileIssues,
    interchanges: 0,
    current: () => unb,
    note(i) {
      // One note per code in a message or interchange; file-level notes are capped (limits.ts).
      if (msg) {
        if (!msg.issues.some((x) => x.code === i.code)) msg.issues.push(compactIssue(i))
      } else if (ich) {
        if (!ich.issues.some((x) => x.code === i.code)) keepIssue(ich.issues, compactIssue(i), ichOver)
      } else keepIssue(fileIssues, compactIssue(i), fileOver)
    },
    raw(buf, tagStart, tagEnd, end, offset, index, line, endOffset, view, sep) {
      const m = msg
      if (m === undefined || m.segments.sep !== sep) return false
      if (buf[tagStart] === 0x55 && buf[tagStart + 1] === 0x4e) {
        // Service segments take segment(), except a plain UNT closing the open message.
        return tagEnd - tagStart === 3 && buf[tagStart + 2] === 0x54 && rawUnt(m, buf, tagStart, tagEnd, end, offset, index, line, endOffset)
      }
      lastEnd = endOffset
      if (m.big || endOffset - m.start > MAX_MESSAGE_BYTES || m.segments.n >= MAX_MESSAGE_SEGMENTS) drop(m, offset, line)
      else m.segments.pushRaw(buf, tagStart, tagEnd, end, offset, index, line)
      const v = m.validator
      if (v !== undefined) {
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
    },
    segment(s, end, view) {
      lastEnd = end
      // Fast path: a data segment inside a message (service segments all start with "UN").
      const tag = s.tag
      if (msg !== undefined && (tag.charCodeAt(0) !== 0x55 || tag.charCodeAt(1) !== 0x4e)) {
        const m = msg
        if (m.big || end - m.start > MAX_MESSAGE_BYTES || m.segments.n >= MAX_MESSAGE_SEGMENTS) drop(m, s.pos.offset, s.pos.line)
        else m.segments.pushObject(s)
        if (m.validator !== undefined) m.validator.step(s, view)
        return
      }
      switch (tag) {
        case 'UNB':
          return onUnb(s)
        case 'UNG':
          return onUng(s)
        case 'UNH':
          return onUnh(s)
        case 'UNT':
          return onUnt(s, end)
        case 'UNE':
          return onUne(s)
        case 'UNZ':
          return onUnz(s, end)
      }
      if (msg) {
        const m = msg
        if (m.big || end - m.start > MAX_MESSAGE_BYTES || m.segments.n >= MAX_MESSAGE_SEGMENTS) drop(m, s.pos.offset, s.pos.line)
        else m.segments.pushObject(s)
        if (m.validator !== undefined) m.validator.step(s, view)
        return
      }
      if (ich) {
        ichIssue(issue('segment_unexpected', 'interchange', `${s.tag} outside a message (UNH..UNT)`, { segment: s.tag, position: s.pos }))
        return
      }
      outside(s)
    },
    end() {
      if (ich) closeInterchange(undefined, lastEnd)
      if (a.interchanges === 0) {
        fileIssues.unshift(issue('envelope_unreadable', 'file', 'no UNB interchange header found', {}))
      }
      const more = overflowIssue('file', fileOver)
      if (more) fileIssues.push(more)
    },
  }

  /** An interchange-level finding about one segment: kept while under the cap, else counted. */
  function ichIssue(i: EdiIssue): void {
    if (ich!.issues.length < MAX_ISSUES) ich!.issues.push(compactIssue(i))
    else ichOver.add(i)
  }

  /**
   * A body segment of a message over the size limit: the first time, the message is rejected
   * and its body dropped (UNH stays, for CONTRL UCM S009); from then on only counted.
   */
  function drop(m: OpenMessage, offset: number, line: number): void {
    m.skipped++
    if (m.big) return
    m.big = true
    const unh = m.segments.get(0)
    m.skipped += m.segments.n - 1
    const store = new SegmentStore(m.segments.sep, scratch)
    store.pushObject(unh)
    m.segments = store
    const bySegs = m.skipped >= MAX_MESSAGE_SEGMENTS
    const why = bySegs ? `${MAX_MESSAGE_SEGMENTS} segments` : `${MAX_MESSAGE_BYTES} bytes`
    m.issues.push(compactIssue(
      issue('transaction_too_large', 'transaction', `message ${m.h.ref} is over the limit of ${why} (reached at offset ${offset}, line ${line}); rejected, its content is not kept`, {
        segment: 'UNH',
        position: unh.pos,
        value: String(bySegs ? MAX_MESSAGE_SEGMENTS : MAX_MESSAGE_BYTES),
      })
    ))
  }

  function outside(s: Segment) {
    if (garbage) return
    garbage = true
    fileIssues.push(issue('trailing_garbage', 'file', `${s.tag || 'data'} outside any UNB..UNZ interchange`, { segment: s.tag, position: s.pos }))
  }

  function onUnb(s: Segment) {
    if (ich) closeInterchange(undefined, s.pos.offset)
    garbage = false
    const r = readUnb(s)
    unb = r.header
    ich = {
      standard: 'edifact',
      sender: r.header.sender,
      receiver: r.header.receiver,
      controlNumber: r.header.controlNumber,
      test: r.header.test,
      date: r.header.date,
      time: r.header.time,
      syntax: `${r.header.syntaxId}:${r.header.syntaxVersion}`,
      ackRequested: r.header.ackRequested,
      delimiters: opts.delimiters(),
      issues: r.issues.map(compactIssue),
      groups: [],
      span: { start: s.pos.offset, end: s.pos.offset },
    }
    synthetic = new Map()
    msgsInIch = 0
    groupsInIch = 0
    ichOver.reset()
  }

  function onUng(s: Segment) {
    if (!ich) return outside(s)
    if (msg) closeMessage(undefined, s.pos.offset)
    if (group) closeGroup(undefined, s)
    const r = readUng(s)
    group = {
      type: r.header.type,
      controlNumber: r.header.controlNumber,
      version: r.header.version,
      senderId: r.header.sender.id,
      receiverId: r.header.receiver.id,
      explicit: true,
      issues: r.issues,
      transactions: [],
    }
    ich.groups.push(group)
    groupsInIch++
    groupMsgs = 0
  }

  function onUnh(s: Segment) {
    if (!ich) return outside(s)
    if (msg) closeMessage(undefined, s.pos.offset)
    const r = readUnh(s)
    const h = r.header
    let validator: MessageValidator | undefined
    let dictIssues = NO_ISSUES
    let far = false
    if (opts.validate) {
      if (h.type !== lastType || h.version !== lastVersion) {
        lastType = h.type
        lastVersion = h.version
        lastFound = h.type ? findMessageDef(h.type, h.version) : undefined
      }
      const found = lastFound
      if (!found) {
        dictIssues = [issue('dictionary_unavailable', 'transaction', `no dictionary for ${h.type} ${h.version}; envelope checked only`, { segment: 'UNH', position: s.pos, severity: 'warning', value: `${h.type}:${h.version}` })]
      } else {
        if (found.substituted) {
          dictIssues = [issue('dictionary_substituted', 'transaction', `no dictionary for ${h.type} ${h.version}; validated against ${found.def.version}`, { segment: 'UNH', position: s.pos, severity: 'warning', value: found.def.version })]
          // A dictionary more than two release-years away may disagree with the sender's own
          // directory: its findings are reported as warnings only (documented choice).
          far = releaseDistance(h.version, found.def.version) > 2
        }
        // One validator per message definition, reset per message (messages never overlap).
        validator = found.def === lastDef ? lastValidator : validators.get(found.def)
        if (validator === undefined) validators.set(found.def, (validator = createMessageValidator(found.def)))
        else validator.reset()
        lastDef = found.def
        lastValidator = validator
      }
    }
    const store = new SegmentStore(opts.sep(), scratch)
    store.pushObject(s)
    msg = { h, segments: store, issues: r.issues.length === 0 ? [] : r.issues.map(compactIssue), start: s.pos.offset, validator, dictIssues, far, big: false, skipped: 0 }
  }

  function onUnt(s: Segment, end: number) {
    if (!ich) return outside(s)
    if (!msg) {
      ichIssue(issue('segment_unexpected', 'interchange', 'UNT without a UNH', { segment: 'UNT', position: s.pos }))
      return
    }
    msg.segments.pushObject(s)
    closeMessage(s, end)
  }

  function onUne(s: Segment) {
    if (!ich) return outside(s)
    if (msg) closeMessage(undefined, s.pos.offset)
    if (!group) {
      ichIssue(issue('segment_unexpected', 'interchange', 'UNE without a UNG', { segment: 'UNE', position: s.pos }))
      return
    }
    closeGroup(s, s)
  }

  function onUnz(s: Segment, end: number) {
    if (!ich) return outside(s)
    closeInterchange(s, end)
  }

  function groupFor(type: string, version: string): ParsedGroup {
    if (group) return group
    let g = synthetic.get(type)
    if (!g) {
      g = { type, controlNumber: '', version, explicit: false, issues: [], transactions: [] }
      synthetic.set(type, g)
      ich!.groups.push(g)
    }
    return g
  }

  /**
   * A UNT of printable ASCII without release characters, straight from the bytes: kept as a
   * record like the body segments, its two values read without tokenizing. False (nothing
   * done) sends it the ordinary way.
   */
  function rawUnt(m: OpenMessage, buf: Buffer, tagStart: number, tagEnd: number, end: number, offset: number, index: number, line: number, endOffset: number): boolean {
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
    lastEnd = endOffset
    m.segments.pushRaw(buf, tagStart, tagEnd, end, offset, index, line)
    closeWith(true, c0, c1, undefined, endOffset)
    return true
  }

  function closeMessage(unt: Segment | undefined, end: number) {
    if (unt === undefined) closeWith(false, '', '', undefined, end)
    else closeWith(true, comp(unt, 0), comp(unt, 1), unt, end)
  }

  /**
   * Closes the open message; with a UNT whose first components are c0 (0074) and c1 (0062).
   * `unt` undefined with hasUnt: the UNT is the last segment of the store (read for positions).
   */
  function closeWith(hasUnt: boolean, c0: string, c1: string, unt: Segment | undefined, end: number) {
    const m = msg!
    msg = undefined
    m.segments.close()
    const issues = m.issues
    if (!hasUnt) {
      issues.push(issue('transaction_trailer_missing', 'transaction', `message ${m.h.ref} has no UNT`, { segment: 'UNH', position: m.segments.get(0).pos }))
    } else {
      const actual = m.segments.length + m.skipped
      if (countOf(c0) !== actual) {
        unt ??= m.segments.get(m.segments.length - 1)
        issues.push(issue('transaction_count_mismatch', 'transaction', `UNT says ${c0} segments, message has ${actual}`, { segment: 'UNT', position: unt.pos, element: 1, ref: '0074', value: c0 }))
      }
      if (c1 !== m.h.ref) {
        unt ??= m.segments.get(m.segments.length - 1)
        issues.push(issue('transaction_control_mismatch', 'transaction', `UNT reference "${c1}" differs from UNH "${m.h.ref}"`, { segment: 'UNT', position: unt.pos, element: 2, ref: '0062', value: c1 }))
      }
    }
    for (let k = 0; k < m.dictIssues.length; k++) issues.push(m.dictIssues[k])
    // The first MAX_ISSUES in order (header, trailer, dictionary, body), then one summary that
    // counts the rest exactly, the validator's overflow included.
    const over = msgOver
    over.reset()
    if (m.validator !== undefined) {
      for (const i of m.validator.finish()) issues.push(m.far ? { ...i, severity: 'warning' } : i)
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
    const tx: ParsedTransaction = opts.retain
      ? { type: m.h.type, controlNumber: m.h.ref, version: m.h.version, status, issues, segments: m.segments.toPlainArray(), span }
      : (new LazyTransaction(m.h, status, issues, m.segments, span) as ParsedTransaction)
    if (m.h.association) tx.implementation = m.h.association
    const g = groupFor(m.h.type, m.h.version)
    if (opts.retain) g.transactions.push(tx)
    msgsInIch++
    groupMsgs++
    events.onMessage?.(tx, g, ich!)
  }

  function closeGroup(une: Segment | undefined, at: Segment) {
    const g = group!
    group = undefined
    if (!une) {
      g.issues.push(issue('group_trailer_missing', 'group', `group ${g.controlNumber} has no UNE`, { segment: 'UNE', position: at.pos }))
      return
    }
    const declared = count(une)
    if (declared !== groupMsgs) {
      g.issues.push(issue('group_count_mismatch', 'group', `UNE says ${comp(une, 0)} messages, group has ${groupMsgs}`, { segment: 'UNE', position: une.pos, element: 1, ref: '0060', value: comp(une, 0) }))
    }
    if (comp(une, 1) !== g.controlNumber) {
      g.issues.push(issue('group_control_mismatch', 'group', `UNE reference "${comp(une, 1)}" differs from UNG "${g.controlNumber}"`, { segment: 'UNE', position: une.pos, element: 2, ref: '0048', value: comp(une, 1) }))
    }
  }

  function closeInterchange(unz: Segment | undefined, end: number) {
    const x = ich!
    if (msg) closeMessage(undefined, unz ? unz.pos.offset : end)
    if (group) closeGroup(undefined, unz ?? msgLessPos(x))
    if (!unz) {
      x.issues.push(issue('interchange_trailer_missing', 'interchange', `interchange ${x.controlNumber} has no UNZ`, { segment: 'UNZ' }))
    } else {
      // UNZ 0036 counts groups when UNG is used, otherwise messages (ISO 9735-1 §6.1).
      const actual = groupsInIch > 0 ? groupsInIch : msgsInIch
      const declared = count(unz)
      if (declared !== actual) {
        x.issues.push(issue('interchange_count_mismatch', 'interchange', `UNZ says ${comp(unz, 0)} ${groupsInIch > 0 ? 'groups' : 'messages'}, interchange has ${actual}`, { segment: 'UNZ', position: unz.pos, element: 1, ref: '0036', value: comp(unz, 0) }))
      }
      if (comp(unz, 1) !== x.controlNumber) {
        x.issues.push(issue('interchange_control_mismatch', 'interchange', `UNZ reference "${comp(unz, 1)}" differs from UNB "${x.controlNumber}"`, { segment: 'UNZ', position: unz.pos, element: 2, ref: '0020', value: comp(unz, 1) }))
      }
    }
    const more = overflowIssue('interchange', ichOver)
    if (more) x.issues.push(more)
    x.span.end = end
    ich = undefined
    unb = undefined
    a.interchanges++
    events.onInterchange?.(x)
  }

  const msgLessPos = (x: ParsedInterchange): Segment => ({ tag: 'UNE', elements: [], pos: { offset: x.span.start, index: 0, line: 0 } })

  return a
}
