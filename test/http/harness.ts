/**
 * A real gateway core for HTTP contract tests: a fresh migrated schema (testDb), a temp config
 * root with the partner profiles written here (maps linked from the repository), the real
 * receive/pipeline/worker through openGateway, the core's httpContext, and every route installer.
 * Logs are captured so tests can prove no secret or payload content reaches them.
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Hono } from 'hono'
import { openGateway, type Gateway } from '../../src/app/gateway.ts'
import { loadEnv } from '../../src/config/env.ts'
import { createTablesErp } from '../../src/db/erp.ts'
import { createHttpApp } from '../../src/http/app.ts'
import type { HttpContext } from '../../src/http/context.ts'
import { installMetrics } from '../../src/http/metrics.ts'
import { installOpenApi } from '../../src/http/openapi.ts'
import { installApi } from '../../src/http/routes/api.ts'
import { installConsole } from '../../src/http/routes/console.ts'
import { installErp } from '../../src/http/routes/erp.ts'
import { installHealth } from '../../src/http/routes/health.ts'
import { installOps } from '../../src/http/routes/ops.ts'
import { createLogger } from '../../src/lib/log.ts'
import { httpContext } from '../../src/main.ts'
import { testDb, type TestDb } from '../helpers/db.ts'

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const ALL_INSTALLERS = [installHealth, installErp, installApi, installOps, installConsole, installOpenApi, installMetrics]

const docs = `documents:
  - { direction: in, standard: json, version: v1, docType: asn }
  - { direction: in, standard: json, version: v1, docType: acknowledgement }
  - { direction: in, standard: json, version: v1, docType: shipment_confirmation }
  - { direction: in, standard: json, version: v1, docType: invoice }
matching:
  itemKey: [vendor_part, gtin]
  qty: { overPct: '0', underPct: '0' }`

const partner = (id: string, env: string, extra = '') => `id: ${id}
name: Test ${id}
status: live
kind: 3pl
identities:
  apiKeys: ['env:${env}']
outbound: api
${docs}
${extra}`

/** An EDI partner (no API key) so lineage tests have interchanges, segments and positions. */
const X12_PARTNER = `id: x12-partner
name: Test X12 partner
status: live
identities:
  x12: [{ qualifier: 'ZZ', id: 'X12PARTNER' }]
  gs: ['X12PARTNER']
x12: { version: '004010', ack: '997' }
documents:
  - { direction: in, standard: x12, version: '004010', docType: '856' }
  - { direction: in, standard: x12, version: '004010', docType: '855' }
  - { direction: in, standard: x12, version: '004010', docType: '810' }
`

/** The demo supplier's 856 re-addressed from the test X12 partner. */
export function x12Asn(mutate: (edi: string) => string = (e) => e): Buffer {
  const edi = readFileSync(join(repoRoot, 'fixtures/demo-x12-supplier/856-asn-20250305-01.edi'), 'latin1')
  return Buffer.from(mutate(edi.replace(/DEMOSUPPLY/g, 'X12PARTNER')), 'latin1')
}

