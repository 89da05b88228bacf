/**
 * What matching reads for a batch of documents (one statement per kind of row, shared by the
 * batch) and each document's share of it, plus the per-PO lock taken before those reads.
 */
import type { PartnerProfile } from '../config/partner.ts'
import type { Q } from '../db/sql.ts'
import { createTablesErp } from '../db/erp.ts'
import type { ErpPurchaseOrder } from '../erp/port.ts'
import { buildMatchContext, ssccsOf, type LineQty } from '../matching/index.ts'
import type { DocRow } from './match.ts'
import { settleAll } from '../lib/settle.ts'

interface PriorRow {
  id: string
  kind: string
  match: { quantities?: LineQty[] } | null
  status: string
  test: boolean
  business_key: string
  created_us: string
  po_numbers: string[]
}

/** What the rules need for a batch of documents, read once for all of them. */
export interface ContextData {
  orders: Map<string, ErpPurchaseOrder>
  prior: PriorRow[]
  /** Other ASNs carrying one of the batch's SSCCs: one row per (SSCC, ASN). */
  ssccs: { sscc: string; id: string; business_key: string; test: boolean }[]
  invoices: { id: string; partner_id: string; business_key: string; test: boolean }[]
  open: { id: string; dedupe_key: string; document_id: string }[]
  /** Indexes over the rows above (PO number, SSCC, document id), so each document's share is found without a scan. */
  priorByPo: Map<string, PriorRow[]>
  ssccRowsBySscc: Map<string, ContextData['ssccs']>
  /** Invoices by partner and number (`partner\u0000inv:number`). */
  invoicesByKey: Map<string, ContextData['invoices']>
  openByDoc: Map<string, ContextData['open']>
  /** Position of each row in its list (the order the reads returned). */
  position: Map<object, number>
}

function groupBy<T>(rows: readonly T[], keys: (row: T) => readonly string[]): Map<string, T[]> {
  const out = new Map<string, T[]>()
  for (const r of rows) {
    for (const k of keys(r)) {
      const list = out.get(k)
      if (list) list.push(r)
      else out.set(k, [r])
    }
  }
  return out
}

/** The rows filed under any of `keys`, each once, in their original order. */
function rowsUnder<T>(index: Map<string, T[]>, keys: readonly string[], order: (row: T) => number): T[] {
  const found = new Set<T>()
  for (const k of keys) for (const r of index.get(k) ?? []) found.add(r)
  return [...found].sort((a, b) => order(a) - order(b))
}

const invoiceKey = (partnerId: string, businessKey: string) => `${partnerId}\u0000${businessKey}`
const ownSsccs = (row: DocRow) => (row.kind === 'asn' && row.doc.kind === 'asn' ? ssccsOf(row.doc) : [])
/** Created before `row` (microseconds, then id): the order documents were received in. */
const before = (p: { created_us: string; id: string }, row: DocRow) => {
  const a = BigInt(p.created_us)
  const b = BigInt(row.created_us)
  return a < b || (a === b && p.id < row.id)
}

/**
 * Everything the rules need for these documents, plus their open exceptions: independent reads
 * issued together so they travel as one pipelined round trip on the stage's connection. Each
 * read covers the whole batch (PO numbers, SSCCs, invoice numbers of all of them); contextFor
 * picks each document's share.
 */
