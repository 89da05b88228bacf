/**
 * Composition root: `edi-gateway serve` (what `npm start` runs). Loads configuration, opens the
 * database, starts the workers, the HTTP server (AS2, supplier API, operations API, console),
 * the hosted SFTP server and the pollers, and prints where everything listens. The only file
 * that wires concrete adapters.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer as createHttpsServer } from 'node:https'
import { createServer as createNetServer } from 'node:net'
import { join } from 'node:path'
import { serve as serveHttp, type ServerType } from '@hono/node-server'
import { openGateway, type Gateway } from './app/gateway.ts'
import { installExtras, extraStages, prepareTransports, startTransports, type Started } from './app/transports.ts'
import { loadEnv, type Env } from './config/env.ts'
import { createHttpApp } from './http/app.ts'
import { createMetricsSource } from './http/metrics.ts'
import { createAuthThrottle } from './http/rate-limit.ts'
import { createAs2Admission } from './http/as2-admission.ts'
import { count, type HttpContext } from './http/context.ts'
import { installErp } from './http/routes/erp.ts'
import { installHealth } from './http/routes/health.ts'
import { sweepOverdueAcks } from './pipeline/acks.ts'
import { matchStage, releaseIfClear, rematchForOrders } from './pipeline/match.ts'
import { replayMessage } from './pipeline/replay.ts'
import { queuePurchaseOrders } from './pipeline/outbound.ts'
import { createLogger } from './lib/log.ts'
import { createTablesErp } from './db/erp.ts'
import { parsePurchaseOrders } from './erp/import.ts'
import { UserError } from './lib/errors.ts'
import { housekeep } from './app/housekeeping.ts'

/** The settings that choose each listening port, for messages that say which one to change. */
const PORT_SETTING = {
  PORT: 'stop it or set PORT to a free port',
  SFTP_PORT: 'stop it, set SFTP_PORT to a free port, or SFTP=off',
} as const
type PortSetting = keyof typeof PORT_SETTING

/** A listen error (EADDRINUSE, EACCES) as one line naming the setting; anything else unchanged. */
export function listenError(err: unknown, setting: PortSetting, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  const where = `cannot listen on ${host}:${port} (${setting}=${port})`
  if (code === 'EADDRINUSE') return new UserError(`${where}: the port is in use by another process; ${PORT_SETTING[setting]}`)
  if (code === 'EACCES') return new UserError(`${where}: permission denied (ports below 1024 need privileges); set ${setting} to a port above 1024`)
  if (code === 'EADDRNOTAVAIL') return new UserError(`${where}: HOST=${host} is not an address of this machine`)
  return err
}

/**
 * Binds and releases each configured port before anything starts, so a busy port fails in a
 * second with one line instead of after the database, the SFTP server and the pollers are up.
 * A port taken in the moment between this check and the real listen is still reported the same
 * way (listenError around both listens in serve()).
 */
async function checkPorts(env: Env): Promise<void> {
  const wanted: [PortSetting, number][] = [['PORT', env.PORT]]
  if (env.SFTP === 'on') wanted.push(['SFTP_PORT', env.SFTP_PORT])
  for (const [setting, port] of wanted) {
    if (port === 0) continue // the OS picks a free one
    await new Promise<void>((resolve, reject) => {
      const probe = createNetServer()
      probe.once('error', (err) => reject(listenError(err, setting, env.HOST, port)))
      probe.listen({ port, host: env.HOST, exclusive: true }, () => probe.close(() => resolve()))
    })
  }
}

/** The operator token: OPERATOR_TOKEN, else one generated once and kept in DATA_DIR (mode 600). */
function operatorToken(env: Env): { token: string; source: string } {
  if (env.OPERATOR_TOKEN) return { token: env.OPERATOR_TOKEN, source: 'OPERATOR_TOKEN' }
  const file = join(env.dataDir, 'operator-token')
  mkdirSync(env.dataDir, { recursive: true })
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 })
  return { token: readFileSync(file, 'utf8').trim(), source: file }
}

