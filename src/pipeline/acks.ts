/**
 * Functional acks for what WE sent. An inbound 997/999/CONTRL updates the delivery it answers
 * (accepted / accepted_with_errors / rejected); a rejection opens `ack_rejected`. A sweep marks
 * deliveries whose ack deadline passed as overdue and opens `ack_overdue`.
 */
import { openException } from '../db/exceptions.ts'
import type { Q } from '../db/sql.ts'
import type { AckReconciliation } from './deps.ts'

export async function reconcileAck(q: Q, partnerId: string, ack: AckReconciliation, transactionId: string): Promise<number> {
  const sent = await q<{ id: string; ack_status: string | null }[]>`
    select id, ack_status from deliveries
    where partner_id = ${partnerId} and kind = 'document' and control_number = ${ack.reference}`
  const rejected = ack.results.filter((r) => r.status === 'rejected')
  const status = ack.results.length === 0 ? 'accepted' : rejected.length === ack.results.length ? 'rejected'
    : rejected.length > 0 || ack.results.some((r) => r.status === 'accepted_with_errors') ? 'accepted_with_errors' : 'accepted'
  for (const d of sent) {
    await q`update deliveries set ack_status = ${status},
        receipt = coalesce(receipt, '{}'::jsonb) || ${q.json({ ack: ack.ack, ackTransactionId: transactionId, results: ack.results } as never)},
        updated_at = now()
      where id = ${d.id}`
    if (rejected.length) {
      await openException(q, { code: 'ack_rejected', ack: ack.ack, controlNumber: ack.reference, notes: rejected.flatMap((r) => [`${r.controlNumber}: ${r.notes.join('; ') || 'rejected'}`]) }, { partnerId, deliveryId: d.id })
    }
  }
  return sent.length
}

/** Mark overdue acks; returns how many became overdue. */
export async function sweepOverdueAcks(q: Q): Promise<number> {
  const rows = await q<{ id: string; partner_id: string; doc_type: string; control_number: string; sent_at: Date | null; created_at: Date; ack_deadline: Date }[]>`
    update deliveries set ack_status = 'overdue', updated_at = now()
    where kind = 'document' and ack_status = 'pending' and ack_deadline < now()
    returning id, partner_id, doc_type, control_number, sent_at, created_at, ack_deadline`
  for (const d of rows) {
    await openException(q, { code: 'ack_overdue', ack: d.doc_type, controlNumber: d.control_number, sentAt: (d.sent_at ?? d.created_at).toISOString(), deadline: d.ack_deadline.toISOString() }, { partnerId: d.partner_id, deliveryId: d.id })
  }
  return rows.length
}
