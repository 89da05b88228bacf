/**
 * Tiny benchmark harness: every figure is the median of N runs. Each area adds a file
 * bench/<area>.ts exporting `run(ctx)` that returns figures; bench/run.ts collects them into
 * bench/results.md.
 */
import { readFileSync } from 'node:fs'
export interface Figure {
  /** Section heading in results.md, e.g. 'X12 parse'. */
  group: string
  name: string
  value: number
  unit: string
  /** Optional comparison against a baseline in the same run, e.g. 'node-x12 stream'. */
  ratio?: { against: string; value: number }
  note?: string
}

export interface BenchContext {
  /** Scratch directory for generated inputs (bench/out, git-ignored). */
  dir: string
  /** Number of repetitions per figure (median taken). */
  runs: number
  /** Smaller inputs when BENCH_QUICK=1 (for a smoke run). */
  quick: boolean
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Runs `fn` `runs` times and returns the median of what it returns (a rate or a duration). */
export async function medianOf(runs: number, fn: () => Promise<number> | number): Promise<number> {
  const out: number[] = []
  for (let i = 0; i < runs; i++) out.push(await fn())
  return median(out)
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const idx = Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)
  return s[Math.max(0, idx)]
}

/**
 * Peak resident memory of this process in MB: VmHWM of /proc/self/status. Not
 * process.resourceUsage().maxRSS: on Linux that high-water mark survives execve, so a child
 * spawned by the benchmark (fork, then exec) reports at least the parent's RSS at the fork.
 * maxRSS is the fallback where there is no /proc.
 */
export function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'))
    if (m) return Number(m[1]) / 1024
  } catch {
    // no procfs
  }
  return process.resourceUsage().maxRSS / 1024
}

/** Wall-clock and CPU-time rates (MB/s) of one contender: medians of its timed runs. */
export interface Rates {
  wall: number
  cpu: number
}

export interface Contender {
  name: string
  /** Bytes one run processes (for the MB/s). */
  bytes: number
  run(): unknown
}

/**
 * Runs contenders interleaved: `warmup` untimed rounds, then `rounds` timed ones, each round
 * one run of every contender, the order reversed every other round, so load from elsewhere on
 * a shared machine (and the garbage one contender leaves for the next) falls on all of them
 * alike. Returns the median wall-clock and CPU-time (process.cpuUsage, all threads) MB/s per
 * contender; a contender that throws is reported by name in `errors` (its first message) and
 * left out.
 */
export async function interleaved(contenders: Contender[], rounds: number, warmup = 3): Promise<{ rates: Map<string, Rates>; errors: Map<string, string> }> {
  const wall = new Map<string, number[]>()
  const cpu = new Map<string, number[]>()
  const errors = new Map<string, string>()
  for (const c of contenders) {
    wall.set(c.name, [])
    cpu.set(c.name, [])
  }
  for (let r = 0; r < warmup + rounds; r++) {
    const order = r % 2 === 0 ? contenders : [...contenders].reverse()
    for (const c of order) {
      if (errors.has(c.name)) continue
      const c0 = process.cpuUsage()
      const t0 = performance.now()
      try {
        await c.run()
      } catch (e) {
        errors.set(c.name, ((e as Error).message ?? String(e)).split('\n')[0])
        continue
      }
      const dt = (performance.now() - t0) / 1000
      const used = process.cpuUsage(c0)
      if (r < warmup) continue
      wall.get(c.name)!.push(c.bytes / 1e6 / dt)
      cpu.get(c.name)!.push(c.bytes / 1e6 / ((used.user + used.system) / 1e6))
    }
  }
  const rates = new Map<string, Rates>()
  for (const c of contenders) {
    const w = wall.get(c.name)!
    if (!errors.has(c.name) && w.length > 0) rates.set(c.name, { wall: median(w), cpu: median(cpu.get(c.name)!) })
  }
  return { rates, errors }
}

/** "wall ratio 3.10x, CPU-time ratio 2.95x" of `a` against `b`. */
export function ratioNote(a: Rates, b: Rates): string {
  return `wall ratio ${(a.wall / b.wall).toFixed(2)}x, CPU-time ratio ${(a.cpu / b.cpu).toFixed(2)}x`
}
