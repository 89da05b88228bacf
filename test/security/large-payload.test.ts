/**
 * A large file must not take the worker down. Reported: a 300 MiB upload took the worker from
 * 150 to 785 MB resident, and a larger one crashed it, again after every restart (the job was
 * retried). The parse stage now streams the stored chunks through the X12/EDIFACT readers and
 * keeps one set at a time, and the sets are translated and matched in the same job, at most
 * SINK_MAX_SETS of them held at once: here a generated 856 file much larger than the worker's heap
 * goes through the whole pipeline in a separate gateway process whose heap is capped, and every
 * set, its ASN, its match outcome and the 997s must be there. (The 256 MiB variant runs in test/interop/large-payload-pg.test.ts.) A payload over
 * MAX_PAYLOAD_BYTES is rejected with an exception, never read.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listExceptions } from '../../src/db/exceptions.ts'
import { testDb, type TestDb } from '../helpers/db.ts'
import { countSets, parsedState, runLargeChild, SETS_PER_INTERCHANGE } from '../helpers/large-856.ts'
import { testPipeline } from '../helpers/pipeline.ts'

/** 16 MiB of 856 (about 3,000 sets): about 370 MB of heap for the whole-file parse it replaces. */
const BYTES = 16 << 20
/** The child's V8 heap cap (MB): the file, as parsed sets, would not fit in it many times over. */
const HEAP_MB = 128

describe('a file far larger than the worker heap', () => {
  let db: TestDb
  beforeAll(async () => {
    db = await testDb()
  })
  afterAll(async () => db?.close())

  it(`a ${BYTES >> 20} MiB 856 file is parsed by a worker capped at ${HEAP_MB} MB of heap: every set stored, matched and in a 997, under 300 MB resident`, async () => {
    const sets = await countSets(BYTES)
    expect(sets).toBeGreaterThan(2900)
    const run = await runLargeChild(db, BYTES, HEAP_MB)
    expect(run.code, run.out).toBe(0)
    const r = run.report!
    console.log(`large payload: ${JSON.stringify(r)}`)
    expect(r.size).toBeGreaterThanOrEqual(BYTES)
    const state = await parsedState(db, r.messageId)
    const interchanges = Math.ceil(sets / SETS_PER_INTERCHANGE)
    expect(state.payload).toMatchObject({ status: 'parsed', outcome: { transactions: sets, interchanges } })
    // The whole pipeline ran in the parse job: every set mapped to an ASN and matched (its POs
    // are not in the ERP, so each waits for them), none left for a translate job.
    expect(state.txs.map(({ status, n }) => ({ status, n }))).toEqual([{ status: 'waiting', n: sets }])
    expect(state.txs[0].segments).toBeNull() // translated in the parse job: stored without its segments (test/pipeline/set-content.test.ts)
    expect(state.translateJobs).toBe(0)
    expect(state.documents).toEqual([{ kind: 'asn', status: 'waiting', n: sets }])
    expect(state.acks).toEqual(Array(interchanges).fill('997'))
    expect(state.acked).toBe(sets)
    // One po_not_found per PO of each ASN, nothing else (no SSCC reused across the file's cartons).
    expect(state.exceptions.map((e) => e.code)).toEqual(['po_not_found'])
    expect(state.exceptions[0].n).toBeGreaterThanOrEqual(sets * 2)
    // Resident memory stays that of a small gateway (the whole-file parse used about 1 GB here).
    expect(r.vmHwmKb / 1024).toBeLessThan(300)
  }, 600_000)
})

describe('MAX_PAYLOAD_BYTES', () => {
  let db: TestDb
  beforeAll(async () => {
    db = await testDb()
  })
  afterAll(async () => db?.close())

  it('a payload over the limit is rejected with payload_too_large and never read; one at the limit is parsed', async () => {
    const body = readFileSync('fixtures/demo-x12-supplier/855-po-4500012345.edi')
    const p = testPipeline(db)
    p.deps.maxPayloadBytes = body.length - 1
    const over = await p.ingest({ transport: 'sftp', partnerId: 'demo-x12-supplier', filename: 'big.edi', body })
    const [payload] = await db.sql<{ status: string }[]>`select status from payloads where id = ${over}`
    expect(payload.status).toBe('rejected')
    const exc = await listExceptions(db.sql, { payloadId: over })
    expect(exc.map((e) => e.reason)).toEqual([{ code: 'payload_too_large', size: String(body.length), limit: String(body.length - 1) }])
    expect(exc[0].explanation).toMatch(/over the limit/)
    const [ics] = await db.sql<{ n: number }[]>`select count(*)::int as n from interchanges where payload_id = ${over}`
    expect(ics.n).toBe(0)
    const jobs = await db.sql<{ state: string }[]>`select state from jobs where payload->>'messageId' = ${over}`
    expect(jobs.map((j) => j.state)).toEqual(['completed'])
    p.deps.maxPayloadBytes = body.length
    const at = await p.ingest({ transport: 'sftp', partnerId: 'demo-x12-supplier', filename: 'ok.edi', body })
    const [ok] = await db.sql<{ status: string }[]>`select status from payloads where id = ${at}`
    expect(ok.status).toBe('parsed')
  })
})
