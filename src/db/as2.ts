/**
 * AS2 protocol state (migration 0300_as2.sql): inbound Message-IDs and the disposition each got,
 * the async-MDN outbox, and the messages we send with the MDN each got. `createAs2Store(sql)`
 * is the adapter for the AS2 transport's As2Store port (src/transports/as2/store.ts); the
 * functions taking `q` are used by the as2_* stages in src/pipeline/as2.ts.
 */
import type { ExceptionReason } from '../exceptions/reasons.ts'
import { openException } from './exceptions.ts'
import { enqueue } from './jobs.ts'
import type { Q, Sql } from './sql.ts'
import { newId } from '../lib/ids.ts'

type Headers = [string, string][]

export interface As2InboundRow {
  partnerId: string
  messageId: string
  payloadId: string
  disposition: string
  mic?: string
  micAlg?: string
  mdnMode: 'sync' | 'async' | 'none'
}

export interface As2OutboundRow {
  message_id: string
  delivery_id: string
  partner_id: string
  filename: string
  content_type: string
  doc_type: string
  bytes: Buffer
  status: string
  url: string | null
  mic: string | null
  mic_alg: string | null
  mdn_signed: boolean
  attempts: number
  sent_at: Date | null
}

export interface As2MdnOutboxRow {
  id: string
  partner_id: string
  message_id: string
  url: string
  headers: Headers
  body: Buffer
  status: string
  attempts: number
}

export interface MdnOutcomeRow {
  status: 'delivered' | 'negative' | 'mic_mismatch' | 'bad_signature' | 'unmatched'
  disposition?: string
  detail?: string
}

/** Job tuning: attempts before an AS2 send or an async MDN gives up (backoff 1 s … 10 min). */
export const AS2_SEND_ATTEMPTS = 8
export const AS2_MDN_ATTEMPTS = 10

export async function findInbound(q: Q, partnerId: string, messageId: string): Promise<As2InboundRow | undefined> {
  const [r] = await q<{ payload_id: string; disposition: string; mic: string | null; mic_alg: string | null; mdn_mode: string }[]>`
    select payload_id, disposition, mic, mic_alg, mdn_mode from as2_inbound
    where partner_id = ${partnerId} and message_id = ${messageId}`
  if (!r) return undefined
  return {
    partnerId,
    messageId,
    payloadId: r.payload_id,
    disposition: r.disposition,
    mic: r.mic ?? undefined,
    micAlg: r.mic_alg ?? undefined,
    mdnMode: r.mdn_mode as As2InboundRow['mdnMode'],
  }
}

export async function recordInbound(q: Q, rec: As2InboundRow): Promise<void> {
  const mdnStatus = rec.mdnMode === 'async' ? 'pending' : rec.mdnMode === 'sync' ? 'sent' : 'none'
  await q`insert into as2_inbound (partner_id, message_id, payload_id, disposition, mic, mic_alg, mdn_mode, mdn_status)
    values (${rec.partnerId}, ${rec.messageId}, ${rec.payloadId}, ${rec.disposition}, ${rec.mic ?? null},
            ${rec.micAlg ?? null}, ${rec.mdnMode}, ${mdnStatus})
    on conflict (partner_id, message_id) do nothing`
}

/** Store an async MDN and queue its delivery in one transaction; the inbound row becomes "MDN pending". */
export async function queueAsyncMdn(sql: Sql, m: { partnerId: string; messageId: string; url: string; headers: Headers; body: Buffer }): Promise<string> {
  const id = newId('mdn')
  await sql.begin(async (tx) => {
    await tx`insert into as2_mdn_outbox (id, partner_id, message_id, url, headers, body)
      values (${id}, ${m.partnerId}, ${m.messageId}, ${m.url}, ${tx.json(m.headers as never)}, ${m.body})`
    await tx`update as2_inbound set mdn_status = 'pending', updated_at = now()
      where partner_id = ${m.partnerId} and message_id = ${m.messageId}`
    await enqueue(tx, 'as2_mdn', { mdnId: id, partnerId: m.partnerId }, { maxAttempts: AS2_MDN_ATTEMPTS, dedupeKey: `as2_mdn:${id}` })
  })
  return id
}

export async function getMdnOutbox(q: Q, id: string): Promise<As2MdnOutboxRow | undefined> {
  const [r] = await q<As2MdnOutboxRow[]>`select * from as2_mdn_outbox where id = ${id}`
  return r
}

export async function markMdnDelivered(q: Q, row: As2MdnOutboxRow): Promise<void> {
  await q`update as2_mdn_outbox set status = 'delivered', attempts = attempts + 1, delivered_at = now() where id = ${row.id}`
  await q`update as2_inbound set mdn_status = 'delivered', updated_at = now()
    where partner_id = ${row.partner_id} and message_id = ${row.message_id}`
}

