/**
 * One run of the end-to-end bench (bench/e2e.bench.ts) from the command line, for profiling and
 * for measuring another commit: SHAPE=large|small, N sets of each kind, PER sets per large file,
 * P worker processes; SCALE_NODE_ARGS and STMT_HIST reach the workers (bench/scale-worker.ts).
 */
import { once, describe } from './e2e.bench.ts'
const shape = (process.env.SHAPE ?? 'large') as 'large'|'small'
const r = await once({ name: shape, sets: Number(process.env.N ?? 200), perFile: shape === 'small' ? 1 : Number(process.env.PER ?? 100) }, Number(process.env.P ?? 1))
console.log(describe(r))
process.exit(0)
