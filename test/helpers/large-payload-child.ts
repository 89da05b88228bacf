/**
 * A gateway process for the large-payload tests, run with a bounded heap: receives one generated
 * X12 856 interchange file of LARGE_BYTES bytes (streamed into the database, never whole in
 * memory here), runs the real parse stage on it through the worker, and prints one JSON line:
 * the message id, how long it took and the process's peak resident memory (VmHWM).
 */
import { readFileSync } from 'node:fs'
import { ENGINES } from '../../src/app/engines.ts'
import { loadConfig } from '../../src/app/gateway.ts'
import { createMapper } from '../../src/app/mapper.ts'
import { openDatabase } from '../../src/db/sql.ts'
import { silentLogger } from '../../src/lib/log.ts'
import { receive } from '../../src/pipeline/receive.ts'
import { pipelineStages } from '../../src/pipeline/stages.ts'
import { createWorker } from '../../src/pipeline/worker.ts'
import { large856 } from './large-856.ts'

const bytes = Number(process.env.LARGE_BYTES)
const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, schema: process.env.DATABASE_SCHEMA, dataDir: '.tmp/unused', max: 2 })
const started = Date.now()
const r = await receive({ sql: db.sql }, { transport: 'cli', filename: 'large-856.edi', body: large856(bytes) })
const received = Date.now()
const { registry, maps } = loadConfig(process.cwd())
const deps = { sql: db.sql, registry, engines: ENGINES, mapper: createMapper(maps), log: silentLogger, transports: {}, now: () => new Date(), wake: () => {} }
// The parse stage, which translates and matches the sets too (pipeline/inline.ts); the 997 stays a pending delivery.
const worker = createWorker({ sql: db.sql, handlers: { parse: pipelineStages(deps).parse }, log: silentLogger, batchSize: 1 })
await worker.drain({ timeoutMs: 4 * 3_600_000 })
const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))
console.log(JSON.stringify({ messageId: r.messageId, size: r.size, receiveMs: received - started, parseMs: Date.now() - received, vmHwmKb: Number(hwm?.[1] ?? 0), heapUsed: process.memoryUsage().heapUsed }))
await db.close()