export async function loadData(q: Q, rows: DocRow[], unstored: readonly DocRow[] = []): Promise<ContextData> {
  const erp = createTablesErp(q)
  const pos = [...new Set(rows.flatMap((r) => r.po_numbers))]
  const ssccs = [...new Set(rows.flatMap(ownSsccs))]
  const invoiceKeys = [...new Map(rows.filter((r) => r.kind === 'invoice').map((r) => [invoiceKey(r.partner_id, r.business_key), { partnerId: r.partner_id, key: r.business_key }])).values()]
  const [orders, prior, ssccsRead, invoicesRead, open] = await settleAll([
    erp.findOrders(pos),
    // One index probe per PO number (documents_po_idx), the rest checked on what it finds: an
    // overlap with all the batch's PO numbers at once was estimated to match every row without
    // fresh statistics and read the whole table per batch (and, per document, the planner once
    // ANDed in documents_status_idx and read every ASN ever stored).
    pos.length > 0
      ? q<PriorRow[]>`
          select distinct on (d.id) d.id, d.kind, d.match, d.status, d.test, d.business_key, d.po_numbers, d.created_us
          from unnest(${pos}::text[]) as p(po)
          cross join lateral (
            select id, kind, match, status, test, business_key, po_numbers, created_at,
              (extract(epoch from created_at) * 1000000)::int8::text as created_us
            from documents where po_numbers @> array[p.po] offset 0
          ) d
          where d.kind in ('asn', 'invoice')
            and (d.status in ('matched', 'released', 'delivered') or (d.kind = 'asn' and d.status in ('held', 'waiting')))
          order by d.id`
      : [],
    // Overlap (`&&`) with an empty array is always false: no PO numbers or no SSCCs, no query.
    ssccs.length > 0
      // One index probe per SSCC (documents_sscc_idx), kind and status checked on what it finds:
      // an overlap (`&&`) with the whole batch's SSCCs was estimated to match every row without
      // fresh statistics (a large file's documents are all new), and the planner compared every
      // ASN's SSCCs with the batch's, seconds per batch.
      ? q<ContextData['ssccs']>`
          select s.sscc, d.id, d.business_key, d.test
          from unnest(${ssccs}::text[]) as s(sscc)
          cross join lateral (
            select id, business_key, test, kind, status from documents where ssccs @> array[s.sscc] offset 0
          ) d
          where d.kind = 'asn' and d.status in ('translated', 'matched', 'held', 'waiting', 'released')`
      : [],
    // Only the numbers of the invoices being matched, each with its partner's (contextFor looks no
    // further): whether each was sent before. One probe of documents_key_idx per (partner, number):
    // `business_key = any(…)` alone read every invoice ever stored, per batch.
    invoiceKeys.length > 0
      ? q<ContextData['invoices']>`select d.id, d.partner_id, d.business_key, d.test
          from unnest(${invoiceKeys.map((k) => k.partnerId)}::text[], ${invoiceKeys.map((k) => k.key)}::text[]) as k(partner_id, business_key)
          cross join lateral (
            select id, partner_id, business_key, test from documents
            where partner_id = k.partner_id and kind = 'invoice' and business_key = k.business_key and status <> 'duplicate' offset 0
          ) d`
      : [],
    // By document first (exceptions_doc_idx, a handful of rows), then by state: without fresh
    // statistics the planner preferred exceptions_state_idx and read every open exception. A
    // document not stored yet has none.
    rows.every((r) => r.record)
      ? []
      : q<ContextData['open']>`with mine as materialized (
        select id, dedupe_key, state, queue, document_id from exceptions where document_id = any(${rows.map((r) => r.id)})
      )
      select id, dedupe_key, document_id from mine where state in ('open', 'assigned') and queue in ('matching', 'warehouse')`,
  ])
  const ssccRows: ContextData['ssccs'] = ssccsRead
  const invoices: ContextData['invoices'] = invoicesRead
  // What those reads would have found among the documents not stored yet: every one of them
  // qualifies (translated, not a duplicate).
  if (unstored.length) {
    const wanted = new Set(ssccs)
    const keys = new Set(invoiceKeys.map((k) => invoiceKey(k.partnerId, k.key)))
    for (const u of unstored) {
      for (const s of ownSsccs(u)) if (wanted.has(s)) ssccRows.push({ sscc: s, id: u.id, business_key: u.business_key, test: u.test })
      if (u.kind === 'invoice' && keys.has(invoiceKey(u.partner_id, u.business_key))) invoices.push({ id: u.id, partner_id: u.partner_id, business_key: u.business_key, test: u.test })
    }
  }
  // In the order received (created_at, then id), as the shipped-so-far texts list them.
  prior.sort((a, b) => (BigInt(a.created_us) < BigInt(b.created_us) ? -1 : BigInt(a.created_us) > BigInt(b.created_us) ? 1 : a.id < b.id ? -1 : 1))
  return {
    orders, prior, ssccs: ssccRows, invoices, open,
    priorByPo: groupBy(prior, (p) => p.po_numbers),
    ssccRowsBySscc: groupBy(ssccRows, (r) => [r.sscc]),
    invoicesByKey: groupBy(invoices, (i) => [invoiceKey(i.partner_id, i.business_key)]),
    openByDoc: groupBy(open, (e) => [e.document_id]),
    position: new Map<object, number>([...prior.map((p, i) => [p, i] as const), ...ssccRows.map((r, i) => [r, i] as const)]),
  }
}

