/**
 * Streaming X12 reader: lexer → envelope state machine (ISA/GS/ST nesting, X12.5 control
 * numbers and counts) → incremental dictionary validation, one transaction at a time.
 * Memory is bounded by one transaction's segments (or nothing, with keepSegments: false).
 * A broken ST..SE never spoils its neighbours: each transaction gets its own status.
 */
import { issue, type EdiIssue } from '../issues.ts'
import { compactIssue, keepIssue, MAX_ISSUES, Overflow, overflowIssue } from '../limits.ts'
import type { Delimiters, ParsedGroup, ParsedInterchange, ParsedTransaction, Position, Segment } from '../types.ts'
import { x12TransactionDef } from '../dictionary/x12-sets.ts'
import { recordTriggers } from './ack-context.ts'
import { createX12Lexer, type X12Lexer, type X12LexerSink } from './lexer.ts'
import { elementText, LazySegment, splitSegment } from './split.ts'
import { T_SE, tagIdAt, tagName } from './tags.ts'
import { transactionStatus } from './status.ts'
import { createTxValidator, SpanRef, type TxValidator } from './validate.ts'
import { checkSt, checkTrailer, openedGroup } from './envelope-rules.ts'

/** A transaction as we produce it: `stIndex` (file index of its ST) lets acks compute AK302. */
export type X12Transaction = ParsedTransaction & { stIndex: number }

export interface X12ReaderOptions {
  /** Keep each transaction's segments (default true). false = constant memory. */
  keepSegments?: boolean
  /** Attach transactions to groups and groups to interchanges (default true). */
  keepTransactions?: boolean
  /** Validate against the dictionaries (default true); false = envelope checks only. */
  validate?: boolean
}

export interface X12ReaderHandlers {
  onTransaction?(tx: X12Transaction, group: ParsedGroup, interchange: ParsedInterchange): void
  onGroup?(group: ParsedGroup, interchange: ParsedInterchange): void
  onInterchange?(interchange: ParsedInterchange): void
}

export interface X12ReadResult {
  /** File-level issues (garbage, unreadable headers, nothing readable). */
  issues: EdiIssue[]
  unreadable: boolean
  interchanges: number
  segments: number
  bytes: number
}

export interface X12Reader {
  push(chunk: Buffer): void
  end(): X12ReadResult
}


interface OpenTx {
  tx: X12Transaction
  count: number
  validator: TxValidator | undefined
}

/**
 * @example
 * const reader = createX12Reader({ onTransaction: (tx) => save(tx) }, { keepSegments: false })
 * for await (const chunk of stream) reader.push(chunk)
 * const { issues, unreadable } = reader.end()
 */
export function createX12Reader(handlers: X12ReaderHandlers, opts: X12ReaderOptions = {}): X12Reader {
  return new StreamReader(handlers, opts)
}

/**
 * The reader is the lexer's sink. A class, not closures per reader: the methods exist once per
 * process, so their optimized code survives between files (closures died with their reader,
 * and the next major GC took their optimized code along).
 */
class StreamReader implements X12Reader, X12LexerSink {
  declare readonly handlers: X12ReaderHandlers
  declare readonly keepSegments: boolean
  declare readonly keepTransactions: boolean
  declare readonly validate: boolean
  declare readonly fileIssues: EdiIssue[]
  declare readonly lexer: X12Lexer
  declare delims: Delimiters
  declare isaIssues: EdiIssue[]
  declare ic: ParsedInterchange | null
  declare groupCount: number
  declare grp: ParsedGroup | null
  declare txCount: number
  declare open: OpenTx | null
  declare interchanges: number
  declare segments: number
  /** Segments outside any set in the open interchange (for interchange_no_transactions). */
  declare strays: number
  /** Transaction sets opened in the open interchange (in a group or not). */
  declare icTx: number
  /** Next component/repetition separator in the current chunk string, searched once per view. */
  declare nextComp: number
  declare nextRep: number
  /** The segment validated in place when it is not kept (one object for the whole stream). */
  declare readonly ref: SpanRef
  declare sepCode: number
  /** Issues past the cap (src/edi/limits.ts) of the open group, the open interchange, the file. */
  declare readonly grpOver: Overflow
  declare readonly icOver: Overflow
  declare readonly fileOver: Overflow

