/**
 * Stage `match`: a canonical document against the open ERP orders and what came before it
 * (earlier ASNs and invoices, SSCCs on open ASNs). The rules are pure (src/matching); this stage
 * loads their context, records the outcome, opens exceptions, and publishes ERP events and
 * warehouse deliveries, but never for a testing partner's documents. Set-based: a batch of
 * documents shares its reads and writes (matchMany). The warehouse deliveries themselves are
 * built in warehouse-deliveries.ts, and an invoice's wait for its ASN file in invoice-wait.ts.
 */
import type { CanonicalDoc } from '../canonical/index.ts'
import type { PartnerProfile } from '../config/partner.ts'
import { dedupeKeyOf, openExceptions } from '../db/exceptions.ts'
import type { ExceptionReason } from '../exceptions/reasons.ts'
import { enqueue } from '../db/jobs.ts'
import { setTransactionStatuses } from '../db/lineage.ts'
import type { Q } from '../db/sql.ts'
import { newId } from '../lib/ids.ts'
import { createTablesErp } from '../db/erp.ts'
import type { ErpEvent } from '../erp/port.ts'
import { holds } from '../matching/result.ts'
import { matchDocument, type MatchResult } from '../matching/index.ts'
import type { PipelineDeps } from './deps.ts'
import { CopyStoredMeanwhile, insertDocuments, type DocRecord, type TxOutcomes } from './translate.ts'
import { contextFor, loadData, lockPos, type ContextData } from './match-context.ts'
import { payloadsBehind, recheckLater, waitsForShipment } from './invoice-wait.ts'
import { queueWarehouse, resendToWarehouses } from './warehouse-deliveries.ts'
import { yieldToEventLoop } from '../lib/event-loop.ts'
import { settleAll } from '../lib/settle.ts'

export interface DocRow {
  id: string
  payload_id: string
  transaction_id: string | null
  partner_id: string
  kind: CanonicalDoc['kind']
  doc: CanonicalDoc
  status: string
  test: boolean
  po_numbers: string[]
  business_key: string
  created_at: Date
  /** created_at in microseconds since the epoch (as text): JavaScript dates stop at milliseconds. */
  created_us: string
  /**
   * Not stored yet (the parse stage's inline pass): match stores the row with its outcome, one
   * insert instead of an insert by translate and an update here.
   */
  record?: DocRecord
}

const MATCHABLE = new Set(['translated', 'held', 'waiting'])
// Test documents (testing partner, ISA15=T) may see production state; production never sees
// test documents' shipped quantities, SSCCs or invoice numbers (the `test` filters below).

/** One document (the stage for a single job, and a re-match from the console). */
export async function matchStage(deps: PipelineDeps, q: Q, documentId: string): Promise<MatchResult | undefined> {
  return (await matchMany(deps, q, [documentId])).get(documentId)
}

const selectDocs = (q: Q, ids: readonly string[]) => q<DocRow[]>`select *, (extract(epoch from created_at) * 1000000)::int8::text as created_us
  from documents where id = any(${ids as string[]})`

/**
 * Matches the documents given, as if one after another in that order: the batch's reads are
 * shared, its writes go out as one statement per table. A document whose PO numbers an earlier
 * one of the batch also names depends on that one's outcome (shipped and invoiced so far): it is
 * matched in a later round, after the earlier one's writes (matchRows).
 */
export async function matchMany(deps: PipelineDeps, q: Q, documentIds: readonly string[]): Promise<Map<string, MatchResult>> {
  const order = new Map(documentIds.map((id, i) => [id, i]))
  const rows = (await selectDocs(q, documentIds)).sort((a, b) => order.get(a.id)! - order.get(b.id)!)
  return matchRows(deps, q, rows)
}

/**
 * matchMany on document rows the caller holds (translate's, in the same transaction).
 * `outcomes`: their transaction rows are not stored yet (the parse stage's inline pass); the
 * statuses go there instead of into `transactions`.
 */
