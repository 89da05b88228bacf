/**
 * OpenAPI 3.1 for every route the gateway serves, generated from the same zod schemas that
 * validate the requests (z.toJSONSchema emits JSON Schema 2020-12, which OpenAPI 3.1 uses as
 * its schema dialect). /openapi.json serves the document, /docs a self-contained HTML rendering.
 */
import { z } from 'zod'
import type { RouteInstaller } from './context.ts'
import { PoLineRow } from '../erp/import.ts'
import { EXAMPLES } from './openapi-examples.ts'
import { PurchaseOrdersQuery } from './routes/api.ts'
import { AssignBody, ExceptionsQuery, MessagesQuery, NoteBody, PurchaseOrdersListQuery } from './routes/ops-schemas.ts'
import { Problem, SUBMITS, SubmitAccepted, TransactionStatus } from './schemas.ts'

type Json = Record<string, unknown>

export function jsonSchema(s: z.ZodType): Json {
  const out = z.toJSONSchema(s, { unrepresentable: 'any', io: 'input' }) as Json
  delete out.$schema
  delete out.id
  return out
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const json = (schema: Json, description: string) => ({ description, content: { 'application/json': { schema } } })
const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } })

function queryParams(s: z.ZodObject): Json[] {
  const js = jsonSchema(s) as { properties?: Record<string, Json>; required?: string[] }
  return Object.entries(js.properties ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: js.required?.includes(name) ?? false,
    ...(schema.description ? { description: schema.description } : {}),
    schema,
  }))
}
const pathParam = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string', maxLength: 200 } })

const partnerSecurity = [{ partnerBearer: [] }, { partnerApiKey: [] }]
const operatorSecurity = [{ operatorBearer: [] }]
const authErrors = { '401': problemResponse('Missing or wrong credentials'), '429': problemResponse('Too many failed credentials from this address; see Retry-After') }
const partnerErrors = { ...authErrors, '429': problemResponse('Rate limit exceeded; see Retry-After') }