export function httpContext(gw: Gateway, token: string): HttpContext {
  const ctx: HttpContext = {
    sql: gw.db.sql,
    registry: gw.registry,
    receive: gw.receive,
    log: gw.log,
    operatorToken: token,
    bodyLimit: gw.env.BODY_LIMIT,
    rematch: async (pos) => {
      const n = await rematchForOrders(gw.db.sql, pos)
      gw.worker.wake()
      return n
    },
    sendPurchaseOrders: (pos) => gw.db.sql.begin((tx) => queuePurchaseOrders({ ...gw.deps, maps: gw.maps }, tx, pos)),
    rematchNow: async (documentId) => {
      await gw.db.sql.begin((tx) => matchStage(gw.deps, tx, documentId))
    },
    release: (documentId) => gw.db.sql.begin((tx) => releaseIfClear(gw.deps, tx, documentId)),
    replay: (messageId) => replayMessage(gw.deps, messageId),
    wake: () => gw.worker.wake(),
    counters: new Map(),
    authThrottle: createAuthThrottle(gw.env.AUTH_FAILURE_LIMIT, { trustedProxies: gw.env.TRUST_PROXY }),
    metricsToken: gw.env.METRICS_TOKEN,
    metrics: createMetricsSource(gw.db.sql, gw.log),
  }
  const env = gw.env
  ctx.admission = createAs2Admission(
    gw.registry,
    { bodyLimit: env.AS2_BODY_LIMIT, perPartnerPerMinute: env.AS2_RATE_LIMIT, perSourcePerMinute: env.AS2_SOURCE_RATE_LIMIT },
    { onRefused: (why) => count(ctx, `as2_rate_limited_${why}`), trustedProxies: env.TRUST_PROXY }
  )
  return ctx
}

function listen(env: Env, fetch: (req: Request) => Response | Promise<Response>): Promise<{ server: ServerType; port: number; tls: boolean }> {
  const tls = Boolean(env.TLS_CERT_FILE && env.TLS_KEY_FILE)
  return new Promise((resolve, reject) => {
    const server = serveHttp(
      {
        fetch,
        port: env.PORT,
        hostname: env.HOST,
        ...(tls
          ? { createServer: createHttpsServer, serverOptions: { cert: readFileSync(env.TLS_CERT_FILE!), key: readFileSync(env.TLS_KEY_FILE!) } }
          : {}),
      },
      (info) => resolve({ server, port: info.port, tls })
    )
    server.once('error', reject)
  })
}

/** First start of an empty database with the demo config: import the demo purchase orders. */
async function seedDemo(gw: Gateway): Promise<number | undefined> {
  const dir = join(gw.env.configDir, 'fixtures', 'erp')
  if (!existsSync(dir)) return undefined
  const [{ n }] = await gw.db.sql<{ n: number }[]>`select count(*)::int as n from erp_purchase_orders`
  if (n > 0) return undefined
  let total = 0
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.csv')).sort()) {
    const { orders, errors } = parsePurchaseOrders(readFileSync(join(dir, f), 'utf8'), 'csv')
    const known = orders.filter((o) => gw.registry.get(o.supplierId))
    if (errors.length || known.length === 0) continue
    await gw.db.sql.begin(async (tx) => {
      const r = await createTablesErp(tx).upsertOrders(known)
      await queuePurchaseOrders({ ...gw.deps, maps: gw.maps }, tx, r.created)
    })
    total += known.length
  }
  return total || undefined
}

/**
 * `serve --demo` (`npm run demo`): every secret the demo partner profiles reference, so the
 * README walkthrough works as written. Values already in the environment win. Demo only: these
 * are public strings, never for a gateway that real partners reach.
 */
export const DEMO_SECRETS = {
  OPERATOR_TOKEN: 'ops-demo-token-change-me-0001',
  DEMO_3PL_API_KEY: '3pl-demo-key',
  DEMO_EDIFACT_API_KEY: 'edifact-demo-key',
  DEMO_JSON_SUPPLIER_API_KEY: 'json-demo-key',
  DEMO_SFTP_PASSWORD: 'sftp-demo',
} as const

