/**
 * What HTTP routes get: the database, the registry, the pipeline entry points and the operator
 * token. Routes are installed by `install*` functions so the composition root decides which run.
 */
import type { Registry } from '../config/registry.ts'
import type { Sql } from '../db/sql.ts'
import type { Logger } from '../lib/log.ts'
import type { OnReceive } from '../transports/types.ts'
import type { Context, Hono } from 'hono'
import type { AuthThrottle } from './rate-limit.ts'

export interface HttpContext {
  sql: Sql
  registry: Registry
  receive: OnReceive
  log: Logger
  /** Operator token for /api/v1/ops/* and the console. */
  operatorToken: string
  bodyLimit: number
  /** Re-run matching for documents waiting on these POs (after an ERP import). */
  rematch(poNumbers: readonly string[]): Promise<number>
  /** New ERP POs: send the PO documents to suppliers that receive them by EDI. */
  sendPurchaseOrders?(poNumbers: readonly string[]): Promise<{ queued: string[] }>
  /** Match one document again now, in the request (replay shows the outcome, not "done"). */
  rematchNow?(documentId: string): Promise<void>
  /** Release a held document when its last blocking exception is gone. */
  release(documentId: string): Promise<boolean>
  /** Re-run a message from its raw bytes (replay). */
  replay(messageId: string): Promise<string>
  wake(): void
  /** Request counters by transport for /metrics. */
  counters: Map<string, number>
  // ── hardening ──
  /** Failed credentials per source address (operator token and partner API keys). */
  authThrottle: AuthThrottle
  /** Bearer token accepted by /metrics besides the operator token. */
  metricsToken?: string
  /** What /metrics serves: in-process counters and the last background snapshot of the gauges. */
  metrics: MetricsSource
  /**
   * Before the body is read: a route's own admission (rate limits) and its own body limit (at
   * most `bodyLimit`). AS2 uses both (src/transports/as2/admission.ts).
   */
  admission?: { admit(c: Context): Response | undefined; bodyLimit(c: Context): number | undefined }
}

/** The /metrics snapshot holder (src/http/metrics.ts). */
export interface MetricsSource {
  /** Re-read the database gauges now (the background loop calls this; tests too). */
  refresh(): Promise<void>
  /** The exposition text: counters now, gauges as of the last refresh. No database access. */
  render(counters: Map<string, number>): string
  /** Refresh in the background every `seconds` while scrapes come in. */
  start(seconds: number): void
  stop(): void
}

export type RouteInstaller = (app: Hono, ctx: HttpContext) => void

export function count(ctx: HttpContext, key: string, n = 1): void {
  ctx.counters.set(key, (ctx.counters.get(key) ?? 0) + n)
}
