/** Constant-time token checks for the operator token (never the partner API keys' job). */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import { authThrottled, type AuthThrottle } from './rate-limit.ts'

const digest = (s: string) => createHash('sha256').update(s).digest()

/** Compare secrets without leaking their length or content through timing. */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b))
}

export function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '')
  return m?.[1]?.trim()
}

/**
 * Requires `Authorization: Bearer <one of tokens>`. With a throttle, a wrong credential counts
 * against its source address, and a source out of budget gets 429 (rate-limit.ts) whatever it
 * presents; a request with no credential at all is a plain 401 and costs nothing.
 */
export function tokenAuth(tokens: readonly string[], throttle: AuthThrottle | undefined, detail: string): MiddlewareHandler {
  return async (c, next) => {
    const wait = throttle?.blocked(c) ?? 0
    if (wait > 0) return authThrottled(wait)
    const got = bearer(c.req.header('authorization'))
    // Every token is compared, so the time taken does not say which one nearly matched.
    const ok = got !== undefined && tokens.map((t) => safeEqual(got, t)).includes(true)
    if (!ok) {
      if (got !== undefined || c.req.header('x-api-key') !== undefined) throttle?.failed(c)
      return c.json({ type: 'about:blank', title: 'Unauthorized', status: 401, detail }, 401, {
        'content-type': 'application/problem+json',
      })
    }
    await next()
  }
}

/** Requires `Authorization: Bearer <OPERATOR_TOKEN>`. */
export function operatorAuth(token: string, throttle?: AuthThrottle): MiddlewareHandler {
  return tokenAuth([token], throttle, 'operator token required (Authorization: Bearer ...)')
}
