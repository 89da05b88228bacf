/**
 * CONTRL (UN/EDIFACT syntax and service report, ISO 9735-1 annex B / UNSM CONTRL D:3):
 * build one for a received interchange, and read one a partner sent about ours.
 *
 * Action codes (0083): 7 = acknowledged (this level and lower levels not explicitly rejected),
 * 4 = rejected. Error codes (0085) come from ISSUE_CODES[code].contrl. Only errors are reported;
 * warnings never reject. Interchange-level trailer problems (UNZ count/reference, missing UNZ)
 * are reported in UCI with action 7, because the messages themselves were received and are
 * acknowledged one by one: one bad message or trailer never rejects the rest.
 */
import { ISSUE_CODES, type EdiIssue } from '../issues.ts'
import type { Delimiters, Element, ParsedInterchange, ParsedTransaction, PartyId, Segment } from '../types.ts'
import { charsetFor } from './charset.ts'
import { comp } from './envelope.ts'
import { writeEdifact, type SegmentLike } from './write.ts'

/** UNB faults that make the whole interchange unusable (UCI 0083 = 4). */
const FATAL_UNB = new Set(['interchange_sender_invalid', 'interchange_receiver_invalid', 'interchange_version_unsupported', 'envelope_unreadable'])
/** The reason of a UCI 4 for an interchange without a readable message and without other errors. */
const NO_MESSAGE: EdiIssue = { code: 'segment_missing', level: 'interchange', severity: 'error', message: 'no message could be read in this interchange', segment: 'UNH' }

export interface ContrlOptions {
  /** Our UNB 0020 for the CONTRL interchange (allocated in PostgreSQL by the caller). */
  reference: string
  /** UNH 0062 of the CONTRL message (default '1'). */
  messageRef?: string
  /** Us: UNB sender of the CONTRL (default: the received interchange's recipient). */
  sender?: PartyId
  /** Them (default: the received interchange's sender). */
  receiver?: PartyId
  /** Preparation time; pure function: the caller passes the clock. */
  now: Date
  /** Separators of the CONTRL (default: those of the received interchange). */
  delimiters?: Partial<Delimiters>
  /** UCM for accepted messages too (default true): the partner sees every message's fate. */
  reportAccepted?: boolean
}

export interface ContrlOutput {
  bytes: Buffer
  /** The CONTRL message body (UCI ..), for storage and tests. */
  body: SegmentLike[]
  /** UCI 0083 */
  interchangeAction: '4' | '7'
}

const errorsOf = (issues: EdiIssue[]) => issues.filter((i) => i.severity === 'error')
const code = (i: EdiIssue) => ISSUE_CODES[i.code].contrl
/**
 * A value we echo from the received interchange: without control characters (C0, DEL, C1),
 * which no EDIFACT repertoire has and which a partner's reader would take for data.
 */
// eslint-disable-next-line no-control-regex
const clean = (v: string): string => v.replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
/**
 * An echoed value that fits the CONTRL element (syntax 3 lengths, which version 4 only widens):
 * cleaned, cut to `max`; a mandatory element the input left empty gets `fallback`, so the
 * CONTRL stays valid whatever it answers (never an empty UCI 0020 or UCM S009).
 */
const fit = (v: string, max: number, fallback = ''): string => clean(v).slice(0, max) || fallback
const partyEl = (p: PartyId): Element => (p.qualifier ? [fit(p.id, 35, 'UNKNOWN'), fit(p.qualifier, 4)] : [fit(p.id, 35, 'UNKNOWN')])
const cleanParty = (p: PartyId): PartyId => ({ id: fit(p.id, 35, 'UNKNOWN'), qualifier: fit(p.qualifier, 4) })
/** S009 as received, fitted (0065 an..6, 0052 an..3, 0054 an..3, 0051 an..2, 0057 an..6), else from the message. */
function s009Of(tx: ParsedTransaction): Element {
  const got = tx.segments[0]?.elements[1] ?? []
  const v = /^D(\d\d[A-C])$/.exec(tx.version)
  const out = [fit(got[0] ?? '', 6, fit(tx.type, 6, 'UNKNOW')), fit(got[1] ?? '', 3, v ? 'D' : '0'), fit(got[2] ?? '', 3, v ? v[1] : '0'), fit(got[3] ?? '', 2, 'UN')]
  const assoc = fit(got[4] ?? '', 6)
  if (assoc) out.push(assoc)
  return out
}
const pad2 = (n: number) => String(n).padStart(2, '0')

