/**
 * Supplier API end to end: demo-3PL JSON ASNs of 100 lines each are POSTed over real HTTP
 * (@hono/node-server on a local port, 8 concurrent clients) to /api/v1/asns, stored by receive(),
 * and run by the pipeline worker through parse → translate (maps/json-v1/asn.in.yaml) → match
 * against 100-line open POs. Reports ASNs/s from the first request until every document has its
 * match outcome, and p50/p99 of the 202 response. Real PostgreSQL with DATABASE_URL; otherwise the
 * embedded PGlite (one connection, one worker loop) and the figure says so.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { serve } from '@hono/node-server'
import { openGateway } from '../src/app/gateway.ts'
import { loadEnv } from '../src/config/env.ts'
import { createHttpApp } from '../src/http/app.ts'
import { installApi } from '../src/http/routes/api.ts'
import { silentLogger } from '../src/lib/log.ts'
import { httpContext } from '../src/main.ts'
import { median, percentile, type BenchContext, type Figure } from './harness.ts'

const LINES = 100
const CLIENTS = 8
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')

function asn(po: string, n: number): string {
  // One carton per 10 lines, 2 EA per line against 10 EA ordered: always within tolerance.
  const cartons = Array.from({ length: LINES / 10 }, (_, c) => ({
    lines: Array.from({ length: 10 }, (_, i) => ({ poLine: c * 10 + i + 1, sku: `SKU-${c * 10 + i + 1}`, qty: 2, uom: 'EA' })),
  }))
  return JSON.stringify({ asnNumber: `BENCH-${n}`, shippedAt: '2026-01-10T08:00:00Z', orders: [{ poNumber: po, cartons }] })
}

export async function run(ctx: BenchContext): Promise<Figure[]> {
  const onPg = Boolean(process.env.DATABASE_URL)
  const root = mkdtempSync(join(tmpdir(), 'bench-api-'))
  mkdirSync(join(root, 'partners'))
  symlinkSync(join(repoRoot, 'maps'), join(root, 'maps'))
  const key = randomBytes(24).toString('hex')
  process.env.BENCH_API_KEY = key
  writeFileSync(join(root, 'partners', 'bench-3pl.yaml'), `id: bench-3pl
name: Bench 3PL
status: live
kind: 3pl
identities: { apiKeys: ['env:BENCH_API_KEY'] }
documents:
  - { direction: in, standard: json, version: v1, docType: asn }
matching: { itemKey: [vendor_part], qty: { overPct: '0', underPct: '100' } }
rateLimitPerMinute: 100000000
`)
  const schema = `bench_api_${randomBytes(4).toString('hex')}`
  const env = loadEnv({
    ...(onPg ? { DATABASE_URL: process.env.DATABASE_URL, DATABASE_POOL: '10', WORKERS: '4' } : {}),
    DATABASE_SCHEMA: schema, CONFIG_DIR: root, DATA_DIR: join(root, 'data'), LOG_LEVEL: 'silent', SFTP: 'off',
  })
  const gw = await openGateway({ env, log: silentLogger, deliver: false })
  const sql = gw.db.sql
  const perRun = ctx.quick ? 20 : onPg ? 300 : 60
  const WARM = 20
  const total = WARM + perRun * (ctx.runs + 1)
  await sql`insert into erp_purchase_orders (po_number, supplier_id, status, currency)
    select 'BPO' || lpad(g::text, 7, '0'), 'bench-3pl', 'open', 'USD' from generate_series(1, ${total}) g`
  await sql`insert into erp_po_lines (po_number, line_no, vendor_part, quantity, uom, unit_price, status)
    select 'BPO' || lpad(p::text, 7, '0'), l::text, 'SKU-' || l, '10', 'EA', '1.00', 'open'
    from generate_series(1, ${total}) p, generate_series(1, ${LINES}) l`
  await sql`analyze`
  const app = createHttpApp(httpContext(gw, randomBytes(16).toString('hex')), [installApi])
  const server = await new Promise<ReturnType<typeof serve>>((res) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => res(s))
  })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/asns`

  /** POSTs the bodies with CLIENTS concurrent clients; returns the 202 latencies in ms. */
  async function submit(bodies: string[]): Promise<number[]> {
    const out: number[] = []
    let i = 0
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (i < bodies.length) {
          const body = bodies[i++]
          const t = performance.now()
          const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body })
          out.push(performance.now() - t)
          if (res.status !== 202) throw new Error(`submit answered ${res.status}: ${await res.text()}`)
          await res.arrayBuffer()
        }
      })
    )
    return out
  }
  const posFrom = (first: number, n: number) => Array.from({ length: n }, (_, i) => asn(`BPO${String(first + i + 1).padStart(7, '0')}`, first + i))

  // Phase 0: the 202 path alone (worker idle), to separate HTTP+receive cost from pipeline contention.
  // Warm-up first (JIT, pool connections), not measured.
  await submit(posFrom(0, WARM))
  const idleStart = performance.now()
  const idle = await submit(posFrom(WARM, perRun))
  const idleRate = perRun / ((performance.now() - idleStart) / 1000)
  gw.worker.start()

  const latencies: number[] = []
  const rates: number[] = []
  // Gateway-process CPU per ASN (HTTP client included, PostgreSQL not): steadier than the rates
  // on a shared machine.
  const cpuPerAsn: number[] = []
  const outcomes = { matched: 0, held: 0 }
  let next = WARM + perRun
  /** Waits until `n` documents have their match outcome. */
  async function settled(n: number, since: number): Promise<void> {
    for (;;) {
      const [c] = await sql<{ n: number }[]>`select count(*)::int as n from documents where status in ('matched', 'held', 'waiting')`
      if (c.n >= n) return
      if (performance.now() - since > 600_000) throw new Error(`pipeline did not finish: ${c.n}/${n}`)
      await new Promise((res) => setTimeout(res, 20))
    }
  }
  try {
    await settled(next, performance.now())
    for (let r = 0; r < ctx.runs; r++) {
      const bodies = posFrom(next, perRun)
      next += perRun
      const started = performance.now()
      const cpu0 = process.cpuUsage()
      latencies.push(...(await submit(bodies)))
      await settled(next, started)
      rates.push(perRun / ((performance.now() - started) / 1000))
      const cpu = process.cpuUsage(cpu0)
      cpuPerAsn.push((cpu.user + cpu.system) / 1000 / perRun)
    }
    const rows = await sql<{ status: string; n: number }[]>`select status, count(*)::int as n from documents group by status`
    for (const row of rows) if (row.status === 'matched' || row.status === 'held') outcomes[row.status] = row.n
  } finally {
    await new Promise<void>((res) => server.close(() => res()))
    await gw.close()
    if (onPg) {
      const { openDatabase } = await import('../src/db/sql.ts')
      const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: root, max: 1 })
      await db.sql.unsafe(`drop schema if exists "${schema}" cascade`)
      await db.close()
    }
    rmSync(root, { recursive: true, force: true })
  }
  const where = onPg ? `PostgreSQL, ${env.WORKERS} worker loops` : 'embedded PGlite (no DATABASE_URL), 1 worker loop'
  const note = `${where}; ${CLIENTS} HTTP clients; ${perRun} ASNs/run; outcomes: ${outcomes.matched} matched, ${outcomes.held} held`
  const group = 'Supplier API: JSON ASN (100 lines) end to end'
  return [
    { group, name: 'ASN submissions through parse → translate → match', value: median(rates), unit: 'ASNs/s', note },
    { group, name: '202 response p50', value: percentile(latencies, 50), unit: 'ms', note: `${latencies.length} requests, concurrent with the pipeline` },
    { group, name: '202 response p99', value: percentile(latencies, 99), unit: 'ms' },
    { group, name: 'gateway CPU per ASN, end to end', value: median(cpuPerAsn), unit: 'ms', note: 'process.cpuUsage() of the one process (HTTP clients included, PostgreSQL not)' },
    { group, name: '202 path alone (pipeline idle)', value: idleRate, unit: 'ASNs/s', note: `p50 ${percentile(idle, 50).toFixed(1)} ms, p99 ${percentile(idle, 99).toFixed(1)} ms; single run` },
  ]
}