export function buildOpenApi(): Json {
  const paths: Record<string, Record<string, Json>> = {}
  const add = (path: string, method: string, op: Json) => ((paths[path] ??= {})[method] = op)
  const text = (description: string, type = 'text/plain') => ({ description, content: { [type]: { schema: { type: 'string' } } } })

  // ── liveness, readiness, metrics, docs, console ──
  add('/healthz', 'get', { tags: ['observability'], summary: 'Liveness', responses: { '200': json({ type: 'object' }, 'The process is up') } })
  add('/readyz', 'get', {
    tags: ['observability'], summary: 'Readiness: database reachable, queue depth and age of the oldest queued job',
    responses: { '200': json({ type: 'object' }, 'Ready'), '503': json({ type: 'object' }, 'Database unreachable') },
  })
  add('/metrics', 'get', { tags: ['observability'], summary: 'Prometheus metrics (text format 0.0.4); operator token or METRICS_TOKEN', security: operatorSecurity, responses: { '200': text('Metrics'), ...authErrors } })
  add('/openapi.json', 'get', { tags: ['docs'], summary: 'This OpenAPI 3.1 document', responses: { '200': json({ type: 'object' }, 'OpenAPI document') } })
  add('/docs', 'get', { tags: ['docs'], summary: 'Human-readable API documentation', responses: { '200': text('HTML page', 'text/html') } })
  add('/', 'get', { tags: ['console'], summary: 'Operations web console (asks for the operator token)', responses: { '200': text('HTML page', 'text/html') } })
  add('/console/{file}', 'get', {
    tags: ['console'], summary: 'Console static assets (JS, CSS)', parameters: [pathParam('file', 'asset file name')],
    responses: { '200': text('Asset'), '404': problemResponse('No such asset') },
  })

  // ── AS2 (RFC 4130) ──
  add('/as2', 'post', {
    tags: ['as2'], summary: 'AS2 inbound (RFC 4130): signed/encrypted EDI; answers with a synchronous MDN or 200 for async MDN',
    description: 'Partners are identified by the AS2-From header and authenticated by their certificate (partner profile as2.cert). The body is the raw MIME entity (application/pkcs7-mime, multipart/signed, or plain EDI).',
    parameters: [
      { name: 'AS2-From', in: 'header', required: true, schema: { type: 'string' } },
      { name: 'AS2-To', in: 'header', required: true, schema: { type: 'string' } },
      { name: 'Message-ID', in: 'header', required: true, schema: { type: 'string' } },
    ],
    requestBody: { required: true, content: { 'application/pkcs7-mime': { schema: { type: 'string', format: 'binary' } }, 'multipart/signed': { schema: { type: 'string', format: 'binary' } } } },
    responses: { '200': text('MDN (multipart/report) or empty for async MDN', 'multipart/report'), '413': problemResponse('Body too large') },
  })

  add('/as2/mdn', 'post', {
    tags: ['as2'], summary: 'Asynchronous MDN receipt (RFC 4130 §7.2.4) for AS2 messages we sent',
    requestBody: { required: true, content: { 'multipart/report': { schema: { type: 'string', format: 'binary' } }, 'multipart/signed': { schema: { type: 'string', format: 'binary' } } } },
    responses: { '200': text('MDN accepted'), '400': problemResponse('Not an MDN or unknown original message') },
  })

  // ── ERP (operator token) ──
  const erpRows = { anyOf: [{ type: 'array', items: ref('ErpPoLine') }, { type: 'object', properties: { lines: { type: 'array', items: ref('ErpPoLine') } }, required: ['lines'] }] }
  add('/api/v1/erp/purchase-orders', 'post', {
    tags: ['erp'], summary: 'Import open purchase orders (one JSON row per PO line); re-import updates', security: operatorSecurity,
    description: 'Rows use camelCase fields (poNumber, buyerPart, unitPrice ...). The CSV column names (po_number, buyer_part, unit_price ...) are still accepted as deprecated aliases.',
    requestBody: { required: true, content: { 'application/json': { schema: erpRows } } },
    responses: { '200': json({ type: 'object' }, 'Imported'), '422': problemResponse('Invalid rows'), ...authErrors },
  })
  add('/api/v1/erp/events', 'get', {
    tags: ['erp'], summary: 'ERP event outbox, read with a cursor', security: operatorSecurity,
    parameters: [
      { name: 'after', in: 'query', required: false, schema: { type: 'integer', minimum: 0 } },
      { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000 } },
    ],
    responses: { '200': json({ type: 'object' }, 'Events and the next cursor'), '400': problemResponse('Bad after or limit'), ...authErrors },
  })

  // ── supplier / 3PL API (partner keys) ──
  for (const s of SUBMITS) {
    add(s.path, 'post', {
      tags: ['supplier api'], summary: s.summary, security: partnerSecurity,
      description: `Stored durably, then processed asynchronously as a ${s.docType} (${s.shape} shape). Poll the returned transaction.`,
      parameters: [
        { name: 'Idempotency-Key', in: 'header', required: false, description: 'Replays with the same key return the first answer; the same key with another body is 409.', schema: { type: 'string', maxLength: 200 } },
      ],
      requestBody: { required: true, content: { 'application/json': { schema: ref(s.name) } } },
      responses: {
        '202': json(ref('SubmitAccepted'), 'Accepted for processing'),
        '400': problemResponse('Malformed JSON or Idempotency-Key'),
        '403': problemResponse('The body refers to another supplier\'s purchase order'),
        '409': problemResponse('Idempotency-Key reused with a different body'),
        '413': problemResponse('Body too large'),
        '422': problemResponse('Validation failed; `errors` lists each bad field by JSON path'),
        ...partnerErrors,
      },
    })
  }
  add('/api/v1/transactions/{id}', 'get', {
    tags: ['supplier api'], summary: 'Status of a submission: Processing, Success or Failure with reasons', security: partnerSecurity,
    parameters: [pathParam('id', 'transactionId from the 202 answer')],
    responses: { '200': json(ref('TransactionStatus'), 'Status'), '404': problemResponse('Not yours or unknown'), ...partnerErrors },
  })
  add('/api/v1/purchase-orders', 'get', {
    tags: ['supplier api'], summary: 'Open purchase orders addressed to the caller, paged by cursor', security: partnerSecurity,
    parameters: queryParams(PurchaseOrdersQuery),
    responses: { '200': json({ type: 'object' }, 'A page of purchase orders and the next cursor'), '422': problemResponse('Bad query'), ...partnerErrors },
  })

  add('/api/v1/outbox', 'get', {
    tags: ['supplier api'], summary: 'Files waiting for the caller (acks, purchase orders) when its profile says outbound: api, until it confirms each (status queued: not fetched yet, sent: fetched)', security: partnerSecurity,
    responses: { '200': json({ type: 'object' }, 'The files, oldest first'), ...partnerErrors },
  })
  add('/api/v1/outbox/{id}', 'get', {
    tags: ['supplier api'], summary: 'Download one waiting file (raw bytes); the file is then sent', security: partnerSecurity,
    parameters: [pathParam('id', 'file id from the list')],
    responses: { '200': { description: 'The file', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }, '404': problemResponse('Not yours or unknown'), ...partnerErrors },
  })
  add('/api/v1/outbox/{id}/received', 'post', {
    tags: ['supplier api'], summary: 'Confirm a file was received; it is then acknowledged and leaves the list', security: partnerSecurity,
    parameters: [pathParam('id', 'file id from the list')],
    responses: { '200': json({ type: 'object' }, 'Acknowledged: { id, status: "acknowledged" }'), '404': problemResponse('Not yours or unknown'), ...partnerErrors },
  })

  // ── operations API (operator token) ──
  const ops = (summary: string, extra: Json = {}, ok: Json = { type: 'object' }) => ({
    tags: ['operations'], summary, security: operatorSecurity,
    ...extra,
    responses: { '200': json(ok, 'OK'), '404': problemResponse('Not found'), '422': problemResponse('Bad query or body'), ...authErrors },
  })
  add('/api/v1/ops/messages', 'get', ops('Search messages by partner, type, status, date range, PO number or control number', { parameters: queryParams(MessagesQuery) }))
  add('/api/v1/ops/messages/{id}', 'get', ops('Lineage of one message: payload → interchanges → transactions → documents (+match) → deliveries/acks/MDNs → exceptions', { parameters: [pathParam('id', 'message id')] }))
  add('/api/v1/ops/messages/{id}/raw', 'get', {
    ...ops('Download the raw payload exactly as received', { parameters: [pathParam('id', 'message id')] }),
    responses: { '200': text('Raw bytes', 'application/octet-stream'), '404': problemResponse('Not found'), ...authErrors },
  })
  add('/api/v1/ops/exceptions', 'get', ops('List exceptions with filters', { parameters: queryParams(ExceptionsQuery) }))
  add('/api/v1/ops/exceptions/{id}', 'get', ops('One exception', { parameters: [pathParam('id', 'exception id')] }))
  add('/api/v1/ops/exceptions/{id}/assign', 'post', ops('Assign an exception', {
    parameters: [pathParam('id', 'exception id')], requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(AssignBody) } } },
  }))
  for (const a of ['resolve', 'ignore'] as const) {
    add(`/api/v1/ops/exceptions/{id}/${a}`, 'post', ops(`${a === 'resolve' ? 'Resolve' : 'Ignore'} an exception; a document held only by it is released`, {
      parameters: [pathParam('id', 'exception id')], requestBody: { required: false, content: { 'application/json': { schema: jsonSchema(NoteBody) } } },
    }))
  }
  add('/api/v1/ops/exceptions/{id}/replay', 'post', {
    ...ops('Replay: re-match a held document, or re-run the stored message from its raw bytes', { parameters: [pathParam('id', 'exception id')] }),
    responses: { '202': json({ type: 'object' }, 'Replay queued'), '404': problemResponse('Not found'), '409': problemResponse('Nothing to replay'), ...authErrors },
  })
  add('/api/v1/ops/partners', 'get', ops('Partners with health: status, last message, overdue acks, certificate expiry'))
  add('/api/v1/ops/purchase-orders', 'get', ops('Recent purchase orders with ack/ASN/invoice counts', { parameters: queryParams(PurchaseOrdersListQuery) }))
  add('/api/v1/ops/purchase-orders/{po}', 'get', ops('PO workflow: the PO with its ack, ASN(s), invoice(s) and per-line match state', { parameters: [pathParam('po', 'PO number')] }))

  const schemas: Record<string, Json> = {
    Problem: jsonSchema(Problem), SubmitAccepted: jsonSchema(SubmitAccepted), TransactionStatus: jsonSchema(TransactionStatus), ErpPoLine: jsonSchema(PoLineRow),
  }
  for (const s of SUBMITS) schemas[s.name] = jsonSchema(s.schema)

  return {
    openapi: '3.1.0',
    info: {
      title: 'EDI gateway API',
      version: '1.0.0',
      description: 'Supplier/3PL JSON API (SP-API vendor shapes), operations API, ERP feed, AS2 endpoint and observability of the EDI gateway.',
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    servers: [{ url: '/' }],
    tags: ['supplier api', 'operations', 'erp', 'as2', 'observability', 'docs', 'console'].map((name) => ({ name })),
    paths,
    components: {
      schemas,
      securitySchemes: {
        partnerBearer: { type: 'http', scheme: 'bearer', description: 'Partner API key (identities.apiKeys in the partner profile)' },
        partnerApiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'Partner API key, alternative header' },
        operatorBearer: { type: 'http', scheme: 'bearer', description: 'Operator token (env OPERATOR_TOKEN); partner keys are refused' },
      },
    },
  }
}

