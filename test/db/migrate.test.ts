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
  it('0950 weighs queued parse jobs again in 16 KiB units; other stages and finished jobs keep theirs', async () => {
    const fresh = await testDb({ migrate: false })
    try {
      await migrate(fresh.sql, listMigrations().filter((m) => m.name < '0950'))
      await fresh.sql`insert into payloads (id, transport, sha256, size) values ('s', 'api', 'a', 2000), ('m', 'api', 'b', ${3 * 1024 * 1024 + 5}), ('d', 'api', 'c', ${3 * 1024 * 1024})`
      const job = (stage: string, id: string, state: string, weight: number) =>
        fresh.sql`insert into jobs (stage, payload, state, weight) values (${stage}, ${fresh.sql.json({ messageId: id })}, ${state}, ${weight}) returning id`
      const [small] = await job('parse', 's', 'created', 1)
      const [big] = await job('parse', 'm', 'retry', 49)
      const [done] = await job('parse', 'd', 'completed', 48)
      const [other] = await job('deliver', 'm', 'created', 1)
      await migrate(fresh.sql)
      const rows = await fresh.sql<{ id: string; weight: number }[]>`select id, weight from jobs order by id`
      const by = new Map(rows.map((r) => [String(r.id), r.weight]))
      expect([small, big, done, other].map((j) => by.get(String(j.id)))).toEqual([1, 193, 48, 1])
    } finally {
      await fresh.close()
    }
  })

  it('0900 turns what the old duplicate checks read into claimed keys: the latest non-duplicate occurrence of each', async () => {
    const fresh = await testDb({ migrate: false })
    try {
      await migrate(fresh.sql, listMigrations().filter((m) => m.name < '0900'))
      await fresh.sql`insert into payloads (id, transport, sha256, size) values ('m1', 'api', 'x', 1), ('m2', 'api', 'y', 1), ('m3', 'api', 'z', 1)`
      const ic = (id: string, payload: string, control: string, status: string, daysAgo: number, partner: string | null = 'p') =>
        fresh.sql`insert into interchanges (id, payload_id, seq, standard, partner_id, sender_id, receiver_id, control_number, status, created_at)
          values (${id}, ${payload}, 0, 'x12', ${partner}, 'S', 'R', ${control}, ${status}, now() - ${`${daysAgo} days`}::interval)`
      await ic('i-old', 'm1', '7', 'parsed', 40)
      await ic('i-new', 'm2', '7', 'parsed', 5)
      await ic('i-dup', 'm3', '7', 'duplicate', 1)
      await ic('i-unknown', 'm3', '8', 'rejected', 1, null)
      const tx = (id: string, icId: string, payload: string, status: string, daysAgo: number) =>
        fresh.sql`insert into transactions (id, payload_id, interchange_id, partner_id, standard, doc_type, version, group_control, control_number, status, created_at)
          values (${id}, ${payload}, ${icId}, 'p', 'x12', '856', '004010', '12', '0001', ${status}, now() - ${`${daysAgo} days`}::interval)`
      await tx('t-old', 'i-old', 'm1', 'translated', 40)
      await tx('t-rejected', 'i-new', 'm2', 'rejected', 5)
      await migrate(fresh.sql)
      const keys = await fresh.sql<{ key: string; interchange_id: string; days: number }[]>`
        select key, interchange_id, round(extract(epoch from now() - created_at) / 86400)::int as days from duplicate_keys order by key`
      expect(keys).toEqual([
        { key: 'grp:x12:12', interchange_id: 'i-old', days: 40 },
        { key: 'icn:x12:S:7', interchange_id: 'i-new', days: 5 },
        { key: 'txn:x12:856:0001', interchange_id: 'i-old', days: 40 },
      ])
    } finally {
      await fresh.close()
    }
  })
  it('0800 gives rows of the old states the state their channel had really reached, and records each change', async () => {
    const fresh = await testDb({ migrate: false })
    try {
      await migrate(fresh.sql, listMigrations().filter((m) => m.name < '0800'))
      const row = (id: string, destination: string, status: string, ackStatus: string | null = null) =>
        fresh.sql`insert into deliveries (id, partner_id, kind, doc_type, destination, status, ack_status)
          values (${id}, 'p', 'document', '850', ${destination}, ${status}, ${ackStatus})`
      await row('api-waiting', 'api', 'available')
      await row('api-confirmed', 'api', 'delivered')
      await row('hook', 'webhook:wms', 'delivered')
      await row('push', 'sftp', 'delivered')
      await row('push-997', 'sftp', 'delivered', 'accepted')
      await row('outbox-collected', 'sftp_mailbox', 'delivered')
      await row('outbox-waiting', 'sftp_mailbox', 'delivered')
      await row('as2-queued', 'as2', 'delivered')
      await row('as2-mdn', 'as2', 'delivered')
      await row('kept', 'none', 'stored')
      await fresh.sql`insert into sftp_outbox_files (id, partner_id, filename, delivery_id, size, sha256, downloaded_at)
        values ('o1', 'p', 'a.x12', 'outbox-collected', 1, 'x', now()), ('o2', 'p', 'b.x12', 'outbox-waiting', 1, 'x', null)`
      await fresh.sql`insert into as2_outbound (message_id, delivery_id, partner_id, filename, content_type, doc_type, bytes, status)
        values ('<m1>', 'as2-queued', 'p', 'f', 'x', '850', '\\x00', 'queued'), ('<m2>', 'as2-mdn', 'p', 'f', 'x', '850', '\\x00', 'delivered')`
      await migrate(fresh.sql)
      const rows = await fresh.sql<{ id: string; status: string; history: { status: string }[] }[]>`select id, status, history from deliveries order by id`
      expect(Object.fromEntries(rows.map((r) => [r.id, r.status]))).toEqual({
        'api-confirmed': 'acknowledged', 'api-waiting': 'queued', 'as2-mdn': 'acknowledged', 'as2-queued': 'queued', hook: 'acknowledged',
        kept: 'stored', 'outbox-collected': 'acknowledged', 'outbox-waiting': 'sent', push: 'sent', 'push-997': 'acknowledged',
      })
      expect(rows.find((r) => r.id === 'push')!.history.map((h) => h.status)).toEqual(['delivered', 'migrated', 'sent'])
      expect(rows.find((r) => r.id === 'kept')!.history.map((h) => h.status)).toEqual(['stored'])
      // From now on the trigger records every change of state, whoever makes it.
      await fresh.sql`insert into deliveries (id, kind, doc_type, destination) values ('new', 'ack', '997', 'sftp')`
      await fresh.sql`update deliveries set status = 'queued', attempts = 1 where id = 'new'`
      await fresh.sql`update deliveries set last_error = 'timeout' where id = 'new'`
      await fresh.sql`update deliveries set status = 'failed' where id = 'new'`
      const [n] = await fresh.sql<{ history: Record<string, unknown>[] }[]>`select history from deliveries where id = 'new'`
      expect(n.history).toEqual([
        expect.objectContaining({ status: 'pending', attempts: 0 }),
        expect.objectContaining({ status: 'queued', attempts: 1 }),
        expect.objectContaining({ status: 'failed', attempts: 1, error: 'timeout' }),
      ])
    } finally {
      await fresh.close()
    }
  })
})
