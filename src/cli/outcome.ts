/** The outcome of one message as the CLI prints it (`ingest --json`). */
import type { Q } from '../db/sql.ts'

export interface MessageOutcome {
  messageId: string
  status: string
  documents: { kind: string; id: string; status: string }[]
  exceptions: { id: string; code: string; explanation: string }[]
}

/** One word for the whole message: processed, held, duplicate, rejected, partially_rejected ... */
function overall(payloadStatus: string, docs: string[]): string {
  if (docs.length === 0 || payloadStatus === 'partially_rejected') return payloadStatus
  if (docs.every((s) => s === 'matched' || s === 'released')) return 'processed'
  if (docs.every((s) => s === 'duplicate')) return 'duplicate'
  if (docs.some((s) => s === 'held' || s === 'waiting')) return 'held'
  return [...new Set(docs)].join(',')
}

export async function messageOutcome(q: Q, messageId: string): Promise<MessageOutcome> {
  const [p] = await q<{ status: string }[]>`select status from payloads where id = ${messageId}`
  const documents = await q<{ kind: string; id: string; status: string }[]>`
    select kind, id, status from documents where payload_id = ${messageId} order by created_at, id`
  const exceptions = await q<{ id: string; code: string; explanation: string }[]>`
    select id, code, explanation from exceptions
    where payload_id = ${messageId} or document_id in (select id from documents where payload_id = ${messageId})
    order by created_at, id`
  return { messageId, status: overall(p?.status ?? 'unknown', documents.map((d) => d.status)), documents: [...documents], exceptions: [...exceptions] }
}
