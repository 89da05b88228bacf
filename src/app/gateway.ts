/**
 * Opens the gateway's core for any entry point (serve, ingest, erp import ...): configuration,
 * partner registry and maps (fail fast with file:path: message), the database with migrations,
 * and the pipeline with its worker. Servers (HTTP, SFTP) are started by main.ts on top.
 */
import { join } from 'node:path'
import { loadEnv, type Env } from '../config/env.ts'
import { formatConfigError, loadRegistry, withPositions, type ConfigError, type Registry } from '../config/registry.ts'
import { migrate } from '../db/migrate.ts'
import { openDatabase, type Database } from '../db/sql.ts'
import { UserError } from '../lib/errors.ts'
import { createLogger, type Logger } from '../lib/log.ts'
import { loadMaps, type ResolvedMap } from '../mapping/index.ts'
import type { PipelineDeps } from '../pipeline/deps.ts'
import { receive } from '../pipeline/receive.ts'
import { pipelineStages } from '../pipeline/stages.ts'
import { createWorker, type StageHandler, type Worker, type WorkerOptions } from '../pipeline/worker.ts'
import type { OnReceive, Transport } from '../transports/types.ts'
import { ENGINES } from './engines.ts'
import { createMapper } from './mapper.ts'

export interface Gateway {
  env: Env
  log: Logger
  db: Database
  registry: Registry
  maps: Map<string, ResolvedMap>
  deps: PipelineDeps
  worker: Worker
  receive: OnReceive
  close(): Promise<void>
}

export class ConfigInvalid extends UserError {
  readonly errors: ConfigError[]
  constructor(errors: ConfigError[]) {
    super(`configuration is invalid:\n${errors.map((e) => `  ${formatConfigError(e)}`).join('\n')}`, 2)
    this.errors = errors
  }
}

/** Registry + maps, checked together. Throws ConfigInvalid listing every problem. */
export function loadConfig(configDir: string): { registry: Registry; maps: Map<string, ResolvedMap> } {
  const { registry, errors } = loadRegistry(configDir)
  const loaded = loadMaps(join(configDir, 'maps'))
  const all = [...errors, ...loaded.errors.map((e) => ({ file: e.file, path: e.path ?? '', message: e.message }))]
  for (const p of registry.partners.values()) {
    for (const [i, d] of p.documents.entries()) {
      if (d.map && !loaded.maps.has(d.map)) all.push({ file: `partners/${p.id}.yaml`, path: `documents.${i}.map`, message: `map "${d.map}" does not exist under maps/` })
    }
  }
  if (all.length) throw new ConfigInvalid(withPositions(configDir, all))
  return { registry, maps: loaded.maps }
}

function withoutDeliver(h: Record<string, StageHandler>, keep: boolean): Record<string, StageHandler> {
  if (keep) return h
  const { deliver: _d, ...rest } = h
  return rest
}

export interface OpenOptions {
  env?: Env
  log?: Logger
  /** Extra job stages from transports (as2_mdn, as2_send ...). */
  stages?: (deps: PipelineDeps) => Record<string, StageHandler>
  transports?: Record<string, Transport>
  /**
   * false for one-shot CLI commands: outbound deliveries stay queued for the running gateway,
   * whose transports (AS2, SFTP) can actually send them.
   */
  deliver?: boolean
  /** Called after each job (metrics, benchmarks). */
  onJobDone?: WorkerOptions['onDone']
  /** Jobs one worker loop claims and runs in one transaction (WorkerOptions.batchSize). */
  batchSize?: number
}

export async function openGateway(opts: OpenOptions = {}): Promise<Gateway> {
  const env = opts.env ?? loadEnv()
  const log = opts.log ?? createLogger(env.LOG_LEVEL)
  const { registry, maps } = loadConfig(env.configDir)
  const db = await openDatabase({ databaseUrl: env.DATABASE_URL || undefined, schema: env.DATABASE_SCHEMA, dataDir: env.dataDir, max: env.DATABASE_POOL })
  try {
    await migrate(db.sql)
  } catch (err) {
    await db.close()
    throw err
  }
  let worker: Worker | undefined
  const deps: PipelineDeps = {
    sql: db.sql,
    registry,
    engines: ENGINES,
    mapper: createMapper(maps),
    log,
    transports: { ...(opts.transports ?? {}) },
    now: () => new Date(),
    wake: () => worker?.wake(),
    maxPayloadBytes: env.MAX_PAYLOAD_BYTES,
  }
  worker = createWorker({
    sql: db.sql,
    handlers: withoutDeliver(pipelineStages(deps, opts.stages?.(deps) ?? {}), opts.deliver !== false),
    log,
    concurrency: db.kind === 'pglite' || env.DATABASE_POOL === 1 ? 1 : Math.max(1, Math.min(env.WORKERS, env.DATABASE_POOL - 1)),
    backoffBaseMs: env.RETRY_BASE_MS,
    onDone: opts.onJobDone,
    batchSize: opts.batchSize,
  })
  const w = worker
  return {
    env,
    log,
    db,
    registry,
    maps,
    deps,
    worker: w,
    receive: (p) => receive({ sql: db.sql, wake: () => w.wake() }, p),
    async close() {
      await w.stop()
      await db.close()
    },
  }
}
