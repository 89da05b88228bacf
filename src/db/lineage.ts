/**
 * Rows of the lineage below a payload: interchanges (ISA/UNB), transactions (ST/UNH or one JSON
 * body), documents (canonical) and deliveries (everything we send). Plain SQL next to its tables.
 */
import { newId } from '../lib/ids.ts'
import type { Q } from './sql.ts'

export interface InterchangeInsert {
  payloadId: string
  seq: number
  standard: string
  partnerId: string | null
  senderQual?: string
  senderId: string
  receiverQual?: string
  receiverId: string
  controlNumber: string
  test: boolean
  status: string
  issues: unknown[]
  duplicateOf?: string | null
}

export async function insertInterchange(q: Q, r: InterchangeInsert): Promise<string> {
  const id = newId('icn')
  await q`insert into interchanges (id, payload_id, seq, standard, partner_id, sender_qual, sender_id, receiver_qual,
      receiver_id, control_number, test, status, issues, duplicate_of)
    values (${id}, ${r.payloadId}, ${r.seq}, ${r.standard}, ${r.partnerId}, ${r.senderQual ?? null}, ${r.senderId},
      ${r.receiverQual ?? null}, ${r.receiverId}, ${r.controlNumber}, ${r.test}, ${r.status},
      ${q.json(r.issues as never)}, ${r.duplicateOf ?? null})`
  return id
}

/** The interchange's final issues (a streamed interchange's trailer is checked after its row was written). */
export async function setInterchangeIssues(q: Q, id: string, issues: unknown[]): Promise<void> {
  await q`update interchanges set issues = ${q.json(issues as never)} where id = ${id}`
}

/**
 * Serialises duplicate checks on one key until the caller's transaction ends. A check reads
 * before the row it guards is inserted; without the lock two payloads carrying the same
 * interchange, parsed at once by two workers, both found nothing and were both processed. With
 * it the second waits for the first to commit (or roll back), and its read, a new statement,
 * sees the first's rows. Keys are per schema, so test schemas on one database never meet.
 */
export async function lockDuplicateKey(q: Q, key: string): Promise<void> {
  await q`select pg_advisory_xact_lock(hashtextextended(current_schema() || ':dup:' || ${key}, 0))`
}

/**
 * An earlier interchange with the same control number from the same sender within the window.
 * Takes the key's lock first (lockDuplicateKey): the answer holds until the caller commits.
 */
export async function findDuplicateInterchange(
  q: Q,
  r: { partnerId: string; standard: string; senderId: string; controlNumber: string; windowDays: number; payloadId: string }
): Promise<{ id: string; payload_id: string; created_at: Date } | undefined> {
  await lockDuplicateKey(q, `icn:${r.partnerId}:${r.standard}:${r.senderId}:${r.controlNumber}`)
  const [row] = await q<{ id: string; payload_id: string; created_at: Date }[]>`
    select id, payload_id, created_at from interchanges
    where partner_id = ${r.partnerId} and standard = ${r.standard} and sender_id = ${r.senderId}
      and control_number = ${r.controlNumber} and payload_id <> ${r.payloadId}
      and status <> 'duplicate' and created_at > now() - ${`${r.windowDays} days`}::interval
    order by created_at limit 1`
  return row
}

export interface TransactionInsert {
  /** Chosen by the caller when it must refer to the row before the insert completes (pipelining). */
  id?: string
  payloadId: string
  interchangeId: string | null
  partnerId: string | null
  standard: string
  docType: string
  version: string
  groupControl?: string | null
  controlNumber: string
  status: string
  issues: unknown[]
  segments?: unknown
  body?: unknown
  span?: { start: number; end: number }
}

