/**
 * HTTP hardening (hardening issue, items 4-8), on the real routes, a real database schema and the
 * real pipeline (test/http/harness.ts):
 *   - /metrics needs the operator token or METRICS_TOKEN, and a scrape runs no SQL: it still
 *     answers, with the last background snapshot, while the database is gone;
 *   - /readyz says `database unavailable` and keeps the driver's error text in the log;
 *   - a PO of another supplier and a PO that does not exist get the same answer;
 *   - /api/v1/erp/events validates its query (400 problem+json, never 500);
 *   - repeated bad credentials from one source are throttled (429 + Retry-After), others are not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asn3pl, harness, type Harness } from '../http/harness.ts'

const from = (address: string) => ({ incoming: { socket: { remoteAddress: address } } })

describe('metrics and readiness', () => {
  let h: Harness
  const METRICS_TOKEN = 'metrics-0123456789abcdef-scraper'
  beforeAll(async () => {
    h = await harness({ env: { METRICS_TOKEN } })
  })
  afterAll(async () => {
    await h?.close()
  })

  it('/metrics refuses anonymous scrapes and partner keys, accepts the operator or metrics token', async () => {
    expect((await h.call('GET', '/metrics')).status).toBe(401)
    expect((await h.call('GET', '/metrics', { key: h.keys.a })).status).toBe(401)
    expect((await h.call('GET', '/metrics', { token: `${METRICS_TOKEN}x` })).status).toBe(401)
    expect((await h.call('GET', '/metrics', { token: h.token })).status).toBe(200)
    const r = await h.call('GET', '/metrics', { token: METRICS_TOKEN })
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
  })

  it('a scrape runs no SQL: with the database gone it still answers from the last snapshot; /readyz hides the error text', async () => {
    await h.call('POST', '/api/v1/asns', { key: h.keys.a, body: asn3pl('ASN-MET-1') })
    await h.drain()
    await h.ctx.metrics.refresh()
    await h.gw.db.close()
    const r = await h.call('GET', '/metrics', { token: h.token })
    expect(r.status).toBe(200)
    const text = await r.text()
    expect(text).toMatch(/^edi_messages\{partner="supplier-a",standard="json",type="asn",status="matched"\} 1$/m)
    expect(text).toMatch(/^edi_requests_total\{counter="api_requests"\} [1-9]/m)
    const ready = await h.call('GET', '/readyz')
    expect(ready.status).toBe(503)
    expect(await ready.json()).toEqual({ status: 'not_ready', database: 'unavailable' })
    expect(h.logs.some((l) => /readiness/.test(l) && /error/.test(l))).toBe(true)
  })
})

describe('API answers', () => {
  let h: Harness
  beforeAll(async () => {
    h = await harness()
  })
  afterAll(async () => {
    await h?.close()
  })

  it('a PO of another supplier and a PO that does not exist get the same answer', async () => {
    const foreign = asn3pl('ASN-ORACLE-1', { sscc: false }) // PO-A1 belongs to supplier-a
    const missing = asn3pl('ASN-ORACLE-2', { sscc: false })
    missing.orders[0].poNumber = 'PO-DOES-NOT-EXIST'
    const a = await h.call('POST', '/api/v1/asns', { key: h.keys.b, body: foreign })
    const b = await h.call('POST', '/api/v1/asns', { key: h.keys.b, body: missing })
    expect(a.status).toBe(b.status)
    const [ja, jb] = [(await a.json()) as Record<string, unknown>, (await b.json()) as Record<string, unknown>]
    expect(Object.keys(ja).sort()).toEqual(Object.keys(jb).sort())
    expect(JSON.stringify(ja)).not.toContain('PO-A1')
    await h.drain()
    // Later questions about the submissions cannot tell them apart either.
    const status = async (j: Record<string, unknown>) => {
      if (typeof j.transactionId !== 'string') return j
      const s = (await (await h.call('GET', `/api/v1/transactions/${j.transactionId}`, { key: h.keys.b })).json()) as { status: string; errors: { code: string }[] }
      return { status: s.status, codes: s.errors.map((e) => e.code) }
    }
    expect(await status(ja)).toEqual(await status(jb))
    // And supplier-a's PO was not touched by supplier-b's ASN.
    const docs = await h.gw.db.sql<{ status: string }[]>`select status from documents where partner_id = 'supplier-b'`
    expect(docs.every((d) => d.status !== 'matched')).toBe(true)
  })

  it('/api/v1/erp/events validates after and limit (400 problem+json)', async () => {
    const hostile = ['limit=-1', 'limit=0', 'limit=abc', 'limit=1.5', 'limit=1e9', 'limit=', 'after=-5', 'after=abc', 'after=1.5',
      'after=99999999999999999999999', 'after=0x10', 'limit=%00', 'after=1&after=2']
    for (const q of hostile) {
      const r = await h.call('GET', `/api/v1/erp/events?${q}`, { token: h.token })
      expect(r.status, q).toBe(400)
      expect(r.headers.get('content-type'), q).toBe('application/problem+json')
    }
    for (const q of ['', 'limit=1', 'after=0&limit=1000', 'after=12']) {
      const r = await h.call('GET', `/api/v1/erp/events?${q}`, { token: h.token })
      expect(r.status, q).toBe(200)
    }
  })
})

describe('bad credentials are throttled per source', () => {
  let h: Harness
  beforeAll(async () => {
    h = await harness({ env: { AUTH_FAILURE_LIMIT: '5' } })
  })
  afterAll(async () => {
    await h?.close()
  })
  const get = (path: string, authorization: string | undefined, address: string) =>
    Promise.resolve(h.app.request(path, { headers: authorization ? { authorization } : {} }, from(address)))

  it('operator token: 401 until the budget is spent, then 429 with Retry-After for that source only', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 8; i++) statuses.push((await get('/api/v1/ops/partners', `Bearer wrong-token-${i}`, '198.51.100.7')).status)
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401])
    expect(statuses.slice(5)).toEqual([429, 429, 429])
    const limited = await get('/api/v1/ops/partners', `Bearer ${h.token}`, '198.51.100.7')
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(limited.headers.get('content-type')).toBe('application/problem+json')
    expect((await get('/api/v1/ops/partners', `Bearer ${h.token}`, '198.51.100.8')).status).toBe(200)
    expect((await get('/api/v1/ops/partners', 'Bearer wrong', '198.51.100.8')).status).toBe(401)
    // Without TRUST_PROXY, X-Forwarded-For is the client's own words and changes nothing.
    const spoofed = await h.app.request('/api/v1/ops/partners', { headers: { authorization: 'Bearer wrong', 'x-forwarded-for': '192.0.2.1' } }, from('198.51.100.7'))
    expect(spoofed.status).toBe(429)
  })

  it('partner API keys too', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 7; i++) statuses.push((await get('/api/v1/purchase-orders', `Bearer nope-${i}`, '203.0.113.5')).status)
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429])
    expect((await get('/api/v1/purchase-orders', `Bearer ${h.keys.a}`, '203.0.113.6')).status).toBe(200)
  })
})

describe('behind a trusted reverse proxy (TRUST_PROXY=1)', () => {
  let h: Harness
  beforeAll(async () => {
    h = await harness({ env: { AUTH_FAILURE_LIMIT: '2', TRUST_PROXY: '1' } })
  })
  afterAll(async () => {
    await h?.close()
  })
  const viaProxy = (xff: string, authorization: string) =>
    Promise.resolve(h.app.request('/api/v1/erp/events', { headers: { authorization, 'x-forwarded-for': xff } }, from('10.0.0.2')))

  it('throttles the client the proxy saw, not the proxy, and ignores what the client wrote left of it', async () => {
    const attacker = [await viaProxy('203.0.113.9', 'Bearer a'), await viaProxy('1.1.1.1, 203.0.113.9', 'Bearer b'), await viaProxy('2.2.2.2, 203.0.113.9', 'Bearer c')]
    expect(attacker.map((r) => r.status)).toEqual([401, 401, 429])
    expect((await viaProxy('203.0.113.10', `Bearer ${h.token}`)).status).toBe(200)
  })
})
