/**
 * One partner can neither post as nor read another, whatever the body claims. Transport-specific
 * checks live with each transport: AS2 signed by the wrong partner's key and unknown AS2-From
 * (test/transports/as2/receive.test.ts), SFTP wrong key, password and mailbox jail
 * (test/transports/sftp/server.test.ts, test/interop/sftp-openssh.test.ts), API keys and scoping
 * (test/http/api.test.ts, test/http/security.test.ts). Here the cross-cutting rules:
 *   - the identity the transport authenticated wins over the envelope (partner_mismatch);
 *   - a partner's document for another partner's purchase order is never matched to it;
 *   - a partner reads only its own submissions and orders;
 *   - echoed bad input cannot inject segments into the 997/999 we send (latin1 truncation).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ENGINES } from '../../src/app/engines.ts'
import { loadConfig, openGateway, type Gateway } from '../../src/app/gateway.ts'
import { loadEnv } from '../../src/config/env.ts'
import { silentLogger } from '../../src/lib/log.ts'
import { testDb, type TestDb } from '../helpers/db.ts'
import { repoRoot } from '../helpers/gateway-process.ts'
import { asn3pl, harness, type Harness } from '../http/harness.ts'

describe('API: partner A against partner B', () => {
  let h: Harness
  beforeAll(async () => {
    h = await harness()
  })
  afterAll(async () => h?.close())

  it('reads only its own submissions and purchase orders', async () => {
    const posted = await h.call('POST', '/api/v1/asns', { key: h.keys.a, body: asn3pl('ASN-XA-1') })
    expect(posted.status).toBe(202)
    const { transactionId } = (await posted.json()) as { transactionId: string }
    await h.drain()
    expect((await h.call('GET', `/api/v1/transactions/${transactionId}`, { key: h.keys.a })).status).toBe(200)
    expect((await h.call('GET', `/api/v1/transactions/${transactionId}`, { key: h.keys.b })).status).toBe(404)
    const pos = (await (await h.call('GET', '/api/v1/purchase-orders', { key: h.keys.b })).json()) as { purchaseOrders: { poNumber: string }[] }
    expect(pos.purchaseOrders.map((p) => p.poNumber)).toEqual(['PO-B1'])
  })

  it("an ASN from A for B's purchase order is stored as A's and never matched to B's order", async () => {
    const body = asn3pl('ASN-XA-2', { sscc: false }) as { orders: { poNumber: string }[]; supplierId?: string }
    body.orders[0].poNumber = 'PO-B1'
    body.supplierId = 'supplier-b'
    const [before] = await h.gw.db.sql<{ n: number }[]>`select count(*)::int as n from payloads`
    const r = await h.call('POST', '/api/v1/asns', { key: h.keys.a, body })
    // Refused at the door (403), or accepted as A's and held: either way never B's match.
    expect([202, 403]).toContain(r.status)
    if (r.status === 403) {
      const [after] = await h.gw.db.sql<{ n: number }[]>`select count(*)::int as n from payloads`
      expect(after.n).toBe(before.n)
      return
    }
    const { transactionId } = (await r.json()) as { transactionId: string }
    await h.drain()
    const [p] = await h.gw.db.sql<{ partner_id: string }[]>`select partner_id from payloads where id = ${transactionId}`
    expect(p.partner_id).toBe('supplier-a')
    const docs = await h.gw.db.sql<{ partner_id: string; status: string }[]>`select partner_id, status from documents where payload_id = ${transactionId}`
    expect(docs.length).toBeGreaterThan(0)
    for (const d of docs) {
      expect(d.partner_id).toBe('supplier-a')
      expect(d.status).not.toBe('matched')
    }
    const events = await h.gw.db.sql<{ type: string }[]>`select type from erp_events where po_number = 'PO-B1' and type = 'asn_validated'`
    expect(events).toEqual([])
  })
})

describe('envelope vs transport identity', () => {
  let db: TestDb
  let gw: Gateway
  beforeAll(async () => {
    db = await testDb()
    const env = loadEnv({ DATABASE_URL: db.url, DATABASE_SCHEMA: db.schema, DATABASE_POOL: db.embedded ? '1' : '4', CONFIG_DIR: repoRoot, DATA_DIR: join(repoRoot, '.tmp', 'sec-data'), LOG_LEVEL: 'silent', SFTP: 'off' })
    gw = await openGateway({ env, log: silentLogger, deliver: false })
  })
  afterAll(async () => {
    await gw?.close()
    await db?.close()
  })

  it("a file from the X12 partner's account carrying the EDIFACT partner's UNB is partner_mismatch, not processed", async () => {
    const body = readFileSync(join(repoRoot, 'fixtures/demo-edifact-supplier/desadv-des-88001.edi'))
    const { messageId } = await gw.receive({ transport: 'sftp', partnerId: 'demo-x12-supplier', filename: 'desadv.edi', body })
    await gw.worker.drain({ timeoutMs: 30_000 })
    const ex = await gw.db.sql<{ code: string; reason: { expected: string; actual: string } }[]>`select code, reason from exceptions where payload_id = ${messageId}`
    expect(ex.map((e) => e.code)).toEqual(['partner_mismatch'])
    expect(ex[0].reason).toMatchObject({ expected: 'demo-x12-supplier', actual: 'demo-edifact-supplier' })
    const [t] = await gw.db.sql<{ n: number }[]>`select count(*)::int as n from transactions where payload_id = ${messageId}`
    expect(t.n).toBe(0)
    const [d] = await gw.db.sql<{ n: number }[]>`select count(*)::int as n from deliveries where partner_id = 'demo-edifact-supplier'`
    expect(d.n).toBe(0)
  })

  it('a NUL byte in an interchange is stored, flagged as an invalid character and reported in the 997, never a crashed stage', async () => {
    const text = readFileSync(join(repoRoot, 'fixtures/demo-x12-supplier/855-po-4500012345.edi'), 'latin1')
      .replace('000000101', '000009901')
      .replace('PO1*', 'PO1*\u0000')
    const { messageId } = await gw.receive({ transport: 'cli', filename: 'nul.edi', body: Buffer.from(text, 'latin1') })
    await gw.worker.drain({ timeoutMs: 30_000 })
    const ex = await gw.db.sql<{ code: string }[]>`select code from exceptions where payload_id = ${messageId}`
    expect(ex.map((e) => e.code)).not.toContain('stage_failed')
    // PO101 is optional: X12.5 accepts the set with errors (AK5 E) and names the element (AK4 code 6).
    const [t] = await gw.db.sql<{ doc: string; issues: { code: string }[] }[]>`select d.doc::text as doc, t.issues from transactions t
      join documents d on d.transaction_id = t.id where t.payload_id = ${messageId}`
    expect(t.issues.map((i) => i.code)).toContain('element_invalid_character')
    // Mapped and stored with the NUL kept visible as U+FFFD (text/jsonb cannot hold U+0000).
    expect(t.doc).toContain('\uFFFD')
    const acks = await gw.db.sql<{ bytes: Buffer }[]>`select d.bytes from deliveries d join interchanges i on i.id = d.parent_id where i.payload_id = ${messageId} and d.doc_type = '997'`
    expect(acks).toHaveLength(1)
    const ack = acks[0].bytes.toString('latin1')
    expect(ack).toMatch(/AK4\*1\*350\*6\*/)
    expect(ack).toMatch(/AK5\*E/)
  })

  it('a NUL byte in the envelope\'s sender: no partner, the interchange stored with the NUL kept visible, never a crashed stage', async () => {
    const text = readFileSync(join(repoRoot, 'fixtures/demo-x12-supplier/855-po-4500012345.edi'), 'latin1')
      .replace('000000101', '000009902')
      .replaceAll('DEMOSUPPLY', 'DEMO\u0000UPPLY')
    const { messageId } = await gw.receive({ transport: 'cli', filename: 'nul-sender.edi', body: Buffer.from(text, 'latin1') })
    await gw.worker.drain({ timeoutMs: 30_000 })
    const ex = await gw.db.sql<{ code: string }[]>`select code from exceptions where payload_id = ${messageId}`
    expect(ex.map((e) => e.code)).not.toContain('stage_failed')
    expect(ex.map((e) => e.code)).toContain('unknown_partner')
    const ics = await gw.db.sql<{ sender_id: string; status: string }[]>`select sender_id, status from interchanges where payload_id = ${messageId}`
    expect(ics.map((i) => [i.sender_id.trim(), i.status])).toEqual([['DEMO\uFFFDUPPLY', 'rejected']])
  })
})