export async function matchRows(deps: PipelineDeps, q: Q, rows: readonly DocRow[], opts: { outcomes?: TxOutcomes } = {}): Promise<Map<string, MatchResult>> {
  const out = new Map<string, MatchResult>()
  const all = rows.filter((r) => MATCHABLE.has(r.status) && deps.registry.get(r.partner_id))
  // Rounds: a document goes one round after the last earlier document naming one of its POs
  // (an ASN and its invoice in one batch: the ASN first, then the invoice sees it shipped). Each
  // round is set-based; most batches are one round, an ASN file and its invoice file two.
  const roundOfPo = new Map<string, number>()
  const rounds: DocRow[][] = []
  for (const r of all) {
    let round = 0
    for (const p of r.po_numbers) round = Math.max(round, (roundOfPo.get(p) ?? -1) + 1)
    for (const p of r.po_numbers) roundOfPo.set(p, round)
    ;(rounds[round] ??= []).push(r)
  }
  // Documents not stored yet, this round's and later rounds': the reads cannot see them, so
  // loadData adds them from memory where the stored ones would be read (SSCCs, invoice numbers).
  // Earlier rounds' are stored by then, with their outcome, and read like any other.
  const unstored = new Set(rows.filter((r) => r.record))
  for (const now of rounds) {
    // The lock and the reads go out together; the server runs them in order, so the reads wait
    // for the lock. Stored documents (a match job, a re-match) are read again after it: another
    // transaction that held it may have matched one of them meanwhile (the ASN's re-match of a
    // waiting invoice and its recheck, say), and it is not matched twice.
    const stored = now.filter((r) => !r.record).map((r) => r.id)
    const [, data, statuses] = await settleAll([
      lockPos(q, now.flatMap((r) => r.po_numbers)),
      loadData(q, now, [...unstored]),
      stored.length ? q<{ id: string; status: string }[]>`select id, status from documents where id = any(${stored})` : undefined,
    ])
    const still = statuses ? new Map(statuses.map((r) => [r.id, r.status])) : undefined
    const today = deps.now().toISOString().slice(0, 10)
    const w: Writes = { writes: [], docs: [], txs: [], events: [], exceptions: [], stale: [], shippedPos: [], recheck: [] }
    try {
      const ran: Ran[] = []
      for (const [i, row] of now.entries()) {
        if (!row.record && !MATCHABLE.has(still?.get(row.id) ?? '')) continue
        if (i > 0 && i % 4 === 0) await yieldToEventLoop()
        ran.push(evaluate(deps, row, today, data))
      }
      // Only an invoice held for over-shipment alone asks whether another file of its partner is
      // still unparsed: one look-up for the round, and none when every invoice matched.
      const asking = ran.filter(awaitsShipment).map((r) => r.row.payload_id)
      const behind = asking.length ? await payloadsBehind(q, asking) : NONE_BEHIND
      for (const r of ran) out.set(r.row.id, decide(deps, q, r, w, behind))
    } catch (err) {
      // A rule defect on one document: the writes already queued for the others (some of them
      // coalesced, not sent yet) go out and finish before the caller rolls back, or they would
      // be sent after it, outside the transaction or savepoint they belong to.
      await Promise.allSettled(w.writes)
      throw err
    }
    await flush(q, w, opts.outcomes)
    for (const r of now) unstored.delete(r)
  }
  // Not matched (not matchable, or its partner is gone): stored as it is.
  const rest = [...unstored]
  if (rest.length) await storeUnstored(q, rest.map((r) => ({ ...r.record!, status: r.status })))
  return out
}

/** Stores documents translate left unstored; a copy stored meanwhile by another transaction aborts the pass. */
async function storeUnstored(q: Q, rows: Parameters<typeof insertDocuments>[1]): Promise<void> {
  // Sent now, ahead of the writes queued after it, as the update was (rematchInvoices reads
  // documents, though no outcome depends on it today: a round never holds an ASN and an invoice
  // of one PO): a query that is only awaited is sent a microtask later.
  const stored = await insertDocuments(q, rows).execute()
  if (stored.length !== rows.length) throw new CopyStoredMeanwhile(rows.length - stored.length)
}

interface Writes {
  writes: Promise<unknown>[]
  docs: { id: string; status: string; match: MatchResult; record?: DocRecord }[]
  txs: [string, string][]
  events: { type: string; partnerId: string; poNumber: string | null; documentId: string; payload: unknown }[]
  exceptions: Parameters<typeof openExceptions>[1][number][]
  /** Open exceptions this run no longer produces (the PO arrived, data was fixed): resolved, all in one statement. */
  stale: string[]
  /** PO numbers of ASNs matched now: invoices held or waiting on them are matched again. */
  shippedPos: string[]
  /** Invoices waiting for another file of their partner: matched again in WAIT_RECHECK_MS. */
  recheck: DocRow[]
}

/** One document's outcome under the rules, before anything is written. */
interface Ran {
  row: DocRow
  profile: PartnerProfile
  result: MatchResult
  holding: ExceptionReason[]
  open: ReturnType<typeof contextFor>['open']
}

const NONE_BEHIND: ReadonlySet<string> = new Set()

/** Runs the rules on one document (pure: reads only the round's loaded data). */
function evaluate(deps: PipelineDeps, row: DocRow, today: string, data: ContextData): Ran {
  const profile = deps.registry.get(row.partner_id)!
  const { ctx, open } = contextFor(row, profile, today, data)
  const result = matchDocument(row.doc, ctx)
  return { row, profile, result, holding: result.reasons.filter(holds), open }
}

