/**
 * X12 throughput against node-x12 on the same generated files (bench/gen/x12.ts): a large 856
 * with deep HL trees (S/O/T/P/I) and a large 850. Figures: our streaming parse with envelope +
 * dictionary validation, parseX12 keeping every Segment, our envelope summary, node-x12 stream
 * mode and parse(); and the peak RSS of our streaming parse of a big file in a child process.
 * Run: `node bin/run-ts.js bench/run.ts x12` (BENCH_QUICK=1 for small inputs).
 */
import { spawnSync } from 'node:child_process'
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { interleaved, medianOf, peakRssMb, ratioNote, type BenchContext, type Figure, type Rates } from './harness.ts'
import { chunksX12, generateX12 } from './gen/x12.ts'
import { createX12Reader, parseX12, summarizeX12 } from '../src/edi/x12/index.ts'

const MB = 1e6
const CHUNK = 64 * 1024

function chunks(buf: Buffer): Buffer[] {
  const out: Buffer[] = []
  for (let i = 0; i < buf.length; i += CHUNK) out.push(buf.subarray(i, i + CHUNK))
  return out
}

/** Our streaming reader: validation on, segments not retained (the 1 GB path). */
function ourStream(parts: Buffer[]): number {
  let bad = 0
  const r = createX12Reader({ onTransaction: (t) => void (t.status !== 'accepted' && bad++) }, { keepSegments: false, keepTransactions: false })
  for (const c of parts) r.push(c)
  r.end()
  if (bad > 0) throw new Error(`generator produced ${bad} invalid transactions`)
  return bad
}

/** Reads every element of every segment (LazySegment splits on first read). */
function readAll(r: ReturnType<typeof parseX12>): number {
  let n = 0
  for (const ic of r.interchanges) for (const gr of ic.groups) for (const t of gr.transactions) for (const s of t.segments) n += s.elements.length
  return n
}

/** node-x12 is CommonJS; depending on the loader its exports sit on the namespace or on default. */
async function nodeX12(): Promise<typeof import('node-x12')> {
  const mod = (await import('node-x12')) as unknown as typeof import('node-x12') & { default?: typeof import('node-x12') }
  return mod.X12Parser ? mod : (mod.default as typeof import('node-x12'))
}

async function nodeX12Stream(parts: Buffer[]): Promise<number> {
  const { X12Parser } = await nodeX12()
  return new Promise((resolve, reject) => {
    let n = 0
    const parser = new X12Parser(false)
    parser.on('data', () => n++)
    parser.on('end', () => resolve(n))
    parser.on('error', reject)
    Readable.from(parts).pipe(parser)
  })
}

async function nodeX12Parse(text: string): Promise<void> {
  const { X12Parser } = await nodeX12()
  new X12Parser(false).parse(text)
}

/** Wall-clock MB/s (the figure) and CPU-time MB/s (for the note: the bench host is shared). */
const cpuRates = new Map<string, number>()
async function rate(runs: number, bytes: number, fn: () => unknown, key = ''): Promise<number> {
  const cpu: number[] = []
  const wall = await medianOf(runs, async () => {
    const c = process.cpuUsage()
    const t = performance.now()
    await fn()
    const used = process.cpuUsage(c)
    cpu.push(bytes / MB / ((used.user + used.system) / 1e6))
    return bytes / MB / ((performance.now() - t) / 1000)
  })
  if (key) cpuRates.set(key, cpu.sort((a, b) => a - b)[Math.floor(cpu.length / 2)])
  return wall
}

/** Child-process mode: stream a file through the reader and print peak RSS in MB. */
async function rssChild(file: string): Promise<void> {
  const r = createX12Reader({}, { keepSegments: false, keepTransactions: false })
  for await (const c of createReadStream(file, { highWaterMark: CHUNK })) r.push(c as Buffer)
  const end = r.end()
  console.log(JSON.stringify({ maxRssMb: peakRssMb(), segments: end.segments }))
}

async function writeFile(file: string, bytes: number): Promise<void> {
  if (existsSync(file) && statSync(file).size >= bytes) return
  const out = createWriteStream(file)
  for (const piece of chunksX12({ type: '856', bytes, seed: 7 })) {
    if (!out.write(piece)) await new Promise<void>((r) => out.once('drain', () => r()))
  }
  await new Promise<void>((r) => out.end(() => r()))
}

