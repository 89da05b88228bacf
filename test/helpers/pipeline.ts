/**
 * The real pipeline (engines, maps, matching, worker) on a test schema, wired as src/app/gateway.ts
 * does, for tests that need stages without a server. `pipelineSuite()` gives a describe block its
 * own schema and pipeline.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll } from 'vitest'
import { ENGINES } from '../../src/app/engines.ts'
import { loadConfig } from '../../src/app/gateway.ts'
import { createMapper } from '../../src/app/mapper.ts'
import { createTablesErp } from '../../src/db/erp.ts'
import { parsePurchaseOrders } from '../../src/erp/import.ts'
import { silentLogger } from '../../src/lib/log.ts'
import type { PipelineDeps } from '../../src/pipeline/deps.ts'
import { receive } from '../../src/pipeline/receive.ts'
import { pipelineStages } from '../../src/pipeline/stages.ts'
import { createWorker, type Worker } from '../../src/pipeline/worker.ts'
import type { InboundPayload, ReceiveReceipt, Transport } from '../../src/transports/types.ts'
import { testDb, type TestDb } from './db.ts'

export interface TestPipeline {
  deps: PipelineDeps
  worker: Worker
  receive(p: InboundPayload): Promise<ReceiveReceipt>
  /** receive + run every stage until nothing is runnable. */
  ingest(p: InboundPayload): Promise<string>
  drain(): Promise<void>
}

export interface TestPipelineOptions {
  configDir?: string
  transports?: Record<string, Transport>
  now?: () => Date
  backoffBaseMs?: number
}

export function testPipeline(db: TestDb, opts: TestPipelineOptions = {}): TestPipeline {
  const { registry, maps } = loadConfig(opts.configDir ?? process.cwd())
  let worker: Worker | undefined
  const deps: PipelineDeps = {
    sql: db.sql,
    registry,
    engines: ENGINES,
    mapper: createMapper(maps),
    log: silentLogger,
    transports: opts.transports ?? {},
    now: opts.now ?? (() => new Date()),
    wake: () => worker?.wake(),
  }
  worker = createWorker({ sql: db.sql, handlers: pipelineStages(deps), log: silentLogger, backoffBaseMs: opts.backoffBaseMs ?? 5 })
  const w = worker
  const drain = () => w.drain({ timeoutMs: 30_000 })
  return {
    deps,
    worker: w,
    receive: (p) => receive({ sql: db.sql }, p),
    async ingest(p) {
      const r = await receive({ sql: db.sql }, p)
      await drain()
      return r.messageId
    },
    drain,
  }
}

export interface PipelineSuite {
  readonly db: TestDb
  readonly p: TestPipeline
}

/**
 * Call inside a describe block: beforeAll opens a fresh schema (testDb) and a pipeline on it,
 * afterAll drops the schema. `db` and `p` exist from beforeAll on, so read them in hooks and
 * tests. `opts` as a function runs in beforeAll, after the schema is made (e.g. a tempConfigDir).
 */
export function pipelineSuite(opts: TestPipelineOptions | (() => TestPipelineOptions) = {}): PipelineSuite {
  let db: TestDb | undefined
  let p: TestPipeline | undefined
  beforeAll(async () => {
    db = await testDb()
    p = testPipeline(db, typeof opts === 'function' ? opts() : opts)
  })
  afterAll(async () => db?.close())
  const made = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('pipelineSuite: db and p are made in beforeAll; read them in a hook or test')
    return v
  }
  return {
    get db() { return made(db) },
    get p() { return made(p) },
  }
}

/** The demo ERP's open purchase orders (fixtures/erp/demo-purchase-orders.csv), imported. */
export async function importDemoOrders(db: TestDb): Promise<void> {
  const { orders } = parsePurchaseOrders(readFileSync('fixtures/erp/demo-purchase-orders.csv', 'utf8'), 'csv')
  await createTablesErp(db.sql).upsertOrders(orders)
}