export async function insertTransaction(q: Q, r: TransactionInsert): Promise<string> {
  const id = r.id ?? newId('txn')
  await q`insert into transactions (id, payload_id, interchange_id, partner_id, standard, doc_type, version, group_control,
      control_number, status, issues, segments, body, span_start, span_end)
    values (${id}, ${r.payloadId}, ${r.interchangeId}, ${r.partnerId}, ${r.standard}, ${r.docType}, ${r.version},
      ${r.groupControl ?? null}, ${r.controlNumber}, ${r.status}, ${q.json(r.issues as never)},
      ${r.segments === undefined ? null : q.json(r.segments as never)}, ${r.body === undefined ? null : q.json(r.body as never)},
      ${r.span?.start ?? null}, ${r.span?.end ?? null})`
  return id
}

export async function setTransactionStatus(q: Q, id: string, status: string): Promise<void> {
  await q`update transactions set status = ${status}, updated_at = now() where id = ${id}`
}

/**
 * The envelope references of an outbound EDI document: X12 ISA13 / GS06 / ST02, EDIFACT
 * UNB 0020 / (no group) / UNH 0062.
 */
export interface DeliveryReferences {
  interchange: string
  group?: string
  message?: string
}

export interface DeliveryInsert {
  /** Chosen by the caller when it must refer to the row before the insert completes (pipelining). */
  id?: string
  partnerId: string | null
  kind: 'ack' | 'document' | 'warehouse' | 'mdn'
  docType: string
  parentTable: string
  parentId: string
  destination: string
  bytes?: Buffer | null
  filename?: string
  contentType?: string
  controlNumber?: string
  /** An outbound EDI document: its standard and envelope references, what acks are matched against. */
  standard?: 'x12' | 'edifact' | null
  references?: DeliveryReferences
  idempotencyKey?: string
  ackDeadline?: Date | null
  ackStatus?: string | null
  status?: string
  receipt?: Record<string, unknown>
}

export async function insertDelivery(q: Q, d: DeliveryInsert): Promise<string> {
  const id = d.id ?? newId('dlv')
  const r = d.references
  await q`insert into deliveries (id, partner_id, kind, doc_type, parent_table, parent_id, destination, status, bytes,
      filename, content_type, control_number, standard, interchange_control, group_control, message_control,
      idempotency_key, ack_status, ack_deadline, receipt)
    values (${id}, ${d.partnerId}, ${d.kind}, ${d.docType}, ${d.parentTable}, ${d.parentId}, ${d.destination},
      ${d.status ?? 'pending'}, ${d.bytes ?? null}, ${d.filename ?? null}, ${d.contentType ?? null},
      ${d.controlNumber ?? null}, ${d.standard ?? null}, ${r?.interchange ?? null}, ${r?.group ?? null}, ${r?.message ?? null},
      ${d.idempotencyKey ?? id}, ${d.ackStatus ?? null}, ${d.ackDeadline ?? null},
      ${d.receipt ? q.json(d.receipt as never) : null})`
  return id
}

/**
 * An earlier transaction from this partner with the same group (GS06/UNG 0048) or transaction
 * (ST02/UNH 0062) control number within the window, in another interchange. Locked per key like
 * findDuplicateInterchange.
 */
export async function findDuplicateTransaction(
  q: Q,
  r: { partnerId: string; standard: string; interchangeId: string; windowDays: number; groupControl?: string; docType?: string; controlNumber?: string }
): Promise<{ payload_id: string } | undefined> {
  await lockDuplicateKey(q, r.groupControl !== undefined
    ? `grp:${r.partnerId}:${r.standard}:${r.groupControl}`
    : `txn:${r.partnerId}:${r.standard}:${r.docType ?? ''}:${r.controlNumber ?? ''}`)
  const [row] = await q<{ payload_id: string }[]>`
    select payload_id from transactions
    where partner_id = ${r.partnerId} and standard = ${r.standard} and interchange_id <> ${r.interchangeId}
      and status not in ('duplicate', 'rejected')
      and (${r.groupControl ?? null}::text is null or group_control = ${r.groupControl ?? null})
      and (${r.controlNumber ?? null}::text is null or (control_number = ${r.controlNumber ?? null} and doc_type = ${r.docType ?? null}))
      and created_at > now() - ${`${r.windowDays} days`}::interval
    order by created_at limit 1`
  return row
}
