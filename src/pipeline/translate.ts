/**
 * Stage `translate`: one transaction (ST/UNH or a JSON body) → one canonical document, through
 * the most specific map. Map failures are exceptions on the transaction; a document resent under
 * new control numbers (same business key, same content) is recorded as a duplicate and never
 * processed twice.
 */
import { businessKey } from '../canonical/index.ts'
import { openException } from '../db/exceptions.ts'
import { enqueue } from '../db/jobs.ts'
import { setTransactionStatus } from '../db/lineage.ts'
import type { Q } from '../db/sql.ts'
import { newId } from '../lib/ids.ts'
import { contentHash, poNumbersOf, ssccsOf } from '../matching/index.ts'
import type { PipelineDeps } from './deps.ts'

interface TxRow {
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
}

export async function translateStage(deps: PipelineDeps, q: Q, transactionId: string): Promise<string | undefined> {
  const [tx] = await q<TxRow[]>`select * from transactions where id = ${transactionId}`
  if (!tx || tx.status !== 'parsed') return undefined
  const profile = deps.registry.get(tx.partner_id)
  if (!profile) {
    await openException(q, { code: 'unknown_partner', standard: tx.standard, senderId: tx.partner_id }, { payloadId: tx.payload_id, transactionId })
    await setTransactionStatus(q, transactionId, 'held')
    return undefined
  }
  const [ic] = tx.interchange_id
    ? await q<{ control_number: string; test: boolean }[]>`select control_number, test from interchanges where id = ${tx.interchange_id}`
    : [undefined]
  const test = ic?.test ?? profile.status === 'testing'
  const out = deps.mapper.inbound(
    profile,
    { standard: tx.standard, version: tx.version, docType: tx.doc_type, segments: tx.segments ?? undefined, body: tx.body },
    { interchangeControl: ic?.control_number, groupControl: tx.group_control ?? undefined, transactionControl: tx.control_number, test }
  )
  if (!out.ok) {
    for (const r of out.reasons) await openException(q, r, { payloadId: tx.payload_id, transactionId, partnerId: profile.id })
    await setTransactionStatus(q, transactionId, 'held')
    return undefined
  }
  const doc = out.doc
  const key = businessKey(doc)
  const hash = contentHash(doc)
  const id = newId('doc')
  const row = (status: string, duplicateOf: string | null) => q`insert into documents (id, payload_id, transaction_id,
      partner_id, kind, business_key, content_hash, po_numbers, ssccs, doc, map_id, map_hash, status, test, duplicate_of)
    values (${id}, ${tx.payload_id}, ${transactionId}, ${profile.id}, ${doc.kind}, ${key}, ${hash}, ${poNumbersOf(doc)},
      ${doc.kind === 'asn' ? ssccsOf(doc) : []}, ${q.json(doc as never)}, ${out.mapId}, ${out.mapHash}, ${status}, ${test},
      ${duplicateOf})`
  // The business key with the same content is unique among documents that are not duplicates
  // (migration 0700): a copy translated at the same moment waits here for the first to commit,
  // then inserts nothing. Atomic, unlike a look-up before the insert.
  const inserted = await q`${row('translated', null)}
    on conflict (partner_id, kind, business_key, content_hash) where status <> 'duplicate' do nothing
    returning id`
  if (inserted.length === 0) {
    const [prior] = await q<{ id: string }[]>`select id from documents
      where partner_id = ${profile.id} and kind = ${doc.kind} and business_key = ${key} and content_hash = ${hash}
        and status <> 'duplicate'
      limit 1`
    if (!prior) throw new Error(`document ${key} conflicted with a copy that is gone`)
    await Promise.all([
      row('duplicate', prior.id).execute(), // sent now: postgres.js queries are lazy until executed or awaited
      openException(q, { code: 'duplicate_document', businessKey: key, firstDocumentId: prior.id, sameContent: true }, { payloadId: tx.payload_id, transactionId, documentId: id, partnerId: profile.id }),
      setTransactionStatus(q, transactionId, 'duplicate'),
    ])
    return id
  }
  await Promise.all([
    setTransactionStatus(q, transactionId, 'translated'),
    enqueue(q, 'match', { messageId: tx.payload_id, documentId: id, partnerId: profile.id }, { dedupeKey: `match:${id}` }),
  ])
  deps.wake()
  return id
}
