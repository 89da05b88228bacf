/**
 * The hosted SFTP server (ssh2 Server): one account per partner, jailed in its own mailbox.
 * Only the `sftp` subsystem is offered; shells, exec and port forwarding are refused (ssh2
 * rejects requests nobody listens for).
 *
 * @example
 * const server = createSftpServer({ registry, onReceive, store, hostKeyPath, mailboxRoot, port: 2222 })
 * const { port } = await server.start()
 */
import type { AuthContext, Connection, ServerChannel } from 'ssh2'
import ssh2 from 'ssh2'
import type { Registry } from '../../config/registry.ts'
import { silentLogger, type Logger } from '../../lib/log.ts'
import type { OnReceive } from '../types.ts'
import { findKey, loadAccounts, passwordMatches, type MailboxAccount } from './auth.ts'
import { loadOrCreateHostKey } from './host-key.ts'
import { createIntake, ensureMailbox, mailboxPolicy, type IntakeStats } from './mailbox.ts'
import type { OnSftpProblem, SftpStore } from './ports.ts'
import { serveSftp } from './session.ts'

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
}

export interface SftpServerStats extends IntakeStats {
  authFailures: number
  logins: number
  sessions: number
}

export interface SftpServer {
  start(): Promise<{ port: number }>
  stop(): Promise<void>
  stats: SftpServerStats
}

export function createSftpServer(opts: SftpServerOptions): SftpServer {
  const log = opts.log ?? silentLogger
  const stats: SftpServerStats = {
    authFailures: 0,
    logins: 0,
    sessions: 0,
    uploads: 0,
    rejected: 0,
    receiveFailures: 0,
  }
  const intake = createIntake({
    mailboxRoot: opts.mailboxRoot,
    onReceive: opts.onReceive,
    onProblem: opts.onProblem,
    store: opts.store,
    log,
    stats,
  })
  let server: InstanceType<typeof ssh2.Server> | undefined
  const clients = new Set<Connection>()
  let accounts = new Map<string, MailboxAccount>()

  /** Decides one authentication request; `onAccept` runs before accept(), which emits 'ready' synchronously. */
  function authenticate(ctx: AuthContext, ip: string, onAccept: (a: MailboxAccount) => void): void {
    const account = accounts.get(ctx.username)
    const methods: ('publickey' | 'password')[] = ['publickey', 'password']
    const refuse = () => {
      stats.authFailures++
      log.warn('sftp auth refused', { user: ctx.username, method: ctx.method, ip })
      ctx.reject(methods)
    }
    if (ctx.method === 'publickey') {
      const key = findKey(account, ctx.key.data)
      if (!key) return refuse()
      // RFC 4252 §7: without a signature the client only asks whether this key would do.
      if (!ctx.signature) return ctx.accept()
      if (key.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) !== true) return refuse()
      onAccept(account!)
      return ctx.accept()
    }
    if (ctx.method === 'password') {
      if (!passwordMatches(account, ctx.password)) return refuse()
      onAccept(account!)
      return ctx.accept()
    }
    // `none` is every client's opening probe: list the methods, do not count it as a failure.
    ctx.reject(methods)
  }

  function onConnection(client: Connection, info: { ip: string }) {
    clients.add(client)
    let account: MailboxAccount | undefined
    client.on('authentication', (ctx) => authenticate(ctx, info.ip, (a) => (account = a)))
    client.on('ready', () => {
      if (!account) return client.end()
      stats.logins++
      const who = account
      log.info('sftp login', { partnerId: who.partnerId, user: who.user, ip: info.ip })
      client.on('session', (accept) => {
        const session = accept()
        session.on('sftp', (acceptSftp) => {
          stats.sessions++
          const sftp = acceptSftp()
          const policy = mailboxPolicy(
            who.partnerId,
            who.user,
            { mailboxRoot: opts.mailboxRoot, store: opts.store, log },
            intake
          )
          const release = serveSftp(sftp, policy)
          // Without end() on the server side `sftp -b` waits forever after its last command.
          ;(sftp as unknown as ServerChannel).on('end', () => sftp.end())
          sftp.on('close', () => void release())
        })
      })
    })
    client.on('error', (err) =>
      log.debug('sftp connection error', { ip: info.ip, error: err.message })
    )
    client.on('close', () => clients.delete(client))
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
      server = new ssh2.Server({ hostKeys: [hostKey], ident: 'edi-gateway' }, onConnection)
      const s = server
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject)
        s.listen(opts.port ?? 2222, opts.host ?? '0.0.0.0', () => {
          s.off('error', reject)
          resolve()
        })
      })
      const port = (s.address() as { port: number }).port
      log.info('sftp server listening', { port, accounts: accounts.size })
      return { port }
    },
    async stop() {
      for (const c of clients) c.end()
      const s = server
      server = undefined
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()))
    },
  }
}
