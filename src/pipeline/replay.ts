/**
 * Replay: re-run a stored raw message through the current profiles and maps. The raw bytes are
 * received again as a new message linked to the original (meta.replayOf), so the original
 * lineage stays intact and the new one shows what today's configuration makes of it.
 */
import { getPayload, readPayload } from '../db/payloads.ts'
import { UserError } from '../lib/errors.ts'
import type { PipelineDeps } from './deps.ts'
import { receive } from './receive.ts'

export async function replayMessage(deps: PipelineDeps, messageId: string): Promise<string> {
  const p = await getPayload(deps.sql, messageId)
  if (!p) throw new UserError(`no message ${messageId}`)
  const bytes = await readPayload(deps.sql, messageId)
  const r = await receive(
    { sql: deps.sql, wake: deps.wake },
    {
      transport: p.transport as 'cli',
      partnerId: p.partner_id ?? undefined,
      filename: p.filename ?? undefined,
      contentType: p.content_type ?? undefined,
      body: bytes,
      meta: { ...p.meta, replayOf: messageId },
    }
  )
  return r.messageId
}
