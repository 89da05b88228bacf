/**
 * One casing across the operations and partner APIs: camelCase. Every JSON body of the endpoints
 * exercised here (submit, validation problem, status, purchase orders, outbox; message search,
 * lineage of a processed X12 message and of an API message, exceptions and their actions,
 * partners, PO list and view, ERP import and events) is walked, and no key may contain `_`
 * except inside the data subtrees named below, which hold stored JSON with its own schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insertDelivery } from '../../src/db/lineage.ts'
import { parsePurchaseOrders } from '../../src/erp/import.ts'
import { EXAMPLES } from '../../src/http/openapi-examples.ts'
import { asn3pl, harness, x12Asn, type Harness } from './harness.ts'

/**
 * Stored JSON passed through as it is: its keys are data, not column names of ours.
 * The value says why; the key is the property name the subtree hangs under.
 */
const DATA_SUBTREES: Record<string, string> = {
  doc: "a document's canonical content, written by the maps",
  match: 'the matching result stored on a document (its own schema, src/matching)',
  reason: 'an exception reason: structured data per code (src/exceptions/reasons.ts)',
  details: 'the exception reason again, as the partner status shows it',
  issues: 'parser issues as stored on interchanges and transactions',
  meta: 'transport metadata of a payload (AS2 headers, SFTP names, API docType)',
  outcome: "the parse outcome stored on a payload",
  receipt: 'a delivery receipt as the transport reported it (MDN fields, SFTP names)',
  lastError: "a job's or delivery's serialized error",
  payload: 'an ERP event payload (documented per event type); the lineage payload row is checked separately',
}

/** Paths of keys with `_` outside the data subtrees (the lineage's `payload` row is walked). */
export function snakeKeys(value: unknown, path = '$', out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v, i) => snakeKeys(v, `${path}[${i}]`, out))
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('_')) out.push(`${path}.${k}`)
      const lineagePayload = path === '$' && k === 'payload'
      if (k in DATA_SUBTREES && !lineagePayload) continue
      snakeKeys(v, `${path}.${k}`, out)
    }
  }
  return out
}

let h: Harness
const seen: { route: string; body: unknown }[] = []

async function json(route: string, method: string, path: string, opts: Parameters<Harness['call']>[2], status?: number) {
  const r = await h.call(method, path, opts)
  if (status !== undefined) expect(r.status, `${route}: ${await r.clone().text()}`).toBe(status)
  const body = await r.json()
  seen.push({ route, body })
  return body as any
}

let apiMsg: string
let x12Msg: string

beforeAll(async () => {
  h = await harness()
  const key = h.keys.a
  // Partner API: submit (one matching ASN, one over-shipment that raises exceptions), a 422.
  apiMsg = (await json('POST /api/v1/asns', 'POST', '/api/v1/asns', { key, body: asn3pl('ASN-CASE-1') }, 202)).transactionId
  const over = (await json('POST /api/v1/asns (held)', 'POST', '/api/v1/asns', { key, body: asn3pl('ASN-CASE-2', { qty10: 300, sscc: false }) }, 202)).transactionId
  await json('POST /api/v1/asns (invalid)', 'POST', '/api/v1/asns', { key, body: { asnNumber: 'X', orders: [{ poNumber: 'PO-A1', lines: [{ qty: 'many' }] }] } }, 422)
  x12Msg = (await h.ctx.receive({ transport: 'sftp', partnerId: 'x12-partner', filename: 'asn.edi', body: x12Asn() })).messageId
  await h.drain()
  await json('GET /api/v1/transactions/{id}', 'GET', `/api/v1/transactions/${over}`, { key }, 200)
  await json('GET /api/v1/purchase-orders', 'GET', '/api/v1/purchase-orders', { key }, 200)
  const file = await insertDelivery(h.db.sql, {
    partnerId: 'supplier-a', kind: 'ack', docType: '997', parentTable: 'interchanges', parentId: 'icn_x', destination: 'api',
    bytes: Buffer.from('ISA~'), filename: '997.x12', contentType: 'application/edi-x12', controlNumber: '7', status: 'queued',
  })
  await json('GET /api/v1/outbox', 'GET', '/api/v1/outbox', { key }, 200)
  await json('POST /api/v1/outbox/{id}/received', 'POST', `/api/v1/outbox/${file}/received`, { key }, 200)
})
afterAll(async () => {
  await h?.close()
})

