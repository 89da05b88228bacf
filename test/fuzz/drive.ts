/**
 * Parent side of the fuzz worker: spawns test/fuzz/child.ts, collects its reports, and kills it
 * when no progress arrives within `stallMs` (a hang), naming the case it was on. Used by the CI
 * suite (test/fuzz/fuzz.test.ts) and the long run (scripts/fuzz.ts).
 */
import { spawn } from 'node:child_process'
import { repoRoot } from './seeds.ts'

export interface Failure {
  i: number
  seed: string
  ops: string[]
  size: number
  violation: boolean
  error: string
}

export interface ChildRun<S> {
  code: number | null
  signal: string | null
  /** The case that never finished (hang or crash), if any. */
  stalledAt?: number
  lastStarted: number
  failures: Failure[]
  stats?: S
  stderr: string
}

export function runChild<S>(args: string[], opts: { stallMs?: number; heapMb?: number; onProgress?: (i: number) => void } = {}): Promise<ChildRun<S>> {
  const stallMs = opts.stallMs ?? 60_000
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${opts.heapMb ?? 1024}`, '--expose-gc', 'bin/run-ts.js', 'test/fuzz/child.ts', ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    })
    const run: ChildRun<S> = { code: null, signal: null, lastStarted: -1, failures: [], stderr: '' }
    let timer: NodeJS.Timeout
    const arm = () => {
      clearTimeout(timer)
      timer = setTimeout(() => {
        run.stalledAt = run.lastStarted
        child.kill('SIGKILL')
      }, stallMs)
    }
    arm()
    child.stderr!.on('data', (d) => (run.stderr = (run.stderr + d).slice(-8000)))
    child.on('message', (m: { t: string; i?: number; stats?: S } & Failure) => {
      arm()
      if (m.t === 'start') {
        run.lastStarted = m.i!
        opts.onProgress?.(m.i!)
      } else if (m.t === 'fail') run.failures.push(m)
      else if (m.t === 'done') run.stats = m.stats
    })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      run.code = code
      run.signal = signal
      // Died without finishing: the case it was on crashed it (OOM, abort).
      if (run.stats === undefined && run.stalledAt === undefined) run.stalledAt = run.lastStarted
      resolve(run)
    })
  })
}
