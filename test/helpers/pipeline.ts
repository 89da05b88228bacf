/**
 * The real pipeline (engines, maps, matching, worker) on a test schema, wired as src/app/gateway.ts
 * does, for tests that need stages without a server.
 */
import { ENGINES } from '../../src/app/engines.ts'
import { loadConfig } from '../../src/app/gateway.ts'
import { createMapper } from '../../src/app/mapper.ts'
import { silentLogger } from '../../src/lib/log.ts'
import type { PipelineDeps } from '../../src/pipeline/deps.ts'
import { receive } from '../../src/pipeline/receive.ts'
import { pipelineStages } from '../../src/pipeline/stages.ts'
import { createWorker, type Worker } from '../../src/pipeline/worker.ts'
import type { InboundPayload, ReceiveReceipt, Transport } from '../../src/transports/types.ts'
import type { TestDb } from './db.ts'

export interface TestPipeline {
  deps: PipelineDeps
  worker: Worker
  receive(p: InboundPayload): Promise<ReceiveReceipt>
  /** receive + run every stage until nothing is runnable. */
  ingest(p: InboundPayload): Promise<string>
  drain(): Promise<void>
}

export function testPipeline(db: TestDb, opts: { configDir?: string; transports?: Record<string, Transport>; now?: () => Date; backoffBaseMs?: number } = {}): TestPipeline {
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
