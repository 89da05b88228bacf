/**
 * The parse stage for JSON payloads (the supplier API, JSON over AS2/SFTP): parsed whole, one
 * transaction per document the map's `split` path finds, each translated and matched in the same
 * transaction (inline.ts).
 */
import { setPayloadStatus, type PayloadRow } from '../db/payloads.ts'
import { pgSafe } from '../db/pg-safe.ts'
import type { Q } from '../db/sql.ts'
import { newId } from '../lib/ids.ts'
import type { PipelineDeps } from './deps.ts'
import { jsonDocType } from './json-kind.ts'
import { reject, type ParseOutcome } from './parse-outcome.ts'
import { inlineSink } from './inline.ts'
import type { ParseBatch } from './parse.ts'

export async function parseJson(deps: PipelineDeps, q: Q, payload: PayloadRow, bytes: Buffer, batch?: ParseBatch): Promise<ParseOutcome> {
  let body: unknown
  try {
    body = pgSafe(JSON.parse(bytes.toString('utf8')))
  } catch (e) {
    // V8's message quotes the input around the error, NUL bytes included: storable first.
    return reject(q, payload, { code: 'envelope_unreadable', detail: pgSafe(`invalid JSON: ${(e as Error).message}`) }, 'json')
  }
  const profile = payload.partner_id ? deps.registry.get(payload.partner_id) : undefined
  if (!profile) {
    return reject(q, payload, { code: 'unknown_partner', standard: 'json', senderId: payload.partner_id ?? '(none)' }, 'json')
  }
  const docType = (payload.meta.docType as string | undefined) ?? jsonDocType(body)
  if (!docType) {
    return reject(q, payload, { code: 'envelope_unreadable', detail: 'JSON document type not recognised (expected a PO acknowledgement, shipment confirmation/ASN or invoice)' }, 'json')
  }
  const version = (payload.meta.version as string | undefined) ?? 'v1'
  // One transaction per document in the body (the map's `split` path), each with its JSON path.
  const parts = deps.mapper.splitJson(profile, docType, version, body)
  if (parts.length === 0) {
    return reject(q, payload, { code: 'envelope_unreadable', detail: `the JSON body holds no ${docType} document` }, 'json')
  }
  // The rows go with the documents into the sink, which stores them in one statement when it
  // flushes (a batch's sink: at the batch's end), then translates and matches them.
  const controls = parts.map((_, i) => `${payload.external_id ?? payload.id}${parts.length > 1 ? `#${i + 1}` : ''}`)
  const outcome: ParseOutcome = { status: 'parsed', interchanges: 0, transactions: parts.length, rejected: 0 }
  const status = { status: 'parsed', standard: 'json', partnerId: profile.id, test: profile.status === 'testing', outcome }
  if (batch?.statuses) batch.statuses.push({ id: payload.id, ...status })
  else await setPayloadStatus(q, payload.id, status)
  const shared = batch?.sink
  const sink = shared ?? inlineSink(deps, q)
  parts.forEach((part, i) => {
    const id = newId('txn')
    sink.add({
      id, payloadId: payload.id, interchangeId: null, partnerId: profile.id, standard: 'json', docType, version,
      controlNumber: controls[i], status: 'parsed', issues: [], body: part,
    }, null)
  })
  if (!shared) await sink.flush()
  deps.wake()
  return outcome
}
