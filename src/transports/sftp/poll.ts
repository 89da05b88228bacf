/**
 * Polling partners' own SFTP servers (profile `sftp.poll[]`). Per entry and cycle:
 * take the lease → connect (known-hosts checked) → list `path` → for each file matching
 * `pattern`: download to a local temp file → onReceive() (durable when it returns) → only then
 * apply `after` (delete | move to `moveTo` | leave with a seen marker).
 *
 * Nothing lost, nothing doubled: the remote file is touched only after the receipt, and its
 * externalId is its remote identity (user@host:port/path@size@mtime). If we crash between the
 * receipt and the delete, the next cycle downloads it again, receive() answers duplicate:true
 * with the first message id, and the delete is finished then.
 *
 * @example
 * const poller = createSftpPoller({ registry, onReceive, store, onProblem, log })
 * poller.start()   // timers per entry; poller.pollOnce() runs one cycle now (tests, CLI)
 */
import { createReadStream } from 'node:fs'
import { mkdir, stat, unlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, posix } from 'node:path'
import type { PartnerProfile, SftpPoll } from '../../config/partner.ts'
import type { Registry } from '../../config/registry.ts'
import { newId } from '../../lib/ids.ts'
import { silentLogger, type Logger } from '../../lib/log.ts'
import { resolveSecret } from '../../lib/secrets.ts'
import type { OnReceive } from '../types.ts'
import { connectSftp, type SftpClientSession } from './client.ts'
import { createHostCheck } from './known-hosts.ts'
import type { OnSftpProblem, SftpStore } from './ports.ts'
import { globToRegExp, isTempName } from './rules.ts'

export interface SftpPollerOptions {
  registry: Registry
  onReceive: OnReceive
  store: SftpStore
  onProblem?: OnSftpProblem
  log?: Logger
  now?: () => Date
  /** Where downloads wait for receive(); default the OS temp dir. */
  workDir?: string
  /** This process in lease rows; default host-pid-random. */
  owner?: string
  /** Skip files modified less than this many seconds ago (still being written). Default 0. */
  minAgeSeconds?: number
  env?: NodeJS.ProcessEnv
  timeoutMs?: number
}

export interface PollResult {
  partnerId: string
  entry: number
  status: 'done' | 'lease_held' | 'stopped' | 'host_key_changed' | 'error'
  received: number
  duplicates: number
  error?: string
}

const key = (partnerId: string, i: number) => `${partnerId}#${i}`

/** Connects as a poll entry says, with known-hosts checking; shared with push. */
export async function connectEntry(
  p: PartnerProfile,
  e: SftpPoll,
  o: { registry: Registry; store: SftpStore; env?: NodeJS.ProcessEnv; timeoutMs?: number }
): Promise<{ session?: SftpClientSession; mismatch?: { expected: string; actual: string } }> {
  const root = o.registry.root
  const check = createHostCheck({
    partnerId: p.id,
    host: e.host,
    port: e.port,
    hostKey: e.hostKey,
    root,
    store: o.store,
  })
  const privateKey = e.key ? resolveSecret(e.key, root, o.env) : undefined
  const password = e.password ? resolveSecret(e.password, root, o.env) : undefined
  if (e.key && !privateKey) throw new Error(`poll key ${e.key} does not resolve`)
  try {
    const session = await connectSftp({
      host: e.host,
      port: e.port,
      username: e.user,
      privateKey,
      password,
      verifyHostKey: (b) => check.verify(b),
      timeoutMs: o.timeoutMs,
    })
    return { session }
  } catch (err) {
    if (check.mismatch) return { mismatch: check.mismatch }
    throw err
  }
}

