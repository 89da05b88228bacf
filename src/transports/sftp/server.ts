/**
 * The hosted SFTP server (ssh2 Server): one account per partner, jailed in its own mailbox.
 * Only the `sftp` subsystem is offered; shells, exec and port forwarding are refused (ssh2
 * rejects requests nobody listens for).
 *
 * Limits (`SftpLimits`, limits.ts): connections in total (counted from the TCP accept, so idle
 * sockets count too) and per partner, a login timeout, refused attempts per connection, lockouts
 * per IP and user name, SFTP channels and open handles per connection, upload size per partner.
 *
 * @example
 * const server = createSftpServer({ registry, onReceive, store, hostKeyPath, mailboxRoot, port: 2222 })
 * const { port } = await server.start()
 */
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net'
import type { AuthContext, Connection, ServerChannel } from 'ssh2'
import ssh2 from 'ssh2'
import type { Registry } from '../../config/registry.ts'
import { silentLogger, type Logger } from '../../lib/log.ts'
import type { OnReceive } from '../types.ts'
import { findKey, loadAccounts, passwordMatches, type MailboxAccount } from './auth.ts'
import { loadOrCreateHostKey } from './host-key.ts'
import {
  createAuthGuard,
  DEFAULT_SFTP_LIMITS,
  MAX_SESSIONS_PER_CONNECTION,
  type SftpLimits,
} from './limits.ts'
import { createIntake, ensureMailbox, mailboxPolicy, type IntakeStats } from './mailbox.ts'
import type { OnSftpProblem, SftpStore } from './ports.ts'
import { serveSftp, type HandleBudget } from './session.ts'

export interface SftpServerOptions {
  registry: Registry
  onReceive: OnReceive
  store?: SftpStore
  onProblem?: OnSftpProblem
  /** OpenSSH private key file; generated (ed25519, mode 600) when missing. */
  hostKeyPath: string
  /** <mailboxRoot>/<partner>/{inbox,outbox,archive}. */
  mailboxRoot: string
  port?: number
  host?: string
  log?: Logger
  env?: NodeJS.ProcessEnv
  /** Overrides of DEFAULT_SFTP_LIMITS (main.ts passes the SFTP_* environment settings). */
  limits?: Partial<SftpLimits>
}

export interface SftpServerStats extends IntakeStats {
  authFailures: number
  logins: number
  sessions: number
  /** Connections closed by the total or a partner's connection cap. */
  refusedConnections: number
  /** Connections closed for too many refused attempts or for not logging in in time. */
  cutOff: number
}

export interface SftpServer {
  start(): Promise<{ port: number }>
  stop(): Promise<void>
  stats: SftpServerStats
}

/** One TCP connection, from accept to close. */
interface ConnState {
  socket: Socket
  ip: string
  client?: Connection
  account?: MailboxAccount
  /** Authenticated (the login timeout no longer applies). */
  authed: boolean
  /** Counted in its partner's connections. */
  counted: boolean
  /** Authenticated while its partner was at its cap: closed at 'ready'. */
  overLimit: boolean
  /** Refused authentication attempts so far. */
  tries: number
  noneSeen: boolean
  sessions: number
  budget: HandleBudget
}

const METHODS: ('publickey' | 'password')[] = ['publickey', 'password']

