/**
 * Operations API (`/api/v1/ops/...`), behind the operator token (env OPERATOR_TOKEN), which is
 * separate from partner API keys: a partner key is just a wrong token here. Message search and
 * lineage live in this file; exceptions, partners and PO workflow in ops-*.ts.
 */
import { messageLineage, searchMessages } from '../../db/queries.ts'
import { getPayload, readPayload } from '../../db/payloads.ts'
import { problem } from '../app.ts'
import { camelRow, camelRows } from '../camel.ts'
import { operatorAuth } from '../auth.ts'
import { count, type RouteInstaller } from '../context.ts'
import { isPlausibleId } from './api.ts'
import { validationProblem } from './api-validate.ts'
import { installOpsExceptions } from './ops-exceptions.ts'
import { installOpsPartners } from './ops-partners.ts'
import { installOpsPurchaseOrders } from './ops-po.ts'
import { MessagesQuery } from './ops-schemas.ts'

/**
 * One message's lineage as the API shows it: every row's columns in camelCase; JSON columns
 * (payload meta/outcome, issues, the canonical doc, match, reason, receipt, job errors) as stored.
 */
export function lineageView(l: NonNullable<Awaited<ReturnType<typeof messageLineage>>>) {
  return {
    payload: camelRow(l.payload),
    interchanges: camelRows(l.interchanges),
    transactions: camelRows(l.transactions),
    documents: camelRows(l.documents),
    deliveries: camelRows(l.deliveries),
    exceptions: camelRows(l.exceptions),
    jobs: camelRows(l.jobs),
  }
}

export const installOps: RouteInstaller = (app, ctx) => {
  const auth = operatorAuth(ctx.operatorToken, ctx.authThrottle)
  app.use('/api/v1/ops/*', async (_c, next) => {
    count(ctx, 'ops_requests')
    await next()
  })
  app.use('/api/v1/ops/*', auth)

  app.get('/api/v1/ops/messages', async (c) => {
    const q = MessagesQuery.safeParse(c.req.query())
    if (!q.success) return validationProblem(q.error)
    const f = q.data
    const rows = await searchMessages(ctx.sql, {
      partnerId: f.partner, transport: f.transport, type: f.type, status: f.status, poNumber: f.po, controlNumber: f.control,
      from: f.from ? new Date(f.from) : undefined, to: f.to ? new Date(f.to) : undefined, limit: f.limit, offset: f.offset,
    })
    return c.json({ messages: camelRows(rows), limit: f.limit, offset: f.offset })
  })

  app.get('/api/v1/ops/messages/:id', async (c) => {
    const id = c.req.param('id')
    const lineage = isPlausibleId(id) ? await messageLineage(ctx.sql, id) : undefined
    if (!lineage) return problem(404, 'Not Found', 'no such message')
    return c.json(lineageView(lineage))
  })

  // Raw bytes exactly as received (RFC 4130 payloads and EDI files are binary-safe here).
  app.get('/api/v1/ops/messages/:id/raw', async (c) => {
    const id = c.req.param('id')
    const p = isPlausibleId(id) ? await getPayload(ctx.sql, id) : undefined
    if (!p) return problem(404, 'Not Found', 'no such message')
    const bytes = await readPayload(ctx.sql, id)
    const name = (p.filename ?? `${p.id}.bin`).replace(/[^A-Za-z0-9._-]/g, '_')
    return c.body(new Uint8Array(bytes), 200, {
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="${name}"`,
      'x-content-type-options': 'nosniff',
      'x-payload-sha256': p.sha256,
    })
  })

  installOpsExceptions(app, ctx)
  installOpsPartners(app, ctx)
  installOpsPurchaseOrders(app, ctx)
}
