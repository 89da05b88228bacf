/** What the parse stage reports for a payload, and the one way it rejects a whole payload. */
import { openException } from '../db/exceptions.ts'
import { setPayloadStatus, type PayloadRow } from '../db/payloads.ts'
import type { Q } from '../db/sql.ts'
import type { ExceptionReason } from '../exceptions/reasons.ts'

export interface ParseOutcome {
  status: 'parsed' | 'rejected' | 'partially_rejected' | 'duplicate'
  interchanges: number
  transactions: number
  rejected: number
}

/** The payload is rejected as a whole: an exception with the reason, and the payload's status. */
export async function reject(q: Q, payload: PayloadRow, reason: ExceptionReason, standard: string): Promise<ParseOutcome> {
  await openException(q, reason, { payloadId: payload.id, partnerId: payload.partner_id })
  const outcome: ParseOutcome = { status: 'rejected', interchanges: 0, transactions: 0, rejected: 0 }
  await setPayloadStatus(q, payload.id, { status: 'rejected', standard, outcome })
  return outcome
}
