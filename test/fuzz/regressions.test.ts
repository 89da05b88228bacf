/**
 * Pipeline crashes the fuzz suite found, each kept as the exact input that crashed (under
 * test/fuzz/regressions/, not fixtures/, so it never becomes a fuzz seed itself). Each must end
 * as a rejection with a reason: a problem with a stable code and an exception row, never
 * `stage_failed`.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { listExceptions } from '../../src/db/exceptions.ts'
import { testDb, type TestDb } from '../helpers/db.ts'
import { testPipeline, type TestPipeline } from '../helpers/pipeline.ts'
import { repoRoot } from './seeds.ts'

const regression = (name: string) => readFileSync(join(repoRoot, 'test', 'fuzz', 'regressions', name))

describe('fuzz regressions through the pipeline', () => {
  let db: TestDb
  let p: TestPipeline
  beforeAll(async () => {
    db = await testDb()
    p = testPipeline(db, { configDir: repoRoot, backoffBaseMs: 1 })
  })
  afterAll(async () => db?.close())
  beforeEach(async () => {
    await db.sql`delete from exceptions`
  })

  async function outcome(msg: string) {
    const [payload] = await db.sql<{ status: string }[]>`select status from payloads where id = ${msg}`
    const jobs = await db.sql<{ stage: string; state: string }[]>`select stage, state from jobs where payload->>'messageId' = ${msg}`
    const exceptions = await listExceptions(db.sql, { payloadId: msg })
    return { status: payload.status, jobs: jobs.map((j) => `${j.stage}:${j.state}`), exceptions }
  }

  // FUZZ_CASES=1500 FUZZ_PIPELINE_CASES=60, seed 20250310, case 125: byte flips of
  // fixtures/demo-3pl/asn.3pl-20250306-0007.json, one of them a NUL where a quote was. V8's
  // JSON.parse message quotes the bytes around the error, NUL included, and PostgreSQL text/jsonb
  // cannot hold U+0000: storing the `envelope_unreadable` reason failed and the parse job died.
  it.each([
    ['case 125 (1131 bytes, flip)', () => regression('pipeline-125-asn-3pl-flip.json')],
    ['a NUL right at the syntax error', () => Buffer.from('{"asnNumber": \u0000}')],
  ])('invalid JSON whose error message quotes a NUL: %s', async (_name, body) => {
    const msg = await p.ingest({ transport: 'cli', partnerId: 'demo-3pl', contentType: 'application/json', filename: 'fuzz.json', body: body() })
    const o = await outcome(msg)
    expect(o.jobs).toEqual(['parse:completed'])
    expect(o.status).toBe('rejected')
    expect(o.exceptions.map((e) => e.code)).toEqual(['envelope_unreadable'])
    const reason = o.exceptions[0].reason as { detail: string }
    expect(reason.detail).toMatch(/^invalid JSON: /)
    // The NUL shows as U+FFFD: visibly "a character was here".
    expect(reason.detail).toContain('\uFFFD')
    expect(o.exceptions[0].explanation).not.toContain('\u0000')
  })
})
