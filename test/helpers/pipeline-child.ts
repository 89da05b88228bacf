/**
 * A separate gateway worker process on DATABASE_URL/DATABASE_SCHEMA: the real parse, translate
 * and match stages (deliveries stay queued: no transports here), RACE_LOOPS loops each claiming
 * one job per transaction, until nothing is runnable. Used to race two processes on one database.
 */
import { ENGINES } from '../../src/app/engines.ts'
import { loadConfig } from '../../src/app/gateway.ts'
import { createMapper } from '../../src/app/mapper.ts'
import { openDatabase } from '../../src/db/sql.ts'
import { silentLogger } from '../../src/lib/log.ts'
import { pipelineStages } from '../../src/pipeline/stages.ts'
import { createWorker } from '../../src/pipeline/worker.ts'

const loops = Number(process.env.RACE_LOOPS ?? 2)
const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, schema: process.env.DATABASE_SCHEMA, dataDir: '.tmp/unused', max: loops })
const { registry, maps } = loadConfig(process.cwd())
const deps = { sql: db.sql, registry, engines: ENGINES, mapper: createMapper(maps), log: silentLogger, transports: {}, now: () => new Date(), wake: () => {} }
const { deliver: _deliver, ...handlers } = pipelineStages(deps)
const worker = createWorker({ sql: db.sql, handlers, log: silentLogger, concurrency: loops, batchSize: 1, backoffBaseMs: 5 })
// Give the sibling process time to start, so both claim from the same backlog.
await new Promise((r) => setTimeout(r, 300))
await Promise.all(Array.from({ length: loops }, () => worker.drain({ timeoutMs: 60_000 })))
await db.close()
