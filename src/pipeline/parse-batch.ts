/**
 * A claimed batch of parse jobs (small files under a backlog) as one unit of work in the batch's
 * transaction: every payload row and first chunk read in one statement, the handlers run at the
 * same time (their statements pipelined on the transaction's connection, not one file's round
 * trips after another's), their sets translated and matched together at the end, and every
 * payload's outcome written in one statement.
 *
 * Handlers sharing one transaction is safe because none of them reads something and then writes
 * on what it read: duplicate checks are claims (insert ... on conflict, duplicate_keys), control
 * numbers upserts (the acks' together in one: src/db/coalesce.ts), ack reconciliation updates
 * decided in SQL, and the one step that does read then write (translate and match, under per-PO
 * row locks) runs once, after every handler has finished. A handler that fails fails the batch: the others are waited for (none may still
 * be sending statements when the transaction ends), and the worker then runs each job alone.
 */
import { getPayloadsForParse, setPayloadStatuses } from '../db/payloads.ts'
import type { Q } from '../db/sql.ts'
import type { PipelineDeps } from './deps.ts'
import { inlineSink } from './inline.ts'
import { parseStage, type ParseBatch } from './parse.ts'
import { queueOwedAcks } from './queue-acks.ts'
import { settleAll } from '../lib/settle.ts'

export async function parseBatch(deps: PipelineDeps, q: Q, messageIds: readonly string[]): Promise<void> {
  const batch: ParseBatch = { sink: inlineSink(deps, q), payloads: await getPayloadsForParse(q, messageIds), statuses: [], acks: [] }
  await settleAll(messageIds.map((id) => parseStage(deps, q, id, batch)))
  await setPayloadStatuses(q, batch.statuses!)
  await batch.sink.flush()
  // Last, just before the commit: allocating their control numbers locks each partner's counter
  // rows until then (parse.ts ParseState.acks).
  await queueOwedAcks(q, batch.acks!)
}
