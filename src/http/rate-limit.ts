/**
 * One small token-bucket rate limiter for every HTTP limit: partner API requests, AS2 messages
 * per partner and per source address, and failed credentials per source address. A bucket holds
 * `burst` tokens (default: one minute's worth) and refills continuously at `perMinute`. Over the
 * limit the caller answers 429 with Retry-After (RFC 9110 §10.2.3, RFC 6585 §4) in whole seconds.
 *
 * State is in memory, per process: behind a load balancer each gateway enforces its own buckets.
 * The number of buckets is bounded (idle full buckets are dropped first, then the least recently
 * used), so rotating source addresses or AS2 ids cannot grow memory without bound.
 */
import type { Context } from 'hono'
import { problem } from './app.ts'

export interface RateLimiter {
  /** Take one token; returns 0 when allowed, else the seconds to wait (at least 1). */
  take(key: string, perMinute: number, now?: number): number
  /** The seconds to wait before a token is available, without taking one (0: available). */
  peek(key: string, perMinute: number, now?: number): number
  /** Buckets held (tests, metrics). */
  readonly size: number
}

interface Bucket {
  tokens: number
  at: number
  /** Capacity the bucket was last used with; a full idle bucket is dropped first. */
  cap: number
}

export function createRateLimiter(opts: { maxKeys?: number } = {}): RateLimiter {
  const maxKeys = opts.maxKeys ?? 50_000
  const buckets = new Map<string, Bucket>()
  const refill = (b: Bucket, perMinute: number, now: number) => {
    b.tokens = Math.min(perMinute, b.tokens + (Math.max(0, now - b.at) * perMinute) / 60_000)
    b.at = now
    b.cap = perMinute
  }
  const wait = (b: Bucket, perMinute: number) => Math.max(1, Math.ceil(((1 - b.tokens) * 60) / perMinute))
  const bucket = (key: string, perMinute: number, now: number): Bucket => {
    let b = buckets.get(key)
    if (b) buckets.delete(key) // re-inserted below: Map order is then least recently used first
    else b = { tokens: perMinute, at: now, cap: perMinute }
    refill(b, perMinute, now)
    buckets.set(key, b)
    if (buckets.size > maxKeys) evict(now)
    return b
  }
  // Dropping a bucket forgets a limit, so the ones that limit nobody go first: full buckets, then
  // buckets with a token left (least recently used first), and only then empty ones, so flooding
  // the table with new keys cannot free a source that is being held back.
  const evict = (now: number) => {
    const tokensNow = (b: Bucket) => b.tokens + ((now - b.at) * b.cap) / 60_000
    const target = Math.floor(maxKeys * 0.9)
    const pass = (drop: (b: Bucket) => boolean) => {
      for (const [k, b] of buckets) {
        if (buckets.size <= target) return
        if (drop(b)) buckets.delete(k)
      }
    }
    pass((b) => tokensNow(b) >= b.cap)
    pass((b) => tokensNow(b) >= 1)
    pass(() => true)
  }
  return {
    take(key, perMinute, now = Date.now()) {
      const b = bucket(key, perMinute, now)
      if (b.tokens >= 1) {
        b.tokens -= 1
        return 0
      }
      return wait(b, perMinute)
    },
    peek(key, perMinute, now = Date.now()) {
      const b = buckets.get(key)
      if (!b) return 0
      refill(b, perMinute, now)
      return b.tokens >= 1 ? 0 : wait(b, perMinute)
    },
    get size() {
      return buckets.size
    },
  }
}

/**
 * The client address as a rate-limit key: the peer of the TCP connection (@hono/node-server puts
 * the Node request in `c.env.incoming`). X-Forwarded-For is read only behind `trustedProxies`
 * reverse proxies (env TRUST_PROXY): the entry that many hops from the right is the address the
 * outermost trusted proxy saw; anything left of it was written by the client and is ignored.
 * IPv6 peers are keyed by their /64 (one subscriber's usual allocation, so a host cannot rotate
 * through addresses); IPv4-mapped IPv6 is read as IPv4.
 */
export function sourceAddress(c: Context, trustedProxies = 0): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined
  if (trustedProxies > 0) {
    const hops = (c.req.header('x-forwarded-for') ?? '').split(',').map((h) => h.trim()).filter(Boolean)
    const seen = hops[hops.length - trustedProxies]
    if (seen) return sourceKey(seen)
  }
  return sourceKey(env?.incoming?.socket?.remoteAddress)
}

export function sourceKey(address: string | undefined): string {
  if (!address) return 'unknown'
  const a = address.toLowerCase().replace(/%.*$/, '')
  if (a.startsWith('::ffff:') && a.includes('.')) return a.slice(7)
  if (!a.includes(':')) return a
  // Expand `::` and keep the first four groups.
  const [head, tail = ''] = a.split('::')
  const h = head ? head.split(':') : []
  const t = a.includes('::') && tail ? tail.split(':') : []
  const groups = [...h, ...Array(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t]
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`
}

/** 429 problem+json with Retry-After. */
export function tooManyRequests(waitSeconds: number, detail: string): Response {
  const res = problem(429, 'Too Many Requests', detail, { type: 'urn:edi-gateway:problem:rate_limited' })
  res.headers.set('retry-after', String(waitSeconds))
  return res
}

/**
 * Failed credentials per source address: each failure takes a token; a source with no token left
 * gets 429 for every credential it presents, right or wrong, until the bucket refills.
 */
export interface AuthThrottle {
  /** Seconds this source must wait (0: it may try). */
  blocked(c: Context): number
  /** Record one failed credential from this source. */
  failed(c: Context): void
}

export function createAuthThrottle(failuresPerMinute: number, opts: { trustedProxies?: number; limiter?: RateLimiter } = {}): AuthThrottle {
  const limiter = opts.limiter ?? createRateLimiter()
  const key = (c: Context) => `auth:${sourceAddress(c, opts.trustedProxies)}`
  return {
    blocked: (c) => limiter.peek(key(c), failuresPerMinute),
    failed: (c) => void limiter.take(key(c), failuresPerMinute),
  }
}

/** The 429 a throttled source gets instead of 401. */
export function authThrottled(waitSeconds: number): Response {
  return tooManyRequests(waitSeconds, `too many failed credentials from this address; retry in ${waitSeconds} s`)
}
