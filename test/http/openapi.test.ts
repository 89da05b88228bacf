/**
 * /openapi.json is a structurally valid OpenAPI 3.1 document that covers every route the app
 * installs (compared against app.routes), every $ref resolves, every templated path declares its
 * parameters; /docs renders every operation; /metrics is valid Prometheus text; the console is
 * served with a CSP and loads nothing from the internet.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONSOLE_DIR } from '../../src/http/routes/console.ts'
import { asn3pl, harness, type Harness } from './harness.ts'
import { enqueue } from '../../src/db/jobs.ts'

let h: Harness
let doc: any
beforeAll(async () => {
  h = await harness()
  const r = await h.call('GET', '/openapi.json')
  expect(r.status).toBe(200)
  doc = await r.json()
})
afterAll(async () => {
  await h?.close()
})

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options']

describe('OpenAPI document', () => {
  it('has the 3.1 top-level structure', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/)
    expect(typeof doc.info.title).toBe('string')
    expect(typeof doc.info.version).toBe('string')
    expect(Object.keys(doc.paths).length).toBeGreaterThan(20)
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      expect(path.startsWith('/'), path).toBe(true)
      for (const [method, op] of Object.entries<any>(item)) {
        expect(METHODS, `${method} ${path}`).toContain(method)
        expect(Object.keys(op.responses ?? {}).length, `${method} ${path}`).toBeGreaterThan(0)
        for (const code of Object.keys(op.responses)) expect(code).toMatch(/^([1-5]\d\d|default)$/)
        const declared = new Set((op.parameters ?? []).filter((p: any) => p.in === 'path').map((p: any) => p.name))
        const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])
        expect([...declared].sort(), `${method} ${path}`).toEqual([...templated].sort())
        for (const p of op.parameters ?? []) {
          expect(['query', 'header', 'path', 'cookie']).toContain(p.in)
          if (p.in === 'path') expect(p.required).toBe(true)
          expect(p.schema, `${p.name}`).toBeTypeOf('object')
        }
        for (const s of op.security ?? []) for (const name of Object.keys(s)) expect(doc.components.securitySchemes[name], name).toBeDefined()
      }
    }
  })

  it('every $ref resolves inside the document', () => {
    const refs: string[] = []
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk)
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) (k === '$ref' ? refs.push(x as string) : walk(x))
      }
    }
    walk(doc)
    expect(refs.length).toBeGreaterThan(5)
    for (const r of refs) {
      expect(r.startsWith('#/'), r).toBe(true)
      const target = r.slice(2).split('/').reduce((o: any, k) => o?.[k], doc)
      expect(target, r).toBeTypeOf('object')
    }
  })

  it('covers every installed route (app.routes)', () => {
    const installed = new Set(
      h.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`)
    )
    expect(installed.size).toBeGreaterThan(20)
    const documented = new Set(Object.entries<any>(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m} ${p}`)))
    const missing = [...installed].filter((r) => !documented.has(r))
    expect(missing).toEqual([])
  })

  it('request schemas come from the validators: the 3PL ASN requires asnNumber, shippedAt, orders', () => {
    const s = doc.components.schemas.ThreePlAsn
    expect(s.required).toEqual(expect.arrayContaining(['asnNumber', 'shippedAt', 'orders']))
    expect(doc.paths['/api/v1/asns'].post.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/ThreePlAsn')
  })

  it('/docs renders every operation as self-contained HTML', async () => {
    const r = await h.call('GET', '/docs')
    expect(r.headers.get('content-type')).toMatch(/^text\/html/)
    const html = await r.text()
    for (const path of Object.keys(doc.paths)) expect(html).toContain(`<code>${path.replace(/&/g, '&amp;')}</code>`)
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="https?:/)
  })
})

describe('metrics', () => {
  it('Prometheus text with messages, backlog, queue depth, latency histogram and request counters', async () => {
    await h.call('POST', '/api/v1/asns', { key: h.keys.a, body: asn3pl('ASN-M1') })
    await h.call('POST', '/api/v1/asns', { key: h.keys.a, body: asn3pl('ASN-M2', { qty10: 500, sscc: false }) })
    // Gauges come from the background snapshot (a scrape runs no SQL): refresh it as the loop would.
    await h.ctx.metrics.refresh()
    const queued = await (await h.call('GET', '/metrics', { token: h.token })).text()
    expect(queued).toMatch(/^edi_queue_depth\{stage="parse",state="created"\} 2$/m)
    expect(queued).toMatch(/^edi_queue_due\{stage="parse",state="created"\} 2$/m)
    // A job scheduled for later (a recheck, a retry in its backoff) is queued but not due.
    const later = await enqueue(h.ctx.sql, 'metrics-later', {}, { delayMs: 3_600_000 })
    await h.ctx.metrics.refresh()
    const scheduled = await (await h.call('GET', '/metrics', { token: h.token })).text()
    expect(scheduled).toMatch(/^edi_queue_depth\{stage="metrics-later",state="created"\} 1$/m)
    expect(scheduled).toMatch(/^edi_queue_due\{stage="metrics-later",state="created"\} 0$/m)
    await h.ctx.sql`delete from jobs where id = ${later!}`
    await h.drain()
    await h.ctx.metrics.refresh()
    const r = await h.call('GET', '/metrics', { token: h.token })
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await r.text()
    for (const line of text.trim().split('\n')) {
      expect(line, line).toMatch(/^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\{([a-z_]+="[^"\\]*(\\.[^"\\]*)*",?)*\})? -?[0-9.e+-]+)$/)
    }
    expect(text).toMatch(/^edi_messages\{partner="supplier-a",standard="json",type="asn",status="matched"\} 1$/m)
    expect(text).toMatch(/^edi_messages\{partner="supplier-a",standard="json",type="asn",status="held"\} 1$/m)
    expect(text).toMatch(/^edi_exceptions_open\{queue="matching",code="qty_[a-z_]+",severity="error"\} [1-9]/m)
    expect(text).toMatch(/^edi_processing_seconds_count 2$/m)
    expect(text).toMatch(/^edi_processing_seconds_bucket\{le="\+Inf"\} 2$/m)
    const buckets = [...text.matchAll(/^edi_processing_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)].map((m) => Number(m[2]))
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b))
    expect(text).toMatch(/^edi_requests_total\{counter="api_requests"\} [1-9]/m)
  })
})

describe('console', () => {
  it('GET / serves the page with a CSP; assets are same-origin only', async () => {
    const r = await h.call('GET', '/')
    expect(r.status).toBe(200)
    expect(r.headers.get('content-security-policy')).toContain("script-src 'self'")
    const html = await r.text()
    expect(html).toContain('/console/app.js')
    for (const f of readdirSync(CONSOLE_DIR)) {
      const text = readFileSync(join(CONSOLE_DIR, f), 'utf8')
      expect(text, f).not.toMatch(/(src|href)=["']?(https?:)?\/\//)
      expect(text, f).not.toMatch(/import [^;]*from ['"](https?:|\/\/)/)
      expect(text, f).not.toMatch(/@import\s+url\(/)
      if (f.endsWith('.js')) expect((await h.call('GET', `/console/${f}`)).headers.get('content-type')).toMatch(/^text\/javascript/)
    }
  })
})
