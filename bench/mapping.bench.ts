/**
 * Mapping throughput (issue 5: "mapping must not be the bottleneck", target ≥ 20,000 line
 * items/s per core): canonical documents/s and line items/s for the X12 850 and 856 inbound
 * maps, including the canonical zod validation and provenance, on Segment arrays generated in
 * bench/gen/mapping.ts (so parser speed is not part of the figure). Also 850 outbound.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BenchContext, Figure } from './harness.ts'
import { medianOf } from './harness.ts'
import { gen850, gen856 } from './gen/mapping.ts'
import { loadMaps, runInbound, runOutbound } from '../src/mapping/index.ts'
import type { Segment } from '../src/edi/types.ts'

const mapsDir = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'maps')

function timeInbound(map: Parameters<typeof runInbound>[0], docs: Segment[][], minMs: number): { docs: number; ms: number } {
  let n = 0
  const t0 = performance.now()
  let t = t0
  do {
    for (const d of docs) {
      const r = runInbound(map, d, { partnerId: 'bench' })
      if (!r.ok) throw new Error(`bench input failed to map: ${JSON.stringify(r.issues.slice(0, 3))}`)
      n++
    }
    t = performance.now()
  } while (t - t0 < minMs)
  return { docs: n, ms: t - t0 }
}

export async function run(ctx: BenchContext): Promise<Figure[]> {
  const { maps, errors } = loadMaps(mapsDir)
  if (errors.length) throw new Error(`maps: ${errors.map((e) => `${e.file}: ${e.path}: ${e.message}`).join('; ')}`)
  const m850 = maps.get('x12-004010/850.in')!
  const m856 = maps.get('x12-004010/856.in')!
  const o850 = maps.get('x12-004010/850.out')!
  const minMs = ctx.quick ? 200 : 1500
  const figures: Figure[] = []

  // 850: 100 documents of 50 lines (typical), and one document of 5,000 lines (large)
  for (const [label, count, lines] of [
    ['850 × 50 lines', 100, 50],
    ['850 × 5,000 lines', 1, ctx.quick ? 1000 : 5000],
  ] as const) {
    const docs = Array.from({ length: count }, (_, i) => gen850(lines, i + 1))
    timeInbound(m850, docs, 100) // warm-up
    const docsPerS = await medianOf(ctx.runs, () => {
      const r = timeInbound(m850, docs, minMs)
      return (r.docs / r.ms) * 1000
    })
    figures.push({ group: 'Mapping (inbound, 1 core)', name: `${label}: documents`, value: docsPerS, unit: 'docs/s' })
    figures.push({ group: 'Mapping (inbound, 1 core)', name: `${label}: line items`, value: docsPerS * lines, unit: 'items/s', note: 'target ≥ 20,000' })
  }

  // 856: 2 orders × 2 pallets × 10 cartons × 3 items = 120 items per ASN (HL tree + SSCC checks)
  const asns = Array.from({ length: 50 }, (_, i) => gen856(2, 2, 10, 3, i + 1))
  const items856 = 2 * 2 * 10 * 3
  timeInbound(m856, asns, 100)
  const asnPerS = await medianOf(ctx.runs, () => {
    const r = timeInbound(m856, asns, minMs)
    return (r.docs / r.ms) * 1000
  })
  figures.push({ group: 'Mapping (inbound, 1 core)', name: '856 S/O/T/P/I, 120 items: documents', value: asnPerS, unit: 'docs/s' })
  figures.push({ group: 'Mapping (inbound, 1 core)', name: '856 S/O/T/P/I, 120 items: line items', value: asnPerS * items856, unit: 'items/s', note: 'target ≥ 20,000' })

  // outbound 850 (canonical → segments) on the documents the inbound map produced
  const canon = Array.from({ length: 100 }, (_, i) => {
    const r = runInbound(m850, gen850(50, i + 1), { partnerId: 'bench' })
    if (!r.ok) throw new Error('850 bench input')
    return r.doc
  })
  const outPerS = await medianOf(ctx.runs, () => {
    let n = 0
    const t0 = performance.now()
    do for (const d of canon) (runOutbound(o850, d), n++)
    while (performance.now() - t0 < minMs)
    return (n / (performance.now() - t0)) * 1000
  })
  figures.push({ group: 'Mapping (outbound, 1 core)', name: '850 × 50 lines: documents', value: outPerS, unit: 'docs/s' })
  figures.push({ group: 'Mapping (outbound, 1 core)', name: '850 × 50 lines: line items', value: outPerS * 50, unit: 'items/s' })
  return figures
}
