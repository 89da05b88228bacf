/**
 * Limits of the hosted SFTP server, and the guard against password guessing.
 *
 * Guessing is slowed three ways, all in memory of this process:
 *   - per connection: after `authTries` refused attempts the connection is closed (OpenSSH's
 *     MaxAuthTries: every refused password or public key counts);
 *   - per source IP: `lockoutAfter` failed guesses (wrong password, bad signature) lock the IP
 *     for `lockoutMs`, doubled by each further failure up to 64×; a locked IP is refused
 *     everything, the right password and key included;
 *   - per user name: the same count locks password logins for that name (keys still work, since
 *     a key cannot be guessed, so strangers guessing cannot lock a partner's key login out).
 * Unknown user names are tracked exactly like real ones, and a refusal while locked looks like
 * any other refusal, so neither the answers nor their timing tell whether an account exists.
 * A successful login clears its IP; a successful password login also clears its user name (a
 * key login does not, or the partner's own key logins would keep re-opening password guessing).
 */

export interface SftpLimits {
  /** Connections at once, all partners and not yet authenticated ones together. */
  maxConnections: number
  /** Authenticated connections at once per partner; `sftp.mailbox.maxConnections` overrides. */
  partnerConnections: number
  /** Refused authentication attempts on one connection before it is closed. */
  authTries: number
  /** Failed guesses per source IP, and per user name, before a lockout. */
  lockoutAfter: number
  /** First lockout; each further failure doubles it, up to 64 times this. */
  lockoutMs: number
  /** A refused password or signature is answered after this delay. */
  failureDelayMs: number
  /** A connection must authenticate within this time. */
  loginTimeoutMs: number
  /** Open files and directories per connection (all its SFTP channels together). */
  maxHandles: number
  /** Largest upload; `sftp.maxFileBytes` in the profile overrides. */
  maxFileBytes: number
}

export const DEFAULT_SFTP_LIMITS: SftpLimits = {
  maxConnections: 100,
  partnerConnections: 10,
  authTries: 3,
  lockoutAfter: 5,
  lockoutMs: 60_000,
  failureDelayMs: 500,
  loginTimeoutMs: 60_000,
  maxHandles: 64,
  maxFileBytes: 100 * 1024 * 1024,
}

/** SFTP channels (sessions) per connection, as OpenSSH's MaxSessions default. */
export const MAX_SESSIONS_PER_CONNECTION = 10

/** Failure records kept at most (oldest dropped first), so a flood of names cannot fill memory. */
const MAX_RECORDS = 10_000
const MAX_DOUBLINGS = 6

interface FailureRecord {
  failures: number
  last: number
  lockedUntil: number
}

export interface AuthGuard {
  /** The IP is locked: refuse whatever the credentials. */
  ipLocked(ip: string): boolean
  /** The user name is locked for passwords. */
  userLocked(user: string): boolean
  /** A failed guess (wrong password, bad signature) from `ip` for `user`. */
  failed(ip: string, user: string): void
  /** A successful login clears the IP's record, and the user's when it was by password. */
  succeeded(ip: string, user: string, byPassword: boolean): void
  /** Records held (for tests and metrics). */
  size(): number
}

export function createAuthGuard(
  limits: Pick<SftpLimits, 'lockoutAfter' | 'lockoutMs'>,
  now: () => number = Date.now
): AuthGuard {
  const records = new Map<string, FailureRecord>()
  // Idle records are forgotten once the longest lockout has passed since their last failure.
  const forgetAfter = limits.lockoutMs * 2 ** MAX_DOUBLINGS

  const get = (k: string): FailureRecord | undefined => {
    const r = records.get(k)
    if (r && now() - r.last > forgetAfter && now() >= r.lockedUntil) {
      records.delete(k)
      return undefined
    }
    return r
  }
  const locked = (k: string) => (get(k)?.lockedUntil ?? 0) > now()
  const fail = (k: string) => {
    const t = now()
    const r = get(k) ?? { failures: 0, last: t, lockedUntil: 0 }
    // Attempts during a lockout are refused unseen; only real guesses count.
    if (r.lockedUntil > t) return
    r.failures++
    r.last = t
    if (r.failures >= limits.lockoutAfter) {
      const doublings = Math.min(r.failures - limits.lockoutAfter, MAX_DOUBLINGS)
      r.lockedUntil = t + limits.lockoutMs * 2 ** doublings
    }
    // Re-insert so Map order is least recently failed first.
    records.delete(k)
    records.set(k, r)
    while (records.size > MAX_RECORDS) records.delete(records.keys().next().value!)
  }
  return {
    ipLocked: (ip) => locked(`ip:${ip}`),
    userLocked: (user) => locked(`user:${user}`),
    failed(ip, user) {
      fail(`ip:${ip}`)
      fail(`user:${user}`)
    },
    succeeded(ip, user, byPassword) {
      records.delete(`ip:${ip}`)
      if (byPassword) records.delete(`user:${user}`)
    },
    size: () => records.size,
  }
}
