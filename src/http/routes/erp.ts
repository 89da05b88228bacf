/**
 * ERP side: open purchase orders in (`POST /api/v1/erp/purchase-orders`, JSON rows in the CSV's
 * shape) and the event outbox out (`GET /api/v1/erp/events?after=<seq>`), a pull feed with a
 * cursor so a consumer that was down simply continues where it stopped. Operator token required.
 */
import { createTablesErp } from '../../db/erp.ts'
import { parsePurchaseOrders } from '../../erp/import.ts'
import { problem } from '../app.ts'
import { operatorAuth } from '../auth.ts'
import type { RouteInstaller } from '../context.ts'

export const installErp: RouteInstaller = (app, ctx) => {
  const auth = operatorAuth(ctx.operatorToken)
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
    const after = Number(c.req.query('after') ?? 0)
    const limit = Math.min(Number(c.req.query('limit') ?? 100), 1000)
    if (!Number.isFinite(after) || !Number.isFinite(limit)) return problem(400, 'Bad Request', 'after and limit must be numbers')
    const rows = await createTablesErp(ctx.sql).events(after, limit)
    return c.json({ events: rows.map((r) => ({ seq: r.seq, ...r.event })), next: rows.length ? rows[rows.length - 1].seq : after })
  })
}
