/**
 * Rows of the lineage below a payload: interchanges (ISA/UNB), transactions (ST/UNH or one JSON
 * body), documents (canonical) and deliveries (everything we send). Plain SQL next to its tables.
 */
import { newId } from '../lib/ids.ts'
import { coalescing } from './coalesce.ts'
import { jobsFrom } from './jobs.ts'
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

/** Who holds a duplicate key: the first interchange (and its payload) that claimed it, and when. */
export interface DuplicateHolder {
  interchange_id: string
  payload_id: string
  created_at: Date
}

/**
 * Claims a duplicate key (table duplicate_keys, migration 0900) for `interchangeId` in ONE
 * statement, and answers who holds it: a key held longer than the window is taken over, any other
 * holder stays. The primary key decides between concurrent claims: a transaction that inserts a
 * key another has inserted but not committed waits for it, then sees its row; two handlers in
 * one transaction see each other's at once. The caller's rollback gives the key back.
 */
export async function claimDuplicateKey(
  q: Q, r: { partnerId: string; key: string; interchangeId: string; payloadId: string; windowDays: number }
): Promise<DuplicateHolder> {
  const [row] = (await claimKey(q, r)) as unknown as DuplicateHolder[]
  return row
}

/**
 * The claim as a statement to run or to use as a CTE: returns the holder, and `duplicate` when it
 * is another interchange of another payload. A key older than the window is taken over.
 */
function claimKey(q: Q, r: { partnerId: string; key: string; interchangeId: string; payloadId: string; windowDays: number }) {
  return q`insert into duplicate_keys as k (partner_id, key, interchange_id, payload_id)
    values (${r.partnerId}, ${r.key}, ${r.interchangeId}, ${r.payloadId})
    ${takeOverExpired(q, q`${`${r.windowDays} days`}::interval`)}
    returning interchange_id, payload_id, created_at, interchange_id <> ${r.interchangeId} and payload_id <> ${r.payloadId} as duplicate`
}

/** The conflict rule of a claim: a key held longer than `window` (an interval) is taken over. */
function takeOverExpired(q: Q, window: ReturnType<Q>) {
  const expired = q`k.created_at <= now() - ${window}`
  return q`on conflict (partner_id, key) do update set
      interchange_id = case when ${expired} then excluded.interchange_id else k.interchange_id end,
      payload_id = case when ${expired} then excluded.payload_id else k.payload_id end,
      created_at = case when ${expired} then now() else k.created_at end`
}

/**
 * Deletes the duplicate keys held longer than their partner's window (`windows`: partner id →
 * days); a partner no longer configured keeps its keys for `fallbackDays`. A claim takes such a
 * key over anyway (claimKey), so nothing is decided differently; without this the table grows by
 * an interchange key per file received, for ever. One statement (daily: about a day of keys);
 * returns how many keys went.
 */
export async function pruneDuplicateKeys(q: Q, windows: Record<string, number>, fallbackDays: number): Promise<number> {
  const r = await q`delete from duplicate_keys k
    where k.created_at <= now() - make_interval(days => coalesce((${q.json(windows as never)}::jsonb ->> k.partner_id)::int, ${fallbackDays}))`
  return r.count
}

/** The duplicate key of an interchange: its control number per sender (ISA13 / UNB 0020). */
export const interchangeKey = (standard: string, senderId: string, controlNumber: string): string => `icn:${standard}:${senderId}:${controlNumber}`
/** The duplicate key of a functional group (GS06 / UNG 0048). */
export const groupKey = (standard: string, controlNumber: string): string => `grp:${standard}:${controlNumber}`
/** The duplicate key of a set (ST02 / UNH 0062) of one type. */
export const transactionKey = (standard: string, docType: string, controlNumber: string): string => `txn:${standard}:${docType}:${controlNumber}`

/**
 * Stores an interchange of a known partner and, unless `claim` is false (a replay of stored
 * bytes), claims its duplicate key in the same statement: the row is stored as `duplicate` of the
 * holder when another interchange holds the key within the window (one in the same payload does
 * not count: a file never duplicates itself). The holder is returned with a duplicate.
 * Interchanges claimed on one transaction at about the same time (a parse batch's files) share
 * one statement (src/db/coalesce.ts).
 */
export async function insertInterchangeClaiming(
  q: Q, r: InterchangeInsert & { partnerId: string }, claim: { windowDays: number } | false
): Promise<{ id: string; duplicateOf?: DuplicateHolder }> {
  if (!claim) return { id: await insertInterchange(q, r) }
  const [out] = await claimInterchanges(q, [{ row: r, id: newId('icn'), windowDays: claim.windowDays }])
  return out
}

