/**
 * Exception rows: the queue people work. Opening is idempotent through a dedupe key (the same
 * reason on the same row is one exception, however often a stage re-runs). Resolving, ignoring
 * and assigning are state changes with a note; replay is the pipeline's job.
 */
import { REASONS, type ExceptionReason } from '../exceptions/reasons.ts'
import { explain } from '../exceptions/render.ts'
import { newId, sha256, stableStringify } from '../lib/ids.ts'
import type { Q } from './sql.ts'
import { settleAll } from '../lib/settle.ts'

export interface ExceptionRefs {
  partnerId?: string | null
  payloadId?: string | null
  transactionId?: string | null
  documentId?: string | null
  deliveryId?: string | null
}

export interface ExceptionRow {
  id: string
  code: string
  queue: string
  severity: string
  state: 'open' | 'assigned' | 'resolved' | 'ignored'
  partner_id: string | null
  payload_id: string | null
  transaction_id: string | null
  document_id: string | null
  delivery_id: string | null
  reason: ExceptionReason
  explanation: string
  assigned_to: string | null
  note: string | null
  created_at: Date
  updated_at: Date
  resolved_at: Date | null
}

/** The most specific row an exception is about, plus the reason itself. */
export function dedupeKeyOf(reason: ExceptionReason, refs: ExceptionRefs): string {
  const target = refs.deliveryId ?? refs.documentId ?? refs.transactionId ?? refs.payloadId ?? refs.partnerId ?? '-'
  return `${reason.code}:${target}:${sha256(stableStringify(reason)).slice(0, 16)}`
}

/**
 * Open (or find the already open) exception. Returns its id and whether it is new. A business-key
 * duplicate is first described the way a buyer knows the document (describeDuplicate).
 */
export async function openException(
  q: Q,
  reason: ExceptionReason,
  refs: ExceptionRefs,
  dedupeKey?: string,
  opts: { reopenResolved?: boolean } = {}
): Promise<{ id: string; created: boolean }> {
  if (opts.reopenResolved) {
    // A key is never reused: a problem that recurs after its exception was resolved (the fix did
    // not take) opens that exception again instead of being swallowed.
    const r = await insertException(q, reason, refs, dedupeKey ?? dedupeKeyOf(reason, refs))
    if (!r.created) await q`update exceptions set state = 'open', resolved_at = null, updated_at = now() where id = ${r.id} and state = 'resolved'`
    return r
  }
  if (reason.code === 'duplicate_document' && !reason.number) {
    const { described, invoice } = await describeDuplicate(q, reason)
    if (invoice) await insertException(q, invoice, refs, dedupeKeyOf(invoice, refs))
    return insertException(q, described, refs, dedupeKey ?? dedupeKeyOf(reason, refs))
  }
  return insertException(q, reason, refs, dedupeKey ?? dedupeKeyOf(reason, refs))
}

/**
 * Several exceptions in one statement (a set-based stage's reasons), each idempotent through its
 * dedupe key exactly like openException. A business-key duplicate still goes through
 * openException (it reads the first copy to describe it).
 */
export async function openExceptions(q: Q, items: readonly { reason: ExceptionReason; refs: ExceptionRefs; dedupeKey?: string }[]): Promise<void> {
  const plain = items.filter((i) => i.reason.code !== 'duplicate_document')
  const writes: Promise<unknown>[] = items.filter((i) => i.reason.code === 'duplicate_document').map((i) => openException(q, i.reason, i.refs, i.dedupeKey))
  if (plain.length) {
    writes.push(q`insert into exceptions (id, code, queue, severity, partner_id, payload_id, transaction_id, document_id,
        delivery_id, reason, explanation, dedupe_key)
      select v.id, v.code, v.queue, v.severity, v.partner_id, v.payload_id, v.transaction_id, v.document_id, v.delivery_id,
        v.reason, v.explanation, v.dedupe_key
      from jsonb_to_recordset(${q.json((plain.map((i) => ({
        id: newId('exc'), code: i.reason.code, queue: REASONS[i.reason.code].queue, severity: REASONS[i.reason.code].severity,
        partner_id: i.refs.partnerId ?? null, payload_id: i.refs.payloadId ?? null, transaction_id: i.refs.transactionId ?? null,
        document_id: i.refs.documentId ?? null, delivery_id: i.refs.deliveryId ?? null, reason: i.reason, explanation: explain(i.reason),
        dedupe_key: i.dedupeKey ?? dedupeKeyOf(i.reason, i.refs),
      }))) as never)}) as v(id text, code text, queue text, severity text, partner_id text, payload_id text, transaction_id text,
        document_id text, delivery_id text, reason jsonb, explanation text, dedupe_key text)
      on conflict (dedupe_key) do nothing`.execute())
  }
  await settleAll(writes)
}

type DuplicateReason = Extract<ExceptionReason, { code: 'duplicate_document' }>

/**
 * Name a resent document as the buyer knows it: supplier, its own number (invoice number,
 * shipment id, PO number), the PO, and when the first copy was received; the internal id stays
 * in the data only. A resent invoice also raises the buyer-facing `invoice_duplicate` (do not pay
 * twice), whatever control numbers it came under.
 */
