/**
 * /docs through the real hono app (harness): the partner API comes first, after a table of
 * contents that links every operation, and every operation shows an example request and
 * response. The partner API example bodies pass the route's own schema, and the 3PL one is
 * accepted by the app with the status the example shows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXAMPLES } from '../../src/http/openapi-examples.ts'
import { SUBMITS } from '../../src/http/schemas.ts'
import { harness, type Harness } from './harness.ts'

let h: Harness
let html: string
let doc: any
beforeAll(async () => {
  h = await harness()
  const r = await h.call('GET', '/docs')
  expect(r.status).toBe(200)
  html = await r.text()
  doc = await (await h.call('GET', '/openapi.json')).json()
})
afterAll(async () => {
  await h?.close()
})

const operations = () => Object.entries<Record<string, unknown>>(doc.paths).flatMap(([path, ms]) => Object.keys(ms).map((m) => `${m.toUpperCase()} ${path}`))

describe('/docs', () => {
  it('starts with a table of contents, then the partner API section', () => {
    const body = html.slice(html.indexOf('<body'))
    const toc = body.indexOf('<nav')
    const firstH2 = body.indexOf('<h2')
    expect(toc).toBeGreaterThan(0)
    expect(toc).toBeLessThan(firstH2)
    expect(body.slice(firstH2)).toMatch(/^<h2 id="partner-api">Partner API/)
    // No operation section before the partner API heading.
    expect(body.slice(0, firstH2)).not.toMatch(/<section/)
    const firstSection = body.slice(body.indexOf('<section'))
    expect(firstSection).toMatch(/^<section id="post\/api\/v1\//)
    // Observability comes after everything a partner or operator calls.
    expect(body.indexOf('id="observability"')).toBeGreaterThan(body.indexOf('id="operations"'))
  })

  it('the table of contents links every operation', () => {
    const nav = html.slice(html.indexOf('<nav'), html.indexOf('</nav>'))
    for (const op of operations()) {
      const [m, path] = op.split(' ')
      expect(nav, op).toContain(`href="#${m.toLowerCase()}${path}"`)
    }
  })

  it('every operation has an example request and response', () => {
    const sections = html.split('<section').slice(1)
    expect(sections.length).toBe(operations().length)
    for (const s of sections) {
      const id = /^ id="([^"]+)"/.exec(s)![1]
      expect(s, id).toMatch(/<pre class="example-request">[^<]+/)
      expect(s, id).toMatch(/<pre class="example-response">\d{3} [^<]+/)
    }
    for (const op of operations()) {
      const ex = EXAMPLES[op]
      expect(ex, op).toBeDefined()
      // The example's status is one the operation documents.
      const [m, path] = op.split(' ')
      expect(Object.keys(doc.paths[path][m.toLowerCase()].responses), op).toContain(String(ex.status))
    }
  })

  it('partner API example bodies pass the route schema; the 3PL ASN example gets its 202', async () => {
    for (const s of SUBMITS) {
      const ex = EXAMPLES[`POST ${s.path}`]
      const r = s.schema.safeParse(ex.body)
      expect(r.success, `${s.path}: ${JSON.stringify(r.error?.issues)}`).toBe(true)
    }
    const ex = EXAMPLES['POST /api/v1/asns']
    const r = await h.call('POST', '/api/v1/asns', { key: h.keys.a, body: ex.body })
    expect(r.status).toBe(ex.status)
    expect(Object.keys((await r.json()) as object)).toEqual(Object.keys(ex.response as object))
  })
})
