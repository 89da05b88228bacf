/**
 * Mailbox accounts: one per partner with `sftp.mailbox`, named `mailbox.user` or the partner id.
 * Public keys come from the profile (OpenSSH lines, or files under the config root holding such
 * lines); the optional password is an env:/file: reference. Every comparison is constant-time
 * over fixed-length digests, and unknown users cost the same work as known ones, so timing does
 * not reveal which accounts exist.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, join, relative } from 'node:path'
import ssh2 from 'ssh2'
import type { ParsedKey } from 'ssh2'
import type { Registry } from '../../config/registry.ts'
import { resolveSecret } from '../../lib/secrets.ts'

export interface MailboxAccount {
  user: string
  partnerId: string
  keys: ParsedKey[]
  /** sha256 of the password, when password auth is configured and the secret resolves. */
  passwordDigest?: Buffer
  /** `sftp.mailbox.maxConnections` (unset: the server's default). */
  maxConnections?: number
  /** `sftp.maxFileBytes` (unset: the server's default). */
  maxFileBytes?: number
}

export interface AccountProblem {
  partnerId: string
  message: string
}

const digest = (s: string | Buffer) => createHash('sha256').update(s).digest()

function keyLines(entry: string, root: string): string[] {
  if (/^(ssh-|ecdsa-|sk-)/.test(entry.trim())) return [entry.trim()]
  // A file under the config root: never let a profile point at arbitrary files on the host.
  const p = isAbsolute(entry) ? entry : join(root, entry)
  const rel = relative(root, p)
  if (rel.startsWith('..') || isAbsolute(rel) || !existsSync(p)) return []
  return readFileSync(p, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
}

export function loadAccounts(
  registry: Registry,
  env: NodeJS.ProcessEnv = process.env
): { accounts: Map<string, MailboxAccount>; problems: AccountProblem[] } {
  const accounts = new Map<string, MailboxAccount>()
  const problems: AccountProblem[] = []
  for (const p of registry.partners.values()) {
    const mb = p.sftp?.mailbox
    if (!mb || p.status === 'disabled') continue
    const user = mb.user ?? p.id
    const keys: ParsedKey[] = []
    for (const entry of mb.authorizedKeys) {
      const lines = keyLines(entry, registry.root)
      if (lines.length === 0)
        problems.push({ partnerId: p.id, message: `authorized key ${entry} not found` })
      for (const line of lines) {
        const k = ssh2.utils.parseKey(line)
        const parsed = Array.isArray(k) ? k[0] : k
        if (parsed instanceof Error || !parsed)
          problems.push({ partnerId: p.id, message: `bad key: ${line.slice(0, 30)}...` })
        else keys.push(parsed)
      }
    }
    const password = mb.password ? resolveSecret(mb.password, registry.root, env) : undefined
    if (mb.password && !password)
      problems.push({ partnerId: p.id, message: `password ${mb.password} does not resolve` })
    if (accounts.has(user)) {
      problems.push({
        partnerId: p.id,
        message: `mailbox user ${user} is also used by ${accounts.get(user)!.partnerId}`,
      })
      continue
    }
    accounts.set(user, {
      user,
      partnerId: p.id,
      keys,
      passwordDigest: password ? digest(password) : undefined,
      maxConnections: mb.maxConnections,
      maxFileBytes: p.sftp?.maxFileBytes,
    })
  }
  return { accounts, problems }
}

const DUMMY = digest('no-such-account')

/** Constant-time password check; an unknown account still does one comparison. */
export function passwordMatches(account: MailboxAccount | undefined, password: string): boolean {
  const got = digest(password)
  const ok = timingSafeEqual(got, account?.passwordDigest ?? DUMMY)
  return ok && account?.passwordDigest !== undefined
}

/** The authorized key with this public blob (which names its type), constant time per candidate. */
export function findKey(account: MailboxAccount | undefined, blob: Buffer): ParsedKey | undefined {
  const want = digest(blob)
  let hit: ParsedKey | undefined
  for (const k of account?.keys ?? []) {
    if (timingSafeEqual(want, digest(k.getPublicSSH()))) hit = k
  }
  return hit
}
