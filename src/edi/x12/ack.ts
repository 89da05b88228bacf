/**
 * 997 / 999 / TA1 from a ParseResult (X12.5 functional and implementation acknowledgments).
 * Pure: control numbers, our ids, separators, version and clock come in through options.
 * Layout: one outbound interchange per inbound interchange; in it a TA1 when asked for (ISA14=1)
 * or when the envelope is broken, then one GS (FA) + one 997/999 per inbound functional group.
 */
import { ISSUE_CODES, type EdiIssue } from '../issues.ts'
import type { Delimiters, ParsedGroup, ParsedInterchange, ParseResult, PartyId, TransactionStatus } from '../types.ts'
import { groupStatus, reportable, type GroupAckCode } from './status.ts'
import { writeX12, type X12WriteGroup, type X12WriteSegment } from './write.ts'
import { aksForTransaction } from './ack-detail.ts'
import { anOptional, applicationReceiver, cleaner, functionalId, groupControl, ta1Reference, type Clean } from './ack-values.ts'

export interface X12AckOptions {
  ackType: '997' | '999'
  /** Our interchange id (ack ISA05/ISA06). */
  sender: PartyId
  /**
   * The partner's interchange id for the ack's ISA07/ISA08, as the profile knows it; default: the
   * inbound ISA05/ISA06 (a broken ISA with a blank ISA06 then gives an unaddressable ack).
   */
  receiver?: PartyId
  /** Our application id (ack GS02); defaults to sender.id. */
  applicationSender?: string
  /** Ack GS08: `004010` (997) or `005010X231` (999). */
  version: string
  /** Ack ISA12; defaults from version (`00401`, `00501`). */
  interchangeVersion?: string
  /** Our separators for this partner; default: those of the inbound interchange. */
  separators?: Partial<Delimiters> & { lineBreak?: string }
  /** First control numbers to use (allocated by the pipeline); see planX12Acks for how many. */
  controlNumbers: { interchange: number; group: number; transaction: number }
  /** Ack date CCYYMMDD and time HHMM (the caller's clock). */
  date: string
  time: string
  /** TA1 policy: auto = when ISA14=1 or the interchange has envelope errors. */
  ta1?: 'auto' | 'always' | 'never'
  /** Ack ISA15; default: same as the inbound interchange. */
  test?: boolean
}

export interface X12AckInterchange {
  /** ISA13 of the inbound interchange this acknowledges. */
  inboundControlNumber: string
  receiver: PartyId
  text: string
  ta1?: { code: 'A' | 'E' | 'R'; note: string }
  controlNumbers: { interchange: string; groups: string[]; transactions: string[] }
}

export interface X12AckGroupOutcome {
  interchangeControlNumber: string
  groupControlNumber: string
  functionalId: string
  status: GroupAckCode
  transactions: Array<{ type: string; controlNumber: string; status: TransactionStatus }>
}

export interface X12AckResult {
  interchanges: X12AckInterchange[]
  groups: X12AckGroupOutcome[]
  /** How many control numbers of each kind were used. */
  used: { interchange: number; group: number; transaction: number }
}

/** How many control numbers buildX12Acks will use, so the pipeline can allocate them first. */
export function planX12Acks(result: ParseResult, ta1: X12AckOptions['ta1'] = 'auto'): X12AckResult['used'] {
  let interchange = 0
  let group = 0
  for (const ic of result.interchanges) {
    if (ic.groups.length === 0 && !wantsTa1(ic, ta1)) continue
    interchange++
    group += ic.groups.filter((g) => g.explicit).length
  }
  return { interchange, group, transaction: group }
}

function wantsTa1(ic: ParsedInterchange, policy: X12AckOptions['ta1']): boolean {
  if (policy === 'never') return false
  if (policy === 'always') return true
  return ic.ackRequested || ic.issues.some((i) => i.severity === 'error' && reportable(i))
}

/** TA104 (A/E/R) and TA105 note code from the interchange issues (X12.5 I18). */
export function ta1Outcome(ic: ParsedInterchange): { code: 'A' | 'E' | 'R'; note: string } {
  const errors = ic.issues.filter((i) => i.severity === 'error' && ISSUE_CODES[i.code].x12Kind === 'TA1')
  if (errors.length === 0) return { code: 'A', note: '000' }
  // Rejected when the interchange cannot be trusted or echoed (TA101 is N0 9/9); the rest is
  // accepted with the error noted.
  const fatal = errors.find((i) => i.code === 'isa_invalid' || i.code === 'interchange_control_invalid' || i.code === 'interchange_version_unsupported' || i.code === 'envelope_unreadable' || i.code === 'interchange_no_transactions')
  return { code: fatal ? 'R' : 'E', note: ISSUE_CODES[(fatal ?? errors[0]).code].x12 }
}

/**
 * @example
 * const acks = buildX12Acks(parseX12(bytes), { ackType: '997', sender: { qualifier: 'ZZ', id: 'OURCO' },
 *   version: '004010', controlNumbers: { interchange: 901, group: 901, transaction: 1 }, date: '20240102', time: '1200' })
 * for (const a of acks.interchanges) send(a.text)
 */