interface InterchangeClaim {
  row: InterchangeInsert & { partnerId: string }
  id: string
  windowDays: number
}

const claimInterchanges = coalescing(claimInterchangesNow)

/**
 * The claims and the interchange rows of several interchanges in ONE statement, in their order.
 * An upsert cannot touch one key twice in a statement, so of several interchanges with the same
 * key (one file sent twice in one batch) only the first claims it; each is then judged against
 * whoever holds the key after the claims: the first of them, or an earlier interchange.
 */
async function claimInterchangesNow(q: Q, items: InterchangeClaim[]): Promise<{ id: string; duplicateOf?: DuplicateHolder }[]> {
  // Of several interchanges with one key, the one whose payload was received first claims it
  // (payload ids are time-ordered; within one millisecond, either), not the first handler to get
  // here: of one file received twice, the earlier copy is processed. The keys are then locked in
  // one fixed order (partner, key), so two batches claiming the same keys never wait in a cycle.
  const received = items.map((_, o) => o).sort((a, b) => {
    const [x, y] = [items[a].row, items[b].row]
    return x.payloadId < y.payloadId ? -1 : x.payloadId > y.payloadId ? 1 : x.seq - y.seq
  })
  const seen = new Set<string>()
  const windows: Record<string, number> = {}
  const rows = received.map((o) => {
    const { row: r, id, windowDays } = items[o]
    const key = interchangeKey(r.standard, r.senderId, r.controlNumber)
    const claims = !seen.has(`${r.partnerId}\u0000${key}`)
    seen.add(`${r.partnerId}\u0000${key}`)
    windows[r.partnerId] = windowDays
    return {
      o, id, key, claims, payload_id: r.payloadId, seq: r.seq, standard: r.standard, partner_id: r.partnerId,
      sender_qual: r.senderQual ?? null, sender_id: r.senderId, receiver_qual: r.receiverQual ?? null, receiver_id: r.receiverId,
      control_number: r.controlNumber, test: r.test, status: r.status, issues: r.issues,
    }
  })
  const held = await q<(DuplicateHolder & { o: number; duplicate: boolean })[]>`
    with v as (
      select * from jsonb_to_recordset(${q.json(rows as never)}) as v(o int, id text, key text, claims boolean, payload_id text,
        seq int, standard text, partner_id text, sender_qual text, sender_id text, receiver_qual text, receiver_id text,
        control_number text, test boolean, status text, issues jsonb)
    ), k as (
      insert into duplicate_keys as k (partner_id, key, interchange_id, payload_id)
      select partner_id, key, id, payload_id from v where claims order by partner_id, key
      ${takeOverExpired(q, q`make_interval(days => (${q.json(windows as never)}::jsonb ->> k.partner_id)::int)`)}
      returning k.partner_id, k.key, k.interchange_id, k.payload_id, k.created_at
    ), r as (
      select v.o, k.interchange_id, k.payload_id, k.created_at, k.interchange_id <> v.id and k.payload_id <> v.payload_id as duplicate
      from v join k on k.partner_id = v.partner_id and k.key = v.key
    ), i as (
      insert into interchanges (id, payload_id, seq, standard, partner_id, sender_qual, sender_id, receiver_qual,
        receiver_id, control_number, test, status, issues, duplicate_of)
      select v.id, v.payload_id, v.seq, v.standard, v.partner_id, v.sender_qual, v.sender_id, v.receiver_qual,
        v.receiver_id, v.control_number, v.test, case when r.duplicate then 'duplicate' else v.status end, v.issues,
        case when r.duplicate then r.interchange_id end
      from v join r on r.o = v.o
    )
    select * from r`
  const byOrder = new Map(held.map((h) => [h.o, h]))
  return items.map(({ id }, o) => {
    const h = byOrder.get(o)
    if (!h) throw new Error(`interchange claim ${id} returned no holder`)
    return { id, duplicateOf: h.duplicate ? { interchange_id: h.interchange_id, payload_id: h.payload_id, created_at: h.created_at } : undefined }
  })
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

/**
 * Many transactions in ONE statement (their rows as one JSON array): a chunk's or a batch's
 * accepted sets, stored together instead of one insert (and one socket write) per set. A row
 * without segments or a JSON body keeps its set in the raw bytes only (payload_chunks, its span).
 */
export async function insertTransactions(q: Q, rows: readonly (TransactionInsert & { id: string })[]): Promise<void> {
  if (rows.length === 0) return
  const json = rows.map((r) => ({
    id: r.id, payload_id: r.payloadId, interchange_id: r.interchangeId, partner_id: r.partnerId, standard: r.standard,
    doc_type: r.docType, version: r.version, group_control: r.groupControl ?? null, control_number: r.controlNumber,
    status: r.status, issues: r.issues, segments: r.segments ?? null, body: r.body ?? null,
    span_start: r.span?.start ?? null, span_end: r.span?.end ?? null,
  }))
  await q`insert into transactions (id, payload_id, interchange_id, partner_id, standard, doc_type, version, group_control,
      control_number, status, issues, segments, body, span_start, span_end)
    select id, payload_id, interchange_id, partner_id, standard, doc_type, version, group_control,
      control_number, status, issues, segments, body, span_start, span_end
    from jsonb_to_recordset(${q.json(json as never)}) as v(id text, payload_id text, interchange_id text, partner_id text,
      standard text, doc_type text, version text, group_control text, control_number text, status text, issues jsonb,
      segments jsonb, body jsonb, span_start bigint, span_end bigint)`
}

/** Several transactions' statuses (`[id, status]` pairs) in ONE statement. */
export function setTransactionStatuses(q: Q, pairs: readonly (readonly [string, string])[]): Promise<unknown> {
  return q`update transactions t set status = v.status, updated_at = now()
    from unnest(${pairs.map((p) => p[0])}::text[], ${pairs.map((p) => p[1])}::text[]) as v(id, status)
    where t.id = v.id`.execute()
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

/**
 * A delivery to insert and, with `deliver`, its deliver job: payload `{ deliveryId, ...deliver }`,
 * dedupe key `deliver:<id>` (enqueue's rule), so a delivery and its job are one statement.
 */
export interface DeliveryRequest extends DeliveryInsert {
  deliver?: Record<string, unknown>
}

/** One delivery (and its deliver job): insertDeliveries of one; returns its id. */
export async function insertDelivery(q: Q, d: DeliveryRequest): Promise<string> {
  return (await insertDeliveries(q, [d]))[0]
}

/** Most deliveries one statement of insertDeliveries inserts, coalesced or `.now` (the bytes travel in its parameter, in base64). */
export const DELIVERIES_PER_STATEMENT = 1000

/**
 * Deliveries, and the deliver jobs of those that want one, in ONE statement; returns their ids
 * in order. Callers on one transaction at about the same time (a parse batch's acks, matching's
 * warehouse deliveries) share that statement (src/db/coalesce.ts); `.now` sends at once.
 */
export const insertDeliveries = coalescing(deliveriesNow, DELIVERIES_PER_STATEMENT)

/** The rows as one JSON array (the bytes in base64): one parameter however many there are. */
async function deliveriesNow(q: Q, ds: readonly DeliveryRequest[]): Promise<string[]> {
  const rows = ds.map((d) => {
    const id = d.id ?? newId('dlv')
    return {
      id, partner_id: d.partnerId, kind: d.kind, doc_type: d.docType, parent_table: d.parentTable, parent_id: d.parentId,
      destination: d.destination, status: d.status ?? 'pending', bytes: d.bytes?.toString('base64') ?? null,
      filename: d.filename ?? null, content_type: d.contentType ?? null, control_number: d.controlNumber ?? null,
      standard: d.standard ?? null, interchange_control: d.references?.interchange ?? null,
      group_control: d.references?.group ?? null, message_control: d.references?.message ?? null,
      idempotency_key: d.idempotencyKey ?? id, ack_status: d.ackStatus ?? null, ack_deadline: d.ackDeadline?.toISOString() ?? null,
      receipt: d.receipt ?? null, deliver: d.deliver ? { ...d.deliver, deliveryId: id } : null,
    }
  })
  await q`with v as (
      select * from jsonb_to_recordset(${q.json(rows as never)}) as v(id text, partner_id text, kind text, doc_type text,
        parent_table text, parent_id text, destination text, status text, bytes text, filename text, content_type text,
        control_number text, standard text, interchange_control text, group_control text, message_control text,
        idempotency_key text, ack_status text, ack_deadline timestamptz, receipt jsonb, deliver jsonb)
    ), d as (
      insert into deliveries (id, partner_id, kind, doc_type, parent_table, parent_id, destination, status, bytes,
        filename, content_type, control_number, standard, interchange_control, group_control, message_control,
        idempotency_key, ack_status, ack_deadline, receipt)
      select id, partner_id, kind, doc_type, parent_table, parent_id, destination, status, decode(bytes, 'base64'),
        filename, content_type, control_number, standard, interchange_control, group_control, message_control,
        idempotency_key, ack_status, ack_deadline, receipt
      from v
    )
    ${jobsFrom(q, 'deliver', q`select deliver, 'deliver:' || id from v where deliver is not null`)}`
  return rows.map((r) => r.id)
}

