import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/app/gateway.ts'
import { createTablesErp } from '../../src/db/erp.ts'
import { listExceptions } from '../../src/db/exceptions.ts'
import { buildContrl, parseEdifact } from '../../src/edi/edifact/index.ts'
import { buildX12Acks, parseX12 } from '../../src/edi/x12/index.ts'
import { parsePurchaseOrders } from '../../src/erp/import.ts'
import { sweepOverdueAcks } from '../../src/pipeline/acks.ts'
import { queuePurchaseOrders } from '../../src/pipeline/outbound.ts'
import type { Transport } from '../../src/transports/types.ts'
import { testDb, type TestDb } from '../helpers/db.ts'
import { testPipeline, type TestPipeline } from '../helpers/pipeline.ts'

/** A partner endpoint that stores what it receives as files (what an SFTP outbox would hold). */
function fileDrop(dir: string): Transport {
  return {
    name: 'file-drop',
    async send(p) {
      writeFileSync(join(dir, p.filename), p.bytes)
      return { ok: true, ref: p.filename }
    },
  }
}

async function ordersBytes(db: TestDb): Promise<Buffer> {
  const [row] = await db.sql<{ bytes: Buffer }[]>`select bytes from deliveries where kind = 'document' and doc_type = 'ORDERS'`
  return row.bytes
}

describe('outbound purchase orders and their acknowledgements', () => {
  let db: TestDb
  let p: TestPipeline
  const drop = mkdtempSync(join(tmpdir(), 'edigw-drop-'))
  beforeAll(async () => {
    db = await testDb()
    const t = fileDrop(drop)
    p = testPipeline(db, { transports: { sftp_mailbox: t, as2: t } })
    const { orders } = parsePurchaseOrders(readFileSync('fixtures/erp/demo-purchase-orders.csv', 'utf8'), 'csv')
    const r = await createTablesErp(db.sql).upsertOrders(orders)
    const { maps } = loadConfig(process.cwd())
    const q = await db.sql.begin((tx) => queuePurchaseOrders({ ...p.deps, maps }, tx, r.created))
    expect(q.queued.sort()).toEqual(['4500012345', '4500012346'])
    // A second import does not send the same PO again.
    const again = await db.sql.begin((tx) => queuePurchaseOrders({ ...p.deps, maps }, tx, r.created))
    expect(again.queued).toEqual([])
    await p.drain()
  })
  afterAll(async () => db.close())

  it('sends a valid 850 and ORDERS with allocated control numbers, then waits for the ack', async () => {
    const files = readdirSync(drop).sort()
    // The X12 supplier's 850 went out through its transport; the EDIFACT supplier collects (outbound: api).
    expect(files).toHaveLength(1)
    const x12 = parseX12(readFileSync(join(drop, files.find((f) => f.startsWith('850'))!)))
    const tx = x12.interchanges[0].groups[0].transactions[0]
    expect(tx).toMatchObject({ type: '850', status: 'accepted' })
    expect(tx.segments.find((s) => s.tag === 'BEG')?.elements[2][0]).toBe('4500012345')
    expect(x12.interchanges[0].receiver.id).toBe('DEMOSUPPLY')
    const edi = parseEdifact(await ordersBytes(db))
    expect(edi.interchanges[0].groups[0].transactions[0]).toMatchObject({ type: 'ORDERS', status: 'accepted' })
    const rows = await db.sql<{ doc_type: string; status: string; ack_status: string }[]>`
      select doc_type, status, ack_status from deliveries where kind = 'document' order by doc_type`
    expect(rows).toEqual([
      { doc_type: '850', status: 'sent', ack_status: 'pending' },
      { doc_type: 'ORDERS', status: 'queued', ack_status: 'pending' },
    ])
  })

  it('reconciles the supplier 997: accepted', async () => {
    const sent = parseX12(readFileSync(join(drop, readdirSync(drop).find((f) => f.startsWith('850'))!)))
    // The supplier acknowledges what it received from us (its ids as sender).
    const ack = buildX12Acks(sent, {
      ackType: '997', sender: { qualifier: 'ZZ', id: 'DEMOSUPPLY' }, version: '004010',
      controlNumbers: { interchange: 7001, group: 7001, transaction: 1 }, date: '20250302', time: '0800',
    })
    await p.ingest({ transport: 'cli', body: Buffer.from(ack.interchanges[0].text, 'latin1') })
    const [row] = await db.sql<{ ack_status: string; status: string; history: { status: string }[] }[]>`
      select ack_status, status, history from deliveries where kind = 'document' and doc_type = '850'`
    expect(row.ack_status).toBe('accepted')
    // The 997 is also the proof that the file reached the supplier: the transport state moves on.
    expect(row.status).toBe('acknowledged')
    expect(row.history.map((h) => h.status)).toEqual(['pending', 'queued', 'sent', 'acknowledged'])
  })

  it('reconciles a CONTRL that rejects our ORDERS and opens ack_rejected', async () => {
    const sent = parseEdifact(await ordersBytes(db))
    const ic = sent.interchanges[0]
    ic.groups[0].transactions[0].status = 'rejected'
    ic.groups[0].transactions[0].issues = [{ code: 'segment_missing', level: 'segment', severity: 'error', message: 'NAD+SU missing', segment: 'NAD' }]
    const contrl = buildContrl(ic, { reference: '9001', sender: ic.receiver, receiver: ic.sender, now: new Date('2025-03-02T08:00:00Z') })
    await p.ingest({ transport: 'cli', body: contrl.bytes })
    const [row] = await db.sql<{ ack_status: string }[]>`select ack_status from deliveries where kind = 'document' and doc_type = 'ORDERS'`
    expect(row.ack_status).toBe('rejected')
    const exc = await listExceptions(db.sql, { code: 'ack_rejected' })
    expect(exc).toHaveLength(1)
    expect(exc[0].partner_id).toBe('demo-edifact-supplier')
  })

  it('marks an ack overdue once the deadline passes, once', async () => {
    await db.sql`update deliveries set ack_status = 'pending', ack_deadline = now() - interval '1 minute' where doc_type = '850'`
    expect(await sweepOverdueAcks(db.sql)).toBe(1)
    expect(await sweepOverdueAcks(db.sql)).toBe(0)
    const exc = await listExceptions(db.sql, { code: 'ack_overdue' })
    expect(exc).toHaveLength(1)
    expect(exc[0].explanation).toMatch(/850/)
  })
})