export function buildX12Acks(result: ParseResult, opts: X12AckOptions): X12AckResult {
  const next = { ...opts.controlNumbers }
  const used = { interchange: 0, group: 0, transaction: 0 }
  const interchanges: X12AckInterchange[] = []
  const groups: X12AckGroupOutcome[] = []
  const isaVersion = opts.interchangeVersion ?? (opts.version >= '005' ? '00501' : '00401')
  for (const ic of result.interchanges) {
    const explicit = ic.groups.filter((g) => g.explicit)
    for (const g of ic.groups) groups.push(outcome(ic, g))
    const ta1 = wantsTa1(ic, opts.ta1 ?? 'auto') ? ta1Outcome(ic) : undefined
    if (explicit.length === 0 && !ta1) continue
    const d = usableSeparators({ ...ic.delimiters, ...opts.separators })
    // From 00501 the writer puts a repetition separator in ISA11: keep it out of the data too.
    if (isaVersion >= '00501') d.repetition ??= '^'
    else delete d.repetition
    const clean = cleaner(d)
    const isaCtl = String(next.interchange++)
    used.interchange++
    const preamble: X12WriteSegment[] = ta1
      ? [{ tag: 'TA1', elements: [...ta1Reference(ic, opts), ta1.code, ta1.note].map((v) => [v]) }]
      : []
    const wgroups: X12WriteGroup[] = []
    const gctls: string[] = []
    const tctls: string[] = []
    for (const g of explicit) {
      const gctl = String(next.group++)
      const tctl = String(next.transaction++).padStart(4, '0')
      used.group++
      used.transaction++
      gctls.push(gctl)
      tctls.push(tctl)
      wgroups.push({
        functionalId: 'FA',
        senderId: opts.applicationSender ?? opts.sender.id,
        receiverId: applicationReceiver(g.senderId, ic.sender.id, clean),
        date: opts.date,
        time: opts.time,
        controlNumber: gctl,
        version: opts.version,
        transactions: [{ type: opts.ackType, controlNumber: tctl, ...(opts.ackType === '999' ? { implementation: opts.version } : {}), segments: ackBody(g, opts.ackType, clean, opts.version) }],
      })
    }
    const written = writeX12({
      sender: opts.sender,
      // A damaged inbound ISA can carry over-long ids: cut them to the X12.5 widths.
      receiver: opts.receiver ?? { qualifier: clean(ic.sender.qualifier).slice(0, 2), id: clean(ic.sender.id).slice(0, 15) },
      controlNumber: isaCtl,
      date: opts.date,
      time: opts.time,
      version: isaVersion,
      test: opts.test ?? ic.test,
      separators: { element: d.element, component: d.component, segment: d.segment, repetition: d.repetition, lineBreak: opts.separators?.lineBreak },
      preamble,
      groups: wgroups,
    })
    // Ack content is sanitised (ack-detail), so a failure here is a defect, not bad input.
    if (!written.ok) throw new Error(`ack writer refused its own output: ${written.issues[0].message}`)
    interchanges.push({
      inboundControlNumber: ic.controlNumber,
      receiver: ic.sender,
      text: written.text,
      ...(ta1 ? { ta1 } : {}),
      controlNumbers: { interchange: isaCtl.padStart(9, '0'), groups: gctls, transactions: tctls },
    })
  }
  return { interchanges, groups, used }
}

function outcome(ic: ParsedInterchange, g: ParsedGroup): X12AckGroupOutcome {
  return {
    interchangeControlNumber: ic.controlNumber,
    groupControlNumber: g.controlNumber,
    functionalId: g.type,
    status: groupStatus(g),
    transactions: g.transactions.map((t) => ({ type: t.type, controlNumber: t.controlNumber, status: t.status })),
  }
}

/**
 * AK1, the AK2 loops, AK9 for one inbound group; every echoed value fitted by ack-values.
 * `ackVersion` is the ack's own GS08 (which AK5 codes exist).
 */
function ackBody(g: ParsedGroup, type: '997' | '999', clean: Clean, ackVersion: string): X12WriteSegment[] {
  const out: X12WriteSegment[] = []
  const version = type === '999' ? anOptional(g.version, clean, 12) : ''
  out.push({ tag: 'AK1', elements: [[functionalId(g.type, g.transactions[0]?.type)], [groupControl(g.controlNumber)], ...(version ? [[version]] : [])] })
  for (const tx of g.transactions) out.push(...aksForTransaction(tx, type, clean, ackVersion))
  const status = groupStatus(g)
  const declared = g.issues.find((i) => i.code === 'group_count_mismatch')?.value
  const included = declared && /^\d{1,6}$/.test(declared) ? declared : String(g.transactions.length)
  const accepted = g.transactions.filter((t) => t.status !== 'rejected').length
  const codes = groupCodes(g.issues)
  // A GS01/GS06 we could not echo is reported even when the parse result did not say so.
  if (groupControl(g.controlNumber) !== g.controlNumber && !codes.includes('6')) codes.push('6')
  if (functionalId(g.type, undefined) !== g.type && !codes.includes('1')) codes.push('1')
  out.push({ tag: 'AK9', elements: [[status], [included], [String(g.transactions.length)], [String(accepted)], ...codes.slice(0, 5).map((c) => [c])] })
  return out
}

function groupCodes(issues: readonly EdiIssue[]): string[] {
  const codes: string[] = []
  for (const i of issues) {
    const c = ISSUE_CODES[i.code]
    if (c.x12Kind === 'AK9' && !codes.includes(c.x12)) codes.push(c.x12)
  }
  return codes
}

/** The partner's separators, unless a damaged ISA gave unusable ones: then X12 defaults. */
function usableSeparators(d: Delimiters & { lineBreak?: string }): Delimiters & { lineBreak?: string } {
  const list = [d.element, d.component, d.segment, ...(d.repetition ? [d.repetition] : [])]
  const ok = list.every((c) => c.length === 1 && !/[A-Za-z0-9 ]/.test(c)) && new Set(list).size === list.length
  return ok ? d : { element: '*', component: '>', segment: '~', repetition: '^', lineBreak: d.lineBreak }
}

/** Bad data copied into an ack must not carry the ack's own delimiters (see ack-values). */
export function sanitize(v: string, d: Delimiters): string {
  return cleaner(d)(v)
}
