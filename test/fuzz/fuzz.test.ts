/**
 * Bad input (issue 10): 10,000 seeded mutations of every corpus file and fixture through the
 * engines (in a child process with a stall watchdog and a heap cap, so a hang or a blow-up names
 * its case instead of freezing CI), 20 MiB of random bytes through the streaming readers, then a
 * sample of 200 cases through the real pipeline on the test database.
 *
 * Reproduce one case: `node bin/run-ts.js test/fuzz/child.ts cases <seed> 1 <case>`.
 * The long run is scripts/fuzz.ts.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openGateway, type Gateway } from '../../src/app/gateway.ts'
import { loadEnv } from '../../src/config/env.ts'
import { silentLogger } from '../../src/lib/log.ts'
import { testDb, type TestDb } from '../helpers/db.ts'
import { makeCase } from './cases.ts'
import { runChild } from './drive.ts'
import { judge, runThroughPipeline } from './pipeline.ts'
import { loadSeeds, repoRoot } from './seeds.ts'

const SEED = Number(process.env.FUZZ_SEED ?? 20250310)
const CASES = Number(process.env.FUZZ_CASES ?? 10_000)
const { seeds, notes } = loadSeeds()
for (const n of notes) console.warn(`fuzz: ${n}`)

interface CaseStats {
  cases: number
  failures: number
  outcomes: Record<string, number>
  ops: Record<string, number>
  kinds: Record<string, number>
  acks: number
  maxHeap: number
  maxCaseMs: number
  maxCase: number
}

interface GarbageStats {
  growth: number
  segments: number
  bytes: number
  issues: number
}

const MB = 1 << 20

describe('fuzz: mutated corpus and fixtures through the engines', () => {
  it(`${CASES} seeded cases: no throw, no hang, heap bounded, acks built and valid`, { timeout: 900_000 }, async () => {
    expect(seeds.length).toBeGreaterThan(10)
    const run = await runChild<CaseStats>(['cases', String(SEED), String(CASES)], { stallMs: 60_000, heapMb: 1024 })
    const head = run.failures.slice(0, 5).map((f) => `case ${f.i} (${f.seed}; ${f.ops.join('+')}; ${f.size} bytes): ${f.error}`)
    expect(run.stalledAt, `case ${run.stalledAt} hung or crashed the worker (exit ${run.code}/${run.signal}): ${run.stderr}`).toBeUndefined()
    expect(head, `${run.failures.length} failing cases`).toEqual([])
    const s = run.stats!
    console.log(`fuzz: ${s.cases} cases, outcomes ${JSON.stringify(s.outcomes)}, kinds ${JSON.stringify(s.kinds)}, ${s.acks} acks (each read back valid), max heap ${(s.maxHeap / MB).toFixed(0)} MiB, slowest case ${s.maxCase} ${s.maxCaseMs.toFixed(0)} ms`)
    expect(s.cases).toBe(CASES)
    // Every mutator ran, and most cases were noticed (a flip inside free text can stay valid).
    expect(Object.keys(s.ops).sort()).toEqual(['concat', 'deep_nesting', 'empty', 'encoding', 'flip', 'garbage_tail', 'huge_element', 'segment_shuffle', 'separator_swap', 'splice', 'truncate'])
    expect((s.outcomes.clean ?? 0) / s.cases).toBeLessThan(0.15)
    expect(s.acks).toBeGreaterThan(CASES / 4)
    // 1 MiB elements and 5,000-level HL trees included: the engines never held more than this.
    expect(s.maxHeap).toBeLessThan(700 * MB)
  })
})

describe('fuzz: 20 MiB of random bytes through the streaming readers', () => {
  const stream = (what: string) => runChild<GarbageStats>(['garbage', '20', what], { stallMs: 120_000, heapMb: 1024 })

  it.each(['x12', 'raw'])('%s: memory stays flat (keepSegments: false)', { timeout: 300_000 }, async (what) => {
    const run = await stream(what)
    expect(run.stalledAt, run.stderr).toBeUndefined()
    const s = run.stats!
    expect(s.bytes).toBeGreaterThanOrEqual(20 * MB)
    expect(s.growth).toBeLessThan(32 * MB)
  })

  // Garbage after SE, in the group: every segment a stray one, its issue kept up to the cap and
  // then counted (src/edi/limits.ts). Uncapped, 20 MiB kept about 19 MiB of issues.
  it('x12-group: stray segments outside any set keep memory flat', { timeout: 300_000 }, async () => {
    const run = await stream('x12-group')
    expect(run.stalledAt, run.stderr).toBeUndefined()
    expect(run.stats!.growth).toBeLessThan(8 * MB)
  })

  // Garbage between messages (issues capped per interchange) and inside UNH..UNT (a message over
  // the size limit is rejected and its body dropped): src/edi/edifact/limits.ts.
  it.each(['edifact-unb', 'edifact'])('%s: memory stays flat', { timeout: 300_000 }, async (what) => {
    const run = await stream(what)
    expect(run.stalledAt, run.stderr).toBeUndefined()
    expect(run.stats!.growth).toBeLessThan(32 * MB)
  })
})

describe('fuzz: a sample through the real pipeline', () => {
  let db: TestDb
  let gw: Gateway
  beforeAll(async () => {
    db = await testDb()
    const env = loadEnv({
      DATABASE_URL: db.url, DATABASE_SCHEMA: db.schema, DATABASE_POOL: db.embedded ? '1' : '4', CONFIG_DIR: repoRoot,
      DATA_DIR: join(repoRoot, '.tmp', 'fuzz-data'), LOG_LEVEL: 'silent', RETRY_BASE_MS: '10', SFTP: 'off',
    })
    gw = await openGateway({ env, log: silentLogger, deliver: false })
  })
  afterAll(async () => {
    await gw?.close()
    await db?.close()
  })

  it('200 cases: each a rejection with a reason (exception row, ack that reports it), never stage_failed', { timeout: 600_000 }, async () => {
    const sample = Number(process.env.FUZZ_PIPELINE_CASES ?? 200)
    const step = Math.max(1, Math.floor(CASES / sample))
    const bad: string[] = []
    const tally: Record<string, number> = {}
    let withException = 0
    for (let k = 0; k < sample; k++) {
      const c = makeCase(seeds, SEED, k * step)
      const id = await runThroughPipeline(gw, c)
      const j = await judge(gw.db.sql, id)
      tally[j.status] = (tally[j.status] ?? 0) + 1
      if (j.exceptions.length) withException++
      if (j.problems.length) bad.push(`case ${c.i} (${c.seed}; ${c.ops.join('+')}): ${j.problems.join('; ')}`)
    }
    console.log(`fuzz pipeline: ${sample} cases, payload status ${JSON.stringify(tally)}, ${withException} with an exception`)
    expect(bad).toEqual([])
    // Mutations are meant to break things: most cases must end as a recorded rejection.
    expect(withException / sample).toBeGreaterThan(0.7)
    const [failed] = await gw.db.sql<{ n: number }[]>`select count(*)::int as n from exceptions where code = 'stage_failed'`
    expect(failed.n).toBe(0)
  })
})
