/**
 * Supplier/3PL API contract: authentication, cross-partner isolation, idempotency and the 409,
 * problem+json field paths, limits (429, 413), and the asynchronous status after the real
 * pipeline (parse → translate → match) has run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asn3pl, harness, type Harness } from './harness.ts'

let h: Harness
beforeAll(async () => {
  h = await harness()
})
afterAll(async () => {
  await h?.close()
})

describe('authentication', () => {
  it('refuses missing, wrong and operator credentials with problem+json 401', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope-nope-nope' }, { 'x-api-key': 'nope' }, { authorization: `Bearer ${'x'}` }] as Record<string, string>[]) {
      const r = await h.call('GET', '/api/v1/purchase-orders', { headers })
      expect(r.status).toBe(401)
      expect(r.headers.get('content-type')).toBe('application/problem+json')
    }
    // The operator token is not a partner key.
    expect((await h.call('GET', '/api/v1/purchase-orders', { token: h.token })).status).toBe(401)
  })

  it('accepts the key as Bearer or x-api-key', async () => {
    expect((await h.call('GET', '/api/v1/purchase-orders', { key: h.keys.a })).status).toBe(200)
    expect((await h.call('GET', '/api/v1/purchase-orders', { headers: { 'x-api-key': h.keys.a } })).status).toBe(200)
  })
})

describe('submit and status through the pipeline', () => {
  it('202 with a transaction id, Processing until the pipeline ran, then Success', async () => {
    const r = await h.call('POST', '/api/v1/asns', { key: h.keys.a, body: asn3pl('ASN-OK-1') })
    expect(r.status).toBe(202)
    const { transactionId } = (await r.json()) as { transactionId: string }
    expect(transactionId).toMatch(/^msg_/)
    expect(r.headers.get('location')).toBe(`/api/v1/transactions/${transactionId}`)
    const before = (await (await h.call('GET', `/api/v1/transactions/${transactionId}`, { key: h.keys.a })).json()) as { status: string }
    expect(before.status).toBe('Processing')
    await h.drain()
    const after = (await (await h.call('GET', `/api/v1/transactions/${transactionId}`, { key: h.keys.a })).json()) as {
      status: string; documents: { kind: string; status: string; poNumbers: string[] }[]; errors: unknown[]
    }
    expect(after.errors).toEqual([])
    expect(after.status).toBe('Success')
    expect(after.documents).toEqual([expect.objectContaining({ kind: 'asn', status: 'matched', poNumbers: ['PO-A1'] })])
  })

  it('a match exception makes the transaction a Failure whose reasons are explained', async () => {
    const r = await h.call('POST', '/api/v1/asns', { key: h.keys.a, body: asn3pl('ASN-OVER-1', { qty10: 200, sscc: false }) })
    expect(r.status).toBe(202)
    const { transactionId } = (await r.json()) as { transactionId: string }
    await h.drain()
    const s = (await (await h.call('GET', `/api/v1/transactions/${transactionId}`, { key: h.keys.a })).json()) as {
      status: string; errors: { code: string; message: string; state: string }[]
    }
    expect(s.status).toBe('Failure')
    const codes = s.errors.map((e) => e.code)
    expect(codes.some((c) => c === 'qty_out_of_tolerance' || c === 'qty_over_remaining')).toBe(true)
    for (const e of s.errors) expect(e.message.length).toBeGreaterThan(20)
    expect(s.errors.find((e) => e.code.startsWith('qty_'))!.message).toContain('PO-A1')
  })

  it('the SP-API shapes are accepted on their endpoints', async () => {
    const ack = {
      acknowledgements: [{
        purchaseOrderNumber: 'PO-A2', sellingParty: { partyId: 'SUPA' }, acknowledgementDate: '2025-03-05T10:00:00Z',
        items: [{ itemSequenceNumber: '1', vendorProductIdentifier: 'WID-10', orderedQuantity: { amount: 5, unitOfMeasure: 'Eaches' },
          itemAcknowledgements: [{ acknowledgementCode: 'Accepted', acknowledgedQuantity: { amount: 5, unitOfMeasure: 'Eaches' } }] }],
      }],
    }
    const r = await h.call('POST', '/api/v1/acknowledgements', { key: h.keys.a, body: ack })
    expect(r.status).toBe(202)
    const { transactionId } = (await r.json()) as { transactionId: string }
    const [row] = await h.gw.db.sql<{ meta: Record<string, unknown>; partner_id: string; transport: string }[]>`
      select meta, partner_id, transport from payloads where id = ${transactionId}`
    expect(row).toMatchObject({ partner_id: 'supplier-a', transport: 'http', meta: { docType: 'acknowledgement', version: 'v1', shape: 'spapi' } })
  })
})

describe('cross-partner isolation', () => {
  it('another partner cannot read a transaction (404) and an unknown id is 404 too', async () => {
    const r = await h.call('POST', '/api/v1/asns', { key: h.keys.a, body: asn3pl('ASN-ISO-1', { sscc: false }) })
    const { transactionId } = (await r.json()) as { transactionId: string }
    expect((await h.call('GET', `/api/v1/transactions/${transactionId}`, { key: h.keys.b })).status).toBe(404)
    expect((await h.call('GET', `/api/v1/transactions/${transactionId}`, { key: h.keys.a })).status).toBe(200)
    expect((await h.call('GET', '/api/v1/transactions/msg_doesnotexist', { key: h.keys.a })).status).toBe(404)
  })

  it('cannot post as another partner nor about another supplier\'s PO', async () => {
    const asPartner = await h.call('POST', '/api/v1/asns', { key: h.keys.b, body: asn3pl('ASN-X', { sscc: false }), headers: { 'x-partner-id': 'supplier-a' } })
    expect(asPartner.status).toBe(403)
    // Another supplier's PO is answered like a PO that does not exist (no oracle for PO numbers),
    // and matching never uses it: the ASN waits with po_not_found, PO-A1 is untouched.
    const foreign = await h.call('POST', '/api/v1/asns', { key: h.keys.b, body: asn3pl('ASN-X2', { sscc: false }) })
    expect(foreign.status).toBe(202)
    expect(JSON.stringify(await foreign.json())).not.toContain('PO-A1')
    await h.drain()
    const docs = await h.gw.db.sql<{ status: string }[]>`select status from documents where partner_id = 'supplier-b' and business_key = 'asn:ASN-X2'`
    expect(docs.map((d) => d.status)).toEqual(['waiting'])
    const codes = await h.gw.db.sql<{ code: string }[]>`select e.code from exceptions e join documents d on d.id = e.document_id where d.business_key = 'asn:ASN-X2'`
    expect(codes.map((c) => c.code)).toEqual(['po_not_found'])
  })

  it('lists only the caller\'s open purchase orders, paged by cursor', async () => {
    const b = (await (await h.call('GET', '/api/v1/purchase-orders', { key: h.keys.b })).json()) as { purchaseOrders: { poNumber: string }[] }
    expect(b.purchaseOrders.map((p) => p.poNumber)).toEqual(['PO-B1'])
    const p1 = (await (await h.call('GET', '/api/v1/purchase-orders?limit=1', { key: h.keys.a })).json()) as { purchaseOrders: { poNumber: string; lines: unknown[] }[]; next: string }
    expect(p1.purchaseOrders.map((p) => p.poNumber)).toEqual(['PO-A1'])
    expect(p1.purchaseOrders[0].lines).toHaveLength(2)
    expect(p1.next).toBe('PO-A1')
    const p2 = (await (await h.call('GET', `/api/v1/purchase-orders?limit=1&after=${p1.next}`, { key: h.keys.a })).json()) as { purchaseOrders: { poNumber: string }[]; next: string | null }
    expect(p2.purchaseOrders.map((p) => p.poNumber)).toEqual(['PO-A2'])
    expect(p2.next).toBeNull()
    expect((await h.call('GET', '/api/v1/purchase-orders?limit=0', { key: h.keys.a })).status).toBe(422)
  })
})

describe('idempotency', () => {
  it('a replay with the same key returns the first answer; another body is 409', async () => {
    const body = asn3pl('ASN-IDEM-1', { sscc: false })
    const headers = { 'idempotency-key': 'idem-123' }
    const first = await h.call('POST', '/api/v1/asns', { key: h.keys.a, body, headers })
    const second = await h.call('POST', '/api/v1/asns', { key: h.keys.a, body, headers })
    expect(first.status).toBe(202)
    expect(second.status).toBe(202)
    expect(second.headers.get('idempotent-replayed')).toBe('true')
    expect(await second.json()).toEqual(await first.json())
    const conflict = await h.call('POST', '/api/v1/asns', { key: h.keys.a, body: asn3pl('ASN-IDEM-2', { sscc: false }), headers })
    expect(conflict.status).toBe(409)
    expect(conflict.headers.get('content-type')).toBe('application/problem+json')
    const [n] = await h.gw.db.sql<{ n: number }[]>`select count(*)::int as n from payloads where external_id = 'idem-123'`
    expect(n.n).toBe(1)
  })

  it('keys are per partner and must be visible ASCII', async () => {
    const headers = { 'idempotency-key': 'shared-key' }
    const a = await h.call('POST', '/api/v1/asns', { key: h.keys.a, body: asn3pl('ASN-SHARED-A', { sscc: false }), headers })
    const bBody = { asnNumber: 'ASN-SHARED-B', shippedAt: '2025-03-06', orders: [{ poNumber: 'PO-B1', lines: [{ poLine: 1, sku: 'B-1', qty: 10, uom: 'EA' }] }] }
    const b = await h.call('POST', '/api/v1/asns', { key: h.keys.b, body: bBody, headers })
    expect(a.status).toBe(202)
    expect(b.status).toBe(202)
    const [ida, idb] = [((await a.json()) as { transactionId: string }).transactionId, ((await b.json()) as { transactionId: string }).transactionId]
    expect(ida).not.toBe(idb)
    const bad = await h.call('POST', '/api/v1/asns', { key: h.keys.a, body: asn3pl('ASN-K', { sscc: false }), headers: { 'idempotency-key': 'has space' } })
    expect(bad.status).toBe(400)
  })
})

describe('problem+json validation errors', () => {
  it('lists each bad field by JSON path and pointer', async () => {
    const body = asn3pl('ASN-BAD', { sscc: false }) as Record<string, any>
    body.orders[0].cartons[0].lines[0].qty = 'twelve'
    delete body.shippedAt
    body.shipTo = { gln: '123' }
    const r = await h.call('POST', '/api/v1/asns', { key: h.keys.a, body })
    expect(r.status).toBe(422)
    expect(r.headers.get('content-type')).toBe('application/problem+json')
    const p = (await r.json()) as { status: number; errors: { path: string; pointer: string; message: string }[] }
    expect(p.status).toBe(422)
    const paths = p.errors.map((e) => e.path)
    expect(paths).toContain('$.shippedAt')
    expect(paths).toContain('$.shipTo.gln')
    expect(paths).toContain('$.orders[0].cartons[0].lines[0].qty')
    expect(p.errors.find((e) => e.path === '$.shipTo.gln')!.pointer).toBe('/shipTo/gln')
  })

  it('malformed JSON is a 400 problem, an empty SP-API collection a 422', async () => {
    const r = await h.call('POST', '/api/v1/invoices', { key: h.keys.a, body: '{"invoices": [' })
    expect(r.status).toBe(400)
    expect(r.headers.get('content-type')).toBe('application/problem+json')
    const e = await h.call('POST', '/api/v1/invoices', { key: h.keys.a, body: { invoices: [] } })
    expect(e.status).toBe(422)
    expect(((await e.json()) as { errors: { path: string }[] }).errors[0].path).toBe('$.invoices')
  })
})

describe('limits', () => {
  it('rate limit per partner: 429 with Retry-After once the bucket is empty', async () => {
    const statuses: number[] = []
    let last: Response | undefined
    for (let i = 0; i < 5; i++) {
      last = await h.call('GET', '/api/v1/purchase-orders', { key: h.keys.limited })
      statuses.push(last.status)
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200])
    expect(statuses[4]).toBe(429)
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(last!.headers.get('content-type')).toBe('application/problem+json')
    // Another partner is not affected.
    expect((await h.call('GET', '/api/v1/purchase-orders', { key: h.keys.b })).status).toBe(200)
  })
})
