/**
 * Stage `translate`: one transaction (ST/UNH or a JSON body) → one canonical document, through
 * the most specific map. Map failures are exceptions on the transaction; a document resent under
 * new control numbers (same business key, same content) is recorded as a duplicate and never
 * processed twice.
 *
 * Set-based: a batch of transactions is read in one statement, mapped in memory, and its
 * documents, statuses and match jobs written in one statement each (translateMany). A copy
 * (same business key and content) found by the insert's unique key takes the duplicate path.
 */
import { businessKey, type CanonicalDoc } from '../canonical/index.ts'
import { openException, openExceptions } from '../db/exceptions.ts'
import { enqueueMany } from '../db/jobs.ts'
import { setTransactionStatus, setTransactionStatuses } from '../db/lineage.ts'
import type { Q } from '../db/sql.ts'
import { newId } from '../lib/ids.ts'
import { contentHash, poNumbersOf, ssccsOf } from '../matching/index.ts'
import { yieldToEventLoop } from '../lib/event-loop.ts'
import type { PipelineDeps } from './deps.ts'
import type { DocRow } from './match.ts'
import { settleAll } from '../lib/settle.ts'

export interface TxRow {
  id: string
  payload_id: string
  interchange_id: string | null
  partner_id: string
  standard: 'x12' | 'edifact' | 'json'
  doc_type: string
  version: string
  group_control: string | null
  control_number: string
  status: string
  segments: unknown[] | null
  body: unknown
  ic_control: string | null
  ic_test: boolean | null
}

/** One transaction's translation (the stage for a single job); returns its document id. */
export async function translateStage(deps: PipelineDeps, q: Q, transactionId: string): Promise<string | undefined> {
  return (await translateMany(deps, q, [transactionId])).get(transactionId)
}


interface Mapped {
  tx: TxRow
  profileId: string
  id: string
  doc: CanonicalDoc
  key: string
  hash: string
  mapId: string
  mapHash: string
  test: boolean
}

/** Translates the transactions given; returns transaction id → document id for those that got one. */
export async function translateMany(deps: PipelineDeps, q: Q, transactionIds: readonly string[]): Promise<Map<string, string>> {
  const rows = await q<TxRow[]>`select t.*, i.control_number as ic_control, i.test as ic_test
    from transactions t left join interchanges i on i.id = t.interchange_id
    where t.id = any(${transactionIds as string[]})`
  const order = new Map(transactionIds.map((id, i) => [id, i]))
  rows.sort((a, b) => order.get(a.id)! - order.get(b.id)!)
  return (await translateRows(deps, q, rows, { queueMatch: true })).ids
}

/** A document translate produced, as match reads it (its transaction is always known here). */
export type StoredDoc = DocRow & { transaction_id: string }

/** A document's row as `documents` stores it, less its status and match outcome. */
export interface DocRecord {
  id: string
  payload_id: string
  transaction_id: string
  partner_id: string
  kind: CanonicalDoc['kind']
  business_key: string
  content_hash: string
  po_numbers: string[]
  ssccs: readonly string[]
  doc: CanonicalDoc
  map_id: string
  map_hash: string
  test: boolean
}

/**
 * Stores documents, each with its status (and match outcome, when matched before it was stored),
 * in one statement: one JSON array (jsonb_to_recordset), since documents as text[] elements were
 * escaped character by character by the driver and parsed again as array literals, which cost
 * more than the rest of translate for 100-line ASNs. The business key with the same content is
 * unique among documents that are not duplicates (migration 0700): a copy stored at the same
 * moment (another worker, or earlier in this very statement) makes the insert skip the row,
 * waiting for the other to commit first. Returns the rows stored.
 */
export function insertDocuments(q: Q, rows: readonly (DocRecord & { status: string; match?: unknown; duplicate_of?: string })[]) {
  return q<{ id: string; created_at: Date; created_us: string }[]>`
    insert into documents (id, payload_id, transaction_id, partner_id, kind, business_key, content_hash, po_numbers,
      ssccs, doc, map_id, map_hash, status, test, match, duplicate_of)
    select v.id, v.payload_id, v.transaction_id, v.partner_id, v.kind, v.business_key, v.content_hash, v.po_numbers,
      v.ssccs, v.doc, v.map_id, v.map_hash, v.status, v.test, v.match, v.duplicate_of
    from jsonb_to_recordset(${q.json(rows as never)}) as v(id text, payload_id text, transaction_id text, partner_id text, kind text,
      business_key text, content_hash text, po_numbers text[], ssccs text[], doc jsonb, map_id text, map_hash text, status text,
      test boolean, match jsonb, duplicate_of text)
    on conflict (partner_id, kind, business_key, content_hash) where status <> 'duplicate' do nothing
    returning id, created_at, (extract(epoch from created_at) * 1000000)::int8::text as created_us`
}

