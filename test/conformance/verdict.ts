/**
 * Our verdict on one conformance sample, read from the acknowledgment we would send for it:
 * a 997 (999 from ISA12 00501 on) or a CONTRL, built by the real ack builders and, for X12, read
 * back through the real parser and ack reader. No partner, no database: the EDI layer only.
 *
 * - `valid`: every transaction set acknowledged without remark (997 AK5 A / 999 IK5 A and AK9 A,
 *   no TA1 other than A; CONTRL UCI and every UCM action 7 with no error code and no UCS/UCD),
 *   and no issue of severity `error` anywhere. Warnings are allowed when the ack does not change.
 * - `invalid`: anything else that was readable.
 * - `unreadable`: nothing in the file could be read as EDI.
 * `unsupported` lists the transactions we told apart as a type we have no dictionary for.
 */
import { buildContrl, parseEdifact } from '../../src/edi/edifact/index.ts'
import type { EdiIssue } from '../../src/edi/issues.ts'
import { sniff } from '../../src/edi/sniff.ts'
import type { ParseResult } from '../../src/edi/types.ts'
import { buildX12Acks, parseX12, readX12Ack } from '../../src/edi/x12/index.ts'

export type OurVerdict = 'valid' | 'invalid' | 'unreadable'

/** Problem codes that say "we have no dictionary for this message type". */
export const UNSUPPORTED_CODES = ['transaction_not_validated', 'dictionary_unavailable', 'transaction_unsupported'] as const

export interface Judgement {
  standard: 'x12' | 'edifact' | null
  verdict: OurVerdict
  /** Every issue code we reported, file to element level, in order of appearance. */
  codes: string[]
  /** `code segment: message` for the first issues, for the test output. */
  firstIssues: string[]
  /** One line per acknowledged transaction: `850 0001: A` / `ORDERS 1: 7`. */
  acks: string[]
  /** type of each transaction whose issues carry an UNSUPPORTED_CODES code. */
  unsupported: string[]
  /** type of every transaction read. */
  types: string[]
}

const NOW = new Date('2026-01-02T03:04:00Z')

function allIssues(r: ParseResult): EdiIssue[] {
  return [
    ...r.issues,
    ...r.interchanges.flatMap((ic) => [...ic.issues, ...ic.groups.flatMap((g) => [...g.issues, ...g.transactions.flatMap((t) => t.issues)])]),
  ]
}

function describe(i: EdiIssue): string {
  const where = [i.segment, i.position ? `#${i.position.index}` : '', i.element ? `/${i.element}` : ''].join('')
  return `${i.code}${where ? ` ${where}` : ''}: ${i.message}`
}

function base(r: ParseResult, standard: 'x12' | 'edifact'): Omit<Judgement, 'verdict' | 'acks'> {
  const issues = allIssues(r)
  const txs = r.interchanges.flatMap((ic) => ic.groups.flatMap((g) => g.transactions))
  return {
    standard,
    codes: [...new Set(issues.map((i) => i.code))],
    firstIssues: issues.slice(0, 6).map(describe),
    unsupported: txs.filter((t) => t.issues.some((i) => (UNSUPPORTED_CODES as readonly string[]).includes(i.code))).map((t) => t.type),
    types: txs.map((t) => t.type),
  }
}

function judgeX12(bytes: Buffer): Judgement {
  const r = parseX12(bytes)
  if (r.unreadable) return { ...base(r, 'x12'), verdict: 'unreadable', acks: [] }
  const isa12 = r.interchanges[0]?.syntax ?? ''
  const ackType = isa12 >= '00501' ? '999' : '997'
  const built = buildX12Acks(r, {
    ackType,
    sender: { qualifier: 'ZZ', id: 'CONFORMANCE' },
    version: ackType === '999' ? '005010X231' : '004010',
    controlNumbers: { interchange: 1, group: 1, transaction: 1 },
    date: '20260102',
    time: '0304',
    ta1: 'auto',
  })
  const acks: string[] = []
  let clean = r.interchanges.length > 0
  for (const ic of built.interchanges) {
    if (ic.ta1) {
      acks.push(`TA1 ${ic.inboundControlNumber}: ${ic.ta1.code} ${ic.ta1.note}`)
      if (ic.ta1.code !== 'A') clean = false
    }
    // Read our own ack back as a partner would.
    const back = parseX12(Buffer.from(ic.text, 'latin1'))
    for (const tx of back.interchanges.flatMap((i) => i.groups.flatMap((g) => g.transactions))) {
      const reading = readX12Ack(tx)
      if (reading.groupCode !== 'A') clean = false
      for (const t of reading.transactions) {
        acks.push(`${t.type} ${t.controlNumber}: ${t.status}${t.notes.length ? ` (${t.notes.slice(0, 3).join('; ')})` : ''}`)
        if (t.status !== 'accepted') clean = false
      }
      if (reading.transactions.length === 0) acks.push(`group ${reading.groupControlNumber}: ${reading.groupCode}`)
    }
  }
  // Interchanges that earned no ack at all (no group, no TA1) cannot be called valid either.
  if (built.interchanges.length < r.interchanges.length) clean = false
  const b = base(r, 'x12')
  const errors = allIssues(r).some((i) => i.severity === 'error')
  return { ...b, verdict: clean && !errors ? 'valid' : 'invalid', acks }
}

function judgeEdifact(bytes: Buffer): Judgement {
  const r = parseEdifact(bytes)
  if (r.unreadable) return { ...base(r, 'edifact'), verdict: 'unreadable', acks: [] }
  const acks: string[] = []
  let clean = r.interchanges.length > 0
  for (const ic of r.interchanges) {
    const out = buildContrl(ic, { reference: '1', now: NOW })
    for (const seg of out.body) {
      const el = seg.elements.map((e) => (Array.isArray(e) ? e.join(':') : String(e)))
      if (seg.tag === 'UCI') {
        acks.push(`UCI ${el[0]}: ${el[3]}${el[4] ? ` error ${el[4]}` : ''}`)
        if (el[3] !== '7' || el[4]) clean = false
      } else if (seg.tag === 'UCF') {
        acks.push(`UCF ${el[0]}: ${el[3]}${el[4] ? ` error ${el[4]}` : ''}`)
        if (el[3] !== '7' || el[4]) clean = false
      } else if (seg.tag === 'UCM') {
        acks.push(`UCM ${el[1]?.split(':')[0]} ${el[0]}: ${el[2]}${el[3] ? ` error ${el[3]}` : ''}`)
        if (el[2] !== '7' || el[3]) clean = false
      } else if (seg.tag === 'UCS' || seg.tag === 'UCD') {
        acks.push(`  ${seg.tag} ${el.join('+')}`)
        clean = false
      }
    }
  }
  const b = base(r, 'edifact')
  const errors = allIssues(r).some((i) => i.severity === 'error')
  return { ...b, verdict: clean && !errors ? 'valid' : 'invalid', acks }
}

export function judge(bytes: Buffer): Judgement {
  const kind = sniff(bytes)
  if (kind === 'x12') return judgeX12(bytes)
  if (kind === 'edifact') return judgeEdifact(bytes)
  return { standard: null, verdict: 'unreadable', codes: ['envelope_unreadable'], firstIssues: [`not X12 or EDIFACT (${kind})`], acks: [], unsupported: [], types: [] }
}
