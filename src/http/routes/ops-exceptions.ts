/**
 * Exception queue actions. resolve/ignore close the exception and, when it was on a document,
 * ask the pipeline to release the document (it stays held while another blocking exception is
 * open). replay re-runs work: a document waiting on or held by matching is re-matched; anything
 * else is replayed from the stored raw bytes as a new message (bots' "rereceive"), and the old
 * exception is resolved with a note pointing at the new message.
 */
import type { Hono } from 'hono'
import { getException, listExceptions, setExceptionState, type ExceptionRow } from '../../db/exceptions.ts'
import { REASONS, type ExceptionReason } from '../../exceptions/reasons.ts'
import { problem } from '../app.ts'
import { camelRow } from '../camel.ts'
import type { HttpContext } from '../context.ts'
import { isPlausibleId } from './api.ts'
import { validationProblem } from './api-validate.ts'
import { AssignBody, ExceptionsQuery, NoteBody } from './ops-schemas.ts'

const ageSeconds = (r: ExceptionRow) => Math.max(0, Math.round((Date.now() - new Date(r.created_at).getTime()) / 1000))
/** An exception as the API shows it: columns in camelCase (its `reason` is data, kept as stored). */
export const exceptionView = (r: ExceptionRow) => ({ ...camelRow(r), ageSeconds: ageSeconds(r) })

async function jsonBody(c: { req: { text(): Promise<string> } }): Promise<unknown> {
  const t = await c.req.text()
  if (!t.trim()) return {}
  try {
    return JSON.parse(t)
  } catch {
    return undefined
  }
}

/**
 * What a re-match came to, in words an operator reads in the status line: `matched: no exception
 * left`, or `still held: PO 123 not in the ERP` with the blocking exceptions still open.
 */
async function rematchOutcome(ctx: HttpContext, documentId: string) {
  const [doc] = await ctx.sql<{ status: string }[]>`select status from documents where id = ${documentId}`
  const open = await ctx.sql<{ id: string; code: string; reason: ExceptionReason; explanation: string }[]>`
    select id, code, reason, explanation from exceptions
    where document_id = ${documentId} and state in ('open', 'assigned') and severity <> 'info' order by created_at`
  const status = doc?.status ?? 'unknown'
  const why = [...new Set(open.map((e) => (e.reason.code === 'po_not_found' ? `PO ${e.reason.poNumber} not in the ERP` : REASONS[e.reason.code]?.title ?? e.code)))]
  const text = status === 'held' || status === 'waiting'
    ? `still held: ${why.join('; ') || 'no open exception (release it)'}`
    : open.length === 0 ? `${status}: no exception left` : `${status}: ${why.join('; ')}`
  return { status, text, open: open.map((e) => ({ id: e.id, code: e.code, explanation: e.explanation })) }
}

export function installOpsExceptions(app: Hono, ctx: HttpContext): void {
  app.get('/api/v1/ops/exceptions', async (c) => {
    const q = ExceptionsQuery.safeParse(c.req.query())
    if (!q.success) return validationProblem(q.error)
    const f = q.data
    const rows = await listExceptions(ctx.sql, {
      state: f.state, assignee: f.assignee, unassigned: f.unassigned === 'true', queue: f.queue, code: f.code, partnerId: f.partner, documentId: f.document, payloadId: f.message,
      limit: f.limit, offset: f.offset,
    })
    return c.json({ exceptions: rows.map(exceptionView), limit: f.limit, offset: f.offset })
  })

  app.get('/api/v1/ops/exceptions/:id', async (c) => {
    const id = c.req.param('id')
    const row = isPlausibleId(id) ? await getException(ctx.sql, id) : undefined
    return row ? c.json(exceptionView(row)) : problem(404, 'Not Found', 'no such exception')
  })

  const load = async (id: string) => (isPlausibleId(id) ? getException(ctx.sql, id) : undefined)

  app.post('/api/v1/ops/exceptions/:id/assign', async (c) => {
    const row = await load(c.req.param('id'))
    if (!row) return problem(404, 'Not Found', 'no such exception')
    const body = AssignBody.safeParse(await jsonBody(c))
    if (!body.success) return validationProblem(body.error)
    const updated = await setExceptionState(ctx.sql, row.id, 'assigned', body.data)
    ctx.log.info('exception assigned', { exceptionId: row.id })
    return c.json({ exception: exceptionView(updated!) })
  })

  for (const action of ['resolve', 'ignore'] as const) {
    app.post(`/api/v1/ops/exceptions/:id/${action}`, async (c) => {
      const row = await load(c.req.param('id'))
      if (!row) return problem(404, 'Not Found', 'no such exception')
      const body = NoteBody.safeParse(await jsonBody(c))
      if (!body.success) return validationProblem(body.error)
      const updated = await setExceptionState(ctx.sql, row.id, action === 'resolve' ? 'resolved' : 'ignored', body.data)
      // The document moves on only when its last blocking exception is gone (pipeline decides).
      const released = row.document_id ? await ctx.release(row.document_id) : false
      if (released) ctx.wake()
      ctx.log.info(`exception ${action}d`, { exceptionId: row.id, documentId: row.document_id, released })
      return c.json({ exception: exceptionView(updated!), released })
    })
  }

  app.post('/api/v1/ops/exceptions/:id/replay', async (c) => {
    const row = await load(c.req.param('id'))
    if (!row) return problem(404, 'Not Found', 'no such exception')
    if (row.document_id) {
      const [doc] = await ctx.sql<{ status: string; po_numbers: string[] }[]>`
        select status, po_numbers from documents where id = ${row.document_id}`
      if (doc && (doc.status === 'held' || doc.status === 'waiting') && doc.po_numbers.length) {
        const rematched = await ctx.rematch(doc.po_numbers)
        if (ctx.rematchNow) await ctx.rematchNow(row.document_id)
        ctx.wake()
        const outcome = await rematchOutcome(ctx, row.document_id)
        const fresh = (await getException(ctx.sql, row.id)) ?? row
        return c.json({ action: 'rematch', rematched, outcome, exception: exceptionView(fresh) }, 202)
      }
    }
    if (!row.payload_id) return problem(409, 'Conflict', 'this exception is not tied to a stored message; nothing to replay')
    const messageId = await ctx.replay(row.payload_id)
    const updated = await setExceptionState(ctx.sql, row.id, 'resolved', { note: `replayed as ${messageId}` })
    ctx.wake()
    ctx.log.info('exception replayed', { exceptionId: row.id, messageId: row.payload_id, replay: messageId })
    return c.json({ action: 'replay', messageId, exception: exceptionView(updated!) }, 202)
  })
}