/**
 * What the parse stage's inline pass learns about its sets, recorded instead of written: their
 * transaction rows are stored after it, each with its final status (inline.ts), and a held set
 * with its segments (or JSON body), for whoever fixes its map or partner.
 */
export type TxOutcomes = Map<string, { status: string; keepContent?: boolean }>

/**
 * Translates transaction rows (read back, or still in memory from the parse that stores them).
 * `outcomes`: the rows are not stored yet; their statuses go there instead of into `transactions`.
 * `queueMatch`: queue a match job per new document and mark the transactions translated; false
 * when the caller matches the returned documents at once (their status is then set by match).
 * `unstored` (with queueMatch false): the documents are not stored here but returned with their
 * rows (`record`), for match to store each once with its outcome; copies are found by a look-up
 * of the unique key instead of the insert, and returned for recordCopies after match stored the
 * batch. A copy stored by another transaction meanwhile makes match's insert skip a row, which
 * it reports as CopyStoredMeanwhile.
 */
export async function translateRows(
  deps: PipelineDeps, q: Q, rows: readonly TxRow[], opts: { queueMatch: boolean; outcomes?: TxOutcomes; unstored?: boolean }
): Promise<{ ids: Map<string, string>; fresh: StoredDoc[]; copies: DocRecord[] }> {
  /** Transaction id → document id, copies (status duplicate) included. */
  const ids = new Map<string, string>()
  const mapped: Mapped[] = []
  const held: string[] = []
  const writes: Promise<unknown>[] = []
  const reasons: Parameters<typeof openExceptions>[1][number][] = []
  for (const [i, tx] of rows.entries()) {
    // Mapping is synchronous work: let the HTTP side answer (202s, MDNs) between documents.
    if (i > 0 && i % 4 === 0) await yieldToEventLoop()
    if (tx.status !== 'parsed') continue
    const profile = deps.registry.get(tx.partner_id)
    if (!profile) {
      reasons.push({ reason: { code: 'unknown_partner', standard: tx.standard, senderId: tx.partner_id }, refs: { payloadId: tx.payload_id, transactionId: tx.id } })
      held.push(tx.id)
      continue
    }
    const test = tx.ic_test ?? profile.status === 'testing'
    const r = deps.mapper.inbound(
      profile,
      { standard: tx.standard, version: tx.version, docType: tx.doc_type, segments: tx.segments ?? undefined, body: tx.body },
      { interchangeControl: tx.ic_control ?? undefined, groupControl: tx.group_control ?? undefined, transactionControl: tx.control_number, test }
    )
    if (!r.ok) {
      for (const reason of r.reasons) reasons.push({ reason, refs: { payloadId: tx.payload_id, transactionId: tx.id, partnerId: profile.id } })
      held.push(tx.id)
      continue
    }
    mapped.push({ tx, profileId: profile.id, id: newId('doc'), doc: r.doc, key: businessKey(r.doc), hash: contentHash(r.doc), mapId: r.mapId, mapHash: r.mapHash, test })
  }
  if (held.length) {
    if (opts.outcomes) for (const id of held) opts.outcomes.set(id, { status: 'held', keepContent: true })
    else writes.push(setTransactionStatuses(q, held.map((id) => [id, 'held'])))
    writes.push(openExceptions(q, reasons))
  }
  const records: DocRecord[] = mapped.map((m) => ({
    id: m.id, payload_id: m.tx.payload_id, transaction_id: m.tx.id, partner_id: m.profileId, kind: m.doc.kind, business_key: m.key,
    content_hash: m.hash, po_numbers: poNumbersOf(m.doc), ssccs: m.doc.kind === 'asn' ? ssccsOf(m.doc) : [], doc: m.doc,
    map_id: m.mapId, map_hash: m.mapHash, test: m.test,
  }))
  // The first of each key and content: stored now, or (unstored) only looked up.
  const stored = opts.unstored ? await findFirsts(q, records) : new Map(records.length === 0 ? [] :
    (await insertDocuments(q, records.map((r) => ({ ...r, status: 'translated' })))).map((r) => [r.id, r]))
  const fresh: StoredDoc[] = []
  records.forEach((rec) => {
    const row = stored.get(rec.id)
    if (!row) return
    const d: StoredDoc = {
      id: rec.id, payload_id: rec.payload_id, transaction_id: rec.transaction_id, partner_id: rec.partner_id, kind: rec.kind, doc: rec.doc,
      status: 'translated', test: rec.test, po_numbers: rec.po_numbers, business_key: rec.business_key, created_at: row.created_at,
      created_us: row.created_us, record: opts.unstored ? rec : undefined,
    }
    fresh.push(d)
    ids.set(rec.transaction_id, d.id)
  })
  if (fresh.length && opts.queueMatch) {
    writes.push(
      setTransactionStatuses(q, fresh.map((d) => [d.transaction_id, 'translated'])),
      enqueueMany(q, 'match', fresh.map((d) => ({ payload: { messageId: d.payload_id, documentId: d.id, partnerId: d.partner_id }, dedupeKey: `match:${d.id}` })))
    )
  }
  await settleAll(writes)
  // Copies: the same key and content stored before, or earlier in this batch.
  const copies = records.filter((r) => !stored.has(r.id))
  for (const r of copies) ids.set(r.transaction_id, r.id)
  if (!opts.unstored) await recordCopies(q, copies, opts.outcomes)
  if (fresh.length && opts.queueMatch) deps.wake()
  return { ids, fresh, copies }
}