export async function markMdnAttemptFailed(q: Q, row: As2MdnOutboxRow, error: string, final: boolean): Promise<void> {
  await q`update as2_mdn_outbox set attempts = attempts + 1, last_error = ${error},
      status = ${final ? 'failed' : 'pending'} where id = ${row.id}`
  if (final) {
    await q`update as2_inbound set mdn_status = 'failed', updated_at = now()
      where partner_id = ${row.partner_id} and message_id = ${row.message_id}`
  }
}

export async function queueOutbound(
  sql: Sql,
  m: { messageId: string; deliveryId: string; partnerId: string; filename: string; contentType: string; docType: string; bytes: Buffer }
): Promise<void> {
  await sql.begin(async (tx) => {
    const rows = await tx`insert into as2_outbound (message_id, delivery_id, partner_id, filename, content_type, doc_type, bytes)
      values (${m.messageId}, ${m.deliveryId}, ${m.partnerId}, ${m.filename}, ${m.contentType}, ${m.docType}, ${m.bytes})
      on conflict (message_id) do nothing returning message_id`
    if (rows.length) {
      await enqueue(tx, 'as2_send', { messageId: m.messageId, deliveryId: m.deliveryId, partnerId: m.partnerId }, { maxAttempts: AS2_SEND_ATTEMPTS, dedupeKey: `as2_send:${m.messageId}` })
    }
  })
}

export async function getOutbound(q: Q, messageId: string): Promise<As2OutboundRow | undefined> {
  const [r] = await q<As2OutboundRow[]>`select * from as2_outbound where message_id = ${messageId}`
  return r
}

export async function markOutboundSent(
  q: Q,
  messageId: string,
  s: { status: 'awaiting_mdn' | 'delivered'; url: string; mic: string; micAlg: string; mdnSigned: boolean }
): Promise<void> {
  const [row] = await q<{ delivery_id: string | null }[]>`update as2_outbound set status = ${s.status}, url = ${s.url}, mic = ${s.mic}, mic_alg = ${s.micAlg},
      mdn_signed = ${s.mdnSigned}, attempts = attempts + 1, last_error = null, sent_at = now(), updated_at = now()
    where message_id = ${messageId}
    returning delivery_id`
  // The delivery was POSTed; the MDN (sync, recorded next, or async) says whether it arrived.
  await setDeliveryState(q, row?.delivery_id, 'sent', { error: null, sent: true })
}

/**
 * Mirror the AS2 outcome on the delivery row lineage and the console show: `sent`, then
 * `acknowledged` or `failed`. A final state is never moved back to `sent`.
 */
async function setDeliveryState(
  q: Q,
  deliveryId: string | null | undefined,
  status: 'sent' | 'acknowledged' | 'failed',
  o: { error?: string | null; sent?: boolean; mdn?: string } = {}
): Promise<void> {
  if (!deliveryId) return
  const receipt = { as2: status, ...(o.mdn ? { mdn: o.mdn } : {}) }
  await q`update deliveries set
      status = case when ${status} = 'sent' and status in ('acknowledged', 'failed') then status else ${status} end,
      sent_at = case when ${o.sent ?? false} then coalesce(sent_at, now()) else sent_at end,
      last_error = case when ${o.error !== undefined} then ${o.error ?? null} else last_error end,
      receipt = coalesce(receipt, '{}'::jsonb) || ${q.json(receipt as never)},
      updated_at = now()
    where id = ${deliveryId}`
}

export async function markOutboundAttemptFailed(q: Q, messageId: string, error: string, final: boolean, url?: string): Promise<void> {
  const [row] = await q<{ delivery_id: string | null }[]>`update as2_outbound set attempts = attempts + 1, last_error = ${error}, url = coalesce(${url ?? null}, url),
      status = ${final ? 'failed' : 'queued'}, updated_at = now()
    where message_id = ${messageId}
    returning delivery_id`
  if (final) await setDeliveryState(q, row?.delivery_id, 'failed', { error })
  else if (row?.delivery_id) await q`update deliveries set last_error = ${error}, updated_at = now() where id = ${row.delivery_id}`
}

/**
 * Record the MDN a message got. Anything but `delivered` opens `mdn_negative` on the delivery
 * (negative disposition, MIC mismatch or a bad MDN signature all mean "not confirmed").
 */
