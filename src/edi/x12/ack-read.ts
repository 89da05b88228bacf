/**
 * Reads an inbound 997/999 (a partner acknowledging what WE sent) into outcomes per group and
 * transaction control number. The database side (matching our outbound rows, overdue acks)
 * belongs to the pipeline. X12.5: AK501/IK501 A/E/M/R/W/X; AK901 A/E/P/R/M/W/X; a 997 may omit
 * AK2 loops for accepted sets, so `allOthers` tells what the unlisted transactions are.
 */
import type { ParsedTransaction, Segment, TransactionStatus } from '../types.ts'

export interface X12AckTransactionOutcome {
  type: string
  controlNumber: string
  status: TransactionStatus
  /** AK502..AK506 codes and AK3/AK4 notes in readable form. */
  notes: string[]
}

export interface X12AckReading {
  ackType: string
  /** AK101 / AK102: the group of ours being acknowledged. */
  functionalId: string
  groupControlNumber: string
  /** AK901 mapped: P (partially accepted) counts as accepted_with_errors at group level. */
  groupStatus: TransactionStatus
  groupCode: string
  transactions: X12AckTransactionOutcome[]
  /** Status of transactions of that group not listed in an AK2 (per AK9). */
  allOthers: TransactionStatus
  counts: { included: number; received: number; accepted: number }
  notes: string[]
}

const v = (s: Segment, i: number): string => s.elements[i]?.[0] ?? ''

function statusOf(code: string): TransactionStatus {
  if (code === 'A') return 'accepted'
  if (code === 'E' || code === 'P') return 'accepted_with_errors'
  return 'rejected'
}

/**
 * @example
 * const r = readX12Ack(tx) // tx.type === '997'
 * r.transactions // [{ controlNumber: '0001', status: 'rejected', notes: ['AK5 R: 5', 'AK3 PO1 at 12: code 8'] }]
 */
export function readX12Ack(tx: ParsedTransaction): X12AckReading {
  const r: X12AckReading = {
    ackType: tx.type,
    functionalId: '',
    groupControlNumber: '',
    groupStatus: 'rejected',
    groupCode: '',
    transactions: [],
    allOthers: 'rejected',
    counts: { included: 0, received: 0, accepted: 0 },
    notes: [],
  }
  if (tx.type !== '997' && tx.type !== '999') {
    r.notes.push(`transaction ${tx.type} is not a 997/999 acknowledgment`)
    return r
  }
  let current: X12AckTransactionOutcome | null = null
  let sawAk9 = false
  for (const s of tx.segments) {
    switch (s.tag) {
      case 'AK1':
        r.functionalId = v(s, 0)
        r.groupControlNumber = v(s, 1)
        break
      case 'AK2':
        current = { type: v(s, 0), controlNumber: v(s, 1), status: 'accepted', notes: [] }
        r.transactions.push(current)
        break
      case 'AK3':
      case 'IK3':
        current?.notes.push(`${s.tag} ${v(s, 0)} at position ${v(s, 1)}${v(s, 2) ? ` in loop ${v(s, 2)}` : ''}: code ${v(s, 3)}`)
        break
      case 'CTX': {
        // 999 context: a situational trigger (CTX02..06) or a business unit id (CTX01-2).
        const name = s.elements[0] ?? []
        const where = [v(s, 1) && `${v(s, 1)} at position ${v(s, 2)}`, v(s, 3) && `in loop ${v(s, 3)}`, v(s, 4) && `element ${(s.elements[4] ?? []).join('.')}`]
        current?.notes.push(`CTX ${name.filter(Boolean).join(' ')}${where.some(Boolean) ? `: ${where.filter(Boolean).join(' ')}` : ''}`)
        break
      }
      case 'AK4':
      case 'IK4':
        current?.notes.push(`${s.tag} element ${(s.elements[0] ?? []).join('.')} (ref ${v(s, 1)}): code ${v(s, 2)}${v(s, 3) ? ` '${v(s, 3)}'` : ''}`)
        break
      case 'AK5':
      case 'IK5':
        if (current) {
          current.status = statusOf(v(s, 0))
          const codes = s.elements.slice(1).map((e) => e[0]).filter(Boolean)
          if (codes.length) current.notes.push(`${s.tag} ${v(s, 0)}: ${codes.join(',')}`)
        }
        current = null
        break
      case 'AK9': {
        sawAk9 = true
        r.groupCode = v(s, 0)
        r.groupStatus = statusOf(r.groupCode)
        r.counts = { included: Number(v(s, 1)) || 0, received: Number(v(s, 2)) || 0, accepted: Number(v(s, 3)) || 0 }
        const codes = s.elements.slice(4).map((e) => e[0]).filter(Boolean)
        if (codes.length) r.notes.push(`AK9 ${r.groupCode}: ${codes.join(',')}`)
        break
      }
    }
  }
  if (!sawAk9) r.notes.push('no AK9: group outcome unknown, treated as rejected')
  // Unlisted sets: accepted when the group is A/E, rejected when R; with P we cannot tell.
  r.allOthers = r.groupCode === 'A' || r.groupCode === 'E' ? 'accepted' : 'rejected'
  if (r.groupCode === 'P') r.notes.push('AK9 P: sets not listed in an AK2 cannot be resolved; treat as rejected')
  return r
}
