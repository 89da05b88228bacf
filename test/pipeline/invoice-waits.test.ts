/**
 * An invoice matched while an earlier file of its partner is still unparsed (its ASN, picked up
 * in the same SFTP poll and parsed side by side) waits for that file instead of being held:
 * no exception, no `invoice_held` event. The ASN's match matches it again; with no ASN in the
 * earlier file, the recheck holds it as before; and the wait has a bound.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { WAIT_BEHIND_MS, WAIT_RECHECK_MS } from '../../src/pipeline/invoice-wait.ts'
import { matchStage, releaseIfClear, rematchForOrders } from '../../src/pipeline/match.ts'
import { importDemoOrders, pipelineSuite, type PipelineSuite } from '../helpers/pipeline.ts'

const ASN = readFileSync('fixtures/demo-x12-supplier/856-asn-20250305-01.edi')
const INVOICE = readFileSync('fixtures/demo-x12-supplier/810-inv-7781.edi')
const PO_ACK = readFileSync('fixtures/demo-x12-supplier/855-po-4500012345.edi')
const DESADV = readFileSync('fixtures/demo-edifact-supplier/desadv-des-88001.edi')
const PARTNER = 'demo-x12-supplier'

/**
 * Receives the other file and the invoice (the invoice first when `invoiceFirst`, as an SFTP
 * poll takes `810…` before `856…`); the other file's parse is held back (an hour away).
 */
async function receiveFirstHeld(s: PipelineSuite, first: Buffer, invoice: Buffer, opts: { invoiceFirst?: boolean; firstPartner?: string } = {}) {
  const other = () => s.p.receive({ transport: 'sftp', partnerId: opts.firstPartner ?? PARTNER, filename: 'first.edi', body: first })
  const inv = () => s.p.receive({ transport: 'sftp', partnerId: PARTNER, filename: 'invoice.edi', body: invoice })
  let a, b
  if (opts.invoiceFirst) {
    b = await inv()
    a = await other()
  } else {
    a = await other()
    b = await inv()
  }
  await s.db.sql`update jobs set run_after = now() + interval '1 hour' where stage = 'parse' and payload->>'messageId' = ${a.messageId}`
  return { first: a.messageId, invoice: b.messageId }
}

const release = (s: PipelineSuite, messageId: string) =>
  s.db.sql`update jobs set run_after = now() where stage = 'parse' and payload->>'messageId' = ${messageId}`

async function invoiceState(s: PipelineSuite) {
  const [doc] = await s.db.sql<{ id: string; status: string }[]>`select id, status from documents where kind = 'invoice'`
  const exceptions = await s.db.sql<{ code: string; state: string }[]>`select code, state from exceptions where document_id = ${doc.id} order by created_at`
  const events = await s.db.sql<{ type: string }[]>`select type from erp_events where document_id = ${doc.id} order by created_at`
  const rechecks = await s.db.sql<{ due_in_ms: number; state: string }[]>`select (extract(epoch from run_after - now()) * 1000)::int as due_in_ms, state from jobs
    where stage = 'match' and dedupe_key like ${`match-recheck:${doc.id}:%`} order by id`
  return { id: doc.id, status: doc.status, exceptions, events: events.map((e) => e.type), rechecks }
}

const makeRechecksDue = (s: PipelineSuite) => s.db.sql`update jobs set run_after = now() where stage = 'match' and dedupe_key like 'match-recheck:%' and state = 'created'`

/** Runs every job due, then reads the invoice. */
async function settled(s: PipelineSuite) {
  await s.p.drain()
  return invoiceState(s)
}

/** Held as invoiced over shipped at once: no recheck queued, nothing waited for. */
function expectHeldOverShipped(st: Awaited<ReturnType<typeof invoiceState>>) {
  expect(st.status).toBe('held')
  expect(st.exceptions.map((e) => e.code)).toContain('invoice_qty_over_shipped')
  expect(st.rechecks).toEqual([])
}

/** The demo invoice under ISA13/GS06 `n` (a new interchange), after the suite's earlier documents are gone. */
async function anotherInvoice(s: PipelineSuite, n: number): Promise<Buffer> {
  await s.db.sql`delete from documents`
  await s.db.sql`delete from exceptions`
  return Buffer.from(INVOICE.toString('latin1').replace('*000000103*', `*000000${n}*`)
    .replace('GS*IN*DEMOSUPPLY*OURCO*20250306*1005*103*', `GS*IN*DEMOSUPPLY*OURCO*20250306*1005*${n}*`), 'latin1')
}

