/**
 * A fresh schema per test file on the test database: real PostgreSQL when DATABASE_URL is set,
 * otherwise this worker's embedded PGlite, started by test/global-setup.ts. Migrations are applied to the
 * schema; `close()` drops it.
 */
import { randomBytes } from 'node:crypto'
import { migrate } from '../../src/db/migrate.ts'
import { openDatabase, type Sql } from '../../src/db/sql.ts'

export interface TestDb {
  sql: Sql
  schema: string
  /** URL child processes can use together with DATABASE_SCHEMA=<schema>. */
  url: string
  embedded: boolean
  close(): Promise<void>
}

export function testDatabaseUrl(): { url: string; embedded: boolean } {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, embedded: false }
  // One embedded database per vitest worker (test/global-setup.ts); VITEST_POOL_ID is 1..maxWorkers.
  const urls = (process.env.TEST_EMBEDDED_DATABASE_URLS ?? '').split(',').filter(Boolean)
  if (urls.length === 0) throw new Error('no test database: run through vitest (global setup) or set DATABASE_URL')
  const worker = Math.max(1, Number(process.env.VITEST_POOL_ID) || 1)
  return { url: urls[(worker - 1) % urls.length]!, embedded: true }
}

export async function testDb(opts: { migrate?: boolean } = {}): Promise<TestDb> {
  const { url, embedded } = testDatabaseUrl()
  const schema = `t_${randomBytes(6).toString('hex')}`
  const db = await openDatabase({ databaseUrl: url, schema, dataDir: '.tmp/unused', max: embedded ? 1 : 4 })
  if (opts.migrate !== false) await migrate(db.sql)
  return {
    sql: db.sql,
    schema,
    url,
    embedded,
    async close() {
      await db.sql.unsafe(`drop schema if exists "${schema}" cascade`).catch(() => {})
      await db.close()
    },
  }
}
