/**
 * A real `edi-gateway serve` child over HTTPS (self-signed certificate made with openssl here),
 * with secrets in its environment and referenced from a partner profile (env:DEMO_3PL_API_KEY):
 *   - TLS: /healthz answers over https from TLS_CERT_FILE/TLS_KEY_FILE, plain http gets nothing;
 *   - BODY_LIMIT holds with and without Content-Length (chunked): 413, nothing stored;
 *   - operator endpoints refuse partner API keys (header or ?token=);
 *   - no secret appears in any response, stdout or stderr line, errors included.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliEnv } from '../helpers/cli.ts'
import { testDb, type TestDb } from '../helpers/db.ts'
import { startGateway, type GatewayProcess } from '../helpers/gateway-process.ts'

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()
if (!hasOpenssl) console.warn('security/gateway: openssl not found, TLS suite skipped')

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

const SECRETS = {
  token: `op-${'9f2c'.repeat(6)}-tok`,
  apiKey: `pk-${'71ab'.repeat(6)}-3pl`,
  dbPassword: 'dbpw-5e1d9c0a7b',
}

describe.skipIf(!hasOpenssl)('gateway child over HTTPS with secrets', () => {
  let db: TestDb
  let gw: GatewayProcess
  let dir: string
  let ca: Buffer
  const seen: string[] = []

  function call(method: string, path: string, o: { headers?: Record<string, string>; body?: string | Buffer; chunked?: boolean } = {}): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(`${gw.url}${path}`, { method, ca, headers: o.headers }, (res) => {
        let body = ''
        res.on('data', (d) => (body += d))
        res.on('end', () => {
          seen.push(`${res.statusCode} ${JSON.stringify(res.headers)} ${body}`)
          resolve({ status: res.statusCode!, headers: res.headers, body })
        })
      })
      req.on('error', reject)
      if (o.body && o.chunked) {
        // No Content-Length: the limit must hold while streaming.
        const b = Buffer.from(o.body)
        for (let i = 0; i < b.length; i += 1024) req.write(b.subarray(i, i + 1024))
      } else if (o.body) req.write(o.body)
      req.end()
    })
  }

  beforeAll(async () => {
    db = await testDb()
    dir = mkdtempSync(join(tmpdir(), 'edi-tls-'))
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' })
    ca = readFileSync(join(dir, 'cert.pem'))
    const base = cliEnv(db)
    // trust auth (real PostgreSQL here) and pglite-socket accept any password: it only has to be carried.
    const url = new URL(base.DATABASE_URL)
    url.password = SECRETS.dbPassword
    gw = await startGateway({
      env: {
        ...base, DATABASE_URL: url.toString(), LOG_LEVEL: 'debug', DATA_DIR: join(dir, 'data'),
        TLS_CERT_FILE: join(dir, 'cert.pem'), TLS_KEY_FILE: join(dir, 'key.pem'), BODY_LIMIT: '4096',
        OPERATOR_TOKEN: SECRETS.token, DEMO_3PL_API_KEY: SECRETS.apiKey, WORKERS: '1',
      },
    })
  })
  afterAll(async () => {
    await gw?.stop()
    await db?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('serves /healthz over HTTPS with the configured certificate, and nothing over plain HTTP', async () => {
    expect(gw.url).toMatch(/^https:/)
    const r = await call('GET', '/healthz')
    expect(r.status).toBe(200)
    expect(JSON.parse(r.body)).toEqual({ status: 'ok' })
    const plain = await new Promise<string>((resolve) => {
      const req = httpRequest(`http://127.0.0.1:${gw.httpPort}/healthz`, (res) => resolve(`status ${res.statusCode}`))
      req.on('error', (e) => resolve(`error ${(e as NodeJS.ErrnoException).code ?? e.message}`))
      req.setTimeout(5000, () => req.destroy(new Error('timeout')))
    })
    expect(plain).not.toMatch(/^status 2/)
  })

  it('holds BODY_LIMIT with and without Content-Length: 413 problem+json, nothing stored', async () => {
    const rows = Array.from({ length: 60 }, (_, i) => ({ po_number: `PO-BIG-${i}`, line: '1', supplier: 'demo-x12-supplier', quantity: '1', uom: 'EA' }))
    const body = JSON.stringify(rows)
    expect(body.length).toBeGreaterThan(4096)
    const auth = { authorization: `Bearer ${SECRETS.token}`, 'content-type': 'application/json' }
    for (const chunked of [false, true]) {
      const r = await call('POST', '/api/v1/erp/purchase-orders', { headers: auth, body, chunked })
      expect(r.status, r.body).toBe(413)
      expect(r.headers['content-type']).toBe('application/problem+json')
    }
    const [{ n }] = await db.sql<{ n: number }[]>`select count(*)::int as n from erp_purchase_orders where po_number like 'PO-BIG-%'`
    expect(n).toBe(0)
    const ok = await call('POST', '/api/v1/erp/purchase-orders', { headers: auth, body: JSON.stringify(rows.slice(0, 2)) })
    expect(ok.status, ok.body).toBe(200)
  })

  it('refuses a partner API key on operator endpoints (header and ?token=)', async () => {
    for (const path of ['/api/v1/erp/events', '/api/v1/ops/partners', '/api/v1/ops/exceptions']) {
      const good = await call('GET', path, { headers: { authorization: `Bearer ${SECRETS.token}` } })
      if (good.status === 404) continue // route not served by this build yet
      expect(good.status, path).toBe(200)
      const tries: Record<string, string>[] = [{ authorization: `Bearer ${SECRETS.apiKey}` }, { 'x-api-key': SECRETS.apiKey }, {}]
      for (const headers of tries) {
        expect((await call('GET', path, { headers })).status, `${path} ${JSON.stringify(headers)}`).toBe(401)
      }
      expect((await call('GET', `${path}?token=${SECRETS.apiKey}`)).status).toBe(401)
    }
  })

  it('never shows a secret in responses, stdout or stderr, errors included', async () => {
    const tok = { authorization: `Bearer ${SECRETS.token}` }
    await call('POST', '/api/v1/erp/purchase-orders', { headers: { ...tok, 'content-type': 'application/json' }, body: '{not json' })
    await call('POST', '/api/v1/erp/purchase-orders', { headers: tok, body: JSON.stringify([{ po_number: 'X', line: '1', supplier: 'nobody', quantity: '1', uom: 'EA' }]) })
    await call('POST', '/api/v1/erp/purchase-orders', { headers: tok, body: JSON.stringify([{ po_number: 'X' }]) })
    await call('GET', '/api/v1/erp/events?after=abc', { headers: tok })
    await call('GET', '/api/v1/erp/events', { headers: { authorization: `Bearer ${SECRETS.token}x` } })
    await call('GET', '/api/v1/purchase-orders', { headers: { authorization: `Bearer ${SECRETS.apiKey}` } })
    await call('POST', '/api/v1/asns', { headers: { authorization: `Bearer ${SECRETS.apiKey}x`, 'content-type': 'application/json' }, body: '{}' })
    await call('POST', '/as2', { headers: { 'as2-from': 'DEMOSUPPLY-AS2', 'as2-to': 'OURCO-AS2', 'content-type': 'application/pkcs7-mime' }, body: 'garbage' })
    await call('GET', '/readyz')
    await call('GET', '/no/such/route')
    await call('GET', '/metrics', { headers: tok })
    await gw.stop()
    const haystacks = [...seen, gw.stdout(), gw.stderr()]
    expect(seen.length).toBeGreaterThan(8)
    expect(gw.stdout()).toMatch(/operator token from OPERATOR_TOKEN/)
    for (const [name, secret] of Object.entries(SECRETS)) {
      for (const h of haystacks) expect(h.includes(secret), `${name} leaked: ${h.slice(0, 300)}`).toBe(false)
    }
  })
})