/** Matched, with no exception ever opened and one `invoice_matched` event. */
function expectMatchedOnce(st: Awaited<ReturnType<typeof invoiceState>>) {
  expect(st.status).toBe('matched')
  expect(st.exceptions).toEqual([])
  expect(st.events).toEqual(['invoice_matched'])
}

describe('an invoice behind an unparsed ASN file of its partner', () => {
  const s = pipelineSuite()

  it('waits without an exception, and is matched once the ASN is', async () => {
    await importDemoOrders(s.db)
    const ids = await receiveFirstHeld(s, ASN, INVOICE)
    const waiting = await settled(s)
    expect(waiting.status).toBe('waiting')
    expect(waiting.exceptions).toEqual([])
    expect(waiting.events).toEqual([])
    expect(waiting.rechecks).toHaveLength(1)
    expect(waiting.rechecks[0].state).toBe('created')
    expect(waiting.rechecks[0].due_in_ms).toBeGreaterThan(WAIT_RECHECK_MS - 10_000)

    await release(s, ids.first)
    const matched = await settled(s)
    expectMatchedOnce(matched)
    const [asn] = await s.db.sql<{ status: string }[]>`select status from documents where kind = 'asn'`
    expect(asn.status).toBe('matched')

    // The recheck, when it comes, finds nothing to do.
    await makeRechecksDue(s)
    const after = await settled(s)
    expectMatchedOnce(after)
  })
})

describe('an invoice behind an earlier file that holds no ASN for it', () => {
  const s = pipelineSuite()

  it('waits while that file is unparsed, then the recheck holds it as invoiced over shipped', async () => {
    await importDemoOrders(s.db)
    const ids = await receiveFirstHeld(s, PO_ACK, INVOICE)
    expect((await settled(s)).status).toBe('waiting')

    // A recheck while the earlier file is still unparsed waits again, and queues the next one.
    await makeRechecksDue(s)
    const again = await settled(s)
    expect(again.status).toBe('waiting')
    expect(again.exceptions).toEqual([])
    expect(again.rechecks.map((r) => r.state)).toEqual(['completed', 'created'])

    await release(s, ids.first)
    await s.p.drain()
    // The 855 matched nothing the invoice needs: nobody matched the invoice again yet.
    expect((await invoiceState(s)).status).toBe('waiting')

    await makeRechecksDue(s)
    const held = await settled(s)
    expect(held.status).toBe('held')
    expect(held.exceptions.map((e) => [e.code, e.state])).toContainEqual(['invoice_qty_over_shipped', 'open'])
    expect(held.events).toEqual(['invoice_held'])
  })
})

describe('an invoice received longer ago than the wait allows', () => {
  const s = pipelineSuite()

  it('is held at once, whatever earlier file is still unparsed', async () => {
    await importDemoOrders(s.db)
    const ids = await receiveFirstHeld(s, ASN, INVOICE)
    await s.db.sql`update payloads set received_at = received_at - ${`${WAIT_BEHIND_MS + 60_000} milliseconds`}::interval
      where id = any(${[ids.first, ids.invoice]})`
    expectHeldOverShipped(await settled(s))
  })
})

describe('an invoice received before its ASN file (a poll in name order)', () => {
  const s = pipelineSuite()

  it('waits for the file received after it too, and is matched once the ASN is', async () => {
    await importDemoOrders(s.db)
    const ids = await receiveFirstHeld(s, ASN, INVOICE, { invoiceFirst: true })
    const waiting = await settled(s)
    expect(waiting.status).toBe('waiting')
    expect(waiting.exceptions).toEqual([])
    await release(s, ids.first)
    const matched = await settled(s)
    expectMatchedOnce(matched)
  })
})

describe('what an invoice does not wait for', () => {
  const s = pipelineSuite()

  it("another partner's unparsed file", async () => {
    await importDemoOrders(s.db)
    await receiveFirstHeld(s, DESADV, INVOICE, { firstPartner: 'demo-edifact-supplier' })
    const held = await settled(s)
    expect(held.status).toBe('held')
    expect(held.exceptions.map((e) => e.code)).toContain('invoice_qty_over_shipped')
  })

  it('an unparsed file of its partner received longer than the wait before it', async () => {
    const ids = await receiveFirstHeld(s, PO_ACK, await anotherInvoice(s, 203))
    await s.db.sql`update payloads set received_at = now() - ${`${WAIT_BEHIND_MS + 60_000} milliseconds`}::interval where id = ${ids.first}`
    const held = await settled(s)
    expect(held.status).toBe('held')
    expect(held.rechecks).toEqual([])
  })

  it('an unparsed file of its partner whose parse was dead-lettered (no parse will come)', async () => {
    const ids = await receiveFirstHeld(s, PO_ACK, await anotherInvoice(s, 303))
    // The worker's dead letter: the job failed for good (a stage_failed exception), its payload still `received`.
    await s.db.sql`update jobs set state = 'failed' where stage = 'parse' and payload->>'messageId' = ${ids.first}`
    const [first] = await s.db.sql<{ status: string }[]>`select status from payloads where id = ${ids.first}`
    expect(first.status).toBe('received')
    expectHeldOverShipped(await settled(s))
  })
})

