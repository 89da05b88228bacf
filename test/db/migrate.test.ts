import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listMigrations, migrate } from '../../src/db/migrate.ts'
import { testDb, type TestDb } from '../helpers/db.ts'

describe('migrations', () => {
  let db: TestDb
  beforeAll(async () => {
    db = await testDb({ migrate: false })
  })
  afterAll(async () => db.close())

  it('applies every migration once and records it', async () => {
    const first = await migrate(db.sql)
    expect(first).toEqual(listMigrations().map((m) => m.name))
    const rows = await db.sql<{ name: string }[]>`select name from schema_migrations order by name`
    expect(rows.map((r) => r.name)).toEqual(first)
    // Idempotent: a second start applies nothing.
    expect(await migrate(db.sql)).toEqual([])
  })

  it('creates the core tables in the test schema only', async () => {
    const rows = await db.sql<{ table_name: string }[]>`
      select table_name from information_schema.tables where table_schema = ${db.schema} order by table_name`
    const names = rows.map((r) => r.table_name)
    for (const t of ['payloads', 'payload_chunks', 'interchanges', 'transactions', 'documents', 'deliveries', 'jobs', 'exceptions'])
      expect(names).toContain(t)
  })
})
