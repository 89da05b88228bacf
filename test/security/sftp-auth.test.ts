/**
 * Hosted SFTP server against password guessing and connection floods (hardening issue): the real
 * ssh2 server on a socket, driven by the real ssh2 client (its authHandler sends many attempts on
 * one connection, which the OpenSSH client only does interactively).
 *   - a connection is closed after `authTries` refused attempts (it used to take 300 in 0.4 s);
 *   - failures lock the source IP (everything refused, even the right password) and the user name
 *     (passwords refused, keys still accepted), for known and unknown users alike, then unlock;
 *   - the (N+1)th concurrent connection of a partner is closed, and so is any connection past the
 *     total cap; a connection that never authenticates is dropped after the login timeout.
 * Source IPs 127.0.0.x keep the cases apart (Linux routes all of 127/8 to loopback).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { connect as tcpConnect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import type { SFTPWrapper } from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Registry } from '../../src/config/registry.ts'
import { createSftpServer, type SftpServerOptions } from '../../src/transports/sftp/server.ts'
import { keyPair, writeRegistry } from '../transports/sftp/helpers.ts'

let tmp: string
let registry: Registry
const key = keyPair()
const env = { ACME_PW: 'correct horse battery staple', SOLO_PW: 'solo-secret-42' }

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'sftp-auth-'))
  registry = writeRegistry(join(tmp, 'cfg'), {
    acme: `id: acme\nname: ACME\nstatus: live\nsftp:\n  mailbox:\n    user: acme-user\n    password: env:ACME_PW\n    authorizedKeys: ['${key.public}']\n`,
    solo: `id: solo\nname: Solo\nstatus: live\nsftp:\n  mailbox:\n    password: env:SOLO_PW\n    maxConnections: 1\n`,
  })
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const servers: { stop(): Promise<void> }[] = []
afterAll(async () => {
  for (const s of servers) await s.stop()
})

async function start(limits: SftpServerOptions['limits']) {
  const s = createSftpServer({
    registry,
    onReceive: async () => {
      throw new Error('no uploads in this suite')
    },
    hostKeyPath: join(tmp, 'host_key'),
    mailboxRoot: join(tmp, 'mb'),
    port: 0,
    host: '127.0.0.1',
    env,
    limits,
  })
  servers.push(s)
  const { port } = await s.start()
  return { s, port }
}

interface Attempt {
  ok: boolean
  /** Authentication requests the client got to send. */
  sent: number
  error?: string
  /** The methods the server listed after the last refusal. */
  methodsLeft?: string[] | null
  ms: number
  sftp?: SFTPWrapper
  close(): void
}

/** One connection that tries `tries` in order (password strings or `{ key }`), then gives up. */
function attempt(
  port: number,
  o: { user: string; tries: (string | { key: string })[]; from?: string; sftp?: boolean }
): Promise<Attempt> {
  const conn = new ssh2.Client()
  const t0 = Date.now()
  let sent = 0
  let methodsLeft: string[] | null | undefined
  return new Promise((resolve) => {
    let done = false
    const finish = (a: Omit<Attempt, 'sent' | 'methodsLeft' | 'ms' | 'close'>) => {
      if (done) return
      done = true
      resolve({ ...a, sent, methodsLeft, ms: Date.now() - t0, close: () => conn.end() })
    }
    conn.on('ready', () => {
      if (!o.sftp) return finish({ ok: true })
      conn.sftp((err, sftp) => (err ? finish({ ok: false, error: err.message }) : finish({ ok: true, sftp })))
    })
    conn.on('error', (err) => finish({ ok: false, error: err.message }))
    conn.on('close', () => finish({ ok: false, error: 'closed' }))
    const queue = [...o.tries]
    conn.connect({
      host: '127.0.0.1',
      port,
      localAddress: o.from ?? '127.0.0.1',
      username: o.user,
      readyTimeout: 20_000,
      hostVerifier: () => true,
      authHandler: (left: string[] | null, _partial: boolean, next: (a: unknown) => void) => {
        methodsLeft = left
        const t = queue.shift()
        if (t === undefined) return next(false)
        sent++
        next(
          typeof t === 'string'
            ? { type: 'password', username: o.user, password: t }
            : { type: 'publickey', username: o.user, key: t.key }
        )
      },
    } as unknown as ssh2.ConnectConfig)
  })
}