export const installOpenApi: RouteInstaller = (app) => {
  let doc: Json | undefined
  let html: string | undefined
  app.get('/openapi.json', (c) => c.json((doc ??= buildOpenApi())))
  app.get('/docs', (c) => c.html((html ??= renderDocs((doc ??= buildOpenApi())))))
}

const h = (s: unknown) =>
  String(s ?? '').replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!)

/** How each tag is titled on /docs, in page order: what partners call comes first. */
const DOC_SECTIONS: { tag: string; id: string; title: string; intro: string }[] = [
  { tag: 'supplier api', id: 'partner-api', title: 'Partner API (suppliers and 3PLs)', intro: 'Submit acknowledgements, ASNs and invoices as JSON, follow each submission, read your open purchase orders and collect files waiting for you. Authenticate with your API key: Authorization: Bearer <key> (or x-api-key).' },
  { tag: 'as2', id: 'as2', title: 'AS2', intro: 'For partners\' AS2 software (RFC 4130): send to /as2 with our certificate; MDNs come back synchronously or to /as2/mdn.' },
  { tag: 'operations', id: 'operations', title: 'Operations API', intro: 'For the operations team (operator token): messages and their lineage, the exception queue, partners, purchase orders.' },
  { tag: 'erp', id: 'erp', title: 'ERP', intro: 'Open purchase orders in, business events out (a cursor feed). Operator token.' },
  { tag: 'observability', id: 'observability', title: 'Observability', intro: 'Liveness, readiness and Prometheus metrics. No authentication.' },
  { tag: 'docs', id: 'docs', title: 'API documents', intro: 'This page and the OpenAPI document it is rendered from.' },
  { tag: 'console', id: 'console', title: 'Console', intro: 'The operations web console.' },
]