export function createSftpPoller(opts: SftpPollerOptions) {
  const log = opts.log ?? silentLogger
  const now = opts.now ?? (() => new Date())
  const owner = opts.owner ?? newId(`poll-${process.pid}`)
  const workDir = opts.workDir ?? join(tmpdir(), 'edi-gateway-sftp')
  /** Entries stopped by a changed host key until an operator fixes the profile and restarts. */
  const stopped = new Set<string>()
  const timers = new Map<string, NodeJS.Timeout>()
  const running = new Set<Promise<unknown>>()
  let active = false
  let stopping = false

  async function after(
    s: SftpClientSession,
    p: PartnerProfile,
    e: SftpPoll,
    remote: string,
    name: string,
    ext: string,
    messageId: string
  ) {
    if (e.after === 'delete') await s.remove(remote)
    else if (e.after === 'move') {
      const dir = e.moveTo ?? posix.join(e.path, 'archive')
      const target = posix.join(dir, name)
      // Never overwrite what is already archived there: suffix our message id instead.
      await s.rename(remote, (await s.exists(target)) ? `${target}.${messageId}` : target)
    } else await opts.store.markSeen(p.id, `${e.user}@${e.host}:${e.port}`, ext, messageId)
  }

  async function pollEntry(p: PartnerProfile, i: number): Promise<PollResult> {
    const e = p.sftp!.poll[i]
    const res: PollResult = {
      partnerId: p.id,
      entry: i,
      status: 'done',
      received: 0,
      duplicates: 0,
    }
    if (stopped.has(key(p.id, i))) return { ...res, status: 'stopped' }
    const lease = `sftp-poll:${p.id}:${i}`
    const ttl = Math.max(120_000, e.intervalSeconds * 2000)
    if (!(await opts.store.tryLease(lease, owner, ttl))) return { ...res, status: 'lease_held' }
    try {
      const { session, mismatch } = await connectEntry(p, e, { ...opts, timeoutMs: opts.timeoutMs })
      if (!session) {
        stopped.add(key(p.id, i))
        log.error('sftp host key changed: polling stopped', {
          partnerId: p.id,
          host: e.host,
          ...mismatch,
        })
        await opts.onProblem?.({
          partnerId: p.id,
          reason: {
            code: 'sftp_host_key_changed',
            partnerId: p.id,
            host: `${e.host}:${e.port}`,
            expected: mismatch!.expected,
            actual: mismatch!.actual,
          },
        })
        return { ...res, status: 'host_key_changed' }
      }
      try {
        const re = globToRegExp(e.pattern)
        const cutoff = now().getTime() / 1000 - (opts.minAgeSeconds ?? 0)
        const files = (await session.list(e.path))
          .filter((f) => f.isFile && re.test(f.name) && !isTempName(f.name) && f.mtime <= cutoff)
          .sort((a, b) => a.name.localeCompare(b.name))
        await mkdir(workDir, { recursive: true })
        const source = `${e.user}@${e.host}:${e.port}`
        for (const f of files) {
          if (stopping) break // stop(): finish the file in hand, leave the rest for the next owner
          const remote = posix.join(e.path, f.name)
          const ext = `sftp://${source}${remote}@${f.size}@${f.mtime}`
          if (e.after === 'leave' && (await opts.store.isSeen(p.id, source, ext))) continue
          const local = join(workDir, newId('dl'))
          try {
            await session.download(remote, local)
            // A file that grew while we read it is still being written: take it next cycle.
            if ((await stat(local)).size !== f.size) continue
            const receipt = await opts.onReceive({
              transport: 'sftp',
              partnerId: p.id,
              filename: f.name,
              body: createReadStream(local, { highWaterMark: 1 << 20 }),
              externalId: ext,
              meta: {
                via: 'poll',
                host: e.host,
                port: e.port,
                path: remote,
                size: f.size,
                mtime: f.mtime,
              },
            })
            if (receipt.duplicate) res.duplicates++
            else res.received++
            await after(session, p, e, remote, f.name, ext, receipt.messageId)
            log.info('sftp polled file received', {
              partnerId: p.id,
              path: remote,
              messageId: receipt.messageId,
              duplicate: receipt.duplicate,
            })
          } finally {
            await unlink(local).catch(() => {})
          }
          await opts.store.tryLease(lease, owner, ttl)
        }
      } finally {
        session.close()
      }
    } catch (err) {
      log.warn('sftp poll failed', { partnerId: p.id, host: e.host, error: (err as Error).message })
      return { ...res, status: 'error', error: (err as Error).message }
    } finally {
      await opts.store.releaseLease(lease, owner).catch(() => {})
    }
    return res
  }

  const entries = (partnerId?: string) =>
    [...opts.registry.partners.values()]
      .filter((p) => p.status !== 'disabled' && (!partnerId || p.id === partnerId))
      .flatMap((p) => (p.sftp?.poll ?? []).map((_, i) => ({ p, i })))

  const track = <T>(pr: Promise<T>): Promise<T> => {
    running.add(pr)
    void pr.finally(() => running.delete(pr)).catch(() => {})
    return pr
  }

  function schedule(p: PartnerProfile, i: number, delayMs: number) {
    if (!active) return
    timers.set(
      key(p.id, i),
      setTimeout(() => {
        void track(pollEntry(p, i)).finally(() =>
          schedule(p, i, p.sftp!.poll[i].intervalSeconds * 1000)
        )
      }, delayMs)
    )
  }

  return {
    /** One cycle over every entry (or one partner's) now, sequentially. */
    async pollOnce(partnerId?: string): Promise<PollResult[]> {
      const out: PollResult[] = []
      for (const { p, i } of entries(partnerId)) out.push(await track(pollEntry(p, i)))
      return out
    },
    start() {
      active = true
      stopping = false
      // Spread the first cycles over a few seconds so a restart does not hit every server at once.
      for (const { p, i } of entries()) schedule(p, i, Math.floor(Math.random() * 5000))
    },
    async stop() {
      active = false
      stopping = true
      for (const t of timers.values()) clearTimeout(t)
      timers.clear()
      await Promise.allSettled([...running])
    },
    /** Entries halted by a changed host key (`partnerId#index`). */
    stopped,
  }
}

export type SftpPoller = ReturnType<typeof createSftpPoller>
