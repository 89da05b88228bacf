/**
 * An invoice matched while an earlier file of its partner is still unparsed (its ASN, picked up
 * in the same SFTP poll and parsed side by side) waits for that file instead of being held:
 * no exception, no `invoice_held` event. The ASN's match matches it again; with no ASN in the
 * earlier file, the recheck holds it as before; and the wait has a bound.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { WAIT_BEHIND_MS, WAIT_RECHECK_MS } from '../../src/pipeline/match-context.ts'
import { importDemoOrders, pipelineSuite, type PipelineSuite } from '../helpers/pipeline.ts'

const ASN = readFileSync('fixtures/demo-x12-supplier/856-asn-20250305-01.edi')
const INVOICE = readFileSync('fixtures/demo-x12-supplier/810-inv-7781.edi')
const PO_ACK = readFileSync('fixtures/demo-x12-supplier/855-po-4500012345.edi')
const PARTNER = 'demo-x12-supplier'

/** Receives the files in this order; the parse of the first one is held back (an hour away). */
async function receiveFirstHeld(s: PipelineSuite, first: Buffer, invoice: Buffer) {
  const a = await s.p.receive({ transport: 'sftp', partnerId: PARTNER, filename: 'first.edi', body: first })
  const b = await s.p.receive({ transport: 'sftp', partnerId: PARTNER, filename: 'invoice.edi', body: invoice })
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

describe('an invoice behind an unparsed ASN file of its partner', () => {
  const s = pipelineSuite()

  it('waits without an exception, and is matched once the ASN is', async () => {
    await importDemoOrders(s.db)
    const ids = await receiveFirstHeld(s, ASN, INVOICE)
    await s.p.drain()
    const waiting = await invoiceState(s)
    expect(waiting.status).toBe('waiting')
    expect(waiting.exceptions).toEqual([])
    expect(waiting.events).toEqual([])
    expect(waiting.rechecks).toHaveLength(1)
    expect(waiting.rechecks[0].state).toBe('created')
    expect(waiting.rechecks[0].due_in_ms).toBeGreaterThan(WAIT_RECHECK_MS - 10_000)

    await release(s, ids.first)
    await s.p.drain()
    const matched = await invoiceState(s)
    expect(matched.status).toBe('matched')
    expect(matched.exceptions).toEqual([])
    expect(matched.events).toEqual(['invoice_matched'])
    const [asn] = await s.db.sql<{ status: string }[]>`select status from documents where kind = 'asn'`
    expect(asn.status).toBe('matched')

    // The recheck, when it comes, finds nothing to do.
    await makeRechecksDue(s)
    await s.p.drain()
    const after = await invoiceState(s)
    expect(after.status).toBe('matched')
    expect(after.exceptions).toEqual([])
    expect(after.events).toEqual(['invoice_matched'])
  })
})

describe('an invoice behind an earlier file that holds no ASN for it', () => {
  const s = pipelineSuite()

  it('waits while that file is unparsed, then the recheck holds it as invoiced over shipped', async () => {
    await importDemoOrders(s.db)
    const ids = await receiveFirstHeld(s, PO_ACK, INVOICE)
    await s.p.drain()
    expect((await invoiceState(s)).status).toBe('waiting')

    // A recheck while the earlier file is still unparsed waits again, and queues the next one.
    await makeRechecksDue(s)
    await s.p.drain()
    const again = await invoiceState(s)
    expect(again.status).toBe('waiting')
    expect(again.exceptions).toEqual([])
    expect(again.rechecks.map((r) => r.state)).toEqual(['completed', 'created'])

    await release(s, ids.first)
    await s.p.drain()
    // The 855 matched nothing the invoice needs: nobody matched the invoice again yet.
    expect((await invoiceState(s)).status).toBe('waiting')

    await makeRechecksDue(s)
    await s.p.drain()
    const held = await invoiceState(s)
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
    await s.p.drain()
    const held = await invoiceState(s)
    expect(held.status).toBe('held')
    expect(held.exceptions.map((e) => e.code)).toContain('invoice_qty_over_shipped')
    expect(held.rechecks).toEqual([])
  })
})
