/**
 * Streaming X12 reader: lexer → envelope state machine (ISA/GS/ST nesting, X12.5 control
 * numbers and counts) → incremental dictionary validation, one transaction at a time.
 * Memory is bounded by one transaction's segments (or nothing, with keepSegments: false).
 * A broken ST..SE never spoils its neighbours: each transaction gets its own status.
 */
import { issue, type EdiIssue } from '../issues.ts'
import type { Delimiters, ParsedGroup, ParsedInterchange, ParsedTransaction, Position, Segment } from '../types.ts'
import { SEGMENTS_004010 } from '../dictionary/x12-segments.ts'
import { x12TransactionDef } from '../dictionary/x12-sets.ts'
import { functionalIdOf } from '../dictionary/x12-groups.ts'
import { recordTriggers } from './ack-context.ts'
import { createX12Lexer } from './lexer.ts'
import { elementText, LazySegment, splitSegment } from './split.ts'
import { T_SE, tagIdAt, tagName } from './tags.ts'
import { transactionStatus } from './status.ts'
import { createTxValidator, SpanRef, type TxValidator } from './validate.ts'
import { validateElements } from './validate-elements.ts'

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

const { GS: GS_DEF, GE: GE_DEF, ST: ST_DEF, SE: SE_DEF, IEA: IEA_DEF } = SEGMENTS_004010

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
  const keepSegments = opts.keepSegments ?? true
  const keepTransactions = opts.keepTransactions ?? true
  const validate = opts.validate ?? true
  const fileIssues: EdiIssue[] = []
  let delims: Delimiters = { element: '*', component: '>', segment: '~' }
  let isaIssues: EdiIssue[] = []
  let ic: ParsedInterchange | null = null
  let groupCount = 0
  let grp: ParsedGroup | null = null
  let txCount = 0
  let open: OpenTx | null = null
  let interchanges = 0
  let segments = 0

  const text = (seg: Segment, i: number): string => elementText(seg, i, delims.component)

  function closeTx(se: Segment | null, end: number): void {
    if (!open || !grp || !ic) return
    const { tx } = open
    if (se === null) {
      tx.issues.push(issue('transaction_trailer_missing', 'transaction', `ST ${tx.controlNumber} has no SE trailer`, { segment: 'SE' }))
    } else {
      validateElements(se, SE_DEF, undefined, tx.issues)
      const count = open.count + 1
      const se01 = text(se, 0)
      if (se01 !== String(count)) {
        tx.issues.push(issue('transaction_count_mismatch', 'transaction', `SE01 says ${se01} segments, the set has ${count}`, { segment: 'SE', position: se.pos, element: 1, value: se01 }))
      }
      const se02 = text(se, 1)
      if (se02 !== tx.controlNumber) {
        tx.issues.push(issue('transaction_control_mismatch', 'transaction', `SE02 '${se02}' does not match ST02 '${tx.controlNumber}'`, { segment: 'SE', position: se.pos, element: 2, value: se02 }))
      }
    }
    open.validator?.finish(se?.pos)
    if (se && keepSegments) tx.segments.push(se)
    tx.span.end = end
    tx.status = transactionStatus(tx.issues)
    open = null
    if (keepTransactions) grp.transactions.push(tx)
    handlers.onTransaction?.(tx, grp, ic)
  }

  function closeGroup(ge: Segment | null): void {
    if (!grp || !ic) return
    closeTx(null, ge?.pos.offset ?? ic.span.end)
    const g = grp
    if (g.explicit) {
      if (ge === null) {
        g.issues.push(issue('group_trailer_missing', 'group', `GS ${g.controlNumber} has no GE trailer`, { segment: 'GE' }))
      } else {
        validateElements(ge, GE_DEF, undefined, g.issues)
        const ge01 = text(ge, 0)
        if (ge01 !== String(txCount)) {
          g.issues.push(issue('group_count_mismatch', 'group', `GE01 says ${ge01} transaction sets, the group has ${txCount}`, { segment: 'GE', position: ge.pos, element: 1, value: ge01 }))
        }
        const ge02 = text(ge, 1)
        if (ge02 !== g.controlNumber) {
          g.issues.push(issue('group_control_mismatch', 'group', `GE02 '${ge02}' does not match GS06 '${g.controlNumber}'`, { segment: 'GE', position: ge.pos, element: 2, value: ge02 }))
        }
      }
    }
    grp = null
    if (keepTransactions) ic.groups.push(g)
    handlers.onGroup?.(g, ic)
  }

  function closeInterchange(iea: Segment | null, end: number): void {
    if (!ic) return
    ic.span.end = end
    closeGroup(null)
    if (iea === null) {
      ic.issues.push(issue('interchange_trailer_missing', 'interchange', `ISA ${ic.controlNumber} has no IEA trailer`, { segment: 'IEA' }))
    } else {
      validateElements(iea, IEA_DEF, undefined, ic.issues)
      const iea01 = text(iea, 0)
      if (iea01 !== String(groupCount)) {
        ic.issues.push(issue('interchange_count_mismatch', 'interchange', `IEA01 says ${iea01} functional groups, the interchange has ${groupCount}`, { segment: 'IEA', position: iea.pos, element: 1, value: iea01 }))
      }
      const iea02 = text(iea, 1)
      if (iea02 !== ic.controlNumber) {
        ic.issues.push(issue('interchange_control_mismatch', 'interchange', `IEA02 '${iea02}' does not match ISA13 '${ic.controlNumber}'`, { segment: 'IEA', position: iea.pos, element: 2, value: iea02 }))
      }
    }
    const done = ic
    ic = null
    handlers.onInterchange?.(done)
  }

  function openInterchange(isa: Segment, end: number): void {
    const f = isa.elements.map((e) => e[0])
    ic = {
      standard: 'x12',
      sender: { qualifier: f[4].trim(), id: f[5].trim() },
      receiver: { qualifier: f[6].trim(), id: f[7].trim() },
      controlNumber: f[12],
      test: f[14] === 'T',
      date: f[8],
      time: f[9],
      syntax: f[11],
      ackRequested: f[13] === '1',
      delimiters: delims,
      issues: isaIssues,
      groups: [],
      span: { start: isa.pos.offset, end },
    }
    groupCount = 0
    interchanges++
  }

  function openGroup(gs: Segment): void {
    if (!ic) return
    groupCount++
    txCount = 0
    const g: ParsedGroup = {
      type: text(gs, 0),
      controlNumber: text(gs, 5),
      version: text(gs, 7),
      senderId: text(gs, 1),
      receiverId: text(gs, 2),
      explicit: true,
      issues: [],
      transactions: [],
    }
    // GS element problems are noted on the group (AK9 E); a malformed GS08 rejects it.
    const found: EdiIssue[] = []
    validateElements(gs, GS_DEF, undefined, found)
    for (const i of found) g.issues.push({ ...i, level: 'group', severity: 'warning' })
    // GS01/GS06 that a 997/999 cannot echo (AK101 ID 2/2 from 479, AK102 N0 1/9): the ack writes
    // a placeholder there, so the fault itself is named in AK905 (X12.5: 1 and 6).
    if (!GS_DEF.elements[0].codes?.has(g.type)) {
      g.issues.push(issue('group_unsupported', 'group', `GS01 '${g.type}' is not a functional identifier code (479)`, { segment: 'GS', position: gs.pos, element: 1, ref: '479', value: g.type, severity: 'warning' }))
    }
    if (!/^\d{1,9}$/.test(g.controlNumber)) {
      g.issues.push(issue('group_control_invalid', 'group', `GS06 '${g.controlNumber}' is not a 1-9 digit group control number`, { segment: 'GS', position: gs.pos, element: 6, ref: '28', value: g.controlNumber, severity: 'warning' }))
    }
    if (!/^\d{6}/.test(g.version)) {
      g.issues.push(issue('group_version_unsupported', 'group', `GS08 '${g.version}' is not an X12 version/release code`, { segment: 'GS', position: gs.pos, element: 8, value: g.version }))
    }
    grp = g
  }

  function openTx(st: Segment): void {
    if (!ic) return
    if (!grp) {
      // ST outside GS: an envelope error (X12.5: an interchange holds functional groups, a set
      // sits in one). Kept readable in a made-up group so the pipeline can store and show it.
      ic.issues.push(issue('transaction_outside_group', 'interchange', 'ST outside a GS..GE functional group', { segment: 'ST', position: st.pos }))
      grp = { type: '', controlNumber: '', version: '', explicit: false, issues: [], transactions: [] }
    }
    txCount++
    const type = text(st, 0)
    const st03 = text(st, 2)
    const tx: X12Transaction = {
      type,
      controlNumber: text(st, 1),
      version: grp.version,
      ...(st03 ? { implementation: st03 } : {}),
      status: 'accepted',
      issues: [],
      segments: keepSegments ? [st] : [],
      span: { start: st.pos.offset, end: st.pos.offset },
      stIndex: st.pos.index,
    }
    validateElements(st, ST_DEF, undefined, tx.issues)
    if (!/^\d{3}$/.test(type)) {
      tx.issues.push(issue('transaction_id_invalid', 'transaction', `ST01 '${type}' is not a transaction set identifier`, { segment: 'ST', position: st.pos, element: 1, value: type }))
    }
    if (tx.controlNumber === '') {
      tx.issues.push(issue('transaction_control_invalid', 'transaction', 'ST02 control number is empty', { segment: 'ST', position: st.pos, element: 2 }))
    } else if (tx.controlNumber.length < 4 || tx.controlNumber.length > 9) {
      // AK202/IK202 (329, AN 4/9) cannot echo it: AK502 7 says why the ack shows a placeholder.
      tx.issues.push(issue('transaction_control_invalid', 'transaction', `ST02 '${tx.controlNumber}' is not a 4-9 character control number`, { segment: 'ST', position: st.pos, element: 2, value: tx.controlNumber }))
    }
    if (!grp.explicit) {
      // No group, so no 997/999 can answer for it (no AK1): rejected, and the TA1 says 024.
      tx.issues.push(issue('transaction_outside_group', 'transaction', `ST ${tx.controlNumber} is outside a GS..GE functional group and cannot be acknowledged or processed`, { segment: 'ST', position: st.pos }))
    } else {
      // X12.5: a group holds sets of its GS01 only. A GS01 outside 479 is the group's own fault
      // (group_unsupported, AK905 1), so the sets are judged against a real code only.
      const belongs = functionalIdOf(type)
      if (belongs !== undefined && belongs !== grp.type && GS_DEF.elements[0].codes?.has(grp.type)) {
        tx.issues.push(
          issue('transaction_not_in_group', 'transaction', `transaction set ${type} belongs in a '${belongs}' functional group, not in GS01 '${grp.type}'`, {
            segment: 'ST', position: st.pos, element: 1, ref: '143', value: type,
          })
        )
      }
    }
    const def = validate ? x12TransactionDef(type, grp.version) : undefined
    if (validate && !def) {
      tx.issues.push(
        issue('transaction_not_validated', 'transaction', `no dictionary for ${type} in version '${grp.version}': envelope checked only`, { severity: 'warning', segment: 'ST', position: st.pos })
      )
    }
    // 999 CTX context (ack-context) from the kept segments, once per set: off the per-segment path.
    const validator = def ? createTxValidator(def, tx.issues, keepSegments ? () => recordTriggers(tx.issues, tx.segments, def) : undefined) : undefined
    open = { tx, count: 1, validator }
  }

  function stray(seg: Segment): void {
    const where = grp ? 'group' : 'interchange'
    const list = grp ? grp.issues : ic?.issues
    list?.push(issue('segment_unexpected', where, `${seg.tag.slice(0, 3)} outside a transaction set`, { segment: seg.tag.slice(0, 3), position: seg.pos }))
  }

  /** Next component/repetition separator in the current chunk string, searched once per view. */
  let nextComp = -1
  let nextRep = -1
  function hasInner(s: string, start: number, stop: number): boolean {
    if (nextComp !== Infinity && nextComp < start) {
      const k = s.indexOf(delims.component, start)
      nextComp = k < 0 ? Infinity : k
    }
    if (nextComp < stop) return true
    const rep = delims.repetition
    if (rep === undefined) return false
    if (nextRep !== Infinity && nextRep < start) {
      const k = s.indexOf(rep, start)
      nextRep = k < 0 ? Infinity : k
    }
    return nextRep < stop
  }

  /** The segment validated in place when it is not kept (one object for the whole stream). */
  const ref = new SpanRef()
  let sepCode = 42

  function envelope(seg: Segment, end: number): void {
    // Reached for envelope segments, and for any segment outside a transaction set.
    const tag = seg.tag
    switch (tag) {
      case 'IEA':
        closeInterchange(seg, end)
        return
      case 'GS':
        closeGroup(null)
        openGroup(seg)
        return
      case 'GE':
        if (grp) closeGroup(seg)
        else stray(seg)
        return
      case 'ST':
        if (open) closeTx(null, seg.pos.offset)
        openTx(seg)
        return
      case 'SE':
        if (open) closeTx(seg, end)
        else stray(seg)
        return
      case 'TA1':
        // X12.5: TA1 segments sit between ISA and the first GS of an interchange.
        if (grp) stray(seg)
        return
      default:
        stray(seg)
    }
  }

  const lexer = createX12Lexer({
    interchange(d: Delimiters, issues: EdiIssue[], _pos: Position) {
      delims = d
      sepCode = d.element.charCodeAt(0)
      isaIssues = issues
      nextComp = -1
      nextRep = -1
    },
    isa(seg: Segment, end: number) {
      segments++
      if (ic) closeInterchange(null, seg.pos.offset)
      openInterchange(seg, end)
    },
    view(_s: string) {
      nextComp = -1
      nextRep = -1
    },
    segment(s: string, start: number, stop: number, offset: number, index: number, line: number, end: number): boolean {
      segments++
      const sc = sepCode
      // Tags are 2-3 characters: a char loop beats a native indexOf call.
      let te = start
      while (te < stop && s.charCodeAt(te) !== sc) te++
      const id = tagIdAt(s, start, te)
      // Ids 0..T_SE are the envelope segments (tags.ts); the rest of a transaction goes on.
      if (open !== null && (id < 0 || id > T_SE)) {
        open.count++
        const v = open.validator
        const tag = id >= 0 ? tagName(id) : s.slice(start, te)
        // Fast path: no composite/repeat inside → validate the text in place, and when the
        // segment is kept for the map engine, split it straight from the chunk string.
        if (!hasInner(s, start, stop)) {
          if (keepSegments) {
            const seg = new LazySegment(tag, { offset, index, line }, s, te, stop, sc)
            open.tx.segments.push(seg)
            return v !== undefined && v.segmentSpan(id, seg, s, te, stop, sc)
          }
          // The validator's "read it all, nothing below 32" spares the lexer its LF search.
          return v !== undefined && v.segmentSpan(id, ref.set(tag, offset, index, line), s, te, stop, sc)
        }
        const seg = splitSegment(s.slice(start, stop), delims, { offset, index, line })
        if (keepSegments) open.tx.segments.push(seg)
        v?.segment(seg)
        return false
      }
      envelope(splitSegment(s.slice(start, stop), delims, { offset, index, line }), end)
      return false
    },
    fileIssue(i: EdiIssue) {
      fileIssues.push(i)
    },
  })

  return {
    push: (chunk: Buffer) => lexer.push(chunk),
    end(): X12ReadResult {
      lexer.end()
      if (ic) closeInterchange(null, lexer.offset)
      if (interchanges === 0 && !fileIssues.some((i) => i.code === 'envelope_unreadable')) {
        fileIssues.push(issue('envelope_unreadable', 'file', 'no X12 interchange (ISA) found', {}))
      }
      return { issues: fileIssues, unreadable: interchanges === 0, interchanges, segments, bytes: lexer.offset }
    },
  }
}

