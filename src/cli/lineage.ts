/**
 * One message's lineage: payload → interchanges → transactions → documents → deliveries, plus
 * exceptions. Rows in camelCase like the operations API (`messages show --json`); JSON columns as stored.
 */
import type { Q } from '../db/sql.ts'
import { camelRow, camelRows } from '../http/camel.ts'

export async function lineage(q: Q, messageId: string) {
  const [payload] = await q<{ id: string; status: string; transport: string; partner_id: string | null; filename: string | null; size: string; sha256: string; received_at: Date }[]>`
    select id, status, transport, partner_id, filename, size, sha256, received_at, standard, test, meta, outcome from payloads where id = ${messageId}`
  if (!payload) return undefined
  const interchanges = await q<{ id: string; control_number: string; sender_id: string; receiver_id: string; status: string; test: boolean }[]>`
    select * from interchanges where payload_id = ${messageId} order by seq`
  const transactions = await q<{ id: string; doc_type: string; control_number: string; status: string; issues: unknown }[]>`
    select id, interchange_id, doc_type, version, group_control, control_number, status, issues, span_start, span_end
    from transactions where payload_id = ${messageId} order by created_at, id`
  const documents = await q<{ id: string; kind: string; business_key: string; status: string; map_id: string | null; map_hash: string | null }[]>`
    select id, transaction_id, kind, business_key, status, map_id, map_hash, test, match, doc from documents
    where payload_id = ${messageId} order by created_at, id`
  const parents = [...interchanges.map((i) => i.id), ...documents.map((d) => d.id)]
  // history: each state the delivery went through (migration 0800), oldest first.
  const deliveries = await q<{ kind: string; doc_type: string; destination: string; status: string; ack_status: string | null;
    attempts: number; last_error: string | null; history: { status: string; at: string; attempts?: number; error?: string }[] }[]>`
    select id, kind, doc_type, parent_id, destination, status, attempts, control_number, ack_status, last_error, sent_at, history
    from deliveries where parent_id = any(${parents}) order by created_at, id`
  const exceptions = await q<{ id: string; code: string; state: string; explanation: string }[]>`
    select id, code, queue, state, explanation, transaction_id, document_id from exceptions
    where payload_id = ${messageId} or document_id = any(${documents.map((d) => d.id)}) order by created_at, id`
  return {
    payload: camelRow(payload),
    interchanges: camelRows(interchanges),
    transactions: camelRows(transactions),
    documents: camelRows(documents),
    deliveries: camelRows(deliveries),
    exceptions: camelRows(exceptions),
  }
}