const exampleText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v, null, 2))

/** Server-rendered docs: no script, no external asset, readable offline and printable. */
export function renderDocs(doc: Json): string {
  const paths = doc.paths as Record<string, Record<string, Json>>
  const byTag = new Map<string, { id: string; method: string; path: string; summary: string; html: string }[]>()
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = ((op.tags as string[]) ?? ['other'])[0]
      const params = ((op.parameters as Json[]) ?? [])
        .map((p) => `<tr><td><code>${h(p.name)}</code></td><td>${h(p.in)}</td><td>${p.required ? 'yes' : ''}</td><td>${h(p.description ?? '')}</td></tr>`)
        .join('')
      const body = op.requestBody as { content?: Record<string, { schema?: Json }> } | undefined
      const bodySchema = body?.content ? Object.values(body.content)[0]?.schema : undefined
      const responses = Object.entries((op.responses as Record<string, Json>) ?? {})
        .map(([code, r]) => `<li><b>${h(code)}</b> ${h(r.description)}</li>`)
        .join('')
      const secured = op.security ? `<span class="sec">${h((op.security as Json[]).map((x) => Object.keys(x)[0]).join(' or '))}</span>` : ''
      const ex = EXAMPLES[`${method.toUpperCase()} ${path}`]
      const example = ex
        ? `<div class="ex"><p>Example request</p><pre class="example-request">${h(ex.request)}</pre><p>Example response</p><pre class="example-response">${h(`${ex.status} ${exampleText(ex.response)}`)}</pre></div>`
        : ''
      const id = method + path
      const html = `<section id="${h(id)}"><h3><span class="m ${h(method)}">${h(method.toUpperCase())}</span> <code>${h(path)}</code> ${secured}</h3>
<p>${h(op.summary)}</p>${op.description ? `<p>${h(op.description)}</p>` : ''}
${params ? `<table><tr><th>parameter</th><th>in</th><th>required</th><th>description</th></tr>${params}</table>` : ''}
${example}
<ul>${responses}</ul>
${bodySchema ? `<details><summary>request body schema</summary><pre>${h(JSON.stringify(resolveRef(doc, bodySchema), null, 2))}</pre></details>` : ''}</section>`
      byTag.set(tag, [...(byTag.get(tag) ?? []), { id, method, path, summary: String(op.summary ?? ''), html }])
    }
  }
  const known = new Set(DOC_SECTIONS.map((d) => d.tag))
  const order = [...DOC_SECTIONS, ...[...byTag.keys()].filter((t) => !known.has(t)).map((t) => ({ tag: t, id: t.replace(/\W+/g, '-'), title: t, intro: '' }))].filter((d) => byTag.has(d.tag))
  const toc = order
    .map((d) => `<li><a href="#${h(d.id)}">${h(d.title)}</a><ul>${byTag.get(d.tag)!.map((o) => `<li><a href="#${h(o.id)}"><code>${h(o.method.toUpperCase())} ${h(o.path)}</code></a> ${h(o.summary)}</li>`).join('')}</ul></li>`)
    .join('')
  const sections = order.map((d) => `<h2 id="${h(d.id)}">${h(d.title)}</h2>${d.intro ? `<p>${h(d.intro)}</p>` : ''}${byTag.get(d.tag)!.map((o) => o.html).join('')}`).join('')
  const info = doc.info as Json
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${h(info.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2430}
h2{border-bottom:2px solid #ccd;margin-top:2.5rem}section{border:1px solid #dde;border-radius:6px;padding:.4rem 1rem;margin:1rem 0}
.m{display:inline-block;min-width:4rem;text-align:center;border-radius:4px;color:#fff;font-size:.8rem;padding:.1rem .4rem}
.get{background:#2f6fb0}.post{background:#2e8b57}.sec{font-size:.75rem;color:#805;margin-left:.5rem}
nav ul{margin:.2rem 0}nav li{margin:.1rem 0}.ex p{margin:.3rem 0 0;font-size:.85rem;color:#556}
table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #dde;padding:.2rem .5rem;text-align:left}pre{background:#f5f6f8;padding:.5rem;overflow:auto;max-height:30rem;white-space:pre-wrap}</style>
</head><body><h1>${h(info.title)} <small>${h(info.version)}</small></h1><p>${h(info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${h(doc.openapi)}). Partner calls authenticate with
<code>Authorization: Bearer &lt;api key&gt;</code> or <code>x-api-key</code>; operations calls with the operator token.
Errors are <code>application/problem+json</code> (RFC 9457); validation errors list each field by JSON path.
The examples use the demo keys of <code>npm run demo</code>.</p>
<nav><p><b>Contents</b></p><ul>${toc}</ul></nav>
${sections}</body></html>`
}

function resolveRef(doc: Json, schema: Json): Json {
  const r = schema.$ref
  if (typeof r !== 'string') return schema
  const name = r.split('/').pop()!
  return ((doc.components as Json).schemas as Record<string, Json>)[name] ?? schema
}
