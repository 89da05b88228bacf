/**
 * Read-only queries behind the supplier API's status endpoint, the operations API, the console
 * and /metrics: message search, one message's lineage, partner health, PO workflow. Every value
 * reaches PostgreSQL as a bound parameter (postgres.js tagged templates), never as SQL text, so
 * a hostile id is just a string that matches nothing.
 */
import type { Q } from './sql.ts'

const OPEN = ['open', 'assigned']

export interface MessageFilter {
  partnerId?: string
  transport?: string
  /** Transaction doc type (`856`, `DESADV`, `asn`) or document kind (`asn`, `invoice`). */
  type?: string
  /** Payload, transaction or document status. */
  status?: string
  from?: Date
  to?: Date
  poNumber?: string
  /** Interchange (ISA13/UNB 0020), group (GS06) or transaction (ST02/UNH 0062) control number. */
  controlNumber?: string
  limit?: number
  offset?: number
}

export interface MessageSummary {
  id: string
  received_at: Date
  transport: string
  partner_id: string | null
  filename: string | null
  external_id: string | null
  size: string
  standard: string | null
  status: string
  test: boolean
  doc_types: string[] | null
  po_numbers: string[] | null
  open_exceptions: number
}

export async function searchMessages(q: Q, f: MessageFilter): Promise<MessageSummary[]> {
  const n = <T>(v: T | undefined): T | null => (v === undefined ? null : v)
  return q<MessageSummary[]>`
    select p.id, p.received_at, p.transport, p.partner_id, p.filename, p.external_id, p.size, p.standard, p.status, p.test,
      (select array_agg(distinct t.doc_type) from transactions t where t.payload_id = p.id) as doc_types,
      (select array_agg(distinct po) from documents d, unnest(d.po_numbers) po where d.payload_id = p.id) as po_numbers,
      (select count(*)::int from exceptions e where e.payload_id = p.id and e.state = any(${OPEN})) as open_exceptions
    from payloads p
    where (${n(f.partnerId)}::text is null or p.partner_id = ${n(f.partnerId)})
      and (${n(f.transport)}::text is null or p.transport = ${n(f.transport)})
      and (${n(f.status)}::text is null or p.status = ${n(f.status)}
        or exists (select 1 from transactions t where t.payload_id = p.id and t.status = ${n(f.status)})
        or exists (select 1 from documents d where d.payload_id = p.id and d.status = ${n(f.status)}))
      and (${n(f.type)}::text is null
        or exists (select 1 from transactions t where t.payload_id = p.id and t.doc_type = ${n(f.type)})
        or exists (select 1 from documents d where d.payload_id = p.id and d.kind = ${n(f.type)}))
      and (${n(f.from)}::timestamptz is null or p.received_at >= ${n(f.from)})
      and (${n(f.to)}::timestamptz is null or p.received_at < ${n(f.to)})
      and (${n(f.poNumber)}::text is null
        or exists (select 1 from documents d where d.payload_id = p.id and d.po_numbers @> array[${n(f.poNumber)}]::text[]))
      and (${n(f.controlNumber)}::text is null
        or exists (select 1 from interchanges i where i.payload_id = p.id and i.control_number = ${n(f.controlNumber)})
        or exists (select 1 from transactions t where t.payload_id = p.id
          and (t.control_number = ${n(f.controlNumber)} or t.group_control = ${n(f.controlNumber)})))
    order by p.received_at desc, p.id desc
    limit ${f.limit ?? 50} offset ${f.offset ?? 0}`
}

/** Everything below one payload, newest facts included; raw bytes are fetched separately. */
export async function messageLineage(q: Q, id: string) {
  const [payload] = await q`select id, received_at, transport, partner_id, filename, content_type, external_id, sha256,
      size, standard, status, test, meta, outcome, updated_at from payloads where id = ${id}`
  if (!payload) return undefined
  const interchanges = await q`select id, seq, standard, partner_id, sender_qual, sender_id, receiver_qual, receiver_id,
      control_number, test, status, issues, duplicate_of, created_at from interchanges where payload_id = ${id} order by seq`
  const transactions = await q`select id, interchange_id, partner_id, standard, doc_type, version, group_control,
      control_number, status, issues, span_start, span_end, created_at, updated_at
    from transactions where payload_id = ${id} order by span_start nulls last, created_at`
  const documents = await q`select id, transaction_id, partner_id, kind, business_key, po_numbers, ssccs, doc, map_id,
      status, test, match, duplicate_of, created_at, updated_at from documents where payload_id = ${id} order by created_at`
  const parents = [id, ...interchanges.map((r) => r.id), ...transactions.map((r) => r.id), ...documents.map((r) => r.id)] as string[]
  const deliveries = await q`select id, partner_id, kind, doc_type, parent_table, parent_id, destination, status, attempts,
      filename, content_type, control_number, ack_status, ack_deadline, last_error, receipt, octet_length(bytes) as size,
      created_at, sent_at, updated_at, history
    from deliveries where parent_id = any(${parents}) order by created_at`
  const exceptions = await q`select id, code, queue, severity, state, partner_id, payload_id, transaction_id, document_id,
      delivery_id, reason, explanation, assigned_to, note, created_at, updated_at, resolved_at
    from exceptions
    where payload_id = ${id} or transaction_id = any(${parents}) or document_id = any(${parents})
      or delivery_id = any(${deliveries.map((d) => d.id) as string[]})
    order by created_at`
  const jobs = await q`select id, stage, state, attempts, max_attempts, last_error, run_after, created_at, completed_at
    from jobs where payload->>'messageId' = ${id} order by id`
  return { payload, interchanges, transactions, documents, deliveries, exceptions, jobs }
}

