import { once, describe } from './e2e.bench.ts'
const shape = (process.env.SHAPE ?? 'large') as 'large'|'small'
const r = await once({ name: shape, sets: Number(process.env.N ?? 200), perFile: shape === 'small' ? 1 : Number(process.env.PER ?? 100) }, Number(process.env.P ?? 1))
console.log(describe(r))
process.exit(0)
