/**
 * What an AS2 request must pass before its body is read (POST /as2 and /as2/mdn):
 *   - a rate limit per source address (AS2_SOURCE_RATE_LIMIT), so rotating AS2-From ids buys
 *     nothing, then per AS2-From (as2.rateLimitPerMinute, else AS2_RATE_LIMIT; every unknown
 *     AS2-From shares one bucket), both token buckets of rate-limit.ts: 429 + Retry-After;
 *   - its own body limit: as2.maxBodyBytes of the partner named by AS2-From, else AS2_BODY_LIMIT,
 *     never above BODY_LIMIT; enforced by the app's body limit as the body streams in.
 * A refused request stores nothing and acknowledges nothing (no MDN). Header values only: the
 * AS2-From here is a claim (the signature is checked later), and anyone who knows a partner's id
 * can claim it. So the AS2-From bucket is kept per source address too: a stranger sending as a
 * partner spends only its own bucket, never the real partner's.
 */
import type { Context } from 'hono'
import type { PartnerProfile } from '../config/partner.ts'
import { unquoteAs2Id } from '../transports/as2/mime.ts'
import { createRateLimiter, sourceAddress, tooManyRequests, type RateLimiter } from './rate-limit.ts'

export interface As2Limits {
  /** AS2_BODY_LIMIT: bytes per message unless the profile says otherwise. */
  bodyLimit: number
  /** AS2_RATE_LIMIT: messages per minute per partner (and for all unknown ids together). */
  perPartnerPerMinute: number
  /** AS2_SOURCE_RATE_LIMIT: requests per minute per source address. */
  perSourcePerMinute: number
}

export interface As2Admission {
  admit(c: Context): Response | undefined
  bodyLimit(c: Context): number | undefined
}

const AS2_PATHS = new Set(['/as2', '/as2/mdn'])

/**
 * @example
 * ctx.admission = createAs2Admission(registry, { bodyLimit: 20 << 20, perPartnerPerMinute: 600, perSourcePerMinute: 1200 })
 */
export function createAs2Admission(
  registry: { byAs2(id: string): PartnerProfile | undefined },
  limits: As2Limits,
  opts: { limiter?: RateLimiter; onRefused?: (why: 'source' | 'partner') => void; trustedProxies?: number } = {}
): As2Admission {
  const limiter = opts.limiter ?? createRateLimiter()
  const isAs2 = (c: Context) => c.req.method === 'POST' && AS2_PATHS.has(c.req.path)
  const partnerOf = (c: Context) => {
    const from = unquoteAs2Id(c.req.header('as2-from'))
    return from ? registry.byAs2(from) : undefined
  }
  return {
    admit(c) {
      if (!isAs2(c)) return undefined
      const bySource = limiter.take(`src:${sourceAddress(c, opts.trustedProxies)}`, limits.perSourcePerMinute)
      if (bySource > 0) {
        opts.onRefused?.('source')
        return tooManyRequests(bySource, `more than ${limits.perSourcePerMinute} AS2 requests per minute from this address; retry in ${bySource} s`)
      }
      const partner = partnerOf(c)
      const perMinute = partner?.as2?.rateLimitPerMinute ?? limits.perPartnerPerMinute
      const byPartner = limiter.take(`from:${partner ? partner.id : '(unknown)'}@${sourceAddress(c, opts.trustedProxies)}`, perMinute)
      if (byPartner > 0) {
        opts.onRefused?.('partner')
        return tooManyRequests(byPartner, `more than ${perMinute} AS2 messages per minute from this AS2-From; retry in ${byPartner} s`)
      }
      return undefined
    },
    bodyLimit(c) {
      if (!isAs2(c)) return undefined
      return partnerOf(c)?.as2?.maxBodyBytes ?? limits.bodyLimit
    },
  }
}