describe('an invoice held for more than the missing shipment', () => {
  const s = pipelineSuite()

  it('is held at once, even with its ASN file unparsed (a price it bills wrong will not change)', async () => {
    await importDemoOrders(s.db)
    const wrongPrice = Buffer.from(INVOICE.toString('latin1').replace('IT1*10*24*EA*12.5*', 'IT1*10*24*EA*13.5*'), 'latin1')
    await receiveFirstHeld(s, ASN, wrongPrice)
    const held = await settled(s)
    expect(held.status).toBe('held')
    expect(held.exceptions.map((e) => e.code)).toEqual(expect.arrayContaining(['invoice_qty_over_shipped', 'price_mismatch']))
    expect(held.rechecks).toEqual([])
  })
})

describe('a waiting invoice, touched while it waits', () => {
  const s = pipelineSuite()

  it('one recheck pending however often it is matched again; never released by releaseIfClear', async () => {
    await importDemoOrders(s.db)
    const ids = await receiveFirstHeld(s, PO_ACK, INVOICE)
    const before = await settled(s)
    expect(before.status).toBe('waiting')
    // an ERP update of its PO matches it again, twice: it still waits, with one recheck pending
    for (let i = 0; i < 2; i++) {
      await rematchForOrders(s.db.sql, ['4500012345'])
      await s.p.drain()
    }
    const again = await invoiceState(s)
    expect(again.status).toBe('waiting')
    expect(again.rechecks.filter((r) => r.state === 'created')).toHaveLength(1)
    // an operator resolving something on it (no exception of its own is open): not released
    expect(await s.db.sql.begin((tx) => releaseIfClear(s.p.deps, tx, before.id))).toBe(false)
    const still = await settled(s)
    expect(still.status).toBe('waiting')
    expect(still.events).toEqual([])
    // once the other file is parsed, the recheck holds it, once
    await release(s, ids.first)
    await s.p.drain()
    await makeRechecksDue(s)
    const held = await settled(s)
    expect(held.status).toBe('held')
    expect(held.events).toEqual(['invoice_held'])
    // one per invoice line (three), each opened once
    expect(held.exceptions.filter((e) => e.code === 'invoice_qty_over_shipped')).toHaveLength(3)
    expect(held.rechecks.filter((r) => r.state === 'created')).toHaveLength(0)
  })
})

describe.runIf(Boolean(process.env.DATABASE_URL))('two transactions matching one waiting invoice at once (PostgreSQL: two connections)', () => {
  const s = pipelineSuite()

  it('the second waits for the first, reads it matched, and does nothing: one match, one event', async () => {
    await importDemoOrders(s.db)
    const ids = await receiveFirstHeld(s, ASN, INVOICE)
    await s.p.drain()
    const { id } = await invoiceState(s)
    // The ASN parsed and matched; the invoice as it was before its re-match ran (a recheck and
    // the ASN's `match:` job both due, on two workers).
    await release(s, ids.first)
    await s.p.drain()
    await s.db.sql`update documents set status = 'waiting' where id = ${id}`
    await s.db.sql`delete from erp_events where document_id = ${id}`
    let firstDone!: () => void
    const firstMatched = new Promise<void>((r) => (firstDone = r))
    let commit!: () => void
    const committing = new Promise<void>((r) => (commit = r))
    const first = s.db.sql.begin(async (tx) => {
      await matchStage(s.p.deps, tx, id)
      firstDone()
      await committing
    })
    await firstMatched
    const second = s.db.sql.begin((tx) => matchStage(s.p.deps, tx, id))
    await new Promise((r) => setTimeout(r, 300))
    commit()
    const [, r2] = await Promise.all([first, second])
    expect(r2).toBeUndefined()
    const after = await invoiceState(s)
    expect(after.status).toBe('matched')
    expect(after.events).toEqual(['invoice_matched'])
  })
})