  constructor(handlers: X12ReaderHandlers, opts: X12ReaderOptions) {
    this.handlers = handlers
    this.keepSegments = opts.keepSegments ?? true
    this.keepTransactions = opts.keepTransactions ?? true
    this.validate = opts.validate ?? true
    this.fileIssues = []
    this.delims = { element: '*', component: '>', segment: '~' }
    this.isaIssues = []
    this.ic = null
    this.groupCount = 0
    this.grp = null
    this.txCount = 0
    this.open = null
    this.interchanges = 0
    this.segments = 0
    this.strays = 0
    this.icTx = 0
    this.nextComp = -1
    this.nextRep = -1
    this.ref = new SpanRef()
    this.sepCode = 42
    this.grpOver = new Overflow()
    this.icOver = new Overflow()
    this.fileOver = new Overflow()
    this.lexer = createX12Lexer(this)
  }

  push(chunk: Buffer): void {
    this.lexer.push(chunk)
  }

  end(): X12ReadResult {
    const lexer = this.lexer
    lexer.end()
    if (this.ic) this.closeInterchange(null, lexer.offset)
    const fileIssues = this.fileIssues
    if (this.interchanges === 0 && !fileIssues.some((i) => i.code === 'envelope_unreadable')) {
      fileIssues.push(issue('envelope_unreadable', 'file', 'no X12 interchange (ISA) found', {}))
    }
    const more = overflowIssue('file', this.fileOver)
    if (more) fileIssues.push(more)
    return { issues: fileIssues, unreadable: this.interchanges === 0, interchanges: this.interchanges, segments: this.segments, bytes: lexer.offset }
  }

  text(seg: Segment, i: number): string {
    return elementText(seg, i, this.delims.component)
  }

  // --- lexer sink

  interchange(d: Delimiters, issues: EdiIssue[], _pos: Position): void {
    this.delims = d
    this.sepCode = d.element.charCodeAt(0)
    this.isaIssues = issues
    this.nextComp = -1
    this.nextRep = -1
  }

  isa(seg: Segment, end: number): void {
    this.segments++
    if (this.ic) this.closeInterchange(null, seg.pos.offset)
    this.openInterchange(seg, end)
  }

  view(_s: string): void {
    this.nextComp = -1
    this.nextRep = -1
  }

  segment(s: string, start: number, stop: number, offset: number, index: number, line: number, end: number): boolean {
    this.segments++
    const sc = this.sepCode
    // Tags are 2-3 characters: a char loop beats a native indexOf call.
    let te = start
    while (te < stop && s.charCodeAt(te) !== sc) te++
    const id = tagIdAt(s, start, te)
    // Ids 0..T_SE are the envelope segments (tags.ts); the rest of a transaction goes on.
    const open = this.open
    if (open !== null && (id < 0 || id > T_SE)) {
      open.count++
      const v = open.validator
      const tag = id >= 0 ? tagName(id) : s.slice(start, te)
      // Fast path: no composite/repeat inside → validate the text in place, and when the
      // segment is kept for the map engine, split it straight from the chunk string.
      if (!this.hasInner(s, start, stop)) {
        if (this.keepSegments) {
          const seg = new LazySegment(tag, { offset, index, line }, s, te, stop, sc)
          open.tx.segments.push(seg)
          return v !== undefined && v.segmentSpan(id, seg, s, te, stop, sc)
        }
        // The validator's "read it all, nothing below 32" spares the lexer its LF search.
        return v !== undefined && v.segmentSpan(id, this.ref.set(tag, offset, index, line), s, te, stop, sc)
      }
      const seg = splitSegment(s.slice(start, stop), this.delims, { offset, index, line })
      if (this.keepSegments) open.tx.segments.push(seg)
      v?.segment(seg)
      return false
    }
    this.envelope(splitSegment(s.slice(start, stop), this.delims, { offset, index, line }), end)
    return false
  }

