/**
 * One way to reach the database: postgres.js. With DATABASE_URL it talks to PostgreSQL; without,
 * it starts an embedded PGlite in DATA_DIR/pg behind pglite-socket and talks to that through the
 * same client, so the SQL and the code path are identical. PGlite facts (notes/INFRA.md): one
 * connection only (max: 1), no LISTEN/NOTIFY across the socket, never fsyncs, and its data
 * directory is not locked, so we take a lock file ourselves.
 */
import postgres from 'postgres'
import { acquireLock, type Lock } from './lock.ts'
import { GatewayError } from '../lib/errors.ts'

export type Sql = postgres.Sql<Record<string, unknown>>
export type Tx = postgres.TransactionSql<Record<string, unknown>>
/** Either the pool or a transaction: db functions accept both. */
export type Q = Sql | Tx

export interface DbOptions {
  databaseUrl?: string
  /** Schema to use (search_path); tests give each file its own. */
  schema?: string
  dataDir: string
  /** Pool size on PostgreSQL. PGlite always gets 1. */
  max?: number
}

export interface Database {
  sql: Sql
  kind: 'postgres' | 'pglite'
  schema: string
  /** Where the embedded database lives, or the redacted URL. */
  location: string
  close(): Promise<void>
}

const quiet = () => {}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return 'DATABASE_URL'
  }
}

export async function openDatabase(opts: DbOptions): Promise<Database> {
  const schema = opts.schema ?? 'public'
  if (opts.databaseUrl) {
    const sql = postgres(opts.databaseUrl, {
      max: opts.max ?? 10,
      onnotice: quiet,
      connection: { search_path: schema, application_name: 'edi-gateway' },
      connect_timeout: 10,
    }) as unknown as Sql
    await ping(sql, `DATABASE_URL (${redactUrl(opts.databaseUrl)})`)
    if (schema !== 'public') {
      await sql.unsafe(`create schema if not exists "${schema}"`)
      // pglite-socket ignores startup parameters; with a single connection a session SET holds.
      if (opts.max === 1) await sql.unsafe(`set search_path to "${schema}"`)
    }
    return { sql, kind: 'postgres', schema, location: redactUrl(opts.databaseUrl), close: () => sql.end({ timeout: 5 }) }
  }
  return openEmbedded(opts, schema)
}

async function openEmbedded(opts: DbOptions, schema: string): Promise<Database> {
  const { join } = await import('node:path')
  const { mkdirSync } = await import('node:fs')
  mkdirSync(opts.dataDir, { recursive: true })
  const lock: Lock = acquireLock(join(opts.dataDir, 'gateway.lock'))
  try {
    const { PGlite } = await import('@electric-sql/pglite')
    const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket')
    const db = await PGlite.create(join(opts.dataDir, 'pg'))
    const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1' })
    await server.start()
    // getServerConn() is "host:port" once listening on an OS-assigned port.
    const port = Number(server.getServerConn().split(':').pop())
    if (!port) throw new GatewayError('db_embedded', 'embedded database socket did not report its port')
    const sql = postgres({
      host: '127.0.0.1',
      port,
      database: 'postgres',
      username: 'postgres',
      max: 1,
      onnotice: quiet,
      connection: { search_path: schema },
    }) as unknown as Sql
    await ping(sql, `embedded database in ${opts.dataDir}`)
    if (schema !== 'public') {
      await sql.unsafe(`create schema if not exists "${schema}"`)
      await sql.unsafe(`set search_path to "${schema}"`)
    }
    return {
      sql,
      kind: 'pglite',
      schema,
      location: join(opts.dataDir, 'pg'),
      async close() {
        await sql.end({ timeout: 5 }).catch(quiet)
        await server.stop().catch(quiet)
        await db.close().catch(quiet)
        lock.release()
      },
    }
  } catch (err) {
    lock.release()
    throw err
  }
}

async function ping(sql: Sql, what: string): Promise<void> {
  try {
    await sql`select 1`
  } catch (err) {
    await sql.end({ timeout: 1 }).catch(quiet)
    throw new GatewayError('db_unreachable', `cannot reach the database at ${what}: ${(err as Error).message}`, {
      cause: err,
    })
  }
}