describe('operations and partner APIs answer in camelCase', () => {
  it('every JSON body exercised has camelCase keys outside the named data subtrees', async () => {
    const token = h.token
    const ops = (route: string, method: string, path: string, body?: unknown, status: number | null = 200) =>
      json(route, method, path, { token, body }, status ?? undefined)
    await ops('GET /api/v1/ops/messages', 'GET', '/api/v1/ops/messages')
    for (const id of [x12Msg, apiMsg]) await ops('GET /api/v1/ops/messages/{id}', 'GET', `/api/v1/ops/messages/${id}`)
    const { exceptions } = await ops('GET /api/v1/ops/exceptions', 'GET', '/api/v1/ops/exceptions?state=open')
    expect(exceptions.length).toBeGreaterThanOrEqual(2)
    await ops('GET /api/v1/ops/exceptions/{id}', 'GET', `/api/v1/ops/exceptions/${exceptions[0].id}`)
    await ops('POST /api/v1/ops/exceptions/{id}/assign', 'POST', `/api/v1/ops/exceptions/${exceptions[0].id}/assign`, { assignee: 'dana' })
    await ops('POST /api/v1/ops/exceptions/{id}/resolve', 'POST', `/api/v1/ops/exceptions/${exceptions[0].id}/resolve`, { note: 'ok' })
    await ops('POST /api/v1/ops/exceptions/{id}/replay', 'POST', `/api/v1/ops/exceptions/${exceptions[1].id}/replay`, undefined, 202)
    await ops('GET /api/v1/ops/partners', 'GET', '/api/v1/ops/partners')
    await ops('GET /api/v1/ops/purchase-orders', 'GET', '/api/v1/ops/purchase-orders')
    await ops('GET /api/v1/ops/purchase-orders/{po}', 'GET', '/api/v1/ops/purchase-orders/PO-A1')
    // Its status is the next test's business; here only the body's keys count.
    await ops('POST /api/v1/erp/purchase-orders', 'POST', '/api/v1/erp/purchase-orders',
      [{ poNumber: 'PO-CASE-1', line: '1', supplier: 'supplier-a', vendorPart: 'WID-10', quantity: '5', uom: 'EA', unitPrice: '2.50' }], null)
    await ops('GET /api/v1/erp/events', 'GET', '/api/v1/erp/events')

    // The bodies are not trivially empty: the walk covers the lineage rows, deliveries and jobs.
    const lineage = seen.find((s) => s.route === 'GET /api/v1/ops/messages/{id}')!.body as any
    expect(lineage.interchanges.length).toBe(1)
    expect(lineage.deliveries.length).toBeGreaterThan(0)
    expect(lineage.jobs.length).toBeGreaterThan(0)
    const po = seen.find((s) => s.route === 'GET /api/v1/ops/purchase-orders/{po}')!.body as any
    expect(po.shipments.some((d: { exceptions: unknown[] }) => d.exceptions.length > 0)).toBe(true)

    const bad = seen.flatMap((s) => snakeKeys(s.body).map((p) => `${s.route} ${p}`))
    expect(bad).toEqual([])
  })

  it('the walk itself finds snake_case keys and skips only the named data subtrees', () => {
    expect(snakeKeys({ payload: { partner_id: 'x', meta: { as2_from: 'y' } }, documents: [{ business_key: 'k', doc: { po_number: '1' } }] }))
      .toEqual(['$.payload.partner_id', '$.documents[0].business_key'])
    expect(snakeKeys({ events: [{ poNumber: '1', payload: { line_no: '1' } }] })).toEqual([])
  })

  it('the ERP import takes camelCase fields; the CSV names still work as deprecated aliases', async () => {
    const post = (rows: unknown) => h.call('POST', '/api/v1/erp/purchase-orders', { token: h.token, body: rows })
    expect((await post([{ poNumber: 'PO-CASE-2', line: '1', supplier: 'supplier-a', quantity: '1', uom: 'EA', requestedDate: '2025-04-01' }])).status).toBe(200)
    expect((await post([{ po_number: 'PO-CASE-3', line: '1', supplier: 'supplier-a', quantity: '1', uom: 'EA', requested_date: '2025-04-02' }])).status).toBe(200)
    const rows = await h.db.sql<{ po_number: string; requested_date: string }[]>`
      select po_number, requested_date from erp_purchase_orders where po_number in ('PO-CASE-2', 'PO-CASE-3') order by po_number`
    expect(rows.map((r) => [r.po_number, String(r.requested_date)])).toEqual([['PO-CASE-2', '2025-04-01'], ['PO-CASE-3', '2025-04-02']])
    // Errors name the field as the caller spelled it; both spellings of one field is an error.
    const wrong = await post([{ poNumber: 'PO-CASE-4', line: '1', supplier: 'supplier-a', quantity: 'lots', uom: 'EA' }])
    expect(wrong.status).toBe(422)
    expect(((await wrong.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['quantity'])
    const both = await post([{ poNumber: 'PO-CASE-5', po_number: 'PO-CASE-5', line: '1', supplier: 'supplier-a', quantity: '1', uom: 'EA' }])
    expect(both.status).toBe(422)
    const aliasErr = await post([{ po_number: 'PO-CASE-6', line: '1', supplier: 'supplier-a', quantity: '1', uom: 'EA', unit_price: 'x' }])
    expect(((await aliasErr.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['unit_price'])
  })

  it('the examples on /docs show the same casing, and the ERP example rows import', () => {
    const bad = Object.entries(EXAMPLES).flatMap(([route, ex]) => [...snakeKeys(ex.response), ...snakeKeys(ex.body ?? null)].map((p) => `${route} ${p}`))
    expect(bad).toEqual([])
    const erp = EXAMPLES['POST /api/v1/erp/purchase-orders']
    expect(parsePurchaseOrders(JSON.stringify(erp.body), 'json').errors).toEqual([])
  })
})