/** A partner's own submission, for GET /api/v1/transactions/{id}: scoped by partner in SQL. */
export async function partnerSubmission(q: Q, partnerId: string, id: string) {
  const [payload] = await q<{ id: string; received_at: Date; status: string }[]>`
    select id, received_at, status from payloads where id = ${id} and partner_id = ${partnerId} and transport = 'http'`
  if (!payload) return undefined
  const transactions = await q<{ id: string; status: string }[]>`select id, status from transactions where payload_id = ${id}`
  const documents = await q<{ id: string; kind: string; business_key: string; status: string; po_numbers: string[] }[]>`
    select id, kind, business_key, status, po_numbers from documents where payload_id = ${id} order by created_at`
  const exceptions = await q<{ id: string; code: string; severity: string; state: string; reason: unknown; explanation: string }[]>`
    select id, code, severity, state, reason, explanation from exceptions
    where payload_id = ${id}
      or transaction_id in (select id from transactions where payload_id = ${id})
      or document_id in (select id from documents where payload_id = ${id})
    order by created_at`
  const [jobs] = await q<{ n: number }[]>`select count(*)::int as n from jobs
    where payload->>'messageId' = ${id} and state in ('created', 'retry', 'active')`
  return { payload, transactions, documents, exceptions, pendingJobs: jobs.n }
}

export interface PartnerActivity {
  partner_id: string
  last_message_at: Date | null
  messages_24h: number
  open_exceptions: number
  pending_acks: number
  overdue_acks: number
}

/** Per-partner activity numbers for the partner list (partners without rows get zeros). */
export async function partnerActivity(q: Q): Promise<Map<string, PartnerActivity>> {
  const rows = await q<PartnerActivity[]>`
    with ids as (
      select partner_id from payloads where partner_id is not null
      union select partner_id from exceptions where partner_id is not null
      union select partner_id from deliveries where partner_id is not null)
    select ids.partner_id,
      (select max(received_at) from payloads p where p.partner_id = ids.partner_id) as last_message_at,
      (select count(*)::int from payloads p where p.partner_id = ids.partner_id and p.received_at > now() - interval '24 hours') as messages_24h,
      (select count(*)::int from exceptions e where e.partner_id = ids.partner_id and e.state = any(${OPEN})) as open_exceptions,
      (select count(*)::int from deliveries d where d.partner_id = ids.partner_id and d.ack_status = 'pending') as pending_acks,
      (select count(*)::int from deliveries d where d.partner_id = ids.partner_id
        and (d.ack_status = 'overdue' or (d.ack_status = 'pending' and d.ack_deadline < now()))) as overdue_acks
    from ids`
  return new Map(rows.map((r) => [r.partner_id, r]))
}

/** Every document that names the PO, with its match result, plus what we sent about them. */
export async function poDocuments(q: Q, poNumber: string) {
  const documents = await q<{ id: string; payload_id: string; partner_id: string; kind: string; business_key: string;
    status: string; doc: Record<string, unknown>; match: Record<string, unknown> | null; created_at: Date; updated_at: Date }[]>`
    select id, payload_id, partner_id, kind, business_key, status, doc, match, created_at, updated_at
    from documents where po_numbers @> array[${poNumber}]::text[] order by created_at`
  const ids = documents.map((d) => d.id)
  const exceptions = await q`select id, code, severity, state, document_id, explanation, created_at from exceptions
    where document_id = any(${ids}) order by created_at`
  const deliveries = await q`select id, kind, doc_type, parent_id, destination, status, ack_status, control_number, created_at
    from deliveries where parent_id = any(${ids}) order by created_at`
  return { documents, exceptions, deliveries }
}

/**
 * Recent purchase orders with how far each got (ack / ASN / invoice counts and the stage), the
 * order value (Σ quantity × unit price of lines with a price, 2 decimals; null when none has one)
 * and the requested date (the PO's, else its earliest line's).
 */
export async function listPurchaseOrders(q: Q, f: { partnerId?: string; limit: number; offset: number }) {
  return q<{ po_number: string; supplier_id: string; status: string; created_at: Date; acks: number; asns: number;
    invoices: number; open_exceptions: number; stage: string; value: string | null; currency: string; requested_date: string | null }[]>`
    select po.po_number, po.supplier_id, po.status, po.created_at, po.currency,
      coalesce(po.requested_date, (select min(l.requested_date) from erp_po_lines l where l.po_number = po.po_number)) as requested_date,
      (select round(sum(l.quantity::numeric * l.unit_price::numeric), 2)::text from erp_po_lines l
        where l.po_number = po.po_number and l.quantity ~ '^-?[0-9]+([.][0-9]+)?$' and l.unit_price ~ '^-?[0-9]+([.][0-9]+)?$') as value,
      (select case when bool_or(d.kind = 'invoice') then 'billing' when bool_or(d.kind = 'asn') then 'fulfilment'
          when bool_or(d.kind = 'po_ack') then 'acknowledged' else 'pending' end
        from documents d where d.po_numbers @> array[po.po_number] and d.status <> 'duplicate') as stage,
      (select count(*)::int from documents d where d.po_numbers @> array[po.po_number] and d.kind = 'po_ack') as acks,
      (select count(*)::int from documents d where d.po_numbers @> array[po.po_number] and d.kind = 'asn') as asns,
      (select count(*)::int from documents d where d.po_numbers @> array[po.po_number] and d.kind = 'invoice') as invoices,
      (select count(*)::int from exceptions e join documents d on d.id = e.document_id
        where d.po_numbers @> array[po.po_number] and e.state = any(${OPEN})) as open_exceptions
    from erp_purchase_orders po
    where (${f.partnerId ?? null}::text is null or po.supplier_id = ${f.partnerId ?? null})
    order by po.created_at desc, po.po_number
    limit ${f.limit} offset ${f.offset}`
}
