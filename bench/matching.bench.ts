/**
 * Pure in-memory matching throughput: 100-line ASNs (cartons with SSCCs, cases of 12 against PO
 * lines in eaches, half correlated by line number and a third by buyer part) matched with
 * matchDocument against a large in-memory set of open PO lines. No database: this is the ceiling
 * the DB-backed figure (pipeline) can approach.
 */
import { performance } from 'node:perf_hooks'
import { buildMatchContext, matchDocument } from '../src/matching/index.ts'
import { asnFor, openOrders, rng } from './gen/matching.ts'
import { medianOf, percentile } from './harness.ts'
import type { BenchContext, Figure } from './harness.ts'

export async function run(ctx: BenchContext): Promise<Figure[]> {
  const linesPerPo = 100
  const orderCount = ctx.quick ? 1_000 : 10_000 // 100k or 1,000,000 open PO lines
  const asnCount = ctx.quick ? 200 : 2_000
  const orders = openOrders(orderCount, linesPerPo)
  const big = buildMatchContext({
    orders,
    today: '2026-03-10',
    supplierId: 'bench',
    config: { qty: { overPct: '5', underPct: '0' } },
  })
  const group = 'Matching (pure, in memory)'
  const latencies: number[] = []
  let failures = 0

  const rate = await medianOf(ctx.runs, () => {
    const rand = rng(42)
    const asns = Array.from({ length: asnCount }, (_, i) => asnFor(i, rand, orderCount, linesPerPo))
    latencies.length = 0
    const t0 = performance.now()
    let lines = 0
    for (const a of asns) {
      const s = performance.now()
      const r = matchDocument(a, big)
      latencies.push(performance.now() - s)
      lines += r.lines.length
      if (r.status !== 'matched') failures++
    }
    return lines / ((performance.now() - t0) / 1000)
  })

  // Pipeline shape: a fresh context per ASN holding only the POs it names.
  const perDoc = await medianOf(ctx.runs, () => {
    const rand = rng(7)
    const asns = Array.from({ length: asnCount }, (_, i) => asnFor(i, rand, orderCount, linesPerPo))
    const byNo = big.orders
    const t0 = performance.now()
    let lines = 0
    for (const a of asns) {
      const c = buildMatchContext({
        orders: a.orders.map((o) => byNo.get(o.poNumber)!),
        today: '2026-03-10',
        supplierId: 'bench',
      })
      lines += matchDocument(a, c).lines.length
    }
    return lines / ((performance.now() - t0) / 1000)
  })

  const note = `${orderCount * linesPerPo} open PO lines in memory, ${asnCount} ASNs x 100 lines`
  return [
    {
      group,
      name: 'ASN lines matched per second (shared context)',
      value: rate,
      unit: 'lines/s',
      note: failures ? `${failures} unexpected holds; ${note}` : note,
    },
    {
      group,
      name: 'ASN lines matched per second (context per ASN)',
      value: perDoc,
      unit: 'lines/s',
      note,
    },
    { group, name: 'p50 one 100-line ASN', value: percentile(latencies, 50), unit: 'ms' },
    { group, name: 'p99 one 100-line ASN', value: percentile(latencies, 99), unit: 'ms' },
  ]
}
