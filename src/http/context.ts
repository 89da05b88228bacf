/**
 * What HTTP routes get: the database, the registry, the pipeline entry points and the operator
 * token. Routes are installed by `install*` functions so the composition root decides which run.
 */
import type { Registry } from '../config/registry.ts'
import type { Sql } from '../db/sql.ts'
import type { Logger } from '../lib/log.ts'
import type { OnReceive } from '../transports/types.ts'
import type { Hono } from 'hono'

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
}

export type RouteInstaller = (app: Hono, ctx: HttpContext) => void

export function count(ctx: HttpContext, key: string, n = 1): void {
  ctx.counters.set(key, (ctx.counters.get(key) ?? 0) + n)
}