export function createSftpServer(opts: SftpServerOptions): SftpServer {
  const log = opts.log ?? silentLogger
  // Unset (undefined) overrides keep the default.
  const limits: SftpLimits = {
    ...DEFAULT_SFTP_LIMITS,
    ...Object.fromEntries(Object.entries(opts.limits ?? {}).filter(([, v]) => v !== undefined)),
  }
  const stats: SftpServerStats = {
    authFailures: 0,
    logins: 0,
    sessions: 0,
    uploads: 0,
    rejected: 0,
    receiveFailures: 0,
    refusedConnections: 0,
    cutOff: 0,
  }
  const intake = createIntake({
    mailboxRoot: opts.mailboxRoot,
    onReceive: opts.onReceive,
    onProblem: opts.onProblem,
    store: opts.store,
    log,
    stats,
  })
  const guard = createAuthGuard(limits)
  let ssh: InstanceType<typeof ssh2.Server> | undefined
  let tcp: TcpServer | undefined
  /** By `ip|port`: ssh2 hands us the Connection, not the socket. */
  const conns = new Map<string, ConnState>()
  /** Authenticated connections per partner. */
  const active = new Map<string, number>()
  let accounts = new Map<string, MailboxAccount>()

  /** Decides one authentication request; `accept()` emits 'ready' synchronously, so state is set first. */
  function authenticate(ctx: AuthContext, st: ConnState): void {
    const { ip } = st
    const user = ctx.username
    // Cut off: requests already on the way get no answer, the connection is closing.
    if (st.tries >= limits.authTries) return
    const account = accounts.get(user)
    /** `guess`: a wrong secret, counted against the IP and the name; `slow`: answered after the delay. */
    const refuse = (guess: boolean, slow = guess) => {
      stats.authFailures++
      st.tries++
      if (guess) guard.failed(ip, user)
      log.warn('sftp auth refused', { user, method: ctx.method, ip })
      const reply = () => {
        ctx.reject(METHODS)
        if (st.tries < limits.authTries) return
        stats.cutOff++
        log.warn('sftp connection closed: too many authentication attempts', { user, ip })
        st.client?.end()
      }
      if (slow) setTimeout(reply, limits.failureDelayMs).unref()
      else reply()
    }
    const admit = (a: MailboxAccount, byPassword: boolean) => {
      guard.succeeded(ip, user, byPassword)
      const n = active.get(a.partnerId) ?? 0
      if (n >= (a.maxConnections ?? limits.partnerConnections)) st.overLimit = true
      else {
        active.set(a.partnerId, n + 1)
        st.counted = true
      }
      st.account = a
      st.authed = true
      ctx.accept()
    }
    if (ctx.method === 'none') {
      // Every client's opening probe: list the methods; only a repeated one counts as a try.
      if (st.noneSeen) return refuse(false)
      st.noneSeen = true
      return ctx.reject(METHODS)
    }
    // A locked IP is refused whatever it sends, the way a wrong password is.
    if (guard.ipLocked(ip)) return refuse(false, true)
    if (ctx.method === 'publickey') {
      const key = findKey(account, ctx.key.data)
      if (!key) return refuse(false)
      // RFC 4252 §7: without a signature the client only asks whether this key would do.
      if (!ctx.signature) return ctx.accept()
      if (key.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) !== true) return refuse(true)
      return admit(account!, false)
    }
    if (ctx.method === 'password') {
      // Compared even when locked, so a lock costs the same time as a check.
      const matches = passwordMatches(account, ctx.password)
      if (guard.userLocked(user)) return refuse(false, true)
      if (!matches) return refuse(true)
      return admit(account!, true)
    }
    refuse(false)
  }

  function onConnection(client: Connection, info: { ip: string; port: number }) {
    const st = conns.get(`${info.ip}|${info.port}`)
    if (!st) return client.end()
    st.client = client
    client.on('authentication', (ctx) => authenticate(ctx, st))
    client.on('ready', () => {
      const who = st.account
      if (!who) return client.end()
      if (st.overLimit) {
        stats.refusedConnections++
        log.warn('sftp connection refused: partner at its connection limit', {
          partnerId: who.partnerId,
          max: who.maxConnections ?? limits.partnerConnections,
          ip: info.ip,
        })
        return client.end()
      }
      stats.logins++
      log.info('sftp login', { partnerId: who.partnerId, user: who.user, ip: info.ip })
      const maxFileBytes = who.maxFileBytes ?? limits.maxFileBytes
      client.on('session', (accept, reject) => {
        if (st.sessions >= MAX_SESSIONS_PER_CONNECTION) return reject()
        st.sessions++
        const session = accept()
        session.on('close', () => st.sessions--)
        session.on('sftp', (acceptSftp) => {
          stats.sessions++
          const sftp = acceptSftp()
          const policy = mailboxPolicy(
            who.partnerId,
            who.user,
            { mailboxRoot: opts.mailboxRoot, store: opts.store, log, maxFileBytes },
            intake
          )
          const release = serveSftp(sftp, policy, { budget: st.budget, log })
          // Without end() on the server side `sftp -b` waits forever after its last command.
          ;(sftp as unknown as ServerChannel).on('end', () => sftp.end())
          sftp.on('close', () => void release())
        })
      })
    })
    client.on('error', (err) =>
      log.debug('sftp connection error', { ip: info.ip, error: err.message })
    )
  }

  /** Every TCP connection starts here: the total cap and the login timeout, then ssh2. */
  function onSocket(socket: Socket) {
    const ip = socket.remoteAddress ?? ''
    if (conns.size >= limits.maxConnections) {
      stats.refusedConnections++
      log.warn('sftp connection refused: server at its connection limit', {
        ip,
        max: limits.maxConnections,
      })
      return socket.destroy()
    }
    const key = `${ip}|${socket.remotePort}`
    const st: ConnState = {
      socket,
      ip,
      authed: false,
      counted: false,
      overLimit: false,
      tries: 0,
      noneSeen: false,
      sessions: 0,
      budget: { open: 0, max: limits.maxHandles },
    }
    conns.set(key, st)
    const timer = setTimeout(() => {
      if (st.authed) return
      stats.cutOff++
      log.warn('sftp connection closed: no login in time', { ip, ms: limits.loginTimeoutMs })
      socket.destroy()
    }, limits.loginTimeoutMs)
    socket.once('close', () => {
      clearTimeout(timer)
      conns.delete(key)
      if (st.counted && st.account) {
        const n = (active.get(st.account.partnerId) ?? 1) - 1
        if (n > 0) active.set(st.account.partnerId, n)
        else active.delete(st.account.partnerId)
      }
    })
    ssh!.injectSocket(socket)
  }

  return {
    stats,
    async start() {
      const loaded = loadAccounts(opts.registry, opts.env)
      accounts = loaded.accounts
      for (const p of loaded.problems) log.warn('sftp mailbox account problem', { ...p })
      for (const a of accounts.values()) {
        await ensureMailbox(opts.mailboxRoot, a.partnerId)
        const n = await intake.recover(a.partnerId)
        if (n)
          log.info('sftp uploads recovered after restart', { partnerId: a.partnerId, count: n })
      }
      const hostKey = loadOrCreateHostKey(opts.hostKeyPath)
      // ssh2 speaks the protocol on sockets we accept ourselves, so caps and timeouts apply
      // from the first byte (before the client has even sent its version line).
      ssh = new ssh2.Server({ hostKeys: [hostKey], ident: 'edi-gateway' }, onConnection)
      const t = createTcpServer(onSocket)
      tcp = t
      await new Promise<void>((resolve, reject) => {
        t.once('error', reject)
        t.listen(opts.port ?? 2222, opts.host ?? '0.0.0.0', () => {
          t.off('error', reject)
          resolve()
        })
      })
      t.on('error', (err) => log.error('sftp server error', { error: err.message }))
      const port = (t.address() as { port: number }).port
      log.info('sftp server listening', { port, accounts: accounts.size })
      return { port }
    },
    async stop() {
      const t = tcp
      tcp = undefined
      const closed = t ? new Promise<void>((resolve) => t.close(() => resolve())) : undefined
      for (const st of conns.values()) {
        if (st.client) st.client.end()
        else st.socket.destroy()
      }
      // A peer that does not answer the disconnect is cut after a grace period.
      const force = setTimeout(() => {
        for (const st of conns.values()) st.socket.destroy()
      }, 5_000)
      await closed
      clearTimeout(force)
    },
  }
}
