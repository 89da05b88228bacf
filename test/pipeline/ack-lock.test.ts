/**
 * Allocating an ack's control numbers locks the partner's counter rows until commit (that keeps
 * them gap-free), so every other transaction that queues an ack for the partner waits from that
 * moment. The parse stage queued each interchange's 997 as the interchange closed: a file held
 * the lock through the rest of its work (storing, translating and matching every set; minutes for
 * a large file), and none of the partner's other files could commit meanwhile. The acks now come
 * last. Here the file's match waits on a PO row another transaction holds; meanwhile a third
 * allocates the partner's numbers at once. Needs real concurrent connections: PostgreSQL only.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allocateRanges } from '../../src/db/control-numbers.ts'
import { parseStage } from '../../src/pipeline/parse.ts'
import { testDb, type TestDb } from '../helpers/db.ts'
import { importDemoOrders, testPipeline, type TestPipeline } from '../helpers/pipeline.ts'
import { DELIVERIES_PER_STATEMENT } from '../../src/db/lineage.ts'
import { queueOwedAcks, type OwedAck } from '../../src/pipeline/queue-acks.ts'

const ASN = readFileSync('fixtures/demo-x12-supplier/856-asn-20250305-01.edi')
const PARTNER = 'demo-x12-supplier'

describe.runIf(Boolean(process.env.DATABASE_URL))('a parse locks the partner\'s ack control numbers only at its end', () => {
  let db: TestDb
  let p: TestPipeline
  beforeAll(async () => {
    db = await testDb()
    p = testPipeline(db)
    await importDemoOrders(db)
  })
  afterAll(async () => db?.close())

  it('while the file\'s sets are matched, another transaction allocates the partner\'s ISA13 without waiting', async () => {
    expect(await allocateRanges(db.sql, PARTNER, { isa: 1 })).toEqual({ isa: 1 })
    const { messageId } = await p.receive({ transport: 'cli', body: ASN })
    // Another transaction holds the PO's match lock (po_match_locks).
    let release!: () => void
    let locked!: () => void
    const isLocked = new Promise<void>((r) => (locked = r))
    const holder = db.sql.begin(async (tx) => {
      await tx`insert into po_match_locks (po_number) values ('4500012345')`
      locked()
      await new Promise<void>((r) => (release = r))
    })
    await isLocked
    const parsing = db.sql.begin((tx) => parseStage(p.deps, tx, messageId))
    // The parse has stored its set and waits in its match for the PO row.
    for (let i = 0; i < 100; i++) {
      const [w] = await db.sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity
        where wait_event_type = 'Lock' and query like '%po_match_locks%' and pid <> pg_backend_pid() and datname = current_database()`
      if (w.n > 0) break
      await new Promise((r) => setTimeout(r, 50))
    }
    const third = db.sql.begin(async (tx) => {
      await tx`set local lock_timeout = '1s'`
      return allocateRanges(tx, PARTNER, { isa: 1 })
    })
    const got = await third.catch((e: Error) => e)
    release()
    await holder
    const outcome = await parsing
    expect(got).toEqual({ isa: 2 })
    expect(outcome?.status).toBe('parsed')
    // The file's 997 took the next number once its match was done.
    const acks = await db.sql<{ control_number: string }[]>`select d.control_number from deliveries d
      join interchanges i on d.parent_table = 'interchanges' and d.parent_id = i.id where d.kind = 'ack' and i.payload_id = ${messageId}`
    expect(acks.map((a) => Number(a.control_number))).toEqual([3])
    const [doc] = await db.sql<{ status: string }[]>`select status from documents where payload_id = ${messageId}`
    expect(doc.status).toBe('matched')
  })
})

/**
 * Once every ack of a batch is rendered (their control numbers allocated: the partners' counter
 * rows locked until the commit), their deliveries go out at once. Through the coalescer they
 * waited for a quiet turn of the event loop first, and with several claim loops in a process the
 * other loops' work ran in those turns while the rows stayed locked. The insert must be sent
 * before any turn of the event loop has passed since the last ack was rendered; on either
 * database, and large batches in statements of DELIVERIES_PER_STATEMENT.
 */
describe('the acks\' deliveries follow their rendering at once', () => {
  let db: TestDb
  beforeAll(async () => {
    db = await testDb()
  })
  afterAll(async () => db?.close())

  /** queueOwedAcks on one transaction with acks of these sizes; the deliveries inserts it sent, in order. */
  async function queueRendered(sizes: number[]): Promise<{ turned: boolean; rows: number }[]> {
    const options = (db.sql as unknown as { options: { debug?: unknown } }).options
    const inserts: { turned: boolean; rows: number }[] = []
    let turned = false
    options.debug = (_c: unknown, query: string, params: unknown[]) => {
      if (!/insert into deliveries/.test(query)) return
      // The rows' JSON array, as serialized or still as the value (never throw inside the driver).
      let rows = -1
      try {
        const v = params[0]
        const arr: unknown = typeof v === 'string' ? JSON.parse(v) : (v as { value?: unknown })?.value ?? v
        if (Array.isArray(arr)) rows = arr.length
      } catch { /* left at -1: the assertion names it */ }
      inserts.push({ turned, rows })
    }
    try {
      await db.sql.begin(async (tx) => {
        let rendered = 0
        const owed = (partnerId: string, perAck: number): OwedAck => ({
          partnerId, weight: 1,
          async render() {
            const { isa } = await allocateRanges(tx, partnerId, { isa: 1 })
            // The last one rendered: from here on, a turn of the event loop sets `turned`.
            if (++rendered === sizes.length) setImmediate(() => (turned = true))
            return Array.from({ length: perAck }, (_, k) => ({
              partnerId, kind: 'ack', docType: '997', parentTable: 'interchanges', parentId: `ic-${isa}-${k}`,
              destination: 'sftp_mailbox', bytes: Buffer.from(`ISA*${isa}*${k}~`, 'latin1'), controlNumber: String(isa), deliver: { partnerId },
            }))
          },
        })
        await queueOwedAcks(tx, sizes.map((n, i) => owed(`turn-${i}`, n)))
      })
    } finally {
      options.debug = false
    }
    return inserts
  }

  it('no turn of the event loop between the last ack rendered and the deliveries insert', async () => {
    expect(await queueRendered([1, 2, 1])).toEqual([{ turned: false, rows: 4 }])
    const [n] = await db.sql<{ n: number; jobs: number }[]>`select count(*)::int as n,
      (select count(*)::int from jobs where stage = 'deliver' and payload->>'partnerId' like 'turn-%') as jobs
      from deliveries where partner_id like 'turn-%'`
    expect(n).toEqual({ n: 4, jobs: 4 })
  })

  it('more rows than DELIVERIES_PER_STATEMENT: one statement per that many', async () => {
    const sent = await queueRendered([2, DELIVERIES_PER_STATEMENT])
    expect(sent.map((i) => i.rows)).toEqual([DELIVERIES_PER_STATEMENT, 2])
    expect(sent[0].turned).toBe(false)
  })
})
