/**
 * Transports and their routes and job stages, wired for `serve`: AS2 (receive routes, async MDN
 * and send stages, our key pair), the hosted SFTP server, the SFTP pollers and push, and the
 * supplier API, operations API, console, OpenAPI and metrics routes.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Env } from '../config/env.ts'
import { createAs2Store } from '../db/as2.ts'
import { openException } from '../db/exceptions.ts'
import { createSftpStore, sftpProblemSink } from '../db/sftp.ts'
import { count, type HttpContext, type RouteInstaller } from '../http/context.ts'
import { installMetrics } from '../http/metrics.ts'
import { installOpenApi } from '../http/openapi.ts'
import { installApi } from '../http/routes/api.ts'
import { installConsole } from '../http/routes/console.ts'
import { installOps } from '../http/routes/ops.ts'
import { createAs2Stages } from '../pipeline/as2.ts'
import type { PipelineDeps } from '../pipeline/deps.ts'
import type { StageHandler } from '../pipeline/worker.ts'
import { certificateExpiryReasons, ensureOurAs2Keys, type As2KeyPair } from '../transports/as2/keys.ts'
import { createAs2Routes } from '../transports/as2/receive.ts'
import { createAs2Transport } from '../transports/as2/send.ts'
import { createSftpMailboxTransport, createSftpPoller, createSftpServer, createSftpTransport, type SftpLimits } from '../transports/sftp/index.ts'
import type { OnReceive } from '../transports/types.ts'
import type { Gateway } from './gateway.ts'

export interface Prepared {
  as2Keys: As2KeyPair
  /** Our AS2 id when a profile names no `us.as2`. */
  as2Id: string
  publicUrl?: string
  notes: string[]
}

export interface Started {
  sftpPort?: number
  notes: string[]
  /** Daily housekeeping: certificate expiry warnings into the exception queue. */
  daily(): Promise<string[]>
  stop(): Promise<void>
}

/** Before the gateway opens: our AS2 key pair (generated for development on first start). */
export function prepareTransports(env: Env): Prepared {
  // A certificate committed under certs/ours/ is the operator's; otherwise a development pair is
  // generated into DATA_DIR (never into the repository, so a clone never holds a cert without its key).
  const configured = existsSync(join(env.configDir, 'certs', 'ours', 'as2.crt'))
  const certsDir = configured ? join(env.configDir, 'certs') : join(env.dataDir, 'certs')
  const { keys, message } = ensureOurAs2Keys(env.dataDir, certsDir, { commonName: env.AS2_ID })
  return { as2Keys: keys, as2Id: env.AS2_ID, publicUrl: env.PUBLIC_URL, notes: [message] }
}

export function extraStages(prep: Prepared) {
  return (deps: PipelineDeps): Record<string, StageHandler> =>
    createAs2Stages({ registry: deps.registry, keys: prep.as2Keys, defaultId: prep.as2Id, publicUrl: prep.publicUrl, log: deps.log })
}

/** Counts inbound requests per transport for /metrics. */
const counted = (ctx: HttpContext, key: string, onReceive: OnReceive): OnReceive => async (p) => {
  count(ctx, key)
  return onReceive(p)
}

/** The SFTP_* limit settings; unset ones keep the server's defaults. */
const sftpLimits = (env: Env): Partial<SftpLimits> => {
  const ms = (seconds?: number) => (seconds === undefined ? undefined : seconds * 1000)
  return {
    maxConnections: env.SFTP_MAX_CONNECTIONS, partnerConnections: env.SFTP_PARTNER_CONNECTIONS,
    authTries: env.SFTP_AUTH_TRIES, lockoutAfter: env.SFTP_LOCKOUT_AFTER, lockoutMs: ms(env.SFTP_LOCKOUT_SECONDS),
    loginTimeoutMs: ms(env.SFTP_LOGIN_TIMEOUT_SECONDS), maxHandles: env.SFTP_MAX_HANDLES, maxFileBytes: env.SFTP_MAX_FILE_BYTES,
  }
}

export async function startTransports(gw: Gateway, ctx: HttpContext, prep: Prepared): Promise<Started> {
  const { env, registry, log } = gw
  const sql = gw.db.sql
  const notes: string[] = []
  const stops: (() => Promise<void>)[] = []
  const sftpStore = createSftpStore(sql)
  const onProblem = sftpProblemSink(sql)
  const mailboxRoot = join(env.dataDir, 'sftp', 'mailboxes')
  gw.deps.transports.as2 = createAs2Transport({ store: createAs2Store(sql), registry, defaultId: prep.as2Id })
  gw.deps.transports.sftp = createSftpTransport({ registry, mailboxRoot, store: sftpStore, onProblem })
  gw.deps.transports.sftp_mailbox = createSftpMailboxTransport({ mailboxRoot, store: sftpStore })
  let sftpPort: number | undefined
  if (env.SFTP === 'on') {
    const server = createSftpServer({
      registry, onReceive: counted(ctx, 'sftp_uploads', gw.receive), store: sftpStore, onProblem, mailboxRoot,
      hostKeyPath: join(env.dataDir, 'sftp', 'ssh_host_ed25519_key'), port: env.SFTP_PORT, host: env.HOST, log,
      limits: sftpLimits(env),
    })
    sftpPort = (await server.start()).port
    stops.push(() => server.stop())
  }
  const poller = createSftpPoller({ registry, onReceive: counted(ctx, 'sftp_polled', gw.receive), store: sftpStore, onProblem, log, workDir: join(env.dataDir, 'sftp', 'work') })
  poller.start()
  stops.push(() => poller.stop())
  // Certificates expiring within 30 days (ours and the partners') go to the exception queue.
  const daily = async (): Promise<string[]> => {
    const out: string[] = []
    for (const reason of certificateExpiryReasons(registry, prep.as2Keys, new Date())) {
      if (reason.code !== 'certificate_expiring') continue
      await openException(sql, reason, { partnerId: registry.get(reason.partnerId)?.id ?? null })
      out.push(`warning: certificate ${reason.file} expires ${reason.notAfter}`)
    }
    return out
  }
  notes.push(...(await daily()))
  return {
    sftpPort,
    daily,
    notes: [...prep.notes, ...notes],
    async stop() {
      for (const s of stops.reverse()) await s().catch(() => {})
    },
  }
}

export function installExtras(gw: Gateway, ctx: HttpContext, _s: Started, prep: Prepared): RouteInstaller[] {
  const installAs2: RouteInstaller = (app) => {
    app.use('/as2', async (_c, next) => {
      count(ctx, 'as2_requests')
      await next()
    })
    app.route(
      '/',
      createAs2Routes({ registry: gw.registry, onReceive: gw.receive, store: createAs2Store(gw.db.sql), keys: prep.as2Keys, ourIds: [prep.as2Id], log: gw.log })
    )
  }
  return [installAs2, installApi, installOps, installConsole, installOpenApi, installMetrics]
}
