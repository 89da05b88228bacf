/**
 * `npm run bench`: runs every bench/<area>.bench.ts in one process, one after the other, and
 * writes bench/results.md with the machine, the date and each figure (median of BENCH_RUNS,
 * default 3). `npm run bench -- x12 edifact` runs only the named areas and replaces their
 * sections of bench/results.md (the others stay).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { BenchContext, Figure } from './harness.ts'

const here = dirname(fileURLToPath(import.meta.url))
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'))
const ctx: BenchContext = {
  dir: join(here, 'out'),
  runs: Number(process.env.BENCH_RUNS ?? 3),
  quick: process.env.BENCH_QUICK === '1',
}
mkdirSync(ctx.dir, { recursive: true })

const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.includes(f.replace('.bench.ts', '')))
  .sort()

const figures: Figure[] = []
for (const f of files) {
  const started = Date.now()
  console.log(`# ${f}`)
  try {
    const mod = (await import(pathToFileURL(join(here, f)).href)) as {
      run: (c: BenchContext) => Promise<Figure[]>
    }
    const got = await mod.run(ctx)
    for (const g of got) {
      console.log(`  ${g.group} | ${g.name}: ${fmt(g.value)} ${g.unit}${g.ratio ? ` (${fmt(g.ratio.value)}x ${g.ratio.against})` : ''}`)
    }
    figures.push(...got)
  } catch (err) {
    console.error(`  ${f} failed: ${(err as Error).stack ?? err}`)
    figures.push({ group: f, name: 'FAILED', value: NaN, unit: '', note: String((err as Error).message) })
  }
  console.log(`  (${((Date.now() - started) / 1000).toFixed(1)} s)`)
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n)
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)
}

const lines: string[] = [
  '# Benchmark results',
  '',
  `- date: ${new Date().toISOString()}`,
  `- machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  `- database: ${process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite unless a figure says otherwise'}`,
  `- each figure is the median of ${ctx.runs} runs${ctx.quick ? ' (BENCH_QUICK: reduced sizes)' : ''}; command: \`npm run bench\``,
  '',
]
const groups = [...new Set(figures.map((f) => f.group))]
for (const g of groups) {
  lines.push(`## ${g}`, '', '| figure | value | unit | ratio | note |', '|---|---:|---|---|---|')
  for (const f of figures.filter((x) => x.group === g)) {
    const ratio = f.ratio ? `${fmt(f.ratio.value)}x vs ${f.ratio.against}` : ''
    lines.push(`| ${f.name} | ${fmt(f.value)} | ${f.unit} | ${ratio} | ${f.note ?? ''} |`)
  }
  lines.push('')
}
if (only.length === 0) writeFileSync(join(here, 'results.md'), lines.join('\n'))
else {
  writeFileSync(join(here, 'out', `results-${only.join('-')}.md`), lines.join('\n'))
  // A partial run (`npm run bench -- e2e`) replaces its own sections of bench/results.md and
  // keeps the others, each section saying when and how it was measured.
  const file = join(here, 'results.md')
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n'
  const parts = old.split(/^(?=## )/m)
  const stamp = `Measured ${new Date().toISOString()} with \`npm run bench -- ${only.join(' ')}\` (median of ${ctx.runs} runs${ctx.quick ? ', BENCH_QUICK' : ''}; database: ${process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite unless a figure says otherwise'}).`
  for (const g of groups) {
    const body = [`## ${g}`, '', stamp, '', '| figure | value | unit | ratio | note |', '|---|---:|---|---|---|']
    for (const f of figures.filter((x) => x.group === g)) {
      const ratio = f.ratio ? `${fmt(f.ratio.value)}x vs ${f.ratio.against}` : ''
      body.push(`| ${f.name} | ${fmt(f.value)} | ${f.unit} | ${ratio} | ${f.note ?? ''} |`)
    }
    const section = body.join('\n') + '\n\n'
    const at = parts.findIndex((p) => p.startsWith(`## ${g}\n`))
    if (at >= 0) parts[at] = section
    else parts.push(section)
  }
  writeFileSync(file, parts.join(''))
}
console.log(lines.join('\n'))