describe('acks echo bad input safely', () => {
  it('a value with U+017E (low byte 0x7E = our segment terminator) cannot inject a segment into the 997', async () => {
    const { registry } = loadConfig(repoRoot)
    const profile = registry.get('demo-x12-supplier')!
    const src = readFileSync(join(repoRoot, 'fixtures/demo-x12-supplier/855-po-4500012345.edi'), 'latin1')
    // UTF-8 "ž~X" in a numeric element: invalid, so AK4 copies it into the 997.
    const bad = Buffer.concat(src.split(/(?<=PO1\*[^*]*\*)/).map((part, i) => Buffer.from(i === 1 ? `ž${part}` : part, i === 1 ? 'utf8' : 'latin1')))
    const r = ENGINES.x12.parse(bad)
    let n = 0
    const acks = await ENGINES.x12.acks(r, r.interchanges[0], profile, async (c) => Object.fromEntries(Object.keys(c).map((k) => [k, ++n])) as never)
    const ack = acks.find((a) => a.docType === '997')!
    const bytes = Buffer.from(ack.text, 'latin1') // what the pipeline stores and sends
    const back = ENGINES.x12.parse(bytes)
    const tx = back.interchanges[0].groups[0].transactions[0]
    expect(tx.issues.filter((i) => !i.code.startsWith('element_')), bytes.toString('latin1')).toEqual([])
    expect(tx.segments.map((s) => s.tag).filter((t) => !/^(ST|AK[1-9]|SE)$/.test(t))).toEqual([])
  })
})
