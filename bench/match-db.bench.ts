/**
 * Matching against the database: 1,000,000 open PO lines in PostgreSQL (DATABASE_URL; the embedded
 * database gets 100,000 and says so), then 100-line ASNs through the real match stage (context
 * loaded with SQL, pure rules, outcome and events written). Reports ASN lines matched per second
 * and the p50/p99 latency of one 100-line ASN.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../src/app/gateway.ts'
import { ENGINES } from '../src/app/engines.ts'
import { createMapper } from '../src/app/mapper.ts'
import type { Asn } from '../src/canonical/index.ts'
import { migrate } from '../src/db/migrate.ts'
import { openDatabase } from '../src/db/sql.ts'
import { newId } from '../src/lib/ids.ts'
import { silentLogger } from '../src/lib/log.ts'
import type { PipelineDeps } from '../src/pipeline/deps.ts'
import { matchStage } from '../src/pipeline/match.ts'
import { contentHash, poNumbersOf } from '../src/matching/index.ts'
import { median, medianOf, percentile, type BenchContext, type Figure } from './harness.ts'

const LINES_PER_PO = 100

function asnFor(po: number, shipment: string): Asn {
  const poNumber = `BP${String(po).padStart(8, '0')}`
  return {
    kind: 'asn',
    shipmentId: shipment,
    purpose: 'original',
    shipDate: '2026-01-10',
    parties: [],
    orders: [{
      poNumber,
      packs: [],
      items: Array.from({ length: LINES_PER_PO }, (_, i) => ({
        poLineNo: String(i + 1),
        item: { buyerPart: `BP-${po}-${i + 1}` },
        quantity: { value: '5', uom: 'EA' },
      })),
    }],
    provenance: { partnerId: 'demo-x12-supplier', standard: 'x12', version: '004010', docType: '856', test: false, fields: {} },
  }
}

export async function run(ctx: BenchContext): Promise<Figure[]> {
  const onPg = Boolean(process.env.DATABASE_URL)
  const totalLines = ctx.quick ? 20_000 : onPg ? 1_000_000 : 100_000
  const pos = totalLines / LINES_PER_PO
  const db = await openDatabase({
    databaseUrl: process.env.DATABASE_URL,
    schema: 'bench_match',
    dataDir: mkdtempSync(join(tmpdir(), 'bench-match-')),
    max: onPg ? 4 : 1,
  })
  const sql = db.sql
  await sql.unsafe('drop schema if exists bench_match cascade; create schema bench_match; set search_path to bench_match')
  await migrate(sql)
  await sql`insert into erp_purchase_orders (po_number, supplier_id, status, currency, requested_date)
    select 'BP' || lpad(g::text, 8, '0'), 'demo-x12-supplier', 'open', 'USD', '2026-01-10' from generate_series(1, ${pos}) g`
  await sql`insert into erp_po_lines (po_number, line_no, buyer_part, quantity, uom, unit_price, status, requested_date)
    select 'BP' || lpad(p::text, 8, '0'), l::text, 'BP-' || p || '-' || l, '500', 'EA', '1.25', 'open', '2026-01-10'
    from generate_series(1, ${pos}) p, generate_series(1, ${LINES_PER_PO}) l`
  await sql`analyze`
  await sql`insert into payloads (id, transport, sha256, size) values ('bench', 'cli', '', 0)`
  const { registry, maps } = loadConfig(process.cwd())
  const deps: PipelineDeps = {
    sql, registry, engines: ENGINES, mapper: createMapper(maps), log: silentLogger, transports: {},
    now: () => new Date('2026-01-10T12:00:00Z'), wake: () => {},
  }
  const asnsPerRun = ctx.quick ? 20 : 100
  let seq = 0
  const latencies: number[] = []
  // Gateway-process CPU per ASN alongside the wall-clock figures: on a shared machine it moves
  // far less with the neighbours' load than the rate does.
  const cpuPerAsn: number[] = []
  const rate = await medianOf(ctx.runs, async () => {
    const ids: string[] = []
    for (let i = 0; i < asnsPerRun; i++) {
      const doc = asnFor(1 + ((seq * 7919) % pos), `SH-${seq++}`)
      const id = newId('doc')
      await sql`insert into documents (id, payload_id, partner_id, kind, business_key, content_hash, po_numbers, doc, status)
        values (${id}, 'bench', 'demo-x12-supplier', 'asn', ${`asn:${doc.shipmentId}`}, ${contentHash(doc)}, ${poNumbersOf(doc)},
          ${sql.json(doc as never)}, 'translated')`
      ids.push(id)
    }
    const t0 = performance.now()
    const cpu0 = process.cpuUsage()
    for (const id of ids) {
      const s = performance.now()
      await sql.begin((tx) => matchStage(deps, tx, id))
      latencies.push(performance.now() - s)
    }
    const cpu = process.cpuUsage(cpu0)
    cpuPerAsn.push((cpu.user + cpu.system) / 1000 / asnsPerRun)
    return (asnsPerRun * LINES_PER_PO) / ((performance.now() - t0) / 1000)
  })
  const [{ status }] = await sql<{ status: string }[]>`select status from documents order by created_at desc limit 1`
  await sql.unsafe('drop schema bench_match cascade')
  await db.close()
  const where = onPg ? 'PostgreSQL' : 'embedded PGlite'
  return [
    { group: 'Matching (database)', name: `ASN lines matched/s vs ${totalLines.toLocaleString('en')} open PO lines (${where})`, value: rate, unit: 'lines/s', note: `target ≥ 5,000; last document ${status}` },
    { group: 'Matching (database)', name: 'one 100-line ASN, p50', value: percentile(latencies, 50), unit: 'ms' },
    { group: 'Matching (database)', name: 'one 100-line ASN, p99', value: percentile(latencies, 99), unit: 'ms' },
    { group: 'Matching (database)', name: 'gateway CPU per 100-line ASN', value: median(cpuPerAsn), unit: 'ms', note: 'process.cpuUsage(), PostgreSQL not included' },
  ]
}
