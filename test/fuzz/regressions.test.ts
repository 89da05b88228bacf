/**
 * Pipeline failures the fuzz suite found, each kept as the exact input (under
 * test/fuzz/regressions/, not fixtures/, so it never becomes a fuzz seed itself). Each must end
 * as a rejection with a reason: a problem with a stable code and an exception row, never
 * `stage_failed`, and an ack that reports it (the fuzz judge finds nothing wrong).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { listExceptions } from '../../src/db/exceptions.ts'
import { testDb, type TestDb } from '../helpers/db.ts'
import { testPipeline, type TestPipeline } from '../helpers/pipeline.ts'
import { judge } from './pipeline.ts'
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

  // A damaged GS (dropped by segment_shuffle; `GSPPR` from a flipped separator) leaves the ST
  // outside any functional group: rejected (message_invalid), and with no AK1 to sit under, no
  // 997 can answer it. The TA1 does: TA104 E, TA105 the interchange's first envelope fault (024
  // invalid interchange content; 014 where ISA09 was flipped too). The judge used to read only
  // 997/999/CONTRL and reported "a rejected transaction is not reported by TA1".
  it.each([
    ['seed 20250310 case 1751 (810, segment_shuffle: GS gone)', 'pipeline-1751-810-shuffle.edi', '810', '000000103', '024'],
    ['seed 777 case 4172 (855, flip: GSPPR, ISA09 `50302)', 'pipeline-777-4172-855-flip.edi', '855', '000000101', '014'],
  ])('X12 set outside any group is reported by our TA1 (TA104 E): %s', async (_name, file, docType, isa13, note) => {
    const msg = await p.ingest({ transport: 'cli', filename: file, body: regression(file) })
    const o = await outcome(msg)
    expect(o.status).toBe('rejected')
    expect(o.exceptions.map((e) => [e.code, (e.reason as { docType?: string }).docType])).toEqual([['message_invalid', docType]])
    const acks = await db.sql<{ doc_type: string; bytes: Buffer }[]>`select d.doc_type, d.bytes from deliveries d
      join interchanges i on i.id = d.parent_id where d.kind = 'ack' and i.payload_id = ${msg}`
    expect(acks.map((a) => a.doc_type)).toEqual(['TA1'])
    expect(acks[0].bytes.toString('latin1')).toMatch(new RegExp(`~TA1\\*${isa13}\\*\\d{6}\\*\\d{4}\\*E\\*${note}~`))
    expect((await judge(db.sql, msg)).problems).toEqual([])
  })
})