/**
 * Which documents are the first of their key and content: not a copy of one stored before (by
 * another transaction, or earlier in this one) nor of one earlier in the batch. One probe of
 * the unique key (documents_business_key_uq) per document, in one statement that also reads the
 * transaction's timestamp: the created_at the documents will be stored with. A probe per row
 * (lateral, limit 1), whatever the statistics: as a semi-join, the prepared statement's generic
 * plan read every document per batch (4 ms per batch of 16 at 8,000 documents).
 */
export async function findFirsts(q: Q, records: readonly DocRecord[]): Promise<Map<string, { created_at: Date; created_us: string }>> {
  const out = new Map<string, { created_at: Date; created_us: string }>()
  if (records.length === 0) return out
  const seen = new Set<string>()
  const firsts = records.filter((r) => {
    const k = `${r.partner_id}\u0000${r.kind}\u0000${r.business_key}\u0000${r.content_hash}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
  const found = await q<{ now_us: string; i: string | null }[]>`
    select n.now_us, c.i from (select (extract(epoch from now()) * 1000000)::int8::text as now_us) n
    left join lateral (
      select k.i from unnest(${firsts.map((r) => r.partner_id)}::text[], ${firsts.map((r) => r.kind)}::text[],
        ${firsts.map((r) => r.business_key)}::text[], ${firsts.map((r) => r.content_hash)}::text[]) with ordinality as k(partner_id, kind, business_key, content_hash, i)
      cross join lateral (select 1 from documents d where d.partner_id = k.partner_id and d.kind = k.kind and d.business_key = k.business_key
        and d.content_hash = k.content_hash and d.status <> 'duplicate' limit 1) d
    ) c on true`
  const copied = new Set(found.filter((r) => r.i !== null).map((r) => Number(r.i) - 1))
  const created_us = found[0].now_us
  const created_at = new Date(Number(BigInt(created_us) / 1000n))
  firsts.forEach((r, i) => { if (!copied.has(i)) out.set(r.id, { created_at, created_us }) })
  return out
}

/** Records copies (rare), one at a time, after the documents they copy are stored. */
export async function recordCopies(q: Q, copies: readonly DocRecord[], outcomes?: TxOutcomes): Promise<void> {
  for (const r of copies) await recordDuplicate(q, r, outcomes)
}

/** Match's insert of documents translateRows found to be first skipped one: a copy was stored meanwhile by another transaction. */
export class CopyStoredMeanwhile extends Error {
  constructor(skipped: number) {
    super(`${skipped} document(s) were stored meanwhile by another transaction (same key and content)`)
    this.name = 'CopyStoredMeanwhile'
  }
}

async function recordDuplicate(q: Q, r: DocRecord, outcomes?: TxOutcomes): Promise<void> {
  const [prior] = await q<{ id: string }[]>`select id from documents
    where partner_id = ${r.partner_id} and kind = ${r.kind} and business_key = ${r.business_key} and content_hash = ${r.content_hash}
      and status <> 'duplicate'
    limit 1`
  if (!prior) throw new Error(`document ${r.business_key} conflicted with a copy that is gone`)
  await settleAll([
    // A duplicate is outside the unique key (status <> 'duplicate'): always stored. Sent now:
    // postgres.js queries are lazy until executed or awaited.
    insertDocuments(q, [{ ...r, status: 'duplicate', duplicate_of: prior.id }]).execute(),
    openException(q, { code: 'duplicate_document', businessKey: r.business_key, firstDocumentId: prior.id, sameContent: true }, { payloadId: r.payload_id, transactionId: r.transaction_id, documentId: r.id, partnerId: r.partner_id }),
    outcomes ? outcomes.set(r.transaction_id, { status: 'duplicate' }) : setTransactionStatus(q, r.transaction_id, 'duplicate'),
  ])
}

