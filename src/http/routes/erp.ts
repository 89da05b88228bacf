/**
 * ERP side: open purchase orders in (`POST /api/v1/erp/purchase-orders`, one JSON row per PO line
 * with camelCase fields; the CSV column names are deprecated aliases, src/erp/import.ts) and the
 * event outbox out (`GET /api/v1/erp/events?after=<seq>`), a pull feed with a cursor so a
 * consumer that was down simply continues where it stopped. Operator token required.
 */
import { z } from 'zod'
import { createTablesErp } from '../../db/erp.ts'
import { parsePurchaseOrders } from '../../erp/import.ts'
import { problem } from '../app.ts'
import { operatorAuth } from '../auth.ts'
import type { RouteInstaller } from '../context.ts'
import { fieldErrors } from './api-validate.ts'

/** One value per parameter, digits only: `?limit=-1`, `1e9`, `0x10` or a repeated key is a 400. */
const single = (re: RegExp, max: number) =>
  z
    .array(z.string().regex(re, 'digits only'))
    .length(1, 'give it once')
    .transform((v) => Number(v[0]))
    .pipe(z.number().int().max(max))

export const EventsQuery = z.object({
  after: single(/^\d{1,15}$/, Number.MAX_SAFE_INTEGER).optional().transform((v) => v ?? 0),
  limit: single(/^\d{1,4}$/, 1000).pipe(z.number().min(1)).optional().transform((v) => v ?? 100),
})

export const installErp: RouteInstaller = (app, ctx) => {
  const auth = operatorAuth(ctx.operatorToken, ctx.authThrottle)
  app.post('/api/v1/erp/purchase-orders', auth, async (c) => {
    const text = await c.req.text()
    const { orders, errors } = parsePurchaseOrders(text, 'json')
    if (errors.length) {
      return problem(422, 'Invalid purchase orders', `${errors.length} problem(s)`, {
        errors: errors.map((e) => ({ pointer: `/${e.row > 0 ? e.row - 1 : ''}${e.field ? `/${e.field}` : ''}`, row: e.row, field: e.field, message: e.message })),
      })
    }
    const unknown = orders.filter((o) => !ctx.registry.get(o.supplierId)).map((o) => o.supplierId)
    if (unknown.length) return problem(422, 'Unknown supplier', `no partner profile for: ${[...new Set(unknown)].join(', ')}`)
    const result = await ctx.sql.begin(async (tx) => {
      const r = await createTablesErp(tx).upsertOrders(orders)
      return r
    })
    const rematched = await ctx.rematch(orders.map((o) => o.poNumber))
    const sent = ctx.sendPurchaseOrders ? await ctx.sendPurchaseOrders(result.created) : { queued: [] }
    ctx.wake()
    return c.json({ inserted: result.inserted, updated: result.updated, purchaseOrders: orders.length, rematched, sentToSuppliers: sent.queued }, 200)
  })
  app.get('/api/v1/erp/events', auth, async (c) => {
    const q = EventsQuery.safeParse(c.req.queries())
    if (!q.success) {
      return problem(400, 'Bad Request', 'after must be a sequence number (0 or more) and limit a whole number from 1 to 1000', {
        type: 'urn:edi-gateway:problem:query',
        errors: fieldErrors(q.error),
      })
    }
    const { after, limit } = q.data
    const rows = await createTablesErp(ctx.sql).events(after, limit)
    return c.json({ events: rows.map((r) => ({ seq: r.seq, ...r.event })), next: rows.length ? rows[rows.length - 1].seq : after })
  })
}
