/**
 * EDIFACT parse throughput (issue 4): our streaming parse with envelope checks and dictionary
 * validation, our `--summary` scan, and the `edifact` / ts-edifact npm stream parsers as
 * baselines, on a generated DESADV and ORDERS (≥ 40 MB each, many release characters).
 * Memory: peak RSS of a streaming parse in a child process, for a small and a large file.
 *
 * Throughput is wall-clock MB/s (median of ctx.runs). The machine is shared, so each note also
 * gives the CPU-time rate (process.cpuUsage) of the same runs, which is less affected by load.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { loadavg } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { median, type BenchContext, type Figure } from './harness.ts'
import { generateEdifact } from './gen/edifact.ts'
import { createEdifactReader, summarizeEdifact } from '../src/edi/edifact/index.ts'

const require = createRequire(import.meta.url)
const here = dirname(fileURLToPath(import.meta.url))
const CHUNK = 64 * 1024

interface Rate {
  wall: number
  cpu: number
}

function timed(runs: number, bytes: number, fn: () => void): Rate {
  const wall: number[] = []
  const cpu: number[] = []
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    fn()
    const dt = (performance.now() - t0) / 1000
    const c = process.cpuUsage(c0)
    wall.push(bytes / 1e6 / dt)
    cpu.push(bytes / 1e6 / ((c.user + c.system) / 1e6))
  }
  return { wall: median(wall), cpu: median(cpu) }
}

/** Ours: streaming reader, every message tokenized, envelope-checked and validated, then dropped. */
function ours(buf: Buffer): void {
  let rejected = 0
  const r = createEdifactReader({ onMessage: (tx) => void (tx.status === 'rejected' && rejected++) })
  for (let i = 0; i < buf.length; i += CHUNK) r.push(buf.subarray(i, i + CHUNK))
  r.end()
  if (rejected) throw new Error(`generated data has ${rejected} rejected messages`)
}

/**
 * Chunk ends for the baselines: ~64 KiB, moved to just after an unreleased terminator. Both
 * npm parsers fail when a chunk ends right after a release character (issue 4), so they get
 * this help; ours takes plain 64 KiB chunks.
 */
function safeChunks(buf: Buffer): string[] {
  const out: string[] = []
  let from = 0
  while (from < buf.length) {
    let end = Math.min(buf.length, from + CHUNK)
    if (end < buf.length) {
      let t = buf.lastIndexOf(0x27, end - 1)
      while (t > from) {
        let k = 0
        while (buf[t - 1 - k] === 0x3f) k++
        if ((k & 1) === 0) break
        t = buf.lastIndexOf(0x27, t - 1)
      }
      if (t > from) end = t + 1
    }
    out.push(buf.toString('latin1', from, end))
    from = end
  }
  return out
}

/** `edifact` (npm) Parser in stream mode: string chunks, listeners building segment arrays. */
function edifactPkg(chunks: string[]): void {
  const Parser = require('edifact/parser.js')
  const p = new Parser()
  p.encoding('UNOC')
  let segs = 0
  let elements: string[][] = []
  let components: string[] = []
  p.on('opensegment', () => {
    segs++
    elements = []
  })
  p.on('element', () => {
    components = []
    elements.push(components)
  })
  p.on('component', (d: string) => components.push(d))
  for (const c of chunks) p.write(c)
  p.end()
  if (segs === 0) throw new Error('edifact parsed nothing')
}

/**
 * ts-edifact Parser in stream mode, same listeners. Its package entry pulls in an HTTP client
 * whose dependency (htmlparser2) is not installed, so the parser module is loaded directly;
 * UNOC + NullValidator, otherwise it rejects lowercase and logs one warning per segment.
 */
function tsEdifact(chunks: string[]): void {
  const { Parser } = require('ts-edifact/lib/parser.js')
  const { Configuration } = require('ts-edifact/lib/configuration.js')
  const { NullValidator } = require('ts-edifact/lib/validator.js')
  const p = new Parser(new Configuration({ charset: 'UNOC', validator: new NullValidator() }))
  let segs = 0
  let elements: string[][] = []
  let components: string[] = []
  p.on('openSegment', () => {
    segs++
    elements = []
  })
  p.on('element', () => {
    components = []
    elements.push(components)
  })
  p.on('component', (d: string) => components.push(d))
  for (const c of chunks) p.write(c)
  p.end()
  if (segs === 0) throw new Error('ts-edifact parsed nothing')
}

