/** Constant-time token checks for the operator token (never the partner API keys' job). */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'

const digest = (s: string) => createHash('sha256').update(s).digest()

/** Compare secrets without leaking their length or content through timing. */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b))
}

export function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '')
  return m?.[1]?.trim()
}

/** Requires `Authorization: Bearer <OPERATOR_TOKEN>`. */
export function operatorAuth(token: string): MiddlewareHandler {
  return async (c, next) => {
    const got = bearer(c.req.header('authorization'))
    if (!got || !safeEqual(got, token)) {
      return c.json({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'operator token required (Authorization: Bearer ...)' }, 401, {
        'content-type': 'application/problem+json',
      })
    }
    await next()
  }
}
