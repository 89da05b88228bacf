/**
 * Stage `deliver`: send one delivery row (ack, outbound document, warehouse ASN) over the
 * channel its destination names. Runs outside a transaction (network I/O), so it is written to
 * be idempotent: a delivered row is never sent again, and receivers get a stable idempotency key.
 * Failures retry with backoff; when attempts run out the delivery fails with `delivery_failed`.
 *
 * States: `pending` → `delivered` when the transport itself confirms receipt (SFTP file written,
 * webhook 2xx), or, for AS2, `queued` (handed to the AS2 sender) → `sent` (POST accepted, async
 * MDN awaited) → `acknowledged` (positive MDN) / `failed` (refused POSTs, negative MDN); see
 * db/as2.ts. `available` / `stored` for parked destinations; `failed` when attempts run out.
 */
import { openException } from '../db/exceptions.ts'
import type { JobRow } from '../db/jobs.ts'
import type { Q } from '../db/sql.ts'
import { resolveSecret } from '../lib/secrets.ts'
import { postWebhook } from '../transports/http/webhook.ts'
import type { DeliveryReceipt } from '../transports/types.ts'
import type { PipelineDeps } from './deps.ts'

interface DeliveryRow {
  id: string
  partner_id: string | null
  kind: string
  doc_type: string
  destination: string
  status: string
  bytes: Buffer | null
  filename: string | null
  content_type: string | null
  idempotency_key: string | null
  attempts: number
}

/** Destinations that need no sending: the partner pulls (api) or nothing is configured (none). */
const PARKED: Record<string, string> = { api: 'available', none: 'stored' }

export async function deliverStage(deps: PipelineDeps, q: Q, deliveryId: string, job: JobRow): Promise<void> {
  const [d] = await q<DeliveryRow[]>`select * from deliveries where id = ${deliveryId}`
  if (!d || ['delivered', 'available', 'stored', 'failed', 'queued', 'sent', 'acknowledged'].includes(d.status)) return
  if (PARKED[d.destination]) {
    // Collected by the partner (API pull) or kept: EDI we sent still awaits its functional ack.
    await q`update deliveries set status = ${PARKED[d.destination]},
        ack_status = case when kind in ('document', 'warehouse') and ack_deadline is not null then 'pending' else ack_status end,
        updated_at = now()
      where id = ${d.id}`
    return
  }
  await q`update deliveries set attempts = attempts + 1, updated_at = now() where id = ${d.id}`
  const receipt = await send(deps, d)
  if (receipt.ok && receipt.detail?.as2 === 'queued') {
    // Handed to the AS2 sender, not sent yet: the as2_send job moves it on (db/as2.ts), and may
    // already have done so on its own connection, so a later state is never overwritten.
    await q`update deliveries set status = case when status in ('sent', 'acknowledged', 'failed') then status else 'queued' end,
        last_error = null,
        receipt = ${q.json({ ref: receipt.ref ?? null, ...(receipt.detail ?? {}) } as never)} || coalesce(receipt, '{}'::jsonb),
        ack_status = case when kind in ('document', 'warehouse') and ack_deadline is not null then 'pending' else ack_status end,
        updated_at = now()
      where id = ${d.id}`
    return
  }
  if (receipt.ok) {
    await q`update deliveries set status = 'delivered', sent_at = now(), last_error = null,
        receipt = coalesce(receipt, '{}'::jsonb) || ${q.json({ ref: receipt.ref ?? null, ...(receipt.detail ?? {}) } as never)},
        ack_status = case when kind in ('document', 'warehouse') and ack_deadline is not null then 'pending' else ack_status end,
        updated_at = now()
      where id = ${d.id}`
    return
  }
  await q`update deliveries set last_error = ${receipt.error}, updated_at = now() where id = ${d.id}`
  if (receipt.retryable && job.attempts < job.max_attempts) {
    // Let the worker schedule the retry with backoff.
    throw new Error(`delivery ${d.id} to ${d.destination} failed: ${receipt.error}`)
  }
  await q`update deliveries set status = 'failed', updated_at = now() where id = ${d.id}`
  await openException(
    q,
    { code: 'delivery_failed', transport: d.destination.split(':')[0], destination: d.destination, attempts: job.attempts, lastError: receipt.error },
    { deliveryId: d.id, partnerId: d.partner_id }
  )
}

async function send(deps: PipelineDeps, d: DeliveryRow): Promise<DeliveryReceipt> {
  const [type, name] = d.destination.split(':')
  const bytes = d.bytes ?? Buffer.alloc(0)
  if (type === 'webhook') {
    const profile = d.partner_id ? deps.registry.get(d.partner_id) : undefined
    const dest = profile?.warehouse.destinations.find((w) => w.type === 'webhook' && w.name === name)
    if (!dest || dest.type !== 'webhook') return { ok: false, retryable: false, error: `no webhook destination "${name}" in the profile` }
    const secret = resolveSecret(dest.secret, deps.registry.root)
    if (!secret) return { ok: false, retryable: false, error: `webhook secret ${dest.secret} is not set` }
    return postWebhook({ url: dest.url, secret, body: bytes, idempotencyKey: d.idempotency_key ?? d.id })
  }
  // `sftp:<name>` is a warehouse destination: a file into that warehouse partner's mailbox.
  // Plain `sftp` pushes to the partner's own server; `sftp_mailbox` fills their hosted outbox/.
  const profile = d.partner_id ? deps.registry.get(d.partner_id) : undefined
  let transportName = type
  let partnerId = d.partner_id ?? ''
  if (type === 'sftp' && name) {
    const dest = profile?.warehouse.destinations.find((w) => w.type === 'sftp' && w.name === name)
    if (!dest || dest.type !== 'sftp') return { ok: false, retryable: false, error: `no sftp destination "${name}" in the profile` }
    transportName = 'sftp_mailbox'
    partnerId = dest.partner
  }
  const transport = deps.transports[transportName]
  if (!transport) return { ok: false, retryable: false, error: `no transport "${transportName}" is running for destination ${d.destination}` }
  return transport.send({
    deliveryId: d.id, partnerId, bytes, filename: d.filename ?? `${d.id}.dat`,
    contentType: d.content_type ?? 'application/octet-stream', docType: d.doc_type,
  })
}