const wrong = (n: number) => Array.from({ length: n }, (_, i) => `guess-${i}`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('sftp authentication limits', () => {
  it('closes a connection after authTries refused passwords instead of taking hundreds', async () => {
    const { s, port } = await start({ authTries: 3, lockoutAfter: 1000, failureDelayMs: 20 })
    const a = await attempt(port, { user: 'acme-user', tries: wrong(50) })
    expect(a.ok).toBe(false)
    // The client would have gone on to all 50; the server cut it off after the third refusal.
    expect(a.error).not.toMatch(/All configured authentication methods failed/)
    expect(a.sent).toBeLessThanOrEqual(4)
    expect(s.stats.authFailures).toBe(3)
    // Refusals are answered after the failure delay, never instantly.
    expect(a.ms).toBeGreaterThanOrEqual(3 * 20)
  })

  it('locks the source IP after repeated failures: even the right password is refused, until the lock ends', async () => {
    const { port } = await start({ authTries: 3, lockoutAfter: 3, lockoutMs: 1500, failureDelayMs: 10 })
    // Guessing for a user that does not exist locks the IP all the same.
    await attempt(port, { user: 'nobody', tries: wrong(3), from: '127.0.0.2' })
    const locked = await attempt(port, { user: 'acme-user', tries: [env.ACME_PW], from: '127.0.0.2' })
    expect(locked.ok).toBe(false)
    const lockedKey = await attempt(port, { user: 'acme-user', tries: [{ key: key.private }], from: '127.0.0.2' })
    expect(lockedKey.ok).toBe(false)
    // Another address is not affected.
    const other = await attempt(port, { user: 'acme-user', tries: [env.ACME_PW], from: '127.0.0.3' })
    expect(other.ok).toBe(true)
    other.close()
    await sleep(1700)
    const later = await attempt(port, { user: 'acme-user', tries: [env.ACME_PW], from: '127.0.0.2' })
    expect(later.ok).toBe(true)
    later.close()
  })

  it('locks a user name after repeated failures from anywhere: passwords refused, keys still work; unknown names look the same', async () => {
    const { port } = await start({ authTries: 3, lockoutAfter: 3, lockoutMs: 60_000, failureDelayMs: 10 })
    await attempt(port, { user: 'acme-user', tries: wrong(3), from: '127.0.0.4' })
    await attempt(port, { user: 'ghost', tries: wrong(3), from: '127.0.0.5' })
    const pw = await attempt(port, { user: 'acme-user', tries: [env.ACME_PW], from: '127.0.0.6' })
    expect(pw.ok).toBe(false)
    const ghost = await attempt(port, { user: 'ghost', tries: ['whatever'], from: '127.0.0.7' })
    expect(ghost.ok).toBe(false)
    // A locked real account and a locked made-up one answer alike.
    expect(pw.error).toBe(ghost.error)
    expect(pw.methodsLeft).toEqual(ghost.methodsLeft)
    // A key cannot be guessed, so a stranger's guessing does not lock the partner's key login out.
    const k = await attempt(port, { user: 'acme-user', tries: [{ key: key.private }], from: '127.0.0.8' })
    expect(k.ok).toBe(true)
    k.close()
  })

  it('closes the (N+1)th concurrent connection of a partner (server default and profile maxConnections)', async () => {
    const { s, port } = await start({ partnerConnections: 2, failureDelayMs: 10 })
    const open = [
      await attempt(port, { user: 'acme-user', tries: [{ key: key.private }], sftp: true }),
      await attempt(port, { user: 'acme-user', tries: [{ key: key.private }], sftp: true }),
    ]
    expect(open.map((a) => a.ok)).toEqual([true, true])
    const third = await attempt(port, { user: 'acme-user', tries: [{ key: key.private }], sftp: true })
    expect(third.ok).toBe(false)
    expect(s.stats.refusedConnections).toBeGreaterThanOrEqual(1)
    open[0].close()
    await sleep(200)
    const again = await attempt(port, { user: 'acme-user', tries: [{ key: key.private }], sftp: true })
    expect(again.ok).toBe(true)
    again.close()
    open[1].close()
    // solo's profile allows one connection at a time, whatever the server default.
    const solo1 = await attempt(port, { user: 'solo', tries: [env.SOLO_PW], sftp: true })
    expect(solo1.ok).toBe(true)
    const solo2 = await attempt(port, { user: 'solo', tries: [env.SOLO_PW], sftp: true })
    expect(solo2.ok).toBe(false)
    solo1.close()
  })

  it('caps connections in total, and drops a connection that never authenticates', async () => {
    const { port } = await start({ maxConnections: 2, loginTimeoutMs: 500, failureDelayMs: 10 })
    const idle: Socket[] = []
    for (let i = 0; i < 2; i++) {
      const sock = tcpConnect(port, '127.0.0.1')
      sock.on('error', () => {})
      sock.resume() // read the server's version line, or the close is never seen
      await new Promise((r) => sock.once('connect', r))
      idle.push(sock)
    }
    const closedAt = idle.map((sock) => new Promise<number>((r) => sock.once('close', () => r(Date.now()))))
    const t0 = Date.now()
    const refused = await attempt(port, { user: 'acme-user', tries: [{ key: key.private }] })
    expect(refused.ok).toBe(false)
    // The idle sockets are dropped by the login timeout, which frees the slots.
    const times = await Promise.race([
      Promise.all(closedAt),
      sleep(10_000).then(() => [] as number[]),
    ])
    expect(times).toHaveLength(2)
    for (const t of times) expect(t - t0).toBeLessThan(10_000)
    const ok = await attempt(port, { user: 'acme-user', tries: [{ key: key.private }] })
    expect(ok.ok).toBe(true)
    ok.close()
  })
})
