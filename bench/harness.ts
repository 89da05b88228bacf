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
