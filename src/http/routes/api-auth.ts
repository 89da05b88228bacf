/**
 * Partner authentication + rate limit for /api/v1 partner routes. The key decides who the caller
 * is; nothing in the request (headers, body, query) can choose another partner. An explicit
 * `X-Partner-Id` that names someone else is refused with 403 rather than silently ignored.
 */
import { createMiddleware } from 'hono/factory'
import type { Registry } from '../../config/registry.ts'
import { problem } from '../app.ts'
import { presentedKey, type ApiKeyIndex } from '../api-keys.ts'
import { count, type HttpContext } from '../context.ts'
import { authThrottled, tooManyRequests, type RateLimiter } from '../rate-limit.ts'

export type PartnerEnv = { Variables: { partnerId: string } }

export function partnerAuth(ctx: HttpContext, keys: ApiKeyIndex, limiter: RateLimiter, registry: Registry) {
  return createMiddleware<PartnerEnv>(async (c, next) => {
    count(ctx, 'api_requests')
    // A source that spent its budget of wrong keys waits, whatever it presents now.
    const blocked = ctx.authThrottle.blocked(c)
    if (blocked > 0) {
      count(ctx, 'api_auth_throttled')
      return authThrottled(blocked)
    }
    const presented = presentedKey({ authorization: c.req.header('authorization'), apiKey: c.req.header('x-api-key') })
    const partnerId = keys.lookup(presented)
    const profile = partnerId ? registry.get(partnerId) : undefined
    if (!partnerId || !profile || profile.status === 'disabled') {
      count(ctx, 'api_unauthorized')
      if (presented !== undefined) ctx.authThrottle.failed(c)
      return problem(401, 'Unauthorized', 'a valid partner API key is required (Authorization: Bearer <key> or x-api-key)', {
        type: 'urn:edi-gateway:problem:unauthorized',
      })
    }
    const claimed = c.req.header('x-partner-id')
    if (claimed !== undefined && claimed !== partnerId) {
      return problem(403, 'Forbidden', 'this API key cannot act for another partner', { type: 'urn:edi-gateway:problem:forbidden' })
    }
    const wait = limiter.take(partnerId, profile.rateLimitPerMinute)
    if (wait > 0) {
      count(ctx, 'api_rate_limited')
      return tooManyRequests(wait, `rate limit of ${profile.rateLimitPerMinute} requests per minute exceeded; retry in ${wait} s`)
    }
    c.set('partnerId', partnerId)
    await next()
  })
}