  fileIssue(i: EdiIssue): void {
    keepIssue(this.fileIssues, compactIssue(i), this.fileOver)
  }

  // --- envelopes

  hasInner(s: string, start: number, stop: number): boolean {
    if (this.nextComp !== Infinity && this.nextComp < start) {
      const k = s.indexOf(this.delims.component, start)
      this.nextComp = k < 0 ? Infinity : k
    }
    if (this.nextComp < stop) return true
    const rep = this.delims.repetition
    if (rep === undefined) return false
    if (this.nextRep !== Infinity && this.nextRep < start) {
      const k = s.indexOf(rep, start)
      this.nextRep = k < 0 ? Infinity : k
    }
    return this.nextRep < stop
  }

  envelope(seg: Segment, end: number): void {
    // Reached for envelope segments, and for any segment outside a transaction set.
    switch (seg.tag) {
      case 'IEA':
        this.closeInterchange(seg, end)
        return
      case 'GS':
        this.closeGroup(null)
        this.openGroup(seg)
        return
      case 'GE':
        if (this.grp) this.closeGroup(seg)
        else this.stray(seg)
        return
      case 'ST':
        if (this.open) this.closeTx(null, seg.pos.offset)
        this.openTx(seg)
        return
      case 'SE':
        if (this.open) this.closeTx(seg, end)
        else this.stray(seg)
        return
      case 'TA1': {
        // X12.5: TA1 segments sit between ISA and the first GS of an interchange; kept there
        // (a partner's acknowledgment of our interchange), reported anywhere else.
        const ic = this.ic
        // (At most MAX_ISSUES of them: a file of nothing but TA1s must not grow memory.)
        if (this.grp || this.groupCount > 0 || !ic || (ic.ta1 !== undefined && ic.ta1.length >= MAX_ISSUES)) this.stray(seg)
        else (ic.ta1 ??= []).push({ offset: seg.pos.offset, elements: seg.elements.map((_, i) => this.text(seg, i)) })
        return
      }
      case 'ISB':
      case 'ISE':
        // X12.5 interchange control segments (ISB grade of service request, ISE deferred
        // delivery request): they sit between ISA and the first GS, like TA1. Nothing for us to
        // act on; anywhere else they are stray.
        if (this.grp || this.groupCount > 0 || !this.ic) this.stray(seg)
        return
      default:
        this.stray(seg)
    }
  }

  /**
   * A segment outside any transaction set, reported on its group or interchange. Garbage can hold
   * one per segment: kept up to the cap, then counted (src/edi/limits.ts).
   */
  stray(seg: Segment): void {
    this.strays++
    const grp = this.grp
    const i = issue('segment_unexpected', grp ? 'group' : 'interchange', `${seg.tag.slice(0, 3)} outside a transaction set`, { segment: seg.tag.slice(0, 3), position: seg.pos })
    if (grp) keepIssue(grp.issues, compactIssue(i), this.grpOver)
    else if (this.ic) keepIssue(this.ic.issues, compactIssue(i), this.icOver)
  }

  closeTx(se: Segment | null, end: number): void {
    if (!this.open || !this.grp || !this.ic) return
    const { tx } = this.open
    if (se === null) {
      tx.issues.push(issue('transaction_trailer_missing', 'transaction', `ST ${tx.controlNumber} has no SE trailer`, { segment: 'SE' }))
    } else {
      checkTrailer('SE', se, this.open.count + 1, tx.controlNumber, this.delims.component, tx.issues)
    }
    this.open.validator?.finish(se?.pos)
    if (se && this.keepSegments) tx.segments.push(se)
    tx.span.end = end
    tx.status = transactionStatus(tx.issues)
    this.open = null
    if (this.keepTransactions) this.grp.transactions.push(tx)
    this.handlers.onTransaction?.(tx, this.grp, this.ic)
  }

