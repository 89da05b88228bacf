/**
 * Composition root: `edi-gateway serve` (what `npm start` runs). Loads configuration, opens the
 * database, starts the workers, the HTTP server (AS2, supplier API, operations API, console),
 * the hosted SFTP server and the pollers, and prints where everything listens. The only file
 * that wires concrete adapters.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer as createHttpsServer } from 'node:https'
import { join } from 'node:path'
import { serve as serveHttp, type ServerType } from '@hono/node-server'
import { openGateway, type Gateway } from './app/gateway.ts'
import { installExtras, extraStages, prepareTransports, startTransports, type Started } from './app/transports.ts'
import { loadEnv, type Env } from './config/env.ts'
import { createHttpApp } from './http/app.ts'
import type { HttpContext } from './http/context.ts'
import { installErp } from './http/routes/erp.ts'
import { installHealth } from './http/routes/health.ts'
import { sweepOverdueAcks } from './pipeline/acks.ts'
import { matchStage, releaseIfClear, rematchForOrders } from './pipeline/match.ts'
import { replayMessage } from './pipeline/replay.ts'
import { queuePurchaseOrders } from './pipeline/outbound.ts'
import { createLogger } from './lib/log.ts'
import { createTablesErp } from './db/erp.ts'
import { parsePurchaseOrders } from './erp/import.ts'

/** The operator token: OPERATOR_TOKEN, else one generated once and kept in DATA_DIR (mode 600). */
function operatorToken(env: Env): { token: string; source: string } {
  if (env.OPERATOR_TOKEN) return { token: env.OPERATOR_TOKEN, source: 'OPERATOR_TOKEN' }
  const file = join(env.dataDir, 'operator-token')
  mkdirSync(env.dataDir, { recursive: true })
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 })
  return { token: readFileSync(file, 'utf8').trim(), source: file }
}

export function httpContext(gw: Gateway, token: string): HttpContext {
  return {
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
  }
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

export async function serve(): Promise<number> {
  const env = loadEnv()
  const log = createLogger(env.LOG_LEVEL)
  const prep = prepareTransports(env)
  const gw = await openGateway({ env, log, stages: extraStages(prep) })
  const { token, source } = operatorToken(env)
  const ctx = httpContext(gw, token)
  let started: Started | undefined
  try {
    const seeded = env.DEMO_SEED === 'auto' ? await seedDemo(gw) : undefined
    started = await startTransports(gw, ctx, prep)
    const app = createHttpApp(ctx, [installHealth, installErp, ...installExtras(gw, ctx, started, prep)])
    const http = await listen(env, app.fetch)
    gw.worker.start()
    // Every minute: functional acks past their deadline. Every day: certificates near expiry.
    let ticks = 0
    const sweep = setInterval(() => {
      sweepOverdueAcks(gw.db.sql)
        .then((n) => n && gw.log.warn('acks overdue', { count: n }))
        .catch((err) => gw.log.error('ack sweep failed', { error: (err as Error).message }))
      if (++ticks % 1440 === 0) started?.daily().catch((err) => gw.log.error('certificate check failed', { error: (err as Error).message }))
    }, 60_000)
    sweep.unref()
    const scheme = http.tls ? 'https' : 'http'
    console.log(`edi-gateway ready
  HTTP     ${scheme}://${env.HOST === '0.0.0.0' ? 'localhost' : env.HOST}:${http.port}  (console /, API /api/v1, AS2 /as2, docs /docs, health /healthz)
  SFTP     ${started.sftpPort ? `sftp://localhost:${started.sftpPort}` : 'off'}
  database ${gw.db.kind === 'pglite' ? `embedded PGlite in ${gw.db.location}` : gw.db.location}
  data     ${env.dataDir}
  config   ${env.configDir} (${gw.registry.partners.size} partners, ${gw.maps.size} maps)
  operator token from ${source}`)
    for (const note of started.notes) console.log(`  ${note}`)
    if (seeded) console.log(`  demo: imported ${seeded} open purchase orders from fixtures/erp (DEMO_SEED=off to skip)`)
    await new Promise<void>((resolve) => {
      const stop = () => resolve()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    console.log('edi-gateway stopping')
    clearInterval(sweep)
    await new Promise<void>((r) => http.server.close(() => r()))
    return 0
  } finally {
    await started?.stop().catch(() => {})
    await gw.close()
  }
}
