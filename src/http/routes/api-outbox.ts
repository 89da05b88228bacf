/**
 * Outbox pull for partners whose profile says `outbound: api`: what we send them (acks, POs,
 * outbound documents) waits as `queued` deliveries. They list it, download each file (`sent`),
 * and confirm receipt (`acknowledged`); the list keeps a file until it is confirmed. Documents
 * await their functional ack from the start (ack_status, src/pipeline/acks.ts).
 */
import type { Hono, MiddlewareHandler } from 'hono'
import { problem } from '../app.ts'
import type { HttpContext } from '../context.ts'
import type { PartnerEnv } from './api-auth.ts'

const plausible = (s: string) => s.length > 0 && s.length <= 200 && !s.includes('\u0000')

export function installOutbox(app: Hono, ctx: HttpContext, auth: MiddlewareHandler<PartnerEnv>): void {
  const typed = app as unknown as Hono<PartnerEnv>
  typed.get('/api/v1/outbox', auth, async (c) => {
    const rows = await ctx.sql<{ id: string; kind: string; doc_type: string; filename: string | null; content_type: string | null; control_number: string | null; size: number; created_at: Date; status: string }[]>`
      select id, kind, doc_type, filename, content_type, control_number, coalesce(length(bytes), 0)::int as size, created_at, status
      from deliveries where partner_id = ${c.get('partnerId')} and destination = 'api' and status in ('queued', 'sent')
      order by created_at, id limit 500`
    return c.json({
      files: rows.map((r) => ({
        id: r.id, kind: r.kind, docType: r.doc_type, filename: r.filename, contentType: r.content_type,
        controlNumber: r.control_number, size: r.size, createdAt: r.created_at.toISOString(),
        // `queued` never fetched, `sent` fetched but not yet confirmed.
        status: r.status,
      })),
    })
  })
  typed.get('/api/v1/outbox/:id', auth, async (c) => {
    const id = c.req.param('id')
    // Fetching it is the partner taking the file: `queued` → `sent` (a later state stays).
    const [row] = plausible(id)
      ? await ctx.sql<{ bytes: Buffer; filename: string | null; content_type: string | null }[]>`
          update deliveries set status = case when status = 'queued' then 'sent' else status end,
            sent_at = coalesce(sent_at, now()), updated_at = now()
          where id = ${id} and partner_id = ${c.get('partnerId')} and destination = 'api'
            and status in ('queued', 'sent', 'acknowledged') and bytes is not null
          returning bytes, filename, content_type`
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
          update deliveries set status = 'acknowledged', sent_at = coalesce(sent_at, now()),
            receipt = coalesce(receipt, '{}'::jsonb) || '{"collected":"api"}'::jsonb, updated_at = now()
          where id = ${id} and partner_id = ${c.get('partnerId')} and destination = 'api' and status in ('queued', 'sent', 'acknowledged')
          returning status`
      : []
    if (!row) return problem(404, 'Not Found', 'no such file for this partner')
    return c.json({ id, status: row.status })
  })
}
