/**
 * A resent interchange (same UNB 0020 / ISA13 from the same partner within the profile's window)
 * is never processed twice: `reject` opens duplicate_interchange and sends no ack, `flag` opens it
 * and acknowledges. Past the window the number may come back. With `transactions: true` a resent
 * UNH 0062 of the same message type under a new UNB 0020 is caught as well.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listExceptions } from '../../src/db/exceptions.ts'
import { repoProfile, tempConfigDir } from '../helpers/config.ts'
import { testDb, type TestDb } from '../helpers/db.ts'
import { pipelineSuite, testPipeline } from '../helpers/pipeline.ts'

const ORDRSP = readFileSync('fixtures/demo-edifact-supplier/ordrsp-po-4500012346.edi', 'latin1')
const X12_855 = readFileSync('fixtures/demo-x12-supplier/855-po-4500012345.edi', 'latin1')

/** The demo ORDRSP with UNB 0020 `unb` and UNH 0062 `unh`. */
const ordrsp = (unb: string, unh = '1') =>
  Buffer.from(ORDRSP.replaceAll('ORSP0001', unb).replace("UNH+1+", `UNH+${unh}+`).replace("UNT+23+1'", `UNT+23+${unh}'`), 'latin1')
/** The demo 855 with ISA13 `isa`. */
const x855 = (isa: number) => {
  const ctl = String(isa).padStart(9, '0')
  return Buffer.from(X12_855.replace('*000000101*', `*${ctl}*`).replace('IEA*1*000000101', `IEA*1*${ctl}`), 'latin1')
}

async function outcome(db: TestDb, messageId: string) {
  const [p] = await db.sql<{ status: string }[]>`select status from payloads where id = ${messageId}`
  const ics = await db.sql<{ status: string; duplicate_of: string | null }[]>`select status, duplicate_of from interchanges where payload_id = ${messageId}`
  const acks = await db.sql<{ doc_type: string }[]>`select d.doc_type from deliveries d join interchanges i on d.parent_table = 'interchanges' and d.parent_id = i.id
    where d.kind = 'ack' and i.payload_id = ${messageId}`
  const [docs] = await db.sql<{ n: number }[]>`select count(*)::int as n from documents where payload_id = ${messageId}`
  const exceptions = (await listExceptions(db.sql, { payloadId: messageId })).map((e) => e.code)
  return { status: p.status, interchanges: ics.map((i) => i.status), acks: acks.map((a) => a.doc_type), documents: docs.n, exceptions }
}

/** Moves everything already stored `days` into the past. */
async function age(db: TestDb, days: number) {
  await db.sql`update interchanges set created_at = now() - ${`${days} days`}::interval`
  await db.sql`update transactions set created_at = now() - ${`${days} days`}::interval`
  // The claimed control numbers (duplicate_keys) carry the date the window is counted from.
  await db.sql`update duplicate_keys set created_at = now() - ${`${days} days`}::interval`
}

describe('duplicate UNB 0020 (demo EDIFACT supplier: 60 days, policy reject)', () => {
  const suite = pipelineSuite()

  it('the first interchange is processed and acknowledged; the resend is a duplicate, unprocessed and unacknowledged', async () => {
    const first = await outcome(suite.db, await suite.p.ingest({ transport: 'cli', body: ordrsp('R1') }))
    expect(first).toMatchObject({ interchanges: ['parsed'], acks: ['CONTRL'], documents: 1 })
    expect(first.exceptions).not.toContain('duplicate_interchange')
    const again = await outcome(suite.db, await suite.p.ingest({ transport: 'cli', body: ordrsp('R1') }))
    expect(again).toEqual({ status: 'duplicate', interchanges: ['duplicate'], acks: [], documents: 0, exceptions: ['duplicate_interchange'] })
  })

  it('another UNB 0020 from the same partner is not an interchange duplicate', async () => {
    const other = await outcome(suite.db, await suite.p.ingest({ transport: 'cli', body: ordrsp('R2') }))
    expect(other.interchanges).toEqual(['parsed'])
    expect(other.exceptions).not.toContain('duplicate_interchange')
  })

  it('past the window the same UNB 0020 is accepted as a new interchange', async () => {
    await age(suite.db, 61)
    const late = await outcome(suite.db, await suite.p.ingest({ transport: 'cli', body: ordrsp('R1') }))
    expect(late.interchanges).toEqual(['parsed'])
    expect(late.acks).toEqual(['CONTRL'])
    expect(late.exceptions).not.toContain('duplicate_interchange')
  })
})

