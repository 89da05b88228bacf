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
import { statementsOf } from '../helpers/statements.ts'

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
 * In a worker's batch the acks' control numbers are the last thing before the commit: the jobs
 * are marked completed first (worker.ts LastStep), and the deliveries go out as soon as every
 * ack is rendered, so the partner's counter rows stay locked for two statements and the commit,
 * not for the completion too, nor for the quiet turn of the event loop a coalesced insert waits
 * for. Statements as postgres.js sends them, on either database.
 */
describe('a batch locks the partner\'s counters for its last statements only', () => {
  let db: TestDb
  let p: TestPipeline
  beforeAll(async () => {
    db = await testDb()
    p = testPipeline(db)
  })
  afterAll(async () => db?.close())

  it('completion, then control numbers, deliveries and commit', async () => {
    const body = (n: number) => Buffer.from(ASN.toString('latin1')
      .replace('*000000102*', `*${String(500 + n).padStart(9, '0')}*`).replace('*1430*102*X*', `*1430*${500 + n}*X*`).replace('BSN*00*ASN-20250305-01*', `BSN*00*ASN-LOCK-${n}*`), 'latin1')
    for (let n = 0; n < 4; n++) await p.receive({ transport: 'cli', partnerId: PARTNER, body: body(n) })
    const sent = await statementsOf(db.sql, () => p.drain())
    const alloc = sent.findIndex((s) => /insert into control_numbers/.test(s))
    expect(alloc, 'the acks allocate their numbers').toBeGreaterThan(0)
    const tail = sent.slice(alloc + 1, sent.findIndex((s, i) => i > alloc && /^commit/i.test(s.trim())) + 1)
    expect(tail.map((s) => s.trim().split(' ').slice(0, 3).join(' ').toLowerCase())).toEqual([expect.stringMatching(/^with v as/), 'commit'])
    expect(tail[0]).toMatch(/insert into deliveries/)
    const completed = sent.slice(0, alloc).findLastIndex((s) => /update jobs set state = /.test(s))
    const begun = sent.slice(0, alloc).findLastIndex((s) => /^begin/i.test(s.trim()))
    expect(completed, 'the batch\'s jobs completed before the allocation, in its transaction').toBeGreaterThan(begun)
    const acks = await db.sql<{ n: number }[]>`select count(*)::int as n from deliveries where kind = 'ack' and partner_id = ${PARTNER}`
    expect(acks[0].n).toBe(4)
  })
})
