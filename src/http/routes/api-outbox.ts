/**
 * Outbox pull for partners whose profile says `outbound: api`: what we send them (acks, POs,
 * outbound documents) waits as `available` deliveries. They list it, download each file, and
 * confirm receipt; only then is the delivery `delivered` (and, for documents, awaiting its ack).
 */
import type { Hono, MiddlewareHandler } from 'hono'
import { problem } from '../app.ts'
import type { HttpContext } from '../context.ts'
import type { PartnerEnv } from './api-auth.ts'

const plausible = (s: string) => s.length > 0 && s.length <= 200 && !s.includes('\u0000')

export function installOutbox(app: Hono, ctx: HttpContext, auth: MiddlewareHandler<PartnerEnv>): void {
  const typed = app as unknown as Hono<PartnerEnv>
  typed.get('/api/v1/outbox', auth, async (c) => {
    const rows = await ctx.sql<{ id: string; kind: string; doc_type: string; filename: string | null; content_type: string | null; control_number: string | null; size: number; created_at: Date }[]>`
      select id, kind, doc_type, filename, content_type, control_number, coalesce(length(bytes), 0)::int as size, created_at
      from deliveries where partner_id = ${c.get('partnerId')} and status = 'available'
      order by created_at, id limit 500`
    return c.json({
      files: rows.map((r) => ({
        id: r.id, kind: r.kind, docType: r.doc_type, filename: r.filename, contentType: r.content_type,
        controlNumber: r.control_number, size: r.size, createdAt: r.created_at.toISOString(),
      })),
    })
  })
  typed.get('/api/v1/outbox/:id', auth, async (c) => {
    const id = c.req.param('id')
    const [row] = plausible(id)
      ? await ctx.sql<{ bytes: Buffer; filename: string | null; content_type: string | null }[]>`
          select bytes, filename, content_type from deliveries
          where id = ${id} and partner_id = ${c.get('partnerId')} and status in ('available', 'delivered') and bytes is not null`
      : []
    if (!row) return problem(404, 'Not Found', 'no such file for this partner')
    return c.body(new Uint8Array(row.bytes), 200, {
      'content-type': row.content_type ?? 'application/octet-stream',
      'content-disposition': `attachment; filename="${(row.filename ?? id).replace(/["\\\r\n]/g, '_')}"`,
    })
  })
  typed.post('/api/v1/outbox/:id/received', auth, async (c) => {
    const id = c.req.param('id')
    const [row] = plausible(id)
      ? await ctx.sql<{ status: string }[]>`
          update deliveries set status = 'delivered', sent_at = coalesce(sent_at, now()),
            receipt = coalesce(receipt, '{}'::jsonb) || '{"collected":"api"}'::jsonb, updated_at = now()
          where id = ${id} and partner_id = ${c.get('partnerId')} and status in ('available', 'delivered')
          returning status`
      : []
    if (!row) return problem(404, 'Not Found', 'no such file for this partner')
    return c.json({ id, status: row.status })
  })
}
