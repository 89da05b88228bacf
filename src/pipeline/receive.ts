/**
 * receive(): where every inbound transport ends. It stores the raw bytes and the first `parse`
 * job in ONE transaction and returns only after the commit, so whatever the transport then
 * acknowledges (MDN, HTTP 202, SFTP close OK) is durable. A transport id seen before from the
 * same partner (AS2 Message-ID resend, API idempotency key) is answered with the first message id.
 */
import { createHash } from 'node:crypto'
import { enqueue } from '../db/jobs.ts'
import { CHUNK, writeChunks } from '../db/payloads.ts'
import type { Sql } from '../db/sql.ts'
import { newId } from '../lib/ids.ts'
import type { InboundPayload, ReceiveReceipt } from '../transports/types.ts'

export interface ReceiveDeps {
  sql: Sql
  /** In-process wake-up for the workers (no LISTEN/NOTIFY on PGlite). */
  wake?: () => void
}

export async function receive(deps: ReceiveDeps, p: InboundPayload): Promise<ReceiveReceipt> {
  const small = Buffer.isBuffer(p.body) && p.body.length <= CHUNK
  // A small body with a partner lets the insert itself detect a resend (on conflict), saving a
  // round trip per message. Without a partner the unique index cannot see one (NULLs are
  // distinct), and a large body should not start streaming for nothing: look first.
  if (p.externalId && (!p.partnerId || !small)) {
    const dup = await findByExternalId(deps.sql, p)
    if (dup) return dup
  }
  const id = newId('msg')
  try {
    const receipt = small
      ? await storeSmall(deps, id, p, p.body as Buffer)
      : await deps.sql.begin(async (tx) => {
          await tx`insert into payloads (id, transport, partner_id, filename, content_type, external_id, sha256, size, meta)
            values (${id}, ${p.transport}, ${p.partnerId ?? null}, ${p.filename ?? null}, ${p.contentType ?? null},
                    ${p.externalId ?? null}, '', 0, ${tx.json((p.meta ?? {}) as never)})`
          const { sha256, size } = await writeChunks(tx, id, p.body)
          await tx`update payloads set sha256 = ${sha256}, size = ${size} where id = ${id}`
          await enqueue(tx, 'parse', { messageId: id }, { dedupeKey: `parse:${id}`, weight: parseWeight(size) })
          return { messageId: id, sha256, size, duplicate: false }
        })
    if (!receipt.duplicate) deps.wake?.()
    return receipt
  } catch (err) {
    // Two resends racing on the same external id: the unique index lets one win.
    if (p.externalId && (err as { code?: string }).code === '23505') {
      const dup = await findByExternalId(deps.sql, p)
      if (dup) return dup
    }
    throw err
  }
}

/**
 * A body that fits one chunk (API submissions, most EDI files): the payload row, its chunk and
 * the parse job in ONE statement, which commits atomically like the transaction above but in a
 * single round trip. A resent external id inserts nothing and is answered with the first message.
 */
/**
 * A parse job's weight in a worker's batch (WorkerOptions.batchSize, 64): its size in 16 KiB
 * units, at least 1. Batches are for small files (a batch of one-set files shares its claim,
 * translate-and-match pass and commit); a file of 1 MiB or more is claimed alone, and one of
 * several hundred KiB shares a batch only with small ones, so large files spread over the loops
 * and processes instead of queueing behind each other in one transaction.
 */
export function parseWeight(size: number): number {
  return Math.max(1, Math.ceil(size / PARSE_WEIGHT_UNIT))
}
const PARSE_WEIGHT_UNIT = 16 * 1024

async function storeSmall(deps: ReceiveDeps, id: string, p: InboundPayload, body: Buffer): Promise<ReceiveReceipt> {
  const sha256 = createHash('sha256').update(body).digest('hex')
  const size = body.length
  const rows = await deps.sql<{ id: string }[]>`
    with payload as (
      insert into payloads (id, transport, partner_id, filename, content_type, external_id, sha256, size, meta)
      values (${id}, ${p.transport}, ${p.partnerId ?? null}, ${p.filename ?? null}, ${p.contentType ?? null},
              ${p.externalId ?? null}, ${sha256}, ${size}, ${deps.sql.json((p.meta ?? {}) as never)})
      on conflict (partner_id, transport, external_id) where external_id is not null do nothing
      returning id
    ), chunk as (
      insert into payload_chunks (payload_id, seq, data) select id, 0, ${body}::bytea from payload where ${size}::int > 0
    ), job as (
      insert into jobs (stage, payload, dedupe_key, weight)
      select 'parse', jsonb_build_object('messageId', id), 'parse:' || id, ${parseWeight(size)} from payload
      on conflict (dedupe_key) where dedupe_key is not null and state in ('created', 'retry', 'active') do nothing
    )
    select id from payload`
  if (rows.length) return { messageId: id, sha256, size, duplicate: false }
  const dup = await findByExternalId(deps.sql, p)
  if (!dup) throw new Error(`payload ${id} was neither stored nor found as a resend`)
  return dup
}

async function findByExternalId(sql: Sql, p: InboundPayload): Promise<ReceiveReceipt | undefined> {
  const [row] = await sql<{ id: string; sha256: string; size: string }[]>`
    select id, sha256, size from payloads
    where partner_id is not distinct from ${p.partnerId ?? null} and transport = ${p.transport}
      and external_id = ${p.externalId ?? null}`
  return row ? { messageId: row.id, sha256: row.sha256, size: Number(row.size), duplicate: true } : undefined
}