/** One document's context from the batch's reads: the same rows its own queries would return. */
export function contextFor(row: DocRow, profile: PartnerProfile, today: string, data: ContextData) {
  const visible = (p: { test: boolean }) => p.test === false || row.test
  // Shipped so far counts every ASN not rejected, cancelled or a duplicate: accepted ones, and
  // held or waiting ones received before this one (a held ASN still announces goods; later held
  // ones are not counted so that re-matching an earlier ASN does not hold it for them). Another
  // version of this same shipment (a replace) is not counted against it.
  const prior = rowsUnder(data.priorByPo, row.po_numbers, (p) => data.position.get(p)!).filter((p) => p.id !== row.id && visible(p)
    && (p.kind !== 'asn' || p.business_key !== row.business_key)
    && (['matched', 'released', 'delivered'].includes(p.status) || (p.kind === 'asn' && before(p, row))))
  const own = ownSsccs(row)
  const ssccs = own.length === 0 ? [] : rowsUnder(data.ssccRowsBySscc, own, (r) => data.position.get(r)!)
    .filter((s) => s.id !== row.id && s.business_key !== row.business_key && visible(s))
  // By key: a large file's batch holds every one of its invoices (stored or not), and a scan of
  // them per invoice was quadratic.
  const invoices = row.kind !== 'invoice' ? [] : (data.invoicesByKey.get(invoiceKey(row.partner_id, row.business_key)) ?? [])
    .filter((i) => i.id !== row.id && visible(i))
  // A partner's documents only ever match that partner's own POs: another supplier's PO is, for
  // this document, a PO that does not exist (po_not_found), never one it can ship or invoice against.
  const orders = row.po_numbers.map((n) => data.orders.get(n)).filter((po): po is ErpPurchaseOrder => po !== undefined && po.supplierId === row.partner_id)
  const rows = (kind: string) =>
    prior.filter((p) => p.kind === kind).flatMap((p) => (p.match?.quantities ?? []).map((x) => ({ poNumber: x.poNumber, lineNo: x.poLineNo, qty: x.qty, from: p.business_key.replace(/^(asn|inv):/, '') })))
  const ctx = buildMatchContext({
    orders,
    shippedSoFar: rows('asn'),
    invoicedSoFar: rows('invoice'),
    openSsccs: ssccs.map((s) => ({ sscc: s.sscc, shipmentId: s.business_key.replace(/^asn:/, '') })),
    earlierInvoiceNumbers: invoices.map((i) => i.business_key.replace(/^inv:/, '')),
    supplierId: row.partner_id,
    config: profile.matching,
    today,
  })
  return { ctx, open: data.openByDoc.get(row.id) ?? [] }
}

/**
 * Documents of one PO are matched one transaction after the other: each PO number's row in
 * po_match_locks (migration 0910) is locked until commit, in PO-number order and in one
 * statement, before the reads. Without it an invoice matched while its ASN was being stored by
 * another worker saw nothing shipped and was held, and the ASN's transaction could not see that
 * invoice to match it again: both committed, the invoice stayed held. With it the second waits
 * for the first to commit, and its reads (later statements) see it. Row locks live in the rows:
 * a large file's transaction may lock any number of POs (an advisory lock per PO filled the
 * server's shared lock table at about 6,400 and failed a 1 GB file); a PO the ERP does not have
 * is locked too; ERP imports never wait for matching.
 */
export async function lockPos(q: Q, poNumbers: string[]): Promise<void> {
  const keys = [...new Set(poNumbers)].sort()
  if (keys.length === 0) return
  // The update never happens (`where false`), but ON CONFLICT DO UPDATE locks every conflicting
  // row all the same; a new row is locked by its uncommitted insert.
  await q`insert into po_match_locks (po_number)
    select k from unnest(${keys}::text[]) with ordinality as u(k, n) order by n
    on conflict (po_number) do update set po_number = excluded.po_number where false`
}
