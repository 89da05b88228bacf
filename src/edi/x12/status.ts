/**
 * Acceptance policy, one place: which issues reject a transaction set and which only mark it
 * "accepted with errors" (997 AK501 / 999 IK501: A, E, R).
 * - an `error` with an X12 ack code rejects (structure broken, mandatory data missing or bad);
 * - a `warning` with an X12 ack code accepts with errors (bad optional data);
 * - notes with an empty code (`transaction_not_validated`) change nothing.
 */
import { ISSUE_CODES, type EdiIssue } from '../issues.ts'
import type { ParsedGroup, TransactionStatus } from '../types.ts'

export const reportable = (i: EdiIssue): boolean => ISSUE_CODES[i.code].x12 !== ''

export function transactionStatus(issues: readonly EdiIssue[]): TransactionStatus {
  let status: TransactionStatus = 'accepted'
  for (const i of issues) {
    if (!reportable(i)) continue
    if (i.severity === 'error') return 'rejected'
    status = 'accepted_with_errors'
  }
  return status
}

/** 997 AK901 / 999 AK901 (715): A, E (accepted with errors), P (partially), R. */
export type GroupAckCode = 'A' | 'E' | 'P' | 'R'

/**
 * Group outcome from its transactions and its own issues. Group trailer problems (GE01/GE02,
 * missing GE) are noted (E) without rejecting complete, valid transactions: each ST..SE stands
 * on its own. A group with a malformed header (GS08) is rejected as a whole.
 */
export function groupStatus(group: ParsedGroup, counts?: { accepted: number; total: number }): GroupAckCode {
  const txs = group.transactions
  const total = counts?.total ?? txs.length
  const ok = counts?.accepted ?? txs.filter((t) => t.status !== 'rejected').length
  const fatal = group.issues.some((i) => i.code === 'group_version_unsupported' && i.severity === 'error')
  if (fatal || (total > 0 && ok === 0)) return 'R'
  if (ok < total) return 'P'
  const noted = group.issues.some(reportable) || txs.some((t) => t.status === 'accepted_with_errors')
  return noted ? 'E' : 'A'
}
