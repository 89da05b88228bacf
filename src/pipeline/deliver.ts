/**
 * Stage `deliver`: send one delivery row (ack, outbound document, warehouse ASN) over the
 * channel its destination names. Runs outside a transaction (network I/O), so it is written to
 * be idempotent: a row that went out is never sent again, and receivers get a stable idempotency key.
 * Failures retry with backoff; when attempts run out the delivery fails with `delivery_failed`.
 *
 * One state model for every channel (migration 0800 keeps each change in `history`):
 *   pending       created, not yet picked up
 *   queued        waiting to go out: being tried (attempts and last_error show the retries),
 *                 handed to the AS2 sender, or, for API pull, waiting for the partner to fetch it
 *   sent          the bytes are complete at the other side, nobody has confirmed them yet:
 *                 SFTP push renamed into place after its size was checked, hosted outbox file
 *                 renamed into outbox/, API file downloaded, AS2 POST accepted (async MDN awaited)
 *   acknowledged  the receiver confirmed it: webhook 2xx, API POST .../received, the partner
 *                 downloaded the hosted outbox file (db/sftp.ts), a positive MDN (db/as2.ts), or
 *                 a 997/999/CONTRL/TA1 that answers a `sent` document (pipeline/acks.ts)
 *   failed        attempts ran out, a refusal that retrying cannot fix, or a negative MDN
 *   stored        destination `none`: kept here, nothing sent and nothing will be
 * The transport state says whether the partner got the bytes; `ack_status` stays the functional
 * verdict on their content (accepted / rejected / overdue), the two are never mixed. A push to a
 * partner's server of something no ack answers (our own 997s) stays `sent`: nothing there tells
 * us it was collected.
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
  receipt: Record<string, unknown> | null
  bytes: Buffer | null
  filename: string | null
  content_type: string | null
  idempotency_key: string | null
  attempts: number
}

/** Destinations that need no sending: the partner pulls (api: queued until fetched) or nothing is configured (none). */
const PARKED: Record<string, string> = { api: 'queued', none: 'stored' }

/** States the deliver stage never sends again. */
const DONE = ['sent', 'acknowledged', 'failed', 'stored']

export async function deliverStage(deps: PipelineDeps, q: Q, deliveryId: string, job: JobRow): Promise<void> {
  const [d] = await q<DeliveryRow[]>`select * from deliveries where id = ${deliveryId}`
  // `queued` after a hand-off (AS2 sender, API pull) waits on someone else; `queued` between
  // retries of this stage is sent again.
  const handedOff = d && d.status === 'queued' && (PARKED[d.destination] !== undefined || d.receipt?.as2 !== undefined)
  if (!d || DONE.includes(d.status) || handedOff) return
  if (PARKED[d.destination]) {
    // Collected by the partner (API pull) or kept: EDI we sent still awaits its functional ack.
    await q`update deliveries set status = ${PARKED[d.destination]},
        ack_status = case when kind in ('document', 'warehouse') and ack_deadline is not null then 'pending' else ack_status end,
        updated_at = now()
      where id = ${d.id}`
    return
  }
  await q`update deliveries set status = 'queued', attempts = attempts + 1, updated_at = now() where id = ${d.id}`
  const receipt = await send(deps, d)
  if (receipt.ok && (receipt.state === 'queued' || receipt.detail?.as2 === 'queued')) {
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
    // `sent` or `acknowledged`, as the channel can tell; a collection recorded meanwhile (the
    // partner downloading the outbox file at once) is never moved back.
    const state = receipt.state ?? 'sent'
    await q`update deliveries set status = case when status in ('acknowledged', 'failed') then status else ${state} end,
        sent_at = coalesce(sent_at, now()), last_error = null,
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