export interface Harness {
  app: Hono
  gw: Gateway
  ctx: HttpContext
  db: TestDb
  root: string
  token: string
  keys: { a: string; b: string; limited: string }
  logs: string[]
  /** JSON request helper. */
  call(method: string, path: string, opts?: { key?: string; token?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>
  drain(): Promise<void>
  close(): Promise<void>
}

export async function harness(opts: { bodyLimit?: number; env?: Record<string, string> } = {}): Promise<Harness> {
  const db = await testDb()
  const root = mkdtempSync(join(tmpdir(), 'edi-http-'))
  mkdirSync(join(root, 'partners'))
  mkdirSync(join(root, 'certs', 'supplier-a'), { recursive: true })
  symlinkSync(join(repoRoot, 'maps'), join(root, 'maps'))
  const suffix = randomBytes(4).toString('hex').toUpperCase()
  const envNames = { a: `HTTP_TEST_KEY_A_${suffix}`, b: `HTTP_TEST_KEY_B_${suffix}`, limited: `HTTP_TEST_KEY_L_${suffix}` }
  const keys = { a: `ka_${randomBytes(18).toString('hex')}`, b: `kb_${randomBytes(18).toString('hex')}`, limited: `kl_${randomBytes(18).toString('hex')}` }
  for (const k of ['a', 'b', 'limited'] as const) process.env[envNames[k]] = keys[k]
  writeFileSync(join(root, 'partners', 'supplier-a.yaml'), partner('supplier-a', envNames.a))
  writeFileSync(join(root, 'partners', 'supplier-b.yaml'), partner('supplier-b', envNames.b))
  writeFileSync(join(root, 'partners', 'limited.yaml'), partner('limited', envNames.limited, 'rateLimitPerMinute: 3'))
  writeFileSync(join(root, 'partners', 'x12-partner.yaml'), X12_PARTNER)
  try {
    // A certificate that expires in 10 days: the partner list must warn about it.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(root, 'key.pem'), '-out',
      join(root, 'certs', 'supplier-a', 'as2.pem'), '-days', '10', '-subj', '/CN=supplier-a-as2'], { stdio: 'ignore' })
  } catch {
    // openssl missing: the certificate assertions skip themselves.
  }
  const logs: string[] = []
  const log = createLogger('debug', {}, (l) => logs.push(l))
  const env = loadEnv({
    DATABASE_URL: db.url, DATABASE_SCHEMA: db.schema, CONFIG_DIR: root, DATA_DIR: join(root, 'data'),
    DATABASE_POOL: db.embedded ? '1' : '4', WORKERS: '1', LOG_LEVEL: 'debug', SFTP: 'off',
    ...(opts.bodyLimit ? { BODY_LIMIT: String(opts.bodyLimit) } : {}),
    ...opts.env,
  })
  const gw = await openGateway({ env, log, deliver: false })
  const token = `op_${randomBytes(16).toString('hex')}`
  const ctx = httpContext(gw, token)
  const app = createHttpApp(ctx, ALL_INSTALLERS)
  await createTablesErp(gw.db.sql).upsertOrders([
    { poNumber: 'PO-A1', supplierId: 'supplier-a', status: 'open', currency: 'USD', lines: [
      { lineNo: '10', vendorPart: 'WID-10', gtin: '00614141000128', quantity: '120', uom: 'EA', unitPrice: '2.50', status: 'open' },
      { lineNo: '20', vendorPart: 'WID-20', quantity: '3', uom: 'CA', packSize: '12', unitPrice: '20.00', status: 'open' },
    ] },
    { poNumber: 'PO-A2', supplierId: 'supplier-a', status: 'open', currency: 'USD', lines: [
      { lineNo: '1', vendorPart: 'WID-10', quantity: '5', uom: 'EA', status: 'open' },
    ] },
    { poNumber: 'PO-B1', supplierId: 'supplier-b', status: 'open', currency: 'USD', lines: [
      { lineNo: '1', vendorPart: 'B-1', quantity: '10', uom: 'EA', status: 'open' },
    ] },
  ])
  return {
    app, gw, ctx, db, root, token, keys, logs,
    call(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) }
      if (o.key) headers.authorization = `Bearer ${o.key}`
      if (o.token) headers.authorization = `Bearer ${o.token}`
      let body: string | undefined
      if (o.body !== undefined) {
        body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body)
        headers['content-type'] ??= 'application/json'
      }
      return Promise.resolve(app.request(path, { method, headers, body }))
    },
    drain: () => gw.worker.drain({ timeoutMs: 30_000 }),
    async close() {
      await gw.close()
      await db.close()
      rmSync(root, { recursive: true, force: true })
      for (const k of ['a', 'b', 'limited'] as const) delete process.env[envNames[k]]
    },
  }
}

/** A demo-3PL ASN for PO-A1 that matches the PO exactly (120 EA of line 10, 3 CA of line 20). */
export function asn3pl(asnNumber: string, overrides: { qty10?: number; sscc?: boolean } = {}) {
  const half = (overrides.qty10 ?? 120) / 2
  // SSCCs are unique per open ASN (sscc_reused), so only the first ASN of a test carries them.
  const sscc = (s: string) => (overrides.sscc === false ? {} : { sscc: s })
  return {
    asnNumber,
    shippedAt: '2025-03-06T16:20:00Z',
    carrier: { scac: 'RLCA', name: 'R+L Carriers' },
    orders: [{
      poNumber: 'PO-A1',
      pallets: [{ ...sscc('106141410000030016'), cartons: [
        { ...sscc('006141410000030026'), lines: [{ poLine: 10, sku: 'WID-10', gtin: '00614141000128', qty: half, uom: 'EA' }] },
        { ...sscc('006141410000030033'), lines: [{ poLine: 10, sku: 'WID-10', gtin: '00614141000128', qty: half, uom: 'EA' }] },
      ] }],
      cartons: [{ ...sscc('006141410000030040'), lines: [{ poLine: 20, sku: 'WID-20', qty: '3', uom: 'CA' }] }],
    }],
  }
}