export async function recordMdn(q: Q, messageId: string, o: MdnOutcomeRow): Promise<void> {
  const [row] = await q<{ delivery_id: string; partner_id: string }[]>`
    update as2_outbound set status = ${o.status === 'delivered' ? 'delivered' : 'negative'}, mdn_status = ${o.status},
      mdn_disposition = ${o.disposition ?? null}, mdn_detail = ${o.detail ?? null}, mdn_at = now(), updated_at = now()
    where message_id = ${messageId}
    returning delivery_id, partner_id`
  await setDeliveryState(q, row?.delivery_id, o.status === 'delivered' ? 'acknowledged' : 'failed', {
    mdn: o.status,
    ...(o.status === 'delivered' ? {} : { error: `MDN ${o.status}: ${o.disposition ?? '(no disposition)'}` }),
  })
  if (!row || o.status === 'delivered') return
  const disposition = [o.disposition ?? '(none)', o.status !== 'negative' ? `[${o.status}]` : '', o.detail ?? ''].filter(Boolean).join(' ')
  await openException(q, { code: 'mdn_negative', messageId, disposition }, { deliveryId: row.delivery_id, partnerId: row.partner_id })
}

/** Called when the async-MDN deadline passes: still waiting → `mdn_overdue`. */
export async function markMdnOverdue(q: Q, messageId: string): Promise<boolean> {
  const [row] = await q<{ delivery_id: string; partner_id: string; sent_at: Date }[]>`
    update as2_outbound set status = 'mdn_overdue', updated_at = now()
    where message_id = ${messageId} and status = 'awaiting_mdn'
    returning delivery_id, partner_id, sent_at`
  if (!row) return false
  await openException(q, { code: 'mdn_overdue', messageId, sentAt: new Date(row.sent_at).toISOString() }, { deliveryId: row.delivery_id, partnerId: row.partner_id })
  return true
}

/**
 * Claim a signature fingerprint for a Message-ID (migration 0730). One insert on the primary
 * key: it either wins, or the row of whoever holds the fingerprint is read back. Undefined when
 * the claim is ours (new, or a resend under the same Message-ID).
 */
export async function claimSignature(q: Q, partnerId: string, fingerprint: string, messageId: string): Promise<{ messageId: string; at: string } | undefined> {
  const won = await q`insert into as2_signatures (partner_id, fingerprint, message_id)
    values (${partnerId}, ${fingerprint}, ${messageId})
    on conflict (partner_id, fingerprint) do nothing returning message_id`
  if (won.length) return undefined
  const [held] = await q<{ message_id: string; created_at: Date }[]>`
    select message_id, created_at from as2_signatures where partner_id = ${partnerId} and fingerprint = ${fingerprint}`
  if (!held || held.message_id === messageId) return undefined
  return { messageId: held.message_id, at: new Date(held.created_at).toISOString() }
}

export async function releaseSignature(q: Q, partnerId: string, fingerprint: string, messageId: string): Promise<void> {
  await q`delete from as2_signatures where partner_id = ${partnerId} and fingerprint = ${fingerprint} and message_id = ${messageId}`
}

/**
 * Open the exception for a refused inbound AS2 message. Deduplicated so a flood cannot fill the
 * queue: one `as2_replay` per replayed signature, one `as2_limit_exceeded` per partner per day.
 */
export async function openAs2Refusal(q: Q, r: As2RefusalRow): Promise<void> {
  const key = r.code === 'as2_replay' ? `as2_replay:${r.partnerId}:${r.fingerprint}` : `as2_limit_exceeded:${r.partnerId}:${new Date().toISOString().slice(0, 10)}`
  await openException(q, r, { partnerId: r.partnerId }, key)
}

type As2RefusalRow = Extract<ExceptionReason, { code: 'as2_replay' | 'as2_limit_exceeded' }>

/** The As2Store port of the AS2 transport, over this module. */
export function createAs2Store(sql: Sql) {
  return {
    findInbound: (partnerId: string, messageId: string) => findInbound(sql, partnerId, messageId),
    recordInbound: (rec: As2InboundRow) => recordInbound(sql, rec),
    queueAsyncMdn: async (m: { partnerId: string; messageId: string; url: string; headers: Headers; body: Buffer }) => {
      await queueAsyncMdn(sql, m)
    },
    queueOutbound: (m: Parameters<typeof queueOutbound>[1]) => queueOutbound(sql, m),
    async findOutbound(messageId: string) {
      const r = await getOutbound(sql, messageId)
      if (!r) return undefined
      return {
        messageId: r.message_id,
        partnerId: r.partner_id,
        deliveryId: r.delivery_id,
        status: r.status,
        mic: r.mic ?? undefined,
        micAlg: r.mic_alg ?? undefined,
        mdnSigned: r.mdn_signed,
      }
    },
    recordMdn: (messageId: string, o: MdnOutcomeRow) => recordMdn(sql, messageId, o),
    claimSignature: (partnerId: string, fingerprint: string, messageId: string) => claimSignature(sql, partnerId, fingerprint, messageId),
    releaseSignature: (partnerId: string, fingerprint: string, messageId: string) => releaseSignature(sql, partnerId, fingerprint, messageId),
    refused: (r: As2RefusalRow) => openAs2Refusal(sql, r),
  }
}