/** Peak RSS (MiB) of a child process that streams `file` through our reader from disk. */
function childPeakRss(file: string): number {
  const entry = resolve(here, '../src/edi/edifact/index.ts')
  const code = `
    import { createReadStream } from 'node:fs'
    import { createEdifactReader } from ${JSON.stringify(entry)}
    let n = 0
    const r = createEdifactReader({ onMessage: () => n++ })
    for await (const chunk of createReadStream(${JSON.stringify(file)})) r.push(chunk)
    r.end()
    process.stdout.write(JSON.stringify({ n, rss: process.resourceUsage().maxRSS }))`
  const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', cwd: resolve(here, '..') })
  if (out.status !== 0) throw new Error(`child failed: ${out.stderr}`)
  const got = JSON.parse(out.stdout) as { n: number; rss: number }
  if (got.n === 0) throw new Error('child parsed no message')
  return got.rss / 1024
}

function ensure(ctx: BenchContext, type: 'DESADV' | 'ORDERS', bytes: number, tag = ''): string {
  const file = join(ctx.dir, `edifact-${type.toLowerCase()}${tag}-${bytes}.edi`)
  if (!existsSync(file)) writeFileSync(file, generateEdifact({ type, bytes, lineBreak: '' }))
  return file
}

export async function run(ctx: BenchContext): Promise<Figure[]> {
  const size = ctx.quick ? 4_000_000 : 40_000_000
  const figures: Figure[] = []
  const group = 'EDIFACT parse'
  for (const type of ['DESADV', 'ORDERS'] as const) {
    const file = ensure(ctx, type, size)
    const buf = readFileSync(file)
    const mb = buf.length / 1e6
    const releases = buf.toString('latin1').split('?').length - 1
    const full = timed(ctx.runs, buf.length, () => ours(buf))
    const sum = timed(ctx.runs, buf.length, () => summarizeEdifact(buf))
    let pkg: Rate | undefined
    let pkgErr = ''
    try {
      // Decoding to strings is part of their cost (they take strings), so it is inside the timing.
      pkg = timed(ctx.runs, buf.length, () => edifactPkg(safeChunks(buf)))
    } catch (e) {
      pkgErr = (e as Error).message
    }
    let ts: Rate | undefined
    let tsErr = ''
    try {
      ts = timed(ctx.runs, buf.length, () => tsEdifact(safeChunks(buf)))
    } catch (e) {
      tsErr = (e as Error).message.split('\n')[0]
    }
    const load = `load ${loadavg()[0].toFixed(1)}`
    const cpuNote = (r: Rate) => `CPU-time rate ${r.cpu.toFixed(1)} MB/s; ${load}`
    figures.push({
      group,
      name: `${type} full parse + validation (${mb.toFixed(0)} MB, ${releases} release chars)`,
      value: full.wall,
      unit: 'MB/s',
      ...(pkg ? { ratio: { against: 'edifact stream', value: full.wall / pkg.wall } } : {}),
      note: `${cpuNote(full)}; target ≥ 50 MB/s and ≥ 2.5x edifact${pkg ? `; CPU-time ratio ${(full.cpu / pkg.cpu).toFixed(2)}x` : ''}${ts ? `; ${(full.wall / ts.wall).toFixed(2)}x ts-edifact` : ''}`,
    })
    figures.push({ group, name: `${type} summary (parse --summary)`, value: sum.wall, unit: 'MB/s', note: `${cpuNote(sum)}; target ≥ 150 MB/s` })
    figures.push(
      pkg
        ? { group, name: `${type} edifact (npm) stream`, value: pkg.wall, unit: 'MB/s', note: `${cpuNote(pkg)}; chunks cut after a terminator (it breaks on a chunk ending in ?)` }
        : { group, name: `${type} edifact (npm) stream`, value: NaN, unit: 'MB/s', note: `failed: ${pkgErr}` }
    )
    figures.push(
      ts
        ? { group, name: `${type} ts-edifact stream`, value: ts.wall, unit: 'MB/s', note: `${cpuNote(ts)}; same terminator-aligned chunks` }
        : { group, name: `${type} ts-edifact stream`, value: NaN, unit: 'MB/s', note: `cannot run: ${tsErr}` }
    )
  }
  // Constant memory: peak RSS of a streaming parse should not grow with the file size.
  const small = ensure(ctx, 'DESADV', Math.floor(size / 10), '-small')
  const big = ensure(ctx, 'DESADV', size)
  const rssSmall = childPeakRss(small)
  const rssBig = childPeakRss(big)
  figures.push({ group: 'EDIFACT memory', name: `peak RSS streaming ${(statSync(small).size / 1e6).toFixed(0)} MB file`, value: rssSmall, unit: 'MiB' })
  figures.push({
    group: 'EDIFACT memory',
    name: `peak RSS streaming ${(statSync(big).size / 1e6).toFixed(0)} MB file`,
    value: rssBig,
    unit: 'MiB',
    ratio: { against: `${(statSync(small).size / 1e6).toFixed(0)} MB file`, value: rssBig / rssSmall },
    note: 'child process, fs.createReadStream 64 KiB chunks; ratio ≈ 1 means constant memory',
  })
  return figures
}
