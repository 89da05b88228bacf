/**
 * `npm run fuzz`: the long fuzz run. Many more seeded cases than CI, in slices (each slice a
 * fresh worker process with the stall watchdog), then 500 MiB of random bytes through each
 * streaming reader.
 *   node bin/run-ts.js scripts/fuzz.ts [--cases 200000] [--seed N] [--garbage-mb 500]
 * Exit 1 on any failing case, hang or unbounded memory; each failure is printed with the
 * command that reproduces it.
 */
import { runChild, type Failure } from '../test/fuzz/drive.ts'

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : def
}
const cases = arg('cases', 200_000)
const seed = arg('seed', Date.now() % 1_000_000)
const mb = arg('garbage-mb', 500)
const slice = 10_000
const failures: Failure[] = []
let bad = false
console.log(`fuzz: ${cases} cases, seed ${seed}`)
for (let start = 0; start < cases; start += slice) {
  const count = Math.min(slice, cases - start)
  const run = await runChild<{ outcomes: Record<string, number>; maxHeap: number }>(['cases', String(seed), String(count), String(start)], { stallMs: 120_000, heapMb: 2048 })
  failures.push(...run.failures)
  if (run.stalledAt !== undefined) {
    bad = true
    console.log(`  HANG/CRASH at case ${run.stalledAt} (exit ${run.code}/${run.signal}): node bin/run-ts.js test/fuzz/child.ts cases ${seed} 1 ${run.stalledAt}\n${run.stderr}`)
  }
  console.log(`  ${start + count}/${cases}: ${failures.length} failing so far, outcomes ${JSON.stringify(run.stats?.outcomes)}, max heap ${((run.stats?.maxHeap ?? 0) / 2 ** 20).toFixed(0)} MiB`)
}
for (const f of failures.slice(0, 50)) console.log(`  FAIL case ${f.i} (${f.seed}; ${f.ops.join('+')}): ${f.error.split('\n')[0]}\n    node bin/run-ts.js test/fuzz/child.ts cases ${seed} 1 ${f.i}`)
bad ||= failures.length > 0
for (const what of ['x12', 'x12-group', 'raw', 'edifact-unb', 'edifact']) {
  const run = await runChild<{ growth: number; seconds: number; segments: number }>(['garbage', String(mb), what], { stallMs: 300_000, heapMb: 4096 })
  const s = run.stats
  const flat = s !== undefined && s.growth < 64 * 2 ** 20
  console.log(`  garbage ${mb} MiB through ${what}: ${s ? `${s.seconds.toFixed(0)} s, ${s.segments} segments, heap growth ${(s.growth / 2 ** 20).toFixed(0)} MiB` : `died (exit ${run.code}/${run.signal})`} ${flat ? 'ok' : 'UNBOUNDED'}`)
  bad ||= !flat
}
process.exit(bad ? 1 : 0)
