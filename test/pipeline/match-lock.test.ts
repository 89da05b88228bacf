/**
 * Two workers, one PO: the ASN is being stored and matched in one transaction while another
 * matches the invoice for the same PO. Without a lock the invoice's reads could not see the
 * uncommitted ASN (held: invoiced over shipped), and the ASN's transaction could not see the
 * uncommitted invoice to match it again: both committed and the invoice stayed held. With the
 * per-PO row lock the invoice's match waits for the ASN's commit and then sees it. Needs
 * two real connections, so PostgreSQL only (the embedded database runs one transaction at a time).
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inlineSink } from '../../src/pipeline/inline.ts'
import { matchStage } from '../../src/pipeline/match.ts'
import { parseStage } from '../../src/pipeline/parse.ts'
import { queueOwedAcks, type OwedAck } from '../../src/pipeline/queue-acks.ts'
import { testDb, type TestDb } from '../helpers/db.ts'
import { importDemoOrders, testPipeline, type TestPipeline } from '../helpers/pipeline.ts'

const ASN = readFileSync('fixtures/demo-x12-supplier/856-asn-20250305-01.edi')
const INVOICE = readFileSync('fixtures/demo-x12-supplier/810-inv-7781.edi')

describe.runIf(Boolean(process.env.DATABASE_URL))('matching one PO from two transactions at once', () => {
  let db: TestDb
  let p: TestPipeline
  beforeAll(async () => {
    db = await testDb()
    p = testPipeline(db)
    await importDemoOrders(db)
  })
  afterAll(async () => db?.close())

  it('the invoice matched while its ASN is uncommitted waits for it, and is matched, not held', async () => {
    // Both files parsed and translated (committed), their matching not run yet: the state two
    // match jobs (or two parse jobs' inline passes) start from.
    for (const body of [ASN, INVOICE]) {
      const { messageId } = await p.receive({ transport: 'cli', body })
      await db.sql.begin(async (tx) => {
        const sink = inlineSink(p.deps, tx, { match: false })
        // As a batch runs it: the sets stored and translated, then the acks queued.
        const acks: OwedAck[] = []
        await parseStage(p.deps, tx, messageId, { sink, acks })
        await sink.flush()
        await queueOwedAcks(tx, acks)
      })
    }
    const id = async (kind: string) => (await db.sql<{ id: string }[]>`select id from documents where kind = ${kind}`)[0].id
    const [asn, invoice] = [await id('asn'), await id('invoice')]
    let release!: () => void
    const held = new Promise<void>((r) => (release = r))
    let asnDone!: () => void
    const asnMatched = new Promise<void>((r) => (asnDone = r))
    // Worker 1 matches the ASN and has not committed yet.
    const first = db.sql.begin(async (tx) => {
      await matchStage(p.deps, tx, asn)
      asnDone()
      await held
    })
    await asnMatched
    // Worker 2 matches the invoice for the same PO meanwhile.
    let invoiceFinished = false
    const second = db.sql.begin((tx) => matchStage(p.deps, tx, invoice)).then(() => void (invoiceFinished = true))
    await new Promise((r) => setTimeout(r, 500))
    // It waits for worker 1's transaction (the lock on the PO number).
    expect(invoiceFinished).toBe(false)
    release()
    await Promise.all([first, second])
    const docs = await db.sql<{ kind: string; status: string }[]>`select kind, status from documents order by kind`
    expect(docs).toEqual([{ kind: 'asn', status: 'matched' }, { kind: 'invoice', status: 'matched' }])
    const [open] = await db.sql<{ n: number }[]>`select count(*)::int as n from exceptions where state in ('open', 'assigned')`
    expect(open.n).toBe(0)
  })
})