  closeGroup(ge: Segment | null): void {
    if (!this.grp || !this.ic) return
    this.closeTx(null, ge?.pos.offset ?? this.ic.span.end)
    const g = this.grp
    if (g.explicit) {
      if (ge === null) {
        g.issues.push(issue('group_trailer_missing', 'group', `GS ${g.controlNumber} has no GE trailer`, { segment: 'GE' }))
      } else {
        checkTrailer('GE', ge, this.txCount, g.controlNumber, this.delims.component, g.issues)
      }
    }
    const more = overflowIssue('group', this.grpOver)
    if (more) g.issues.push(more)
    this.grpOver.reset()
    this.grp = null
    if (this.keepTransactions) this.ic.groups.push(g)
    this.handlers.onGroup?.(g, this.ic)
  }

  closeInterchange(iea: Segment | null, end: number): void {
    if (!this.ic) return
    this.ic.span.end = end
    this.closeGroup(null)
    if (iea === null) {
      this.ic.issues.push(issue('interchange_trailer_missing', 'interchange', `ISA ${this.ic.controlNumber} has no IEA trailer`, { segment: 'IEA' }))
    } else {
      checkTrailer('IEA', iea, this.groupCount, this.ic.controlNumber, this.delims.component, this.ic.issues)
    }
    // Content after the ISA but not one group or set read from it (a terminator the reader
    // cannot use, say): the interchange is rejected with the reason (TA1 R, 024), first so that
    // the TA105 names it. An empty interchange, or one of TA1s only, is not this.
    if (this.groupCount === 0 && this.icTx === 0 && this.strays > 0 && this.ic.ta1 === undefined) {
      // The tags are bytes we could not read: shown printable (anything else as '?').
      const tags = [...new Set(this.ic.issues.filter((i) => i.code === 'segment_unexpected').map((i) => (i.segment ?? '').replace(/[^\x20-\x7e]/g, '?')))].slice(0, 3)
      this.ic.issues.unshift(
        issue('interchange_no_transactions', 'interchange', `no functional group or transaction set could be read from interchange ${this.ic.controlNumber}: ${this.strays} segment(s) after the ISA were not recognized (first tags ${tags.map((t) => `'${t}'`).join(', ')}); is ISA16 followed by the segment terminator the file uses (a single byte)?`, { segment: 'ISA' })
      )
    }
    const more = overflowIssue('interchange', this.icOver)
    if (more) this.ic.issues.push(more)
    this.icOver.reset()
    const done = this.ic
    this.ic = null
    this.handlers.onInterchange?.(done)
  }

  openInterchange(isa: Segment, end: number): void {
    const f = isa.elements.map((e) => e[0])
    this.ic = {
      standard: 'x12',
      sender: { qualifier: f[4].trim(), id: f[5].trim() },
      receiver: { qualifier: f[6].trim(), id: f[7].trim() },
      controlNumber: f[12],
      test: f[14] === 'T',
      date: f[8],
      time: f[9],
      syntax: f[11],
      ackRequested: f[13] === '1',
      delimiters: this.delims,
      issues: this.isaIssues,
      groups: [],
      span: { start: isa.pos.offset, end },
    }
    this.groupCount = 0
    this.strays = 0
    this.icTx = 0
    this.interchanges++
  }

  openGroup(gs: Segment): void {
    if (!this.ic) return
    this.groupCount++
    this.txCount = 0
    const g = openedGroup(gs, this.delims.component)
    this.grp = g
  }