/** An invoice that only an ASN not seen yet would clear (see decide). */
const awaitsShipment = (r: Ran): boolean => waitsForShipment(r.row.kind, r.result)

/** Queues what one document's outcome changes. */
function decide(deps: PipelineDeps, q: Q, ran: Ran, w: Writes, behind: ReadonlySet<string>): MatchResult {
  const { row, profile, result, holding, open } = ran
  const refs = { payloadId: row.payload_id, transactionId: row.transaction_id, documentId: row.id, partnerId: row.partner_id }
  if (behind.has(row.payload_id) && awaitsShipment(ran)) {
    // Invoiced over shipped while another file of the partner (its ASN, likely) is still being
    // parsed: the invoice waits, with no exception and no event. That ASN, once matched, matches
    // it again (rematchInvoices); if none comes (or it is held), the recheck holds the invoice as
    // before. Exceptions already open on it stay as they are.
    w.docs.push({ id: row.id, status: 'waiting', match: result, record: row.record })
    if (row.transaction_id) w.txs.push([row.transaction_id, 'waiting'])
    w.recheck.push(row)
    return result
  }
  // Exceptions this run no longer produces (the PO arrived, data was fixed) resolve themselves.
  const keep = new Set(holding.map((r) => dedupeKeyOf(r, refs)))
  const stale = open.filter((e) => !keep.has(e.dedupe_key)).map((e) => e.id)
  const status = result.status === 'matched' ? 'matched' : result.waitingFor ? 'waiting' : 'held'
  // The writes touch disjoint rows and depend on nothing read back, so they are issued together
  // (pipelined, in this order: postgres.js sends a query once executed or awaited) and the stage
  // waits for all of them once.
  w.stale.push(...stale)
  for (const r of holding) w.exceptions.push({ reason: r, refs })
  w.docs.push({ id: row.id, status, match: result, record: row.record })
  if (row.transaction_id) w.txs.push([row.transaction_id, status])
  if (status === 'matched' && row.kind === 'asn') w.shippedPos.push(...row.po_numbers)
  if (!row.test) {
    const event = erpEventFor(row, status)
    if (event) w.events.push({ type: event.type, partnerId: event.partnerId, poNumber: event.poNumber ?? null, documentId: event.documentId, payload: { status, reasons: result.reasons.map((r) => r.code), lines: result.lines } })
    if (status === 'matched' && row.kind === 'asn') w.writes.push(queueWarehouse(deps, q, profile, row))
  }
  return result
}

async function flush(q: Q, w: Writes, outcomes?: TxOutcomes): Promise<void> {
  // Documents not stored yet are stored now, once, with their outcome; the others are updated.
  const fresh = w.docs.filter((d) => d.record)
  const known = w.docs.filter((d) => !d.record)
  if (fresh.length) w.writes.push(storeUnstored(q, fresh.map((d) => ({ ...d.record!, status: d.status, match: d.match }))))
  if (known.length) {
    // One JSON array (jsonb_to_recordset), not text[] elements the driver would escape one by one.
    w.writes.push(q`update documents d set status = v.status, match = v.match, updated_at = now()
      from jsonb_to_recordset(${q.json((known.map(({ id, status, match }) => ({ id, status, match }))) as never)}) as v(id text, status text, match jsonb)
      where d.id = v.id and d.id = any(${known.map((d) => d.id)}::text[])`.execute()) // see setPayloadStatuses
  }
  if (outcomes) for (const [id, status] of w.txs) outcomes.set(id, { status })
  else if (w.txs.length) w.writes.push(setTransactionStatuses(q, w.txs))
  if (w.events.length) w.writes.push(publishMany(q, w.events))
  if (w.stale.length) {
    w.writes.push(q`update exceptions set state = 'resolved', note = 'resolved automatically: no longer applies on re-match',
      resolved_at = now(), updated_at = now() where id = any(${w.stale})`.execute())
  }
  if (w.exceptions.length) w.writes.push(openExceptions(q, w.exceptions))
  if (w.shippedPos.length) w.writes.push(rematchInvoices(q, [...new Set(w.shippedPos)]))
  if (w.recheck.length) w.writes.push(recheckLater(q, w.recheck))
  await settleAll(w.writes)
}

/**
 * An invoice matched before its ASN (another worker's, still uncommitted, or simply sent later)
 * is held as invoiced over shipped; once an ASN for its PO is matched, it is matched again, and
 * the exception resolves itself if the goods are now shipped. Its match job runs after this
 * transaction commits, so it sees the ASN. One index probe per PO number (see loadData).
 */
