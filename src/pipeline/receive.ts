/**
 * receive(): where every inbound transport ends. It stores the raw bytes and the first `parse`
 * job in ONE transaction and returns only after the commit, so whatever the transport then
 * acknowledges (MDN, HTTP 202, SFTP close OK) is durable. A transport id seen before from the
 * same partner (AS2 Message-ID resend, API idempotency key) is answered with the first message id.
 */
import { enqueue } from '../db/jobs.ts'
import { writeChunks } from '../db/payloads.ts'
import type { Sql } from '../db/sql.ts'
import { newId } from '../lib/ids.ts'
import type { InboundPayload, ReceiveReceipt } from '../transports/types.ts'

export interface ReceiveDeps {
  sql: Sql
  /** In-process wake-up for the workers (no LISTEN/NOTIFY on PGlite). */
  wake?: () => void
}

export async function receive(deps: ReceiveDeps, p: InboundPayload): Promise<ReceiveReceipt> {
  if (p.externalId) {
    const dup = await findByExternalId(deps.sql, p)
    if (dup) return dup
  }
  const id = newId('msg')
  try {
    const receipt = await deps.sql.begin(async (tx) => {
      await tx`insert into payloads (id, transport, partner_id, filename, content_type, external_id, sha256, size, meta)
        values (${id}, ${p.transport}, ${p.partnerId ?? null}, ${p.filename ?? null}, ${p.contentType ?? null},
                ${p.externalId ?? null}, '', 0, ${tx.json((p.meta ?? {}) as never)})`
      const { sha256, size } = await writeChunks(tx, id, p.body)
      await tx`update payloads set sha256 = ${sha256}, size = ${size} where id = ${id}`
      await enqueue(tx, 'parse', { messageId: id }, { dedupeKey: `parse:${id}` })
      return { messageId: id, sha256, size, duplicate: false }
    })
    deps.wake?.()
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

async function findByExternalId(sql: Sql, p: InboundPayload): Promise<ReceiveReceipt | undefined> {
  const [row] = await sql<{ id: string; sha256: string; size: string }[]>`
    select id, sha256, size from payloads
    where partner_id is not distinct from ${p.partnerId ?? null} and transport = ${p.transport}
      and external_id = ${p.externalId ?? null}`
  return row ? { messageId: row.id, sha256: row.sha256, size: Number(row.size), duplicate: true } : undefined
}
