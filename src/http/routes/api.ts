/**
 * The supplier/3PL JSON API (`/api/v1/...`): submit PO acks, shipment confirmations / ASNs and
 * invoices in the SP-API vendor shapes (202 + transactionId), poll a submission's status, and page
 * through the open purchase orders addressed to the caller. Partner keys come from the profiles
 * (identities.apiKeys); a partner only ever sees its own rows (scoped in SQL, 404 otherwise).
 */
import { z } from 'zod'
import { partnerSubmission } from '../../db/queries.ts'
import { createTablesErp } from '../../db/erp.ts'
import { problem } from '../app.ts'
import { buildApiKeyIndex } from '../api-keys.ts'
import type { HttpContext, RouteInstaller } from '../context.ts'
import { SUBMITS } from '../schemas.ts'
import { partnerAuth } from './api-auth.ts'
import { createRateLimiter } from './api-limits.ts'
import { submitHandler } from './api-submit.ts'
import { validationProblem } from './api-validate.ts'
import { installOutbox } from './api-outbox.ts'

/** JSON documents are far smaller than EDI batches: 10 MiB per submit unless the app limit is lower. */
export const API_SUBMIT_LIMIT = 10 * 1024 * 1024

export const PurchaseOrdersQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  after: z.string().max(200).optional().describe('cursor: the `next` of the previous page'),
})

/** An id from a URL path: bounded and free of NUL (which PostgreSQL text cannot hold). */
export const isPlausibleId = (s: string): boolean => s.length > 0 && s.length <= 200 && !s.includes('\u0000')

/** Processing | Success | Failure, as the SP-API transaction status. */
export function submissionStatus(s: NonNullable<Awaited<ReturnType<typeof partnerSubmission>>>): 'Processing' | 'Success' | 'Failure' {
  const waiting = new Set(s.documents.filter((d) => d.status === 'waiting').map((d) => d.id))
  const blocking = s.exceptions.filter(
    (e) => e.severity === 'error' && (e.state === 'open' || e.state === 'assigned')
  )
  if (s.payload.status === 'rejected' || s.transactions.some((t) => t.status === 'rejected') || blocking.length) return 'Failure'
  if (s.pendingJobs > 0 || s.payload.status === 'received' || s.documents.length === 0 || waiting.size > 0) return 'Processing'
  if (s.documents.some((d) => d.status === 'translated')) return 'Processing'
  return 'Success'
}

export const installApi: RouteInstaller = (app, ctx: HttpContext) => {
  const keys = buildApiKeyIndex(ctx.registry)
  for (const u of keys.unresolved) ctx.log.warn('api key reference did not resolve', { partnerId: u.partnerId, ref: u.ref })
  const auth = partnerAuth(ctx, keys, createRateLimiter(), ctx.registry)
  const limit = Math.min(ctx.bodyLimit, API_SUBMIT_LIMIT)

  for (const spec of SUBMITS) app.post(spec.path, auth, submitHandler(ctx, spec, limit))

  app.get('/api/v1/transactions/:id', auth, async (c) => {
    const id = c.req.param('id')
    const s = isPlausibleId(id) ? await partnerSubmission(ctx.sql, c.get('partnerId'), id) : undefined
    if (!s) return problem(404, 'Not Found', 'no such transaction for this partner')
    return c.json({
      transactionId: s.payload.id,
      status: submissionStatus(s),
      receivedAt: s.payload.received_at.toISOString(),
      documents: s.documents.map((d) => ({ kind: d.kind, businessKey: d.business_key, status: d.status, poNumbers: d.po_numbers })),
      errors: s.exceptions.map((e) => ({ code: e.code, message: e.explanation, state: e.state, severity: e.severity, details: e.reason })),
    })
  })

  installOutbox(app, ctx, auth)

  app.get('/api/v1/purchase-orders', auth, async (c) => {
    const q = PurchaseOrdersQuery.safeParse(c.req.query())
    if (!q.success) return validationProblem(q.error)
    const page = await createTablesErp(ctx.sql).listOpenOrders(c.get('partnerId'), { limit: q.data.limit, after: q.data.after?.replace(/\u0000/g, '') })
    return c.json({ purchaseOrders: page.items, next: page.next ?? null })
  })
}