function rematchInvoices(q: Q, poNumbers: string[]): Promise<unknown> {
  return q`insert into jobs (stage, payload, dedupe_key)
    select distinct 'match', jsonb_build_object('messageId', d.payload_id, 'documentId', d.id, 'partnerId', d.partner_id), 'match:' || d.id
    from unnest(${poNumbers}::text[]) as p(po)
    cross join lateral (
      select id, payload_id, partner_id, kind, status from documents where po_numbers @> array[p.po] offset 0
    ) d
    where d.kind = 'invoice' and d.status in ('held', 'waiting')
    on conflict (dedupe_key) where dedupe_key is not null and state in ('created', 'retry', 'active') do nothing`.execute()
}

/** ERP events for a batch (createTablesErp().publish, one statement for all). */
function publishMany(q: Q, events: Writes['events']): Promise<unknown> {
  return q`insert into erp_events (id, type, partner_id, po_number, document_id, payload, test)
    select v.id, v.type, v.partner_id, v.po_number, v.document_id, v.payload, false
    from jsonb_to_recordset(${q.json((events.map((e) => ({ id: newId('evt'), type: e.type, partner_id: e.partnerId, po_number: e.poNumber, document_id: e.documentId, payload: e.payload }))) as never)})
      as v(id text, type text, partner_id text, po_number text, document_id text, payload jsonb)`.execute()
}

function erpEventFor(row: DocRow, status: string): Omit<ErpEvent, 'payload'> | undefined {
  const base = { partnerId: row.partner_id, poNumber: row.po_numbers[0], documentId: row.id }
  const held = status !== 'matched'
  switch (row.kind) {
    case 'po_ack':
      return { ...base, type: 'po_acknowledged' }
    case 'asn':
      return { ...base, type: held ? 'asn_held' : 'asn_validated' }
    case 'invoice':
      return { ...base, type: held ? 'invoice_held' : 'invoice_matched' }
    case 'purchase_order':
      return { ...base, type: 'po_received' }
  }
}

/**
 * After an exception is resolved or ignored: a held document with no blocking exception left is
 * released (ERP event, warehouse delivery for ASNs).
 */
export async function releaseIfClear(deps: PipelineDeps, q: Q, documentId: string): Promise<boolean> {
  const [row] = await q<DocRow[]>`select * from documents where id = ${documentId}`
  if (row && row.kind === 'asn' && (row.status === 'matched' || row.status === 'released')) return resendToWarehouses(deps, q, row)
  if (!row || (row.status !== 'held' && row.status !== 'waiting')) return false
  const match = (row as DocRow & { match?: MatchResult | null }).match
  if (row.status === 'waiting' && match && !match.waitingFor && waitsForShipment(row.kind, match)) {
    // Waiting for its ASN (decide): no exception of its own was ever opened, so none being left
    // open does not clear it. It is matched again instead (and held, if still over-shipped).
    await enqueueRematch(q, row)
    deps.wake()
    return false
  }
  const [open] = await q<{ n: number }[]>`select count(*)::int as n from exceptions
    where document_id = ${documentId} and state in ('open', 'assigned') and severity = 'error'`
  if (open.n > 0) return false
  await q`update documents set status = 'released', updated_at = now() where id = ${documentId}`
  const profile = deps.registry.get(row.partner_id)
  if (!row.test && profile) {
    const type = row.kind === 'asn' ? 'asn_released' : row.kind === 'invoice' ? 'invoice_released' : undefined
    if (type) await createTablesErp(q).publish({ type, partnerId: row.partner_id, poNumber: row.po_numbers[0], documentId, payload: { status: 'released' } })
    if (row.kind === 'asn') await queueWarehouse(deps, q, profile, row)
  }
  deps.wake()
  return true
}

/** A PO arrived or changed in the ERP: re-match documents waiting for it or held against it. */
export async function rematchForOrders(q: Q, poNumbers: readonly string[]): Promise<number> {
  if (poNumbers.length === 0) return 0
  const rows = await q<{ id: string; payload_id: string; partner_id: string }[]>`select id, payload_id, partner_id from documents
    where po_numbers && ${poNumbers as string[]} and status in ('waiting', 'held')`
  for (const r of rows) await enqueueRematch(q, r)
  return rows.length
}

/** A match job for a stored document (`match:<id>`, the key rematchInvoices uses too). */
const enqueueRematch = (q: Q, d: { id: string; payload_id: string; partner_id: string }) =>
  enqueue(q, 'match', { messageId: d.payload_id, documentId: d.id, partnerId: d.partner_id }, { dedupeKey: `match:${d.id}` })
