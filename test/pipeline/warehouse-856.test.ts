import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTablesErp } from '../../src/db/erp.ts'
import { listExceptions } from '../../src/db/exceptions.ts'
import { sweepOverdueAcks } from '../../src/pipeline/acks.ts'
import { parseX12 } from '../../src/edi/x12/index.ts'
import { parsePurchaseOrders } from '../../src/erp/import.ts'
import type { Transport } from '../../src/transports/types.ts'
import { repoProfile, tempConfigDir } from '../helpers/config.ts'
import { testDb, type TestDb } from '../helpers/db.ts'
import { testPipeline, type TestPipeline } from '../helpers/pipeline.ts'
import { releaseIfClear } from '../../src/pipeline/match.ts'

describe('warehouse delivery as an outbound 856', () => {
  let db: TestDb
  beforeAll(async () => {
    db = await testDb()
  })
  afterAll(async () => db.close())

  it('sends a validated ASN to the warehouse partner as a valid 856 that keeps the HL tree', async () => {
    const dir = tempConfigDir({
      'demo-x12-supplier': repoProfile('demo-x12-supplier', /warehouse:[\s\S]*$/, 'warehouse:\n  destinations:\n    - { type: x12_856, name: dc-edi, partner: dc-edi }\n'),
      'dc-edi': `id: dc-edi\nname: DC on EDI\nstatus: live\nkind: warehouse\nidentities:\n  x12: [{ qualifier: 'ZZ', id: 'DCEDI' }]\nus:\n  x12: { qualifier: 'ZZ', id: 'OURCO' }\noutbound: sftp_mailbox\nx12: { version: '004010' }\ndocuments:\n  - { direction: out, standard: x12, version: '004010', docType: '856' }\n`,
    })
    const drop = mkdtempSync(join(tmpdir(), 'edigw-856-drop-'))
    const sent: string[] = []
    const mailbox: Transport = {
      name: 'sftp_mailbox',
      async send(p) {
        sent.push(p.partnerId)
        writeFileSync(join(drop, p.filename), p.bytes)
        return { ok: true }
      },
    }
    const p = testPipeline(db, { configDir: dir, transports: { sftp_mailbox: mailbox } })
    const { orders } = parsePurchaseOrders(readFileSync('fixtures/erp/demo-purchase-orders.csv', 'utf8'), 'csv')
    await createTablesErp(db.sql).upsertOrders(orders)
    await p.ingest({ transport: 'cli', body: readFileSync('fixtures/demo-x12-supplier/856-asn-20250305-01.edi') })
    await p.drain()
    const files = readdirSync(drop).filter((f) => f.startsWith('856-'))
    expect(files).toHaveLength(1)
    expect(sent).toContain('dc-edi')
    const out = parseX12(readFileSync(join(drop, files[0])))
    const ic = out.interchanges[0]
    expect(ic.receiver.id).toBe('DCEDI')
    const tx = ic.groups[0].transactions[0]
    expect(tx.status).toBe('accepted')
    expect(tx.segments.find((s) => s.tag === 'BSN')?.elements[1][0]).toBe('ASN-20250305-01')
    const ssccs = tx.segments.filter((s) => s.tag === 'MAN').map((s) => s.elements[1][0])
    expect(ssccs).toEqual(expect.arrayContaining(['00106141410000000019', '00006141410000000029', '00006141410000000036']))

    // It waits for the warehouse partner's 997 like any EDI we send: overdue after its deadline.
    const [waiting] = await db.sql<{ ack_status: string | null; ack_deadline: Date | null }[]>`select ack_status, ack_deadline from deliveries where partner_id = 'dc-edi' and kind = 'warehouse'`
    expect(waiting.ack_status).toBe('pending')
    expect(waiting.ack_deadline!.getTime() - Date.now()).toBeGreaterThan(23 * 3_600_000)
    await db.sql`update deliveries set ack_deadline = now() - interval '1 minute' where partner_id = 'dc-edi' and kind = 'warehouse'`
    expect(await sweepOverdueAcks(db.sql)).toBe(1)
    expect((await listExceptions(db.sql, { code: 'ack_overdue' }))[0].state).toBe('open')

    // The warehouse partner's 997 for that 856 reconciles its delivery (not ack_unmatched) and
    // closes the overdue exception.
    const gs06 = ic.groups[0].controlNumber
    const ack = [
      'ISA*00*          *00*          *ZZ*DCEDI          *ZZ*OURCO          *250306*0900*U*00401*000000555*0*P*>',
      'GS*FA*DCEDI*OURCO*20250306*0900*555*X*004010', 'ST*997*0001', `AK1*SH*${gs06}`, `AK2*856*${tx.controlNumber}`, 'AK5*A', 'AK9*A*1*1*1', 'SE*6*0001', 'GE*1*555', 'IEA*1*000000555',
    ].map((l) => `${l}~\n`).join('')
    await p.ingest({ transport: 'cli', body: Buffer.from(ack, 'latin1') })
    await p.drain()
    const [delivery] = await db.sql<{ ack_status: string | null }[]>`select ack_status from deliveries where partner_id = 'dc-edi' and kind = 'warehouse'`
    expect(delivery.ack_status).toBe('accepted')
    expect(await listExceptions(db.sql, { code: 'ack_unmatched' })).toEqual([])
    expect((await listExceptions(db.sql, { code: 'ack_overdue' }))[0].state).toBe('resolved')
  })
  it("an ASN the warehouse partner's X12 cannot carry (its separator in the data) opens document_unwritable; the ASN stays matched, nothing is sent", async () => {
    // Its own database: the first test already shipped these POs and SSCCs.
    const db = await testDb()
    // The warehouse partner reads `-` as its element separator; the shipment id ASN-20250305-01 holds it.
    const dir = tempConfigDir({
      'demo-x12-supplier': repoProfile('demo-x12-supplier', /warehouse:[\s\S]*$/, 'warehouse:\n  destinations:\n    - { type: x12_856, name: dc-dash, partner: dc-dash }\n'),
      'dc-dash': `id: dc-dash\nname: DC with dashes\nstatus: live\nkind: warehouse\nidentities:\n  x12: [{ qualifier: 'ZZ', id: 'DCDASH' }]\nus:\n  x12: { qualifier: 'ZZ', id: 'OURCO' }\noutbound: sftp_mailbox\nx12: { version: '004010', separators: { element: '-', component: '>', segment: '~' } }\ndocuments:\n  - { direction: out, standard: x12, version: '004010', docType: '856' }\n`,
    })
    const sent: string[] = []
    const mailbox: Transport = { name: 'sftp_mailbox', async send(p) { sent.push(p.partnerId); return { ok: true } } }
    const p = testPipeline(db, { configDir: dir, transports: { sftp_mailbox: mailbox } })
    const { orders } = parsePurchaseOrders(readFileSync('fixtures/erp/demo-purchase-orders.csv', 'utf8'), 'csv')
    await createTablesErp(db.sql).upsertOrders(orders)
    const asn = readFileSync('fixtures/demo-x12-supplier/856-asn-20250305-01.edi', 'latin1')
    await p.ingest({ transport: 'cli', body: Buffer.from(asn, 'latin1') })
    await p.drain()
    expect(sent).not.toContain('dc-dash')
    const ex = await listExceptions(db.sql, { code: 'document_unwritable' })
    expect(ex).toHaveLength(1)
    expect(ex[0].reason).toMatchObject({ code: 'document_unwritable', partnerId: 'dc-dash', docType: '856', reference: 'ASN-20250305-01' })
    expect(await listExceptions(db.sql, { code: 'stage_failed' })).toEqual([])
    const [doc] = await db.sql<{ status: string }[]>`select status from documents where business_key = 'asn:ASN-20250305-01'`
    expect(doc.status).toBe('matched')
    expect(await db.sql`select 1 from deliveries where partner_id = 'dc-dash'`).toHaveLength(0)

    // Resolved while the profile is unchanged: tried again, refused again, a new exception opens.
    const [docRow] = await db.sql<{ id: string }[]>`select id from documents where business_key = 'asn:ASN-20250305-01'`
    const resolve = async (pipeline: TestPipeline, exceptionId: string) => {
      await db.sql`update exceptions set state = 'resolved' where id = ${exceptionId}`
      return db.sql.begin((tx) => releaseIfClear(pipeline.deps, tx, docRow.id))
    }
    expect(await resolve(p, ex[0].id)).toBe(false)
    const again = await listExceptions(db.sql, { code: 'document_unwritable', state: 'open' })
    expect(again).toHaveLength(1)
    expect(again[0].id).not.toBe(ex[0].id)

    // The warehouse partner's profile now names a replacement: resolving sends the ASN, once.
    const fixed = tempConfigDir({
      'demo-x12-supplier': repoProfile('demo-x12-supplier', /warehouse:[\s\S]*$/, 'warehouse:\n  destinations:\n    - { type: x12_856, name: dc-dash, partner: dc-dash }\n'),
      'dc-dash': `id: dc-dash\nname: DC with dashes\nstatus: live\nkind: warehouse\nidentities:\n  x12: [{ qualifier: 'ZZ', id: 'DCDASH' }]\nus:\n  x12: { qualifier: 'ZZ', id: 'OURCO' }\noutbound: sftp_mailbox\nx12: { version: '004010', separators: { element: '-', component: '>', segment: '~' }, replaceDelimitersWith: ' ' }\ndocuments:\n  - { direction: out, standard: x12, version: '004010', docType: '856' }\n`,
    })
    const bytes: Buffer[] = []
    const box: Transport = { name: 'sftp_mailbox', async send(m) { sent.push(m.partnerId); if (m.partnerId === 'dc-dash') bytes.push(m.bytes); return { ok: true } } }
    const p2 = testPipeline(db, { configDir: fixed, transports: { sftp_mailbox: box } })
    expect(await resolve(p2, again[0].id)).toBe(true)
    await p2.drain()
    expect(sent.filter((x) => x === 'dc-dash')).toHaveLength(1)
    const tx = parseX12(bytes[0]).interchanges[0].groups[0].transactions[0]
    expect(tx.status).toBe('accepted')
    expect(tx.segments.find((x) => x.tag === 'BSN')!.elements[1][0]).toBe('ASN 20250305 01')
    // A delivery exists now: resolving anything else on the ASN sends nothing more.
    expect(await resolve(p2, again[0].id)).toBe(false)
    expect(await db.sql`select 1 from deliveries where partner_id = 'dc-dash'`).toHaveLength(1)
    await db.close()
  })
})
