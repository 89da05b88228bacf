/**
 * Operations API contract on a real database and the real pipeline: operator token only (partner
 * keys refused), message search and lineage with the raw download, the exception actions
 * (assign/resolve/ignore/replay with document release), partner health and the PO workflow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asn3pl, harness, type Harness } from './harness.ts'

let h: Harness
let goodId: string
let overId: string
let overBody: string
let orphanId: string

beforeAll(async () => {
  h = await harness()
  const good = await h.call('POST', '/api/v1/asns', { key: h.keys.a, body: asn3pl('ASN-GOOD'), headers: { 'idempotency-key': 'ops-good-1' } })
  goodId = ((await good.json()) as { transactionId: string }).transactionId
  overBody = JSON.stringify(asn3pl('ASN-OVER', { qty10: 300, sscc: false }))
  const over = await h.call('POST', '/api/v1/asns', { key: h.keys.a, body: overBody })
  overId = ((await over.json()) as { transactionId: string }).transactionId
  // An X12 file from nobody we know: a payload-level exception (unknown_partner) to replay.
  const isa = 'ISA*00*          *00*          *ZZ*NOBODYKNOWN    *ZZ*OURCO          *250306*1200*U*00401*000000901*0*P*>~'
  const edi = `${isa}GS*SH*NOBODY*OURCO*20250306*1200*901*X*004010~ST*856*0001~BSN*00*X*20250306*1200~SE*3*0001~GE*1*901~IEA*1*000000901~`
  orphanId = (await h.ctx.receive({ transport: 'cli', filename: 'orphan.edi', body: Buffer.from(edi) })).messageId
  await h.drain()
})
afterAll(async () => {
  await h?.close()
})

const get = async <T = any>(path: string): Promise<T> => {
  const r = await h.call('GET', path, { token: h.token })
  expect(r.status, path).toBe(200)
  return (await r.json()) as T
}

describe('access', () => {
  const routes: [string, string][] = [
    ['GET', '/api/v1/ops/messages'], ['GET', '/api/v1/ops/messages/x'], ['GET', '/api/v1/ops/messages/x/raw'],
    ['GET', '/api/v1/ops/exceptions'], ['GET', '/api/v1/ops/exceptions/x'], ['POST', '/api/v1/ops/exceptions/x/assign'],
    ['POST', '/api/v1/ops/exceptions/x/resolve'], ['POST', '/api/v1/ops/exceptions/x/ignore'], ['POST', '/api/v1/ops/exceptions/x/replay'],
    ['GET', '/api/v1/ops/partners'], ['GET', '/api/v1/ops/purchase-orders'], ['GET', '/api/v1/ops/purchase-orders/PO-A1'],
    ['POST', '/api/v1/erp/purchase-orders'], ['GET', '/api/v1/erp/events'],
  ]
  it('every operator endpoint refuses partner keys and missing tokens', async () => {
    for (const [m, p] of routes) {
      for (const headers of [{ authorization: `Bearer ${h.keys.a}` }, { 'x-api-key': h.keys.a }, {}] as Record<string, string>[]) {
        const r = await h.call(m, p, { headers })
        expect(r.status, `${m} ${p}`).toBe(401)
      }
    }
  })
})

describe('messages', () => {
  it('search by partner, type, status, PO number, control number and date range', async () => {
    const ids = async (q: string) => (await get<{ messages: { id: string }[] }>(`/api/v1/ops/messages?${q}`)).messages.map((m) => m.id)
    expect(await ids('partner=supplier-a')).toEqual(expect.arrayContaining([goodId, overId]))
    expect(await ids('partner=supplier-b')).toEqual([])
    expect(await ids('type=asn')).toEqual(expect.arrayContaining([goodId, overId]))
    expect(await ids('po=PO-A1')).toEqual(expect.arrayContaining([goodId, overId]))
    expect(await ids('po=PO-B1')).toEqual([])
    expect(await ids('control=ops-good-1')).toEqual([goodId])
    expect(await ids('control=000000901')).toEqual([orphanId])
    expect(await ids('status=held')).toEqual([overId])
    expect(await ids('status=rejected')).toEqual([orphanId])
    expect(await ids(`from=${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}`)).toEqual([])
    expect((await ids(`from=2020-01-01&to=${new Date(Date.now() + 60_000).toISOString()}`)).length).toBe(3)
    const bad = await h.call('GET', '/api/v1/ops/messages?from=yesterday', { token: h.token })
    expect(bad.status).toBe(422)
  })

  it('lineage: payload → transactions → documents + match → exceptions, and the raw bytes', async () => {
    const l = await get(`/api/v1/ops/messages/${overId}`)
    expect(l.payload).toMatchObject({ id: overId, partnerId: 'supplier-a', transport: 'http', status: 'parsed' })
    expect(l.transactions).toHaveLength(1)
    expect(l.transactions[0]).toMatchObject({ standard: 'json', docType: 'asn', status: 'held' })
    expect(l.documents).toHaveLength(1)
    expect(l.documents[0]).toMatchObject({ kind: 'asn', status: 'held', poNumbers: ['PO-A1'] })
    expect(l.documents[0].match.lines.length).toBeGreaterThan(0)
    expect(l.exceptions.map((e: { code: string }) => e.code)).toEqual(expect.arrayContaining([expect.stringMatching(/^qty_/)]))
    // Translate and match run inside the parse job (pipeline/inline.ts): one job for the message.
    expect(l.jobs.map((j: { stage: string }) => j.stage)).toEqual(['parse'])
    const raw = await h.call('GET', `/api/v1/ops/messages/${overId}/raw`, { token: h.token })
    expect(raw.status).toBe(200)
    expect(raw.headers.get('content-disposition')).toMatch(/^attachment; filename="/)
    expect(Buffer.from(await raw.arrayBuffer()).toString('utf8')).toBe(overBody)
  })

  it('an EDI message keeps its interchange and issues in the lineage', async () => {
    const l = await get(`/api/v1/ops/messages/${orphanId}`)
    expect(l.payload.status).toBe('rejected')
    expect(l.exceptions.map((e: { code: string }) => e.code)).toContain('unknown_partner')
  })
})

describe('exceptions', () => {
  it('filters, assigns, resolves (releasing the held document) and the submission turns Success', async () => {
    const open = await get<{ exceptions: { id: string; code: string; state: string; documentId: string; explanation: string; ageSeconds: number }[] }>(
      `/api/v1/ops/exceptions?state=open&partner=supplier-a`)
    const mine = open.exceptions.filter((e) => e.code.startsWith('qty_'))
    expect(mine.length).toBeGreaterThan(0)
    expect(mine[0].explanation).toContain('PO-A1')
    expect(mine[0].ageSeconds).toBeGreaterThanOrEqual(0)
    const byCode = await get<{ exceptions: { code: string }[] }>(`/api/v1/ops/exceptions?code=${mine[0].code}`)
    expect(byCode.exceptions.every((e) => e.code === mine[0].code)).toBe(true)

    const assigned = await h.call('POST', `/api/v1/ops/exceptions/${mine[0].id}/assign`, { token: h.token, body: { assignee: 'dana', note: 'checking with the 3PL' } })
    expect(assigned.status).toBe(200)
    expect(((await assigned.json()) as { exception: { state: string; assignedTo: string } }).exception).toMatchObject({ state: 'assigned', assignedTo: 'dana' })
    expect((await h.call('POST', `/api/v1/ops/exceptions/${mine[0].id}/assign`, { token: h.token, body: {} })).status).toBe(422)

    const docId = mine[0].documentId
    const blocking = (await get<{ exceptions: { id: string; state: string }[] }>(`/api/v1/ops/exceptions?document=${docId}`)).exceptions
    let released = false
    for (const e of blocking) {
      const r = await h.call('POST', `/api/v1/ops/exceptions/${e.id}/resolve`, { token: h.token, body: { note: 'accepted over-shipment' } })
      expect(r.status).toBe(200)
      const j = (await r.json()) as { exception: { state: string }; released: boolean }
      expect(j.exception.state).toBe('resolved')
      released ||= j.released
    }
    expect(released).toBe(true)
    const [doc] = await h.gw.db.sql<{ status: string }[]>`select status from documents where id = ${docId}`
    expect(doc.status).toBe('released')
    const s = (await (await h.call('GET', `/api/v1/transactions/${overId}`, { key: h.keys.a })).json()) as { status: string }
    expect(s.status).toBe('Success')
  })

  it('ignore closes an exception; replay re-runs the stored message as a new one', async () => {
    const orphan = (await get<{ exceptions: { id: string; code: string }[] }>(`/api/v1/ops/exceptions?message=${orphanId}`)).exceptions
    expect(orphan.map((e) => e.code)).toContain('unknown_partner')
    const r = await h.call('POST', `/api/v1/ops/exceptions/${orphan[0].id}/replay`, { token: h.token })
    expect(r.status).toBe(202)
    const j = (await r.json()) as { action: string; messageId: string; exception: { state: string; note: string } }
    expect(j.action).toBe('replay')
    expect(j.messageId).not.toBe(orphanId)
    expect(j.exception.note).toContain(j.messageId)
    const [copy] = await h.gw.db.sql<{ meta: { replayOf?: string } }[]>`select meta from payloads where id = ${j.messageId}`
    expect(copy.meta.replayOf).toBe(orphanId)
    await h.drain()
    const again = (await get<{ exceptions: { id: string; code: string; state: string }[] }>(`/api/v1/ops/exceptions?message=${j.messageId}`)).exceptions
    expect(again.map((e) => e.code)).toContain('unknown_partner')
    const ig = await h.call('POST', `/api/v1/ops/exceptions/${again[0].id}/ignore`, { token: h.token })
    expect(ig.status).toBe(200)
    expect(((await ig.json()) as { exception: { state: string } }).exception.state).toBe('ignored')
    expect((await get<{ state: string }>(`/api/v1/ops/exceptions/${again[0].id}`)).state).toBe('ignored')
  })
})

describe('partners and purchase orders', () => {
  it('partner health: last message, open exceptions, certificate expiry', async () => {
    const { partners } = await get<{ partners: any[] }>('/api/v1/ops/partners')
    expect(partners.map((p) => p.id).sort()).toEqual(['limited', 'supplier-a', 'supplier-b', 'x12-partner'])
    const a = partners.find((p) => p.id === 'supplier-a')
    expect(a.lastMessageAt).not.toBeNull()
    expect(a.messages24h).toBeGreaterThanOrEqual(2)
    expect(a.inbound).toContain('api')
    if (a.certificates.length) {
      expect(a.certificates[0]).toMatchObject({ file: 'certs/supplier-a/as2.pem', subject: 'CN=supplier-a-as2' })
      expect(a.certificates[0].daysLeft).toBeGreaterThanOrEqual(8)
      expect(a.certificates[0].daysLeft).toBeLessThanOrEqual(10)
      expect(a.health).toBe('warning')
      expect(a.problems.join(' ')).toMatch(/certificate expires in \d+ day/)
    }
    const b = partners.find((p) => p.id === 'supplier-b')
    expect(b).toMatchObject({ health: 'ok', lastMessageAt: null, certificates: [] })
  })

  it('PO workflow: the PO with its ASNs and per-line match state', async () => {
    const w = await get(`/api/v1/ops/purchase-orders/PO-A1`)
    expect(w.purchaseOrder.poNumber).toBe('PO-A1')
    expect(w.stage).toBe('fulfilment')
    expect(w.shipments.map((s: { messageId: string }) => s.messageId)).toEqual(expect.arrayContaining([goodId, overId]))
    expect(w.lines.map((l: { lineNo: string }) => l.lineNo)).toEqual(['10', '20'])
    const line10 = w.lines[0]
    expect(line10.ordered).toEqual({ quantity: '120', uom: 'EA', unitPrice: '2.50' })
    expect(line10.asn.map((x: { state: string }) => x.state)).toEqual(expect.arrayContaining(['ok', 'exception']))
    const list = await get<{ purchaseOrders: { poNumber: string; asns: number }[] }>('/api/v1/ops/purchase-orders?partner=supplier-a')
    expect(list.purchaseOrders.find((p) => p.poNumber === 'PO-A1')!.asns).toBeGreaterThanOrEqual(2)
    expect((await h.call('GET', '/api/v1/ops/purchase-orders/NOPE', { token: h.token })).status).toBe(404)
  })
})