  openTx(st: Segment): void {
    if (!this.ic) return
    if (!this.grp) {
      // ST outside GS: an envelope error (X12.5: an interchange holds functional groups, a set
      // sits in one). Kept readable in a made-up group so the pipeline can store and show it.
      // Once per interchange, past the cap on stray segments: the TA1 answers from it (024).
      const issues = this.ic.issues
      if (!issues.some((i) => i.code === 'transaction_outside_group')) issues.push(issue('transaction_outside_group', 'interchange', 'ST outside a GS..GE functional group', { segment: 'ST', position: st.pos }))
      this.grp = { type: '', controlNumber: '', version: '', explicit: false, issues: [], transactions: [] }
    }
    this.txCount++
    this.icTx++
    const type = this.text(st, 0)
    const st03 = this.text(st, 2)
    const tx: X12Transaction = {
      type,
      controlNumber: this.text(st, 1),
      version: this.grp.version,
      ...(st03 ? { implementation: st03 } : {}),
      status: 'accepted',
      issues: [],
      segments: this.keepSegments ? [st] : [],
      span: { start: st.pos.offset, end: st.pos.offset },
      stIndex: st.pos.index,
    }
    checkSt(st, type, tx.controlNumber, this.grp, tx.issues)
    const def = this.validate ? x12TransactionDef(type, this.grp.version) : undefined
    if (this.validate && !def) {
      tx.issues.push(
        issue('transaction_not_validated', 'transaction', `no dictionary for ${type} in version '${this.grp.version}': envelope checked only`, { severity: 'warning', segment: 'ST', position: st.pos })
      )
    }
    // 999 CTX context (ack-context) from the kept segments, once per set: off the per-segment path.
    const validator = def ? createTxValidator(def, tx.issues, this.keepSegments ? () => recordTriggers(tx.issues, tx.segments, def) : undefined) : undefined
    this.open = { tx, count: 1, validator }
  }
}

/**
 * Optimized code checks objects against their hidden classes and holds those classes weakly.
 * The classes of a reader's objects (the reader, its lexer, validators, transactions, lazy
 * segments) hang off transition chains that nothing else keeps: between files no object has
 * them, and the next full GC drops them together with every piece of optimized code that
 * embeds them ("weak objects" deoptimizations), so each file after one ran interpreted until
 * re-optimized (measured: 856 at ~82 instead of ~120 MB/s CPU time when a full GC ran between
 * files). A tiny interchange read at load, kept with its readers, keeps one object of each kind
 * alive. It holds a few kilobytes. The EDIFACT reader does the same (edifact/reader.ts).
 */
const SHAPES: unknown[] = []
{
  const text =
    'ISA*00*          *00*          *ZZ*S              *ZZ*R              *240101*1200*U*00401*000000001*0*P*>~' +
    'GS*PO*S*R*20240101*1200*1*X*004010~ST*850*0001~BEG*00*SA*P1**20240101~PO1*1*2*EA*1.5**BP*A~CTT*1~SE*5*0001~GE*1*1~' +
    'GS*SH*S*R*20240101*1200*2*X*004010~ST*856*0002~BSN*00*A1*20240101*1200~HL*1**S~TD1*CTN25*1~HL*2*1*O~PRF*P1~' +
    'HL*3*2*P~MAN*GM*00000000000000000001~HL*4*3*I~LIN*1*BP*A~SN1**2*EA~CTT*4~SE*14*0002~GE*1*2~IEA*2*000000001~'
  for (const keepSegments of [true, false]) {
    const r = createX12Reader({ onTransaction: (tx, g, ic) => void SHAPES.push(tx, g, ic) }, { keepSegments, keepTransactions: keepSegments })
    r.push(Buffer.from(text, 'latin1'))
    SHAPES.push(r, r.end())
  }
  // Validators (and their loop frames) end with their transaction: validate the kept sets once
  // more with validators that stay here.
  for (const tx of SHAPES.filter((x): x is X12Transaction => (x as X12Transaction).stIndex !== undefined && (x as X12Transaction).segments.length > 0)) {
    const def = x12TransactionDef(tx.type, tx.version)
    if (def === undefined) continue
    const v = createTxValidator(def, [], undefined)
    for (const seg of tx.segments.slice(1, -1)) v.segment(seg)
    v.finish(undefined)
    SHAPES.push(v)
  }
}
