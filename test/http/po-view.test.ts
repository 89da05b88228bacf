/**
 * Issue 16, the PO view through the operations API: one ASN with two 60 EA cartons of a line is
 * one 120 EA entry (summed per document and PO line), Ack is ticked only when an ack exists, a PO
 * not in the ERP reaches no stage, and the PO list has stage, value and requested date.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTablesErp } from '../../src/db/erp.ts'
import { asn3pl, harness, type Harness } from './harness.ts'

let h: Harness
beforeAll(async () => {
  h = await harness()
  await createTablesErp(h.gw.db.sql).upsertOrders([
    { poNumber: 'PO-A1', supplierId: 'supplier-a', status: 'open', currency: 'USD', requestedDate: '2025-03-07', lines: [
      { lineNo: '10', vendorPart: 'WID-10', gtin: '00614141000128', quantity: '120', uom: 'EA', unitPrice: '2.50', status: 'open' },
      { lineNo: '20', vendorPart: 'WID-20', quantity: '3', uom: 'CA', packSize: '12', unitPrice: '20.00', status: 'open' },
    ] },
  ])
  const good = await h.call('POST', '/api/v1/asns', { key: h.keys.a, body: asn3pl('ASN-PV-1') })
  expect(good.status).toBeLessThan(300)
  const orphan = JSON.parse(JSON.stringify(asn3pl('ASN-PV-2', { sscc: false })).replace(/"PO-A1"/g, '"PO-UNKNOWN-9"'))
  expect((await h.call('POST', '/api/v1/asns', { key: h.keys.a, body: orphan })).status).toBeLessThan(300)
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

describe('PO view', () => {
  it('sums an ASN per document and PO line: two 60 EA cartons are one 120 EA entry', async () => {
    const w = await get('/api/v1/ops/purchase-orders/PO-A1')
    const line10 = w.lines.find((l: { lineNo: string }) => l.lineNo === '10')
    expect(line10.asn).toHaveLength(1)
    expect(line10.asn[0]).toMatchObject({ businessKey: 'asn:ASN-PV-1', state: 'ok', items: ['1', '2'], qty: { qty: '120', uom: 'EA' } })
  })

  it('ticks only the stages a document exists for', async () => {
    const w = await get('/api/v1/ops/purchase-orders/PO-A1')
    expect(w.stage).toBe('fulfilment')
    expect(w.stages).toEqual({ acknowledged: false, fulfilment: true, billing: false })
  })

  it('a PO not in the ERP reaches no stage', async () => {
    const w = await get('/api/v1/ops/purchase-orders/PO-UNKNOWN-9')
    expect(w.purchaseOrder).toBeNull()
    expect(w.shipments).toHaveLength(1)
    expect(w.stage).toBe('not_in_erp')
    expect(w.stages).toEqual({ acknowledged: false, fulfilment: false, billing: false })
  })

  it('lists POs with stage, value and requested date', async () => {
    const list = await get<{ purchaseOrders: Record<string, unknown>[] }>('/api/v1/ops/purchase-orders?partner=supplier-a')
    const a1 = list.purchaseOrders.find((p) => p.poNumber === 'PO-A1')!
    expect(a1).toMatchObject({ stage: 'fulfilment', value: '360.00', requestedDate: '2025-03-07' })
    const a2 = list.purchaseOrders.find((p) => p.poNumber === 'PO-A2')!
    expect(a2).toMatchObject({ stage: 'pending', value: null, requestedDate: null })
  })
})

describe('exception replay outcome', () => {
  it('a replayed po_not_found says it is still held and why, and the exception stays open', async () => {
    const [exc] = (await get<{ exceptions: { id: string; code: string; documentId: string }[] }>('/api/v1/ops/exceptions?code=po_not_found')).exceptions
    expect(exc).toBeDefined()
    const r = await h.call('POST', `/api/v1/ops/exceptions/${exc.id}/replay`, { token: h.token })
    expect(r.status).toBe(202)
    const body = (await r.json()) as { action: string; outcome: { status: string; text: string; open: { code: string }[] } }
    expect(body.action).toBe('rematch')
    expect(body.outcome).toMatchObject({ status: 'waiting', text: 'still held: PO PO-UNKNOWN-9 not in the ERP', open: [{ code: 'po_not_found' }] })
    expect((await get(`/api/v1/ops/exceptions/${exc.id}`)).state).toBe('open')
  })

  it('a replay that clears the document says so', async () => {
    await createTablesErp(h.gw.db.sql).upsertOrders([
      { poNumber: 'PO-UNKNOWN-9', supplierId: 'supplier-a', status: 'open', currency: 'USD', lines: [
        { lineNo: '10', vendorPart: 'WID-10', gtin: '00614141000128', quantity: '120', uom: 'EA', unitPrice: '2.50', status: 'open' },
        { lineNo: '20', vendorPart: 'WID-20', quantity: '3', uom: 'CA', packSize: '12', unitPrice: '20.00', status: 'open' },
      ] },
    ])
    const [exc] = (await get<{ exceptions: { id: string }[] }>('/api/v1/ops/exceptions?code=po_not_found')).exceptions
    const r = await h.call('POST', `/api/v1/ops/exceptions/${exc.id}/replay`, { token: h.token })
    const body = (await r.json()) as { outcome: { status: string; text: string } }
    expect(body.outcome).toMatchObject({ status: 'matched', text: 'matched: no exception left' })
    expect((await get(`/api/v1/ops/exceptions/${exc.id}`)).state).toBe('resolved')
  })
})

describe('exception queue filters', () => {
  it('assigned items stay in the default (active) queue; mine and unassigned filter them', async () => {
    // Two more exceptions on a fresh orphan ASN (po_not_found), one assigned to ana.
    const orphan = JSON.parse(JSON.stringify(asn3pl('ASN-PV-3', { sscc: false })).replace(/"PO-A1"/g, '"PO-UNKNOWN-7"'))
    expect((await h.call('POST', '/api/v1/asns', { key: h.keys.a, body: orphan })).status).toBeLessThan(300)
    await h.drain()
    const [exc] = (await get<{ exceptions: { id: string }[] }>('/api/v1/ops/exceptions?code=po_not_found&state=open')).exceptions
    const a = await h.call('POST', `/api/v1/ops/exceptions/${exc.id}/assign`, { token: h.token, body: { assignee: 'ana' } })
    expect(a.status).toBe(200)
    const ids = async (q: string) => (await get<{ exceptions: { id: string }[] }>(`/api/v1/ops/exceptions?${q}`)).exceptions.map((e) => e.id)
    expect(await ids('state=active')).toContain(exc.id)
    expect(await ids('state=open')).not.toContain(exc.id)
    expect(await ids('state=active&assignee=ana')).toEqual([exc.id])
    expect(await ids('state=active&assignee=bob')).toEqual([])
    const unassigned = await ids('state=active&unassigned=true')
    expect(unassigned.length).toBeGreaterThan(0)
    expect(unassigned).not.toContain(exc.id)
    expect((await h.call('GET', '/api/v1/ops/exceptions?state=bogus', { token: h.token })).status).toBe(422)
  })
})