describe('duplicate UNB 0020 and UNH 0062 under policy flag with transactions checked', () => {
  const suite = pipelineSuite(() => ({
    configDir: tempConfigDir({
      'demo-edifact-supplier': repoProfile('demo-edifact-supplier', /duplicates: .*\n/, 'duplicates: { windowDays: 7, policy: flag, transactions: true }\n'),
    }),
  }))

  it('a flagged resend is acknowledged but not processed', async () => {
    await suite.p.ingest({ transport: 'cli', body: ordrsp('F1', 'M1') })
    const again = await outcome(suite.db, await suite.p.ingest({ transport: 'cli', body: ordrsp('F1', 'M1') }))
    expect(again).toEqual({ status: 'duplicate', interchanges: ['duplicate'], acks: ['CONTRL'], documents: 0, exceptions: ['duplicate_interchange'] })
  })

  it('a resent UNH 0062 of the same type under a new UNB 0020 is a duplicate message', async () => {
    const again = await outcome(suite.db, await suite.p.ingest({ transport: 'cli', body: ordrsp('F2', 'M1') }))
    expect(again).toMatchObject({ status: 'duplicate', interchanges: ['parsed'], documents: 0, exceptions: ['duplicate_transaction'] })
    const [t] = await suite.db.sql<{ status: string; control_number: string }[]>`select t.status, t.control_number from transactions t
      join interchanges i on i.id = t.interchange_id where i.control_number = 'F2'`
    expect(t).toEqual({ status: 'duplicate', control_number: 'M1' })
    // A new UNH 0062 is processed (the business key then tells it is the same ORDRSP again).
    const fresh = await outcome(suite.db, await suite.p.ingest({ transport: 'cli', body: ordrsp('F3', 'M2') }))
    expect(fresh.exceptions).not.toContain('duplicate_transaction')
    expect(fresh.exceptions).not.toContain('duplicate_interchange')
  })

  it('past the 7-day window neither the UNB 0020 nor the UNH 0062 is a duplicate', async () => {
    await age(suite.db, 8)
    const late = await outcome(suite.db, await suite.p.ingest({ transport: 'cli', body: ordrsp('F1', 'M1') }))
    expect(late.interchanges).toEqual(['parsed'])
    expect(late.exceptions).not.toContain('duplicate_interchange')
    expect(late.exceptions).not.toContain('duplicate_transaction')
  })
})

describe('duplicate ISA13: reject sends no 997, flag sends one; the window ends', () => {
  let db: TestDb
  beforeAll(async () => {
    db = await testDb()
  })
  afterAll(async () => db.close())

  it.each([['reject', []], ['flag', ['997']]] as const)('policy %s', async (policy, acks) => {
    const dir = tempConfigDir({
      'demo-x12-supplier': repoProfile('demo-x12-supplier', /duplicates: .*\n/, `duplicates: { windowDays: 3, policy: ${policy} }\n`),
    })
    const p = testPipeline(db, { configDir: dir })
    const isa = policy === 'reject' ? 501 : 601
    const first = await outcome(db, await p.ingest({ transport: 'cli', body: x855(isa) }))
    expect(first.acks).toEqual(['997'])
    const again = await outcome(db, await p.ingest({ transport: 'cli', body: x855(isa) }))
    expect(again).toEqual({ status: 'duplicate', interchanges: ['duplicate'], acks, documents: 0, exceptions: ['duplicate_interchange'] })
    await age(db, 4)
    const late = await outcome(db, await p.ingest({ transport: 'cli', body: x855(isa) }))
    expect(late.interchanges).toEqual(['parsed'])
    expect(late.exceptions).not.toContain('duplicate_interchange')
  })
})
