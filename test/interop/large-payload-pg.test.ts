/**
 * The reported size: a 256 MiB X12 856 file (about 48,000 sets in 240 interchanges; set
 * LARGE_PAYLOAD_MB=1024 for 1 GB) received by a separate gateway process with a 256 MB heap on
 * PostgreSQL, and taken through the whole pipeline in its parse job: every set parsed, stored,
 * mapped, matched (each ASN waits for POs the ERP does not have) and acknowledged. The whole-file
 * parse it replaces took the worker from 150 to 785 MB resident on 300 MiB and crashed on larger
 * files; the stages now stream the sets (at most SINK_MAX_SETS held), and the process must stay
 * under 300 MB resident. (test/security/large-payload.test.ts runs a 16 MiB file on both
 * databases in CI.)
 *
 * 256 MiB takes about 10 minutes on a 2-core machine, past what CI may spend, so it runs only
 * when asked: `LARGE_PAYLOAD=1 npm run test:interop`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDb, type TestDb } from '../helpers/db.ts'
import { countSets, parsedState, runLargeChild, SETS_PER_INTERCHANGE } from '../helpers/large-856.ts'
import { postgresReachable, postgresUrl } from '../helpers/postgres.ts'

const MB = Number(process.env.LARGE_PAYLOAD_MB ?? 256)
const BYTES = MB << 20

const asked = process.env.LARGE_PAYLOAD === '1'
if (!asked) console.log(`large-payload-pg: skipped (set LARGE_PAYLOAD=1 to run the ${MB} MiB file through the whole pipeline, about 10 minutes for 256 MiB)`)
const reachable = asked && (await postgresReachable('large-payload-pg', postgresUrl))

describe.runIf(reachable)(`a ${MB} MiB 856 file through the whole pipeline on PostgreSQL`, () => {
  let db: TestDb
  beforeAll(async () => {
    process.env.DATABASE_URL ??= postgresUrl
    db = await testDb()
  })
  afterAll(async () => db?.close())

  it('every set stored, matched and in a 997, under a 256 MB heap and 300 MB resident', async () => {
    const sets = await countSets(BYTES)
    const run = await runLargeChild(db, BYTES, 256)
    expect(run.code, run.out).toBe(0)
    const r = run.report!
    console.log(`large payload: ${JSON.stringify(r)}`)
    const state = await parsedState(db, r.messageId)
    const interchanges = Math.ceil(sets / SETS_PER_INTERCHANGE)
    expect(state.payload).toMatchObject({ status: 'parsed', outcome: { transactions: sets, interchanges } })
    expect(state.txs.map(({ status, n }) => ({ status, n }))).toEqual([{ status: 'waiting', n: sets }])
    expect(state.translateJobs).toBe(0)
    expect(state.documents).toEqual([{ kind: 'asn', status: 'waiting', n: sets }])
    expect(state.acks).toHaveLength(interchanges)
    expect(state.acked).toBe(sets)
    expect(state.exceptions.map((e) => e.code)).toEqual(['po_not_found'])
    expect(r.vmHwmKb / 1024).toBeLessThan(300)
  }, 4 * 3_600_000)
})
