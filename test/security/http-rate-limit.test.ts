/**
 * The shared token bucket (src/http/rate-limit.ts): burst then refill at the configured rate,
 * Retry-After in whole seconds, peek never spends, and memory stays bounded when every request
 * comes from a new key (rotating source addresses or AS2 ids).
 */
import { describe, expect, it } from 'vitest'
import { createRateLimiter, sourceKey } from '../../src/http/rate-limit.ts'

describe('token bucket', () => {
  it('allows a burst of perMinute, then one token per 60/perMinute seconds', () => {
    const l = createRateLimiter()
    const t = 1_000_000
    const waits = Array.from({ length: 7 }, () => l.take('k', 6, t))
    expect(waits).toEqual([0, 0, 0, 0, 0, 0, 10])
    expect(l.take('k', 6, t + 9_000)).toBe(1) // 0.9 of a token after 9 s
    expect(l.take('k', 6, t + 10_000)).toBe(0)
    expect(l.take('other', 6, t)).toBe(0) // keys are independent
  })

  it('peek reports the wait without spending a token', () => {
    const l = createRateLimiter()
    expect(l.peek('p', 2, 0)).toBe(0)
    l.take('p', 2, 0)
    expect(l.peek('p', 2, 0)).toBe(0)
    l.take('p', 2, 0)
    expect(l.peek('p', 2, 0)).toBe(30)
    expect(l.peek('p', 2, 0)).toBe(30)
    expect(l.peek('p', 2, 30_000)).toBe(0)
  })

  it('keeps memory bounded under rotating keys, dropping idle buckets first', () => {
    const l = createRateLimiter({ maxKeys: 1000 })
    l.take('busy', 1, 0) // an empty bucket: must survive eviction of idle ones
    for (let i = 0; i < 20_000; i++) l.take(`k${i}`, 60, 1)
    expect(l.size).toBeLessThanOrEqual(1000)
    expect(l.peek('busy', 1, 2)).toBeGreaterThan(0)
  })

  it('keys IPv6 sources by their /64 and reads IPv4-mapped addresses as IPv4', () => {
    expect(sourceKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64')
    expect(sourceKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64')
    expect(sourceKey('2001:db8::1')).toBe('2001:db8:0:0::/64')
    expect(sourceKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64')
    expect(sourceKey('::1')).toBe('0:0:0:0::/64')
    expect(sourceKey('::ffff:198.51.100.7')).toBe('198.51.100.7')
    expect(sourceKey('198.51.100.7')).toBe('198.51.100.7')
    expect(sourceKey(undefined)).toBe('unknown')
  })
})
