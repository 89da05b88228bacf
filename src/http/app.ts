/**
 * The hono app: request id, body limit, problem+json errors, then the route installers the
 * composition root passes in (health, ERP, AS2, supplier API, operations, console).
 */
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { serializeError } from '../lib/errors.ts'
import { newId } from '../lib/ids.ts'
import type { HttpContext, RouteInstaller } from './context.ts'

export function problem(status: number, title: string, detail?: string, extra: Record<string, unknown> = {}) {
  return new Response(JSON.stringify({ type: 'about:blank', title, status, ...(detail ? { detail } : {}), ...extra }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  })
}

export function createHttpApp(ctx: HttpContext, installers: RouteInstaller[]): Hono {
  const app = new Hono()
  app.use('*', async (c, next) => {
    const id = c.req.header('x-request-id') ?? newId('req')
    c.header('x-request-id', id)
    await next()
  })
  // A route's admission (AS2 rate limits) runs before any of the body is read.
  app.use('*', async (c, next) => {
    const refused = ctx.admission?.admit(c)
    if (refused) return refused
    await next()
  })
  // The body limit, lowered per request where a route asks for less (AS2), so the smaller limit
  // is the one that reads the stream.
  app.use('*', (c, next) => {
    const max = Math.min(ctx.bodyLimit, ctx.admission?.bodyLimit(c) ?? ctx.bodyLimit)
    return bodyLimit({
      maxSize: max,
      onError: () => problem(413, 'Payload Too Large', `request bodies are limited to ${max} bytes`),
    })(c, next)
  })
  for (const install of installers) install(app, ctx)
  app.notFound(() => problem(404, 'Not Found'))
  app.onError((err) => {
    // Defects and infrastructure failures: logged with the request, never echoed with secrets.
    ctx.log.error('http error', { error: serializeError(err).message })
    return problem(500, 'Internal Server Error', 'the gateway could not process the request; it has been logged')
  })
  return app
}
