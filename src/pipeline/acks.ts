/**
 * Acks for what WE sent. An inbound 997/999/CONTRL updates the delivery it answers
 * (accepted / accepted_with_errors / rejected); a rejection opens `ack_rejected`. A TA1 speaks for
 * the interchange envelope only: a TA1 that rejects it rejects the delivery, one that accepts it
 * is recorded but settles nothing (the 997/999 the deadline waits for is still due), and a later
 * 997/999 never turns a TA1 rejection into an acceptance. A sweep marks deliveries whose ack
 * deadline passed as overdue and opens `ack_overdue`, which the late ack resolves when it comes.
 * An ack that answers nothing we sent opens `ack_unmatched`.
 *
 * Two notions, kept apart: `ack_status` is the functional verdict on the content; the delivery's
 * `status` is the transport state (src/pipeline/deliver.ts). Any ack that answers a delivery
 * proves the partner got it, whatever its verdict, so a `sent` delivery (SFTP push, an outbox
 * file not yet downloaded, an API file fetched but not confirmed) becomes `acknowledged`.
 */
import { openException, resolveOpenExceptions } from '../db/exceptions.ts'
import type { Q } from '../db/sql.ts'
import { ACK_ANSWERS } from '../edi/ack-answers.ts'
import type { AckReconciliation } from './deps.ts'


interface SentRow {
  id: string
  ack_status: string | null
  message_control: string | null
}

/**
 * Our outbound EDI this ack answers (the partner's, in the ack's standard, at its level): documents
 * from the ERP, and 856s for a warehouse partner.
 */
async function sentFor(q: Q, partnerId: string, ack: AckReconciliation): Promise<SentRow[]> {
  const { standard, level } = ACK_ANSWERS[ack.ack]
  return level === 'group'
    ? q<SentRow[]>`select id, ack_status, message_control from deliveries
        where partner_id = ${partnerId} and kind in ('document', 'warehouse') and standard = ${standard} and group_control = ${ack.reference}`
    : q<SentRow[]>`select id, ack_status, message_control from deliveries
        where partner_id = ${partnerId} and kind in ('document', 'warehouse') and standard = ${standard} and interchange_control = ${ack.reference}`
}

function verdict(results: AckReconciliation['results']): 'accepted' | 'accepted_with_errors' | 'rejected' {
  const rejected = results.filter((r) => r.status === 'rejected')
  return results.length === 0 ? 'accepted' : rejected.length === results.length ? 'rejected'
    : rejected.length > 0 || results.some((r) => r.status === 'accepted_with_errors') ? 'accepted_with_errors' : 'accepted'
}

/**
 * `from`: the inbound ack's own rows (a TA1 has no transaction row: it sits in the envelope).
 * Returns how many of our deliveries it answered.
 */
export async function reconcileAck(q: Q, partnerId: string, ack: AckReconciliation, from: { transactionId: string | null; payloadId: string }): Promise<number> {
  const { transactionId, payloadId } = from
  const sent = await sentFor(q, partnerId, ack)
  if (sent.length === 0) {
    // Something we never sent (a misrouted or duplicate ack): operators must see it.
    const messages = [...new Set(ack.results.map((r) => r.controlNumber).filter((c) => c !== ack.reference))]
    await openException(q, { code: 'ack_unmatched', partnerId, ack: ack.ack, standard: ACK_ANSWERS[ack.ack].standard, reference: ack.reference, messages }, { partnerId, payloadId, transactionId })
  }
  const arrived = transactionId ? `transaction ${transactionId}` : `payload ${payloadId}`
  for (const d of sent) {
    // The lines about our message (ST02 / UNH 0062) when the ack names it; otherwise every line
    // (a message without a line of its own shares the fate of its group or interchange).
    const own = d.message_control ? ack.results.filter((r) => r.controlNumber === d.message_control) : []
    const results = own.length ? own : ack.results
    const status = verdict(results)
    const rejected = results.filter((r) => r.status === 'rejected')
    // X12.5: a TA1 answers the interchange envelope, the 997/999 each group. Each has its own
    // receipt key, so neither overwrites the other.
    const envelopeOnly = ack.ack === 'TA1' && status !== 'rejected'
    if (ack.ack === 'TA1') {
      await q`update deliveries set
          ack_status = case when ${status} = 'rejected' then 'rejected' else ack_status end,
          status = case when status = 'sent' then 'acknowledged' else status end,
          receipt = coalesce(receipt, '{}'::jsonb) || ${q.json({ ta1: { ackPayloadId: payloadId, results } } as never)},
          updated_at = now()
        where id = ${d.id}`
    } else {
      // A TA1 that rejected the interchange stands, whatever a 997/999 says of its groups.
      await q`update deliveries set
          ack_status = case when receipt -> 'ta1' is not null and ack_status = 'rejected' then 'rejected' else ${status} end,
          status = case when status = 'sent' then 'acknowledged' else status end,
          receipt = coalesce(receipt, '{}'::jsonb) || ${q.json({ ack: ack.ack, ackTransactionId: transactionId, results } as never)},
          updated_at = now()
        where id = ${d.id}`
    }
    // A late ack closes the overdue exception it answers (a rejection still opens ack_rejected);
    // a TA1 that accepts the envelope does not: the functional ack is still missing.
    if (!envelopeOnly) await resolveOpenExceptions(q, { code: 'ack_overdue', deliveryId: d.id }, `the partner's ${ack.ack} for ${ack.reference} arrived (${arrived}), verdict ${status}`)
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
    where kind in ('document', 'warehouse') and ack_status = 'pending' and ack_deadline < now()
    returning id, partner_id, doc_type, control_number, sent_at, created_at, ack_deadline`
  for (const d of rows) {
    await openException(q, { code: 'ack_overdue', ack: d.doc_type, controlNumber: d.control_number, sentAt: (d.sent_at ?? d.created_at).toISOString(), deadline: d.ack_deadline.toISOString() }, { partnerId: d.partner_id, deliveryId: d.id })
  }
  return rows.length
}
