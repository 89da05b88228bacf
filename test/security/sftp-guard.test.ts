/**
 * The pieces behind the SFTP limits, on a fake clock: the lockout guard (threshold, doubling up
 * to 64×, attempts during a lock not counted, success clearing, forgetting idle records) and the
 * written-ranges bookkeeping that tells a complete upload from one with holes.
 */
import { describe, expect, it } from 'vitest'
import { createAuthGuard } from '../../src/transports/sftp/limits.ts'
import { WrittenRanges } from '../../src/transports/sftp/ranges.ts'

describe('auth guard', () => {
  const setup = () => {
    let t = 1_000_000
    const guard = createAuthGuard({ lockoutAfter: 3, lockoutMs: 1000 }, () => t)
    return { guard, advance: (ms: number) => (t += ms) }
  }

  it('locks after the threshold, doubles per further failure up to 64x, and ignores attempts while locked', () => {
    const { guard, advance } = setup()
    guard.failed('1.2.3.4', 'acme')
    guard.failed('1.2.3.4', 'acme')
    expect(guard.ipLocked('1.2.3.4')).toBe(false)
    guard.failed('1.2.3.4', 'acme')
    expect(guard.ipLocked('1.2.3.4')).toBe(true)
    expect(guard.userLocked('acme')).toBe(true)
    expect(guard.ipLocked('5.6.7.8')).toBe(false)
    // Failures during the lock do not extend it.
    guard.failed('1.2.3.4', 'acme')
    advance(1001)
    expect(guard.ipLocked('1.2.3.4')).toBe(false)
    const lockLengths: number[] = []
    for (let i = 0; i < 9; i++) {
      guard.failed('1.2.3.4', 'acme')
      let ms = 0
      while (guard.ipLocked('1.2.3.4')) {
        advance(500)
        ms += 500
      }
      lockLengths.push(ms)
    }
    expect(lockLengths).toEqual([2000, 4000, 8000, 16000, 32000, 64000, 64000, 64000, 64000])
  })

  it('a login clears the IP; only a password login clears the user name', () => {
    const { guard } = setup()
    for (let i = 0; i < 3; i++) guard.failed('1.2.3.4', 'acme')
    guard.succeeded('1.2.3.4', 'acme', false)
    expect(guard.ipLocked('1.2.3.4')).toBe(false)
    expect(guard.userLocked('acme')).toBe(true)
    guard.succeeded('9.9.9.9', 'acme', true)
    expect(guard.userLocked('acme')).toBe(false)
  })

  it('forgets idle records after the longest lockout', () => {
    const { guard, advance } = setup()
    guard.failed('1.2.3.4', 'ghost')
    guard.failed('1.2.3.4', 'ghost')
    expect(guard.size()).toBe(2)
    advance(64_001)
    guard.failed('1.2.3.4', 'ghost')
    // Counting started again: one failure is no lockout.
    expect(guard.ipLocked('1.2.3.4')).toBe(false)
  })
})

describe('written ranges', () => {
  it('merges in-order and out-of-order writes and reports the first hole', () => {
    const w = new WrittenRanges(0)
    w.add(0, 100)
    w.add(100, 200)
    expect([w.count, w.end, w.firstHole()]).toEqual([1, 200, undefined])
    w.add(300, 400)
    w.add(500, 600)
    expect(w.firstHole()).toEqual([200, 300])
    w.add(250, 520)
    expect(w.firstHole()).toEqual([200, 250])
    w.add(150, 260)
    expect([w.count, w.end, w.firstHole()]).toEqual([1, 600, undefined])
  })

  it('counts what the file held when opened, and a file that starts past byte 0 has a hole', () => {
    const resumed = new WrittenRanges(1000)
    resumed.add(1000, 1500)
    expect(resumed.firstHole()).toBeUndefined()
    const late = new WrittenRanges(0)
    late.add(10, 20)
    expect(late.firstHole()).toEqual([0, 10])
  })
})
