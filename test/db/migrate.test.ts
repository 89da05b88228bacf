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

  it('0600 fills in the references of EDI sent before it, ISA13 read from the stored bytes', async () => {
    const fresh = await testDb({ migrate: false })
    try {
      const all = listMigrations()
      await migrate(fresh.sql, all.filter((m) => m.name < '0600'))
      const isa = 'ISA*00*          *00*          *ZZ*OURCO          *ZZ*DEMOSUPPLY     *250305*1430*U*00401*000000917*0*P*>~GS*PO*OURCO*DEMOSUPPLY*20250305*1430*917*X*004010~'
      await fresh.sql`insert into deliveries (id, partner_id, kind, doc_type, destination, bytes, content_type, control_number, status)
        values ('d-x12', 'p', 'document', '850', 'sftp_mailbox', ${Buffer.from(isa, 'latin1')}, 'application/edi-x12', '917', 'delivered'),
               ('d-edi', 'p', 'document', 'ORDERS', 'sftp_mailbox', ${Buffer.from("UNB+UNOC:3+A+B+250305:1430+55'")}, 'application/edifact', '55', 'delivered')`
      await migrate(fresh.sql)
      const rows = await fresh.sql<{ id: string; standard: string; interchange_control: string | null; group_control: string | null }[]>`
        select id, standard, interchange_control, group_control from deliveries order by id`
      expect(rows).toEqual([
        { id: 'd-edi', standard: 'edifact', interchange_control: '55', group_control: null },
        { id: 'd-x12', standard: 'x12', interchange_control: '000000917', group_control: '917' },
      ])
    } finally {
      await fresh.close()
    }
  })
})
