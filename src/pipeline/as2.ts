/**
 * AS2 job stages. All three do network I/O or wait on it, so they run outside a transaction and
 * are idempotent by their row's status:
 *   as2_send          POST an outbound message (same Message-ID on every retry); sync MDN judged
 *                     at once, async awaited; exhausted retries → `delivery_failed`.
 *   as2_mdn           POST an async MDN we owe a partner; the inbound row stays "MDN pending"
 *                     until it is delivered.
 *   as2_mdn_deadline  scheduled at send time for async MDNs; still waiting → `mdn_overdue`.
 */
import { z } from 'zod'
import type { PartnerProfile } from '../config/partner.ts'
import {
  getMdnOutbox,
  getOutbound,
  markMdnAttemptFailed,
  markMdnDelivered,
  markMdnOverdue,
  markOutboundAttemptFailed,
  markOutboundSent,
  recordMdn,
} from '../db/as2.ts'
import { openException } from '../db/exceptions.ts'
import { enqueue } from '../db/jobs.ts'
import type { Logger } from '../lib/log.ts'
import { asyncMdnUrlAllowed } from '../transports/as2/async-mdn.ts'
import { attemptAs2Send, postAsyncMdn, type As2SendDeps } from '../transports/as2/send.ts'
import type { StageHandler } from './worker.ts'

const SendJob = z.object({ messageId: z.string() })
const MdnJob = z.object({ mdnId: z.string() })

export interface As2StageDeps extends As2SendDeps {
  log?: Logger
  /** Override the MDN deadline (ms) for tests; default is the profile's `as2.mdn.deadlineHours`. */
  mdnDeadlineMs?: (profile: PartnerProfile) => number
}

export const AS2_STAGES = ['as2_send', 'as2_mdn', 'as2_mdn_deadline'] as const

/**
 * The AS2 stage handlers, to merge into the worker's table:
 * `pipelineStages(deps, createAs2Stages(as2Deps))`.
 */
export function createAs2Stages(deps: As2StageDeps): Record<(typeof AS2_STAGES)[number], StageHandler> {
  return {
    as2_send: {
      transactional: false,
      async run(q, payload, job) {
        const { messageId } = SendJob.parse(payload)
        const row = await getOutbound(q, messageId)
        if (!row || row.status !== 'queued') return
        const r = await attemptAs2Send(deps, {
          messageId,
          partnerId: row.partner_id,
          bytes: row.bytes,
          filename: row.filename,
          contentType: row.content_type,
        })
        const profile = deps.registry.get(row.partner_id)
        if (r.kind === 'failed') {
          const final = !r.retryable || job.attempts >= job.max_attempts
          await markOutboundAttemptFailed(q, messageId, r.error, final, r.url)
          if (!final) throw new Error(r.error) // the worker retries with backoff
          await openException(
            q,
            { code: 'delivery_failed', transport: 'as2', destination: r.url ?? row.partner_id, attempts: job.attempts, lastError: r.error },
            { deliveryId: row.delivery_id, partnerId: row.partner_id }
          )
          return
        }
        const mdnSigned = profile?.as2?.mdn.signed ?? true
        const status = r.kind === 'awaiting_mdn' ? 'awaiting_mdn' : 'delivered'
        await markOutboundSent(q, messageId, { status, url: r.url, mic: r.mic, micAlg: r.micAlg, mdnSigned })
        if (r.kind === 'mdn') await recordMdn(q, messageId, r.outcome)
        if (r.kind === 'awaiting_mdn' && profile?.as2) {
          const delayMs = deps.mdnDeadlineMs?.(profile) ?? profile.as2.mdn.deadlineHours * 3_600_000
          await enqueue(q, 'as2_mdn_deadline', { messageId, partnerId: row.partner_id }, { delayMs, dedupeKey: `as2_mdn_deadline:${messageId}` })
        }
        deps.log?.info('AS2 message sent', { as2MessageId: messageId, partnerId: row.partner_id, result: r.kind === 'mdn' ? r.outcome.status : r.kind })
      },
    },
    as2_mdn: {
      transactional: false,
      async run(q, payload, job) {
        const row = await getMdnOutbox(q, MdnJob.parse(payload).mdnId)
        if (!row || row.status !== 'pending') return
        // Checked again at send time: the profile may have changed since, and rows queued by an
        // older version were never checked. A refused URL is never contacted.
        const allowList = deps.registry.get(row.partner_id)?.as2?.asyncMdnUrls ?? []
        if (!asyncMdnUrlAllowed(allowList, row.url)) {
          deps.log?.warn('AS2 async MDN not sent: URL not in the partner profile', { partnerId: row.partner_id || undefined, as2MessageId: row.message_id })
          await markMdnAttemptFailed(q, row, 'URL not in the partner profile (as2.asyncMdnUrls); not contacted', true)
          return
        }
        const r = await postAsyncMdn(row.url, row.headers, row.body)
        if (r.ok) return markMdnDelivered(q, row)
        const final = job.attempts >= job.max_attempts
        await markMdnAttemptFailed(q, row, r.error, final)
        if (!final) throw new Error(r.error)
        await openException(
          q,
          { code: 'delivery_failed', transport: 'as2-mdn', destination: row.url, attempts: job.attempts, lastError: r.error },
          { partnerId: row.partner_id }
        )
      },
    },
    as2_mdn_deadline: {
      async run(q, payload) {
        await markMdnOverdue(q, SendJob.parse(payload).messageId)
      },
    },
  }
}