export async function run(ctx: BenchContext): Promise<Figure[]> {
  const g = 'X12 parse'
  const size856 = ctx.quick ? 5 * MB : 50 * MB
  const size850 = ctx.quick ? 3 * MB : 30 * MB
  const asn = generateX12({ type: '856', bytes: size856 })
  const po = generateX12({ type: '850', bytes: size850, seed: 11 })
  const asnParts = chunks(asn)
  const poParts = chunks(po)
  const figs: Figure[] = []
  const mbs = (n: number) => `${(n / MB).toFixed(0)} MB`

  // The streaming contenders run interleaved (harness.ts): one run of each per round.
  const r856 = await interleaved(
    [
      { name: 'nx', bytes: asn.length, run: () => nodeX12Stream(asnParts) },
      { name: 'ours', bytes: asn.length, run: () => ourStream(asnParts) },
      { name: 'sum', bytes: asn.length, run: () => summarizeX12(asnParts) },
    ],
    Math.max(ctx.runs, 5)
  )
  const r850 = await interleaved(
    [
      { name: 'nx', bytes: po.length, run: () => nodeX12Stream(poParts) },
      { name: 'ours', bytes: po.length, run: () => ourStream(poParts) },
      { name: 'sum', bytes: po.length, run: () => summarizeX12(poParts) },
    ],
    Math.max(ctx.runs, 5)
  )
  const need = (r: Awaited<ReturnType<typeof interleaved>>, k: string): Rates => {
    const v = r.rates.get(k)
    if (!v) throw new Error(`X12 bench: ${k} failed: ${r.errors.get(k)}`)
    return v
  }
  const nxStream856 = need(r856, 'nx')
  const nxStream850 = need(r850, 'nx')
  const ours856 = need(r856, 'ours')
  const ours850 = need(r850, 'ours')
  const sum856 = need(r856, 'sum')
  const sum850 = need(r850, 'sum')
  // parseX12 keeps every Segment object: measured on a slice so the heap stays reasonable.
  const sliceBytes = ctx.quick ? 3 * MB : 10 * MB
  const slice = generateX12({ type: '856', bytes: sliceBytes, seed: 3 })
  const full = await rate(ctx.runs, slice.length, () => parseX12(slice), 'full')
  // Kept segments split their elements on first read: this one reads them all (map engine view).
  const fullRead = await rate(ctx.runs, slice.length, () => readAll(parseX12(slice)), 'fullread')
  const nxParseSlice = generateX12({ type: '856', bytes: ctx.quick ? 1 * MB : 5 * MB, seed: 5 })
  const nxParseText = nxParseSlice.toString('latin1')
  const nxParse = await rate(ctx.runs, nxParseSlice.length, () => nodeX12Parse(nxParseText), 'nxparse')

  const vs = (v: Rates, base: Rates, against: string) => ({ against, value: v.wall / base.wall })
  const cpu = (k: string) => `CPU-time rate ${(cpuRates.get(k) ?? NaN).toFixed(0)} MB/s`
  const cpuOf = (r: Rates) => `CPU-time rate ${r.cpu.toFixed(0)} MB/s`
  const load = () => `load ${loadavg()[0].toFixed(1)}`
  const vsNx = (r: Rates, nx: Rates) => `; vs node-x12 stream, median of ${Math.max(ctx.runs, 5)} interleaved runs: ${ratioNote(r, nx)}`
  const fullNx = { wall: nxStream856.wall, cpu: nxStream856.cpu }
  figs.push(
    { group: g, name: `ours: streaming parse + envelope + dictionary validation, 856 ${mbs(asn.length)}`, value: ours856.wall, unit: 'MB/s', ratio: vs(ours856, nxStream856, 'node-x12 stream'), note: `segments validated in place, not retained; ${cpuOf(ours856)}; ${load()}; target ≥ 50 MB/s and ≥ 3x node-x12 stream${vsNx(ours856, nxStream856)}` },
    { group: g, name: `ours: streaming parse + validation, 850 ${mbs(po.length)}`, value: ours850.wall, unit: 'MB/s', ratio: vs(ours850, nxStream850, 'node-x12 stream'), note: `${cpuOf(ours850)}${vsNx(ours850, nxStream850)}` },
    { group: g, name: `ours: parseX12 (every Segment kept), 856 ${mbs(slice.length)}`, value: full, unit: 'MB/s', ratio: { against: 'node-x12 stream', value: full / fullNx.wall }, note: `Segment objects kept for the map engine, elements split on first read; ${cpu('full')}` },
    { group: g, name: `ours: parseX12 + every element read, 856 ${mbs(slice.length)}`, value: fullRead, unit: 'MB/s', ratio: { against: 'node-x12 stream', value: fullRead / fullNx.wall }, note: `all element arrays materialised, as a map over every segment would; ${cpu('fullread')}` },
    { group: g, name: `ours: summarizeX12, 856 ${mbs(asn.length)}`, value: sum856.wall, unit: 'MB/s', ratio: vs(sum856, nxStream856, 'node-x12 stream'), note: `${cpuOf(sum856)}; target ≥ 150 MB/s` },
    { group: g, name: `ours: summarizeX12, 850 ${mbs(po.length)}`, value: sum850.wall, unit: 'MB/s', ratio: vs(sum850, nxStream850, 'node-x12 stream'), note: cpuOf(sum850) },
    { group: g, name: `node-x12 stream mode, 856 ${mbs(asn.length)}`, value: nxStream856.wall, unit: 'MB/s', note: `no envelope checks, no validation; ${cpuOf(nxStream856)}` },
    { group: g, name: `node-x12 stream mode, 850 ${mbs(po.length)}`, value: nxStream850.wall, unit: 'MB/s', note: cpuOf(nxStream850) },
    { group: g, name: `node-x12 parse(), 856 ${mbs(nxParseSlice.length)} slice`, value: nxParse, unit: 'MB/s', note: `slice only: parse() needs GBs of heap on 50 MB; ${cpu('nxparse')}` },
  )

  // Many small files, a reader each (what a gateway mostly sees): 856s of about 8 KB.
  const files = Array.from({ length: ctx.quick ? 200 : 2000 }, (_, i) => generateX12({ type: '856', bytes: 8000, seed: 1000 + i }))
  const total = files.reduce((n, f) => n + f.length, 0)
  const texts = files.map((f) => f.toString('latin1'))
  const { X12Parser } = await nodeX12()
  const smallFiles = await interleaved(
    [
      { name: 'ours', bytes: total, run: () => { for (const f of files) ourStream([f]) } },
      { name: 'nx', bytes: total, run: () => { for (const t of texts) new X12Parser(false).parse(t) } },
    ],
    Math.max(ctx.runs, 5)
  )
  const so = need(smallFiles, 'ours')
  const sn = need(smallFiles, 'nx')
  const perFile = (r: Rates) => (r.wall * 1e6) / (total / files.length)
  figs.push(
    { group: g, name: `ours: ${files.length} small 856 files (~${(total / files.length / 1000).toFixed(0)} KB), a reader each`, value: perFile(so), unit: 'files/s', ratio: vs(so, sn, 'node-x12 parse()'), note: `${so.wall.toFixed(1)} MB/s, ${cpuOf(so)}; full validation; vs node-x12 parse() per file: ${ratioNote(so, sn)}` },
    { group: g, name: `node-x12 parse(), the same ${files.length} files`, value: perFile(sn), unit: 'files/s', note: `${sn.wall.toFixed(1)} MB/s, ${cpuOf(sn)}` },
  )

  // Peak RSS of a streaming parse, measured in fresh child processes on a small and a big file:
  // constant memory means the same figure for both (the ratio).
  const self = fileURLToPath(import.meta.url)
  const runTs = join(self, '../../bin/run-ts.js')
  const peak = async (bytes: number): Promise<{ rss: number; size: number; err: string }> => {
    const file = join(ctx.dir, `x12-856-${bytes / MB}mb.edi`)
    await writeFile(file, bytes)
    const child = spawnSync(process.execPath, [runTs, self, '--rss-child', file], { encoding: 'utf8' })
    const line = child.stdout.trim().split('\n').pop() ?? ''
    const rss = line.startsWith('{') ? (JSON.parse(line) as { maxRssMb: number }).maxRssMb : NaN
    return { rss, size: statSync(file).size, err: child.status ? child.stderr.slice(0, 200) : '' }
  }
  const small = await peak(32 * MB)
  // The issue's figure: a 1 GB file (generated once into bench/out, about 10 s).
  const big = ctx.quick ? small : await peak(1000 * MB)
  figs.push({
    group: g,
    name: `ours: peak RSS, streaming parse + validation of a ${mbs(big.size)} 856 file`,
    value: big.rss,
    unit: 'MB',
    ratio: { against: `${mbs(small.size)} file`, value: big.rss / small.rss },
    note: `target < 150 MB; child process incl. the Node+tsx baseline; ${mbs(small.size)} file: ${small.rss.toFixed(0)} MB${big.err || small.err ? `; child failed: ${big.err || small.err}` : ''}`,
  })
  return figs
}

if (process.argv.includes('--rss-child')) {
  await rssChild(process.argv[process.argv.indexOf('--rss-child') + 1])
}
