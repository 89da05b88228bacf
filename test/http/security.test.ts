/**
 * Hostile input and secrets: SQL-looking, unicode, NUL and oversized ids in every path parameter
 * never give a 500 and never match a row; request bodies over the limit are 413 and store
 * nothing; neither partner keys, the operator token nor payload contents appear in any response
 * or captured log line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asn3pl, harness, type Harness } from './harness.ts'

let h: Harness
const seen: string[] = []
const MARKER = 'CONTENT-MARKER-7f3a9c'

beforeAll(async () => {
  h = await harness({ bodyLimit: 16 * 1024 })
})
afterAll(async () => {
  await h?.close()
})

async function call(method: string, path: string, o: Parameters<Harness['call']>[2] = {}) {
  const r = await h.call(method, path, o)
  const text = await r.clone().text()
  seen.push(`${method} ${path} ${r.status} ${[...r.headers].map(([k, v]) => `${k}:${v}`).join(' ')} ${text}`)
  return r
}

const HOSTILE = [
  "' or 1=1 --",
  "1'; drop table payloads; --",
  '" or ""="',
  'msg_%27%20or%201%3D1',
  'ü💥\u202e٣',
  '%00',
  '%E0%A4%A',
  '..%2F..%2Fetc%2Fpasswd',
  'x'.repeat(3000),
  '*',
]

describe('hostile ids', () => {
  it('every path parameter: never 500, never another row', async () => {
    await call('POST', '/api/v1/asns', { key: h.keys.a, body: asn3pl('ASN-H1', { sscc: false }) })
    const before = await h.gw.db.sql<{ n: number }[]>`select count(*)::int as n from payloads`
    const routes: [string, string, { key?: string; token?: string }][] = [
      ['GET', '/api/v1/transactions/:id', { key: h.keys.a }],
      ['GET', '/api/v1/ops/messages/:id', { token: h.token }],
      ['GET', '/api/v1/ops/messages/:id/raw', { token: h.token }],
      ['GET', '/api/v1/ops/exceptions/:id', { token: h.token }],
      ['POST', '/api/v1/ops/exceptions/:id/assign', { token: h.token }],
      ['POST', '/api/v1/ops/exceptions/:id/resolve', { token: h.token }],
      ['POST', '/api/v1/ops/exceptions/:id/ignore', { token: h.token }],
      ['POST', '/api/v1/ops/exceptions/:id/replay', { token: h.token }],
      ['GET', '/api/v1/ops/purchase-orders/:id', { token: h.token }],
      ['GET', '/console/:id', {}],
    ]
    for (const [m, p, auth] of routes) {
      for (const v of HOSTILE) {
        const path = p.replace(':id', v.startsWith('%') || v.includes('%') ? v : encodeURIComponent(v))
        const r = await call(m, path, { ...auth, body: m === 'POST' ? { assignee: 'x' } : undefined })
        expect(r.status, `${m} ${path.slice(0, 80)}`).not.toBe(500)
        expect([404, 400, 422], `${m} ${path.slice(0, 80)} → ${r.status}`).toContain(r.status)
      }
    }
    const after = await h.gw.db.sql<{ n: number }[]>`select count(*)::int as n from payloads`
    expect(after[0].n).toBe(before[0].n)
  })

  it('hostile query parameters are rejected or match nothing', async () => {
    for (const v of HOSTILE) {
      for (const q of ['partner', 'type', 'status', 'po', 'control']) {
        const r = await call('GET', `/api/v1/ops/messages?${q}=${encodeURIComponent(v)}`, { token: h.token })
        expect(r.status).not.toBe(500)
        if (r.status === 200) expect(((await r.json()) as { messages: unknown[] }).messages).toEqual([])
      }
      const e = await call('GET', `/api/v1/ops/exceptions?code=${encodeURIComponent(v)}&partner=${encodeURIComponent(v)}`, { token: h.token })
      expect(e.status).not.toBe(500)
      const po = await call('GET', `/api/v1/purchase-orders?after=${encodeURIComponent(v)}`, { key: h.keys.a })
      expect(po.status).not.toBe(500)
    }
  })
})

describe('limits', () => {
  it('a body over the limit is 413 problem+json and nothing is stored', async () => {
    const before = await h.gw.db.sql<{ n: number }[]>`select count(*)::int as n from payloads`
    const big = asn3pl('ASN-BIG', { sscc: false }) as { carrier: Record<string, string> }
    big.carrier.name = 'x'.repeat(20 * 1024)
    const r = await call('POST', '/api/v1/asns', { key: h.keys.a, body: big })
    expect(r.status).toBe(413)
    expect(r.headers.get('content-type')).toBe('application/problem+json')
    const after = await h.gw.db.sql<{ n: number }[]>`select count(*)::int as n from payloads`
    expect(after[0].n).toBe(before[0].n)
  })
})

describe('secrets and payload contents', () => {
  it('never appear in responses or logs', async () => {
    const body = asn3pl('ASN-SECRET', { sscc: false }) as { carrier: Record<string, string> }
    body.carrier.name = MARKER
    await call('POST', '/api/v1/asns', { key: h.keys.a, body })
    await call('POST', '/api/v1/asns', { key: `${h.keys.a}x`, body })
    await call('GET', '/api/v1/purchase-orders', { headers: { 'x-api-key': h.keys.b } })
    await call('GET', '/api/v1/ops/partners', { token: h.token })
    await call('GET', '/api/v1/ops/partners', { token: `${h.token}x` })
    await call('GET', '/api/v1/ops/messages', { key: h.keys.a })
    await call('GET', '/openapi.json')
    await call('GET', '/docs')
    await call('GET', '/metrics')
    await call('GET', '/')
    await h.drain()
    const haystacks = [...seen, ...h.logs]
    expect(h.logs.length).toBeGreaterThan(0)
    for (const secret of [h.keys.a, h.keys.b, h.keys.limited, h.token]) {
      for (const s of haystacks) expect(s.includes(secret), s.slice(0, 120)).toBe(false)
    }
    for (const l of h.logs) expect(l.includes(MARKER), l.slice(0, 200)).toBe(false)
  })
})