async function describeDuplicate(
  q: Q,
  reason: DuplicateReason
): Promise<{ described: DuplicateReason; invoice?: ExceptionReason }> {
  const [first] = await q<{ partner_id: string; kind: string; business_key: string; po_numbers: string[]; created_at: Date }[]>`
    select partner_id, kind, business_key, po_numbers, created_at from documents where id = ${reason.firstDocumentId}`
  if (!first) return { described: reason }
  const number = first.business_key.replace(/^[a-z_]+:/, '')
  const firstReceivedAt = first.created_at.toISOString()
  const kind = first.kind as NonNullable<DuplicateReason['docKind']>
  const described: DuplicateReason = {
    ...reason,
    docKind: kind,
    number,
    supplierId: first.partner_id,
    ...(first.po_numbers[0] ? { poNumber: first.po_numbers.join(', ') } : {}),
    firstReceivedAt,
  }
  const invoice: ExceptionReason | undefined =
    kind === 'invoice'
      ? {
          code: 'invoice_duplicate',
          doc: { kind: 'invoice', id: number },
          poNumber: first.po_numbers.join(', '),
          invoiceNumber: number,
          supplierId: first.partner_id,
          firstReceivedAt,
        }
      : undefined
  return { described, invoice }
}

async function insertException(
  q: Q,
  reason: ExceptionReason,
  refs: ExceptionRefs,
  dedupeKey: string
): Promise<{ id: string; created: boolean }> {
  const meta = REASONS[reason.code]
  const id = newId('exc')
  const rows = await q<{ id: string }[]>`
    insert into exceptions (id, code, queue, severity, partner_id, payload_id, transaction_id, document_id,
      delivery_id, reason, explanation, dedupe_key)
    values (${id}, ${reason.code}, ${meta.queue}, ${meta.severity}, ${refs.partnerId ?? null},
      ${refs.payloadId ?? null}, ${refs.transactionId ?? null}, ${refs.documentId ?? null},
      ${refs.deliveryId ?? null}, ${q.json(reason as never)}, ${explain(reason)}, ${dedupeKey})
    on conflict (dedupe_key) do nothing
    returning id`
  if (rows.length) return { id: rows[0].id, created: true }
  const [existing] = await q<{ id: string }[]>`select id from exceptions where dedupe_key = ${dedupeKey}`
  return { id: existing.id, created: false }
}

export interface ExceptionFilter {
  /** A state, or `active`: open or assigned (the default queue: assigned items stay in it). */
  state?: string
  /** Only items assigned to this person. */
  assignee?: string
  /** Only items nobody is assigned to. */
  unassigned?: boolean
  queue?: string
  code?: string
  partnerId?: string
  documentId?: string
  payloadId?: string
  limit?: number
  offset?: number
}

export async function listExceptions(q: Q, f: ExceptionFilter = {}): Promise<ExceptionRow[]> {
  return q<ExceptionRow[]>`
    select * from exceptions
    where (${f.state ?? null}::text is null or state = ${f.state ?? null}
        or (${f.state ?? null} = 'active' and state in ('open', 'assigned')))
      and (${f.assignee ?? null}::text is null or assigned_to = ${f.assignee ?? null})
      and (not ${f.unassigned ?? false} or assigned_to is null)
      and (${f.queue ?? null}::text is null or queue = ${f.queue ?? null})
      and (${f.code ?? null}::text is null or code = ${f.code ?? null})
      and (${f.partnerId ?? null}::text is null or partner_id = ${f.partnerId ?? null})
      and (${f.documentId ?? null}::text is null or document_id = ${f.documentId ?? null})
      and (${f.payloadId ?? null}::text is null or payload_id = ${f.payloadId ?? null})
    order by created_at desc, id desc
    limit ${f.limit ?? 100} offset ${f.offset ?? 0}`
}

export async function getException(q: Q, id: string): Promise<ExceptionRow | undefined> {
  const [row] = await q<ExceptionRow[]>`select * from exceptions where id = ${id}`
  return row
}

export async function setExceptionState(
  q: Q,
  id: string,
  state: 'open' | 'assigned' | 'resolved' | 'ignored',
  opts: { assignee?: string; note?: string } = {}
): Promise<ExceptionRow | undefined> {
  const done = state === 'resolved' || state === 'ignored'
  const [row] = await q<ExceptionRow[]>`
    update exceptions set state = ${state},
      assigned_to = coalesce(${opts.assignee ?? null}, assigned_to),
      note = coalesce(${opts.note ?? null}, note),
      resolved_at = ${done ? new Date() : null},
      updated_at = now()
    where id = ${id}
    returning *`
  return row
}

/**
 * Resolve, as the system, the open (or assigned) exceptions of one code on one delivery, through
 * the same state change an operator's resolve makes; the note says what closed them.
 */
export async function resolveOpenExceptions(q: Q, where: { code: ExceptionRow['code']; deliveryId: string }, note: string): Promise<ExceptionRow[]> {
  const open = await q<{ id: string }[]>`select id from exceptions
    where code = ${where.code} and delivery_id = ${where.deliveryId} and state in ('open', 'assigned')`
  const out: ExceptionRow[] = []
  for (const e of open) {
    const row = await setExceptionState(q, e.id, 'resolved', { note: `resolved automatically: ${note}` })
    if (row) out.push(row)
  }
  return out
}

/** Open exceptions still blocking a document (held until all are resolved/ignored). */
export async function openCountFor(q: Q, documentId: string): Promise<number> {
  const [r] = await q<{ n: number }[]>`select count(*)::int as n from exceptions
    where document_id = ${documentId} and state in ('open', 'assigned') and severity = 'error'`
  return r.n
}
