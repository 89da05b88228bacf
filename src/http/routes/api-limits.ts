/**
 * Per-partner rate limit: a token bucket holding `rateLimitPerMinute` tokens that refills
 * continuously. Over the limit the API answers 429 with Retry-After (RFC 9110 §10.2.3) in whole
 * seconds. State is per process: behind a load balancer each gateway enforces its own bucket.
 */
export interface RateLimiter {
  /** Take one token; returns 0 when allowed, else the seconds to wait. */
  take(partnerId: string, perMinute: number, now?: number): number
}

export function createRateLimiter(): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>()
  return {
    take(partnerId, perMinute, now = Date.now()) {
      const rate = perMinute / 60_000
      const b = buckets.get(partnerId) ?? { tokens: perMinute, at: now }
      b.tokens = Math.min(perMinute, b.tokens + (now - b.at) * rate)
      b.at = now
      buckets.set(partnerId, b)
      if (b.tokens >= 1) {
        b.tokens -= 1
        return 0
      }
      return Math.max(1, Math.ceil((1 - b.tokens) / rate / 1000))
    },
  }
}