export async function serve(opts: { demo?: boolean } = {}): Promise<number> {
  const demoSet: string[] = []
  if (opts.demo) {
    for (const [k, v] of Object.entries(DEMO_SECRETS)) {
      if (process.env[k]) continue
      process.env[k] = v
      demoSet.push(`${k}=${v}`)
    }
  }
  const env = loadEnv()
  const log = createLogger(env.LOG_LEVEL)
  // Where a start spends its time (LOG_LEVEL=debug; bench/startup.bench.ts reads these).
  let mark = 0 // performance.now() counts from process start
  const phase = (name: string) => {
    const now = performance.now()
    log.debug('startup phase', { phase: name, ms: Math.round(now - mark) })
    mark = now
  }
  phase('node, tsx and imports')
  await checkPorts(env)
  const prep = prepareTransports(env)
  phase('AS2 key pair')
  const gw = await openGateway({ env, log, stages: extraStages(prep) })
  phase('config, database open and migrations')
  const { token, source } = operatorToken(env)
  const ctx = httpContext(gw, token)
  let started: Started | undefined
  try {
    const seeded = env.DEMO_SEED === 'auto' ? await seedDemo(gw) : undefined
    phase('demo seed')
    started = await startTransports(gw, ctx, prep).catch((err) => {
      throw listenError(err, 'SFTP_PORT', env.HOST, env.SFTP_PORT)
    })
    const app = createHttpApp(ctx, [installHealth, installErp, ...installExtras(gw, ctx, started, prep)])
    const http = await listen(env, app.fetch).catch((err) => {
      throw listenError(err, 'PORT', env.HOST, env.PORT)
    })
    gw.worker.start()
    ctx.metrics.start(env.METRICS_REFRESH_SECONDS)
    phase('SFTP, HTTP listen')
    // Every minute: functional acks past their deadline. Every day (and now): certificates near
    // expiry, duplicate keys past their window, completed jobs past their retention.
    const housekeeping = () => housekeep(gw.db.sql, gw.registry, { jobsRetentionDays: env.JOBS_RETENTION_DAYS })
      .then((r) => (r.duplicateKeysPruned || r.jobsPruned) && gw.log.info('housekeeping', r))
      .catch((err) => gw.log.error('housekeeping failed', { error: (err as Error).message }))
    void housekeeping()
    let ticks = 0
    const sweep = setInterval(() => {
      sweepOverdueAcks(gw.db.sql)
        .then((n) => n && gw.log.warn('acks overdue', { count: n }))
        .catch((err) => gw.log.error('ack sweep failed', { error: (err as Error).message }))
      if (++ticks % 1440 === 0) {
        started?.daily().catch((err) => gw.log.error('certificate check failed', { error: (err as Error).message }))
        void housekeeping()
      }
    }, 60_000)
    sweep.unref()
    const scheme = http.tls ? 'https' : 'http'
    console.log(`edi-gateway ready
  HTTP     ${scheme}://${env.HOST === '0.0.0.0' ? 'localhost' : env.HOST}:${http.port}  (console /, API /api/v1, AS2 /as2, docs /docs, health /healthz)
  SFTP     ${started.sftpPort ? `sftp://localhost:${started.sftpPort}` : 'off'}
  database ${gw.db.kind === 'pglite' ? `embedded PGlite in ${gw.db.location}` : gw.db.location}
  data     ${env.dataDir}
  config   ${env.configDir} (${gw.registry.partners.size} partners, ${gw.maps.size} maps)
  operator token from ${source}
  started in ${(performance.now() / 1000).toFixed(1)} s`)
    for (const note of started.notes) console.log(`  ${note}`)
    if (opts.demo) console.log(`  demo secrets: ${demoSet.length ? demoSet.join(' ') : 'all taken from the environment'}`)
    if (seeded) console.log(`  demo: imported ${seeded} open purchase orders from fixtures/erp (DEMO_SEED=off to skip)`)
    await new Promise<void>((resolve) => {
      const stop = () => resolve()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    console.log('edi-gateway stopping')
    clearInterval(sweep)
    ctx.metrics.stop()
    await new Promise<void>((r) => http.server.close(() => r()))
    return 0
  } finally {
    await started?.stop().catch(() => {})
    await gw.close()
  }
}