/**
 * @example
 * const ack = buildContrl(result.interchanges[0], { reference: '1001', now: new Date() })
 * await transport.send(ack.bytes)
 */
export function buildContrl(ich: ParsedInterchange, opts: ContrlOptions): ContrlOutput {
  const body: SegmentLike[] = []
  const ichErrors = errorsOf(ich.issues)
  // Rejected as a whole: an unusable UNB, or no message could be read at all (nothing below
  // UCI would tell the partner anything was wrong). 0085 from the first error, else 13 (missing).
  const none = ich.groups.every((g) => g.transactions.length === 0)
  const fatal = ichErrors.find((i) => FATAL_UNB.has(i.code)) ?? (none ? (ichErrors[0] ?? NO_MESSAGE) : undefined)
  const first = fatal ?? ichErrors[0]
  const uci: Element[] = [[fit(ich.controlNumber, 14, 'UNKNOWN')], partyEl(ich.sender), partyEl(ich.receiver), [fatal ? '4' : '7']]
  if (first) uci.push([code(first)])
  body.push({ tag: 'UCI', elements: uci })
  const reportAll = opts.reportAccepted ?? true
  for (const g of ich.groups) {
    if (g.explicit) {
      const ge = errorsOf(g.issues)
      const ucf: Element[] = [[fit(g.controlNumber, 14, 'UNKNOWN')], [fit(g.senderId ?? '', 35, 'UNKNOWN')], [fit(g.receiverId ?? '', 35, 'UNKNOWN')], [fatal ? '4' : '7']]
      if (ge[0]) ucf.push([code(ge[0])])
      body.push({ tag: 'UCF', elements: ucf })
    }
    for (const tx of g.transactions) {
      if (fatal) continue // UCI 4 rejects everything below it
      if (tx.status !== 'rejected' && !reportAll) continue
      body.push(...ucmFor(tx))
    }
  }
  // The reply's syntax: the interchange's identifier when it is one we know, else UNOC; version 4
  // only when the UNB said 4 (versions 1 and 2 are answered under 3). The UNB's S001 is whatever
  // the partner sent: an identifier holding a separator, or garbage, must not become ours.
  const cut = ich.syntax.lastIndexOf(':')
  const sid = cut < 0 ? ich.syntax : ich.syntax.slice(0, cut)
  const v4 = cut >= 0 && ich.syntax.slice(cut + 1) === '4'
  const n = opts.now
  const bytes = writeEdifact(
    {
      syntax: { id: charsetFor(sid) ? sid : 'UNOC', version: v4 ? '4' : '3' },
      sender: cleanParty(opts.sender ?? ich.receiver),
      receiver: cleanParty(opts.receiver ?? ich.sender),
      date: `${(v4 ? String(n.getUTCFullYear()) : pad2(n.getUTCFullYear() % 100))}${pad2(n.getUTCMonth() + 1)}${pad2(n.getUTCDate())}`,
      time: `${pad2(n.getUTCHours())}${pad2(n.getUTCMinutes())}`,
      controlNumber: opts.reference,
      test: ich.test,
      // CONTRL is D:3:UN under syntax 3 and 4:1:UN under syntax 4 (ISO 9735-1 annex B).
      messages: [{ ref: opts.messageRef ?? '1', type: 'CONTRL', version: v4 ? '41' : 'D3', segments: body }],
    },
    { delimiters: opts.delimiters ?? ich.delimiters }
  )
  return { bytes, body, interchangeAction: fatal ? '4' : '7' }
}

