/**
 * The fuzz worker process (run by test/fuzz/drive.ts, never directly by vitest): a case that
 * hangs or exhausts memory takes down only this process, and the parent names the case.
 *
 *   node --max-old-space-size=N bin/run-ts.js test/fuzz/child.ts cases <seed> <count> [start]
 *   node bin/run-ts.js test/fuzz/child.ts garbage <megabytes> <x12|edifact|edifact-unb|raw>
 *
 * Reports over IPC: { t: 'start', i } before every case, { t: 'fail', ... } per violation,
 * { t: 'done', stats } at the end.
 */
import { createX12Reader } from '../../src/edi/x12/index.ts'
import { createEdifactReader } from '../../src/edi/edifact/index.ts'
import { EDIFACT_HEADER, EDIFACT_UNB_HEADER, garbageChunks, makeCase, X12_GROUP_HEADER, X12_HEADER } from './cases.ts'
import { checkCase, loadEngines, Violation } from './check.ts'
import { loadSeeds, repoRoot } from './seeds.ts'

const send = (m: unknown) => (process.send ? process.send(m) : console.log(JSON.stringify(m)))
const heap = () => {
  const m = process.memoryUsage()
  return { heap: m.heapUsed + m.arrayBuffers, rss: m.rss }
}

async function runCases(seed: number, count: number, start: number) {
  const { seeds, notes } = loadSeeds()
  const engines = loadEngines(repoRoot)
  const stats = {
    seeds: seeds.length, notes, cases: 0, failures: 0,
    outcomes: {} as Record<string, number>, ops: {} as Record<string, number>, kinds: {} as Record<string, number>,
    acks: 0, transactions: 0, rejectedTransactions: 0, maxCaseMs: 0, maxCase: -1, maxRss: 0, maxHeap: 0, bytes: 0,
  }
  for (let i = start; i < start + count; i++) {
    send({ t: 'start', i })
    const c = makeCase(seeds, seed, i)
    const t0 = performance.now()
    try {
      const o = await checkCase(engines, c.bytes, i)
      stats.outcomes[o.outcome] = (stats.outcomes[o.outcome] ?? 0) + 1
      stats.kinds[o.kind] = (stats.kinds[o.kind] ?? 0) + 1
      stats.acks += o.acks
      stats.transactions += o.transactions
      stats.rejectedTransactions += o.rejectedTransactions
    } catch (err) {
      stats.failures++
      const e = err as Error
      send({ t: 'fail', i, seed: c.seed, ops: c.ops, size: c.bytes.length, violation: err instanceof Violation, error: `${e.message}\n${err instanceof Violation ? '' : e.stack ?? ''}`.slice(0, 2000) })
    }
    const ms = performance.now() - t0
    if (ms > stats.maxCaseMs) [stats.maxCaseMs, stats.maxCase] = [ms, i]
    for (const op of c.ops) stats.ops[op] = (stats.ops[op] ?? 0) + 1
    stats.cases++
    stats.bytes += c.bytes.length
    if (i % 50 === 0 || c.bytes.length > 1e5) {
      const m = heap()
      stats.maxRss = Math.max(stats.maxRss, m.rss)
      stats.maxHeap = Math.max(stats.maxHeap, m.heap)
    }
  }
  send({ t: 'done', stats })
}

/** Streams `mb` MiB of random bytes through a reader; reports the heap high-water mark. */
function runGarbage(mb: number, what: string) {
  const header = what === 'x12' ? X12_HEADER : what === 'x12-group' ? X12_GROUP_HEADER : what === 'edifact' ? EDIFACT_HEADER : what === 'edifact-unb' ? EDIFACT_UNB_HEADER : Buffer.alloc(0)
  let transactions = 0
  let interchanges = 0
  const reader =
    what.startsWith('edifact')
      ? createEdifactReader({ onMessage: () => void transactions++, onInterchange: () => void interchanges++ })
      : createX12Reader({ onTransaction: () => void transactions++, onInterchange: () => void interchanges++ }, { keepSegments: false, keepTransactions: false })
  // Warm up (JIT, dictionaries) before taking the baseline.
  global.gc?.()
  const base = heap()
  let maxHeap = base.heap
  let maxRss = base.rss
  let n = 0
  const t0 = performance.now()
  for (const chunk of garbageChunks(mb * (1 << 20), header)) {
    reader.push(chunk)
    if (++n % 64 === 0) {
      // Retained memory, not garbage awaiting collection (--expose-gc is set by drive.ts).
      global.gc?.()
      const m = heap()
      maxHeap = Math.max(maxHeap, m.heap)
      maxRss = Math.max(maxRss, m.rss)
      send({ t: 'start', i: n })
    }
  }
  const r = reader.end()
  const m = heap()
  send({
    t: 'done',
    stats: {
      mb, what, seconds: (performance.now() - t0) / 1000, baseHeap: base.heap, maxHeap: Math.max(maxHeap, m.heap), growth: Math.max(maxHeap, m.heap) - base.heap,
      baseRss: base.rss, maxRss: Math.max(maxRss, m.rss), unreadable: r.unreadable, issues: r.issues.length, segments: r.segments, bytes: r.bytes, transactions, interchanges,
    },
  })
}

const [mode, a, b, c] = process.argv.slice(2)
if (mode === 'cases') await runCases(Number(a), Number(b), Number(c ?? 0))
else if (mode === 'garbage') runGarbage(Number(a), b)
else throw new Error(`usage: child.ts cases <seed> <count> [start] | garbage <mb> <x12|x12-group|edifact|edifact-unb|raw>`)
process.disconnect?.()