/** UCM for one message, then UCS/UCD for each segment/element in error (CONTRL SG1/SG2). */
function ucmFor(tx: ParsedTransaction): SegmentLike[] {
  const out: SegmentLike[] = []
  const errs = errorsOf(tx.issues)
  const txLevel = errs.find((i) => i.level === 'transaction' || i.level === 'group' || i.level === 'interchange')
  const ucm: Element[] = [[fit(tx.controlNumber, 14, 'UNKNOWN')], s009Of(tx), [tx.status === 'rejected' ? '4' : '7']]
  if (txLevel) ucm.push([code(txLevel)])
  out.push({ tag: 'UCM', elements: ucm })
  // Segment position in the message: UNH = 1 (0096).
  const posOf = new Map<number, number>()
  tx.segments.forEach((s, i) => posOf.set(s.pos.offset, i + 1))
  const bySeg = new Map<number, EdiIssue[]>()
  for (const i of errs) {
    if (i.level !== 'segment' && i.level !== 'element') continue
    const p = i.position ? posOf.get(i.position.offset) : undefined
    if (p === undefined) continue
    if (!bySeg.has(p)) bySeg.set(p, [])
    bySeg.get(p)!.push(i)
  }
  for (const p of [...bySeg.keys()].sort((a, b) => a - b)) {
    const list = bySeg.get(p)!
    const segErr = list.find((i) => i.level === 'segment')
    out.push({ tag: 'UCS', elements: segErr ? [[String(p)], [code(segErr)]] : [[String(p)]] })
    for (const e of list.filter((i) => i.level === 'element')) {
      const s011 = [String(e.element ?? 0)]
      if (e.component) s011.push(String(e.component))
      out.push({ tag: 'UCD', elements: [[code(e)], s011] })
    }
  }
  return out
}

export type AckAction = 'accepted' | 'rejected' | 'received'

export interface ContrlReport {
  /** UCI 0020: OUR interchange reference the partner acknowledges. */
  interchangeRef: string
  sender: PartyId
  recipient: PartyId
  interchange: AckAction
  error?: string
  groups: { ref: string; status: AckAction; error?: string }[]
  messages: {
    ref: string
    type: string
    status: AckAction
    error?: string
    errors: { segment: number; element?: number; component?: number; code: string }[]
  }[]
}

const action = (v: string): AckAction => (v === '4' ? 'rejected' : v === '8' ? 'received' : 'accepted')

/** Reads a received CONTRL message (the ParsedTransaction from parseEdifact). */
export function readContrl(tx: ParsedTransaction): ContrlReport {
  const seg = (s: Segment, e: number, c = 0) => comp(s, e, c)
  const r: ContrlReport = { interchangeRef: '', sender: { id: '', qualifier: '' }, recipient: { id: '', qualifier: '' }, interchange: 'received', groups: [], messages: [] }
  let cur: ContrlReport['messages'][number] | undefined
  let ucs = 0
  for (const s of tx.segments) {
    if (s.tag === 'UCI') {
      r.interchangeRef = seg(s, 0)
      r.sender = { id: seg(s, 1, 0), qualifier: seg(s, 1, 1) }
      r.recipient = { id: seg(s, 2, 0), qualifier: seg(s, 2, 1) }
      r.interchange = action(seg(s, 3))
      if (seg(s, 4)) r.error = seg(s, 4)
    } else if (s.tag === 'UCF') {
      r.groups.push({ ref: seg(s, 0), status: action(seg(s, 3)), ...(seg(s, 4) ? { error: seg(s, 4) } : {}) })
    } else if (s.tag === 'UCM') {
      cur = { ref: seg(s, 0), type: seg(s, 1, 0), status: action(seg(s, 2)), errors: [] }
      if (seg(s, 3)) cur.error = seg(s, 3)
      r.messages.push(cur)
    } else if (s.tag === 'UCS' && cur) {
      ucs = Number(seg(s, 0))
      if (seg(s, 1)) cur.errors.push({ segment: ucs, code: seg(s, 1) })
    } else if (s.tag === 'UCD' && cur) {
      const c = seg(s, 1, 1)
      cur.errors.push({ segment: ucs, element: Number(seg(s, 1, 0)), ...(c ? { component: Number(c) } : {}), code: seg(s, 0) })
    }
  }
  return r
}

/**
 * Which of the message references we sent in `interchangeRef` the CONTRL accepts or rejects.
 * A message without its own UCM shares the interchange's fate (action 7 covers lower levels).
 * "Overdue" (no CONTRL in time) is the caller's clock, not this function's.
 */
export function reconcileContrl(report: ContrlReport, sentMessageRefs: readonly string[]): { accepted: string[]; rejected: string[] } {
  const accepted: string[] = []
  const rejected: string[] = []
  const byRef = new Map(report.messages.map((m) => [m.ref, m]))
  for (const ref of sentMessageRefs) {
    const m = byRef.get(ref)
    const st = report.interchange === 'rejected' ? 'rejected' : m ? m.status : report.interchange
    ;(st === 'rejected' ? rejected : accepted).push(ref)
  }
  return { accepted, rejected }
}
