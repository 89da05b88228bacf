import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listExceptions } from '../../src/db/exceptions.ts'
import { parseBatch } from '../../src/pipeline/parse-batch.ts'
import { repoProfile, tempConfigDir } from '../helpers/config.ts'
import { testDb, type TestDb } from '../helpers/db.ts'
import { testPipeline, type TestPipeline } from '../helpers/pipeline.ts'

const ACK = readFileSync('fixtures/demo-x12-supplier/855-po-4500012345.edi', 'latin1')

/** The same 855 with a new ISA13, and optionally a new GS06 / ST02. */
function variant(isa: number, gs = '101', st = '0001'): Buffer {
  const ctl = String(isa).padStart(9, '0')
  return Buffer.from(
    ACK.replace('*000000101*', `*${ctl}*`).replace('IEA*1*000000101', `IEA*1*${ctl}`)
      .replace('*101*X*004010', `*${gs}*X*004010`).replace('GE*1*101', `GE*1*${gs}`)
      .replace('ST*855*0001', `ST*855*${st}`).replace('SE*14*0001', `SE*14*${st}`),
    'latin1'
  )
}

const configWith = (duplicates: string): string =>
  tempConfigDir({ 'demo-x12-supplier': repoProfile('demo-x12-supplier', /duplicates: .*\n/, `duplicates: ${duplicates}\n`) })

async function statuses(db: TestDb, messageId: string): Promise<string[]> {
  return (await db.sql<{ status: string }[]>`select status from transactions where payload_id = ${messageId}`).map((r) => r.status)
}

describe('duplicate group and transaction control numbers', () => {
  let db: TestDb
  let p: TestPipeline
  beforeAll(async () => {
    db = await testDb()
    p = testPipeline(db, { configDir: configWith('{ windowDays: 30, policy: flag, groups: true, transactions: true }') })
  })
  afterAll(async () => db.close())

  it('does not process a resent GS06 under a new ISA13 when the profile checks groups', async () => {
    const first = await p.ingest({ transport: 'cli', body: variant(201) })
    expect(await statuses(db, first)).not.toContain('duplicate')
    const again = await p.ingest({ transport: 'cli', body: variant(202) })
    expect(await statuses(db, again)).toEqual(['duplicate'])
    const exc = await listExceptions(db.sql, { code: 'duplicate_transaction', payloadId: again })
    expect(exc.map((e) => e.reason)).toEqual([{ code: 'duplicate_transaction', controlNumber: 'group 101', firstMessageId: first }])
    const [docs] = await db.sql<{ n: number }[]>`select count(*)::int as n from documents where kind = 'po_ack'`
    expect(docs.n).toBe(1)
  })

  it('does not process a resent ST02 of the same set type under new ISA13 and GS06', async () => {
    const again = await p.ingest({ transport: 'cli', body: variant(203, '102') })
    expect(await statuses(db, again)).toEqual(['duplicate'])
    // A new ST02 in a new group is processed (then caught by business key as a resend).
    const fresh = await p.ingest({ transport: 'cli', body: variant(204, '103', '0002') })
    const exc = await listExceptions(db.sql, { payloadId: fresh })
    expect(exc.map((e) => e.code)).toEqual(['duplicate_document'])
  })

  it('a group whose every set was rejected does not hold its GS06: the corrected resend is processed', async () => {
    // SE01 counts 99 segments: the one set of group 110 is rejected (997 AK5*R), nothing is stored.
    const broken = Buffer.from(variant(205, '110', '0005').toString('latin1').replace('SE*14*0005', 'SE*99*0005'), 'latin1')
    const first = await p.ingest({ transport: 'cli', body: broken })
    expect(await statuses(db, first)).toEqual(['rejected'])
    const [held] = await db.sql<{ n: number }[]>`select count(*)::int as n from duplicate_keys where key in ('grp:x12:110', 'txn:x12:855:0005')`
    expect(held.n).toBe(0)
    // The same GS06 and ST02, corrected, under a new ISA13: not a duplicate (then a resent PO ack by business key).
    const fixed = await p.ingest({ transport: 'cli', body: variant(206, '110', '0005') })
    expect((await listExceptions(db.sql, { payloadId: fixed })).map((e) => e.code)).toEqual(['duplicate_document'])
  })

  it('the same, when the rejected group and its corrected resend are parsed in one batch (one transaction)', async () => {
    const broken = Buffer.from(variant(207, '120', '0007').toString('latin1').replace('SE*14*0007', 'SE*99*0007'), 'latin1')
    const a = (await p.receive({ transport: 'cli', body: broken })).messageId
    const b = (await p.receive({ transport: 'cli', body: variant(208, '120', '0007') })).messageId
    await db.sql.begin((tx) => parseBatch(p.deps, tx, [a, b]))
    expect(await statuses(db, a)).toEqual(['rejected'])
    expect((await listExceptions(db.sql, { payloadId: b })).map((e) => e.code)).toEqual(['duplicate_document'])
  })
})

describe('duplicate checks off (the default)', () => {
  let db: TestDb
  beforeAll(async () => {
    db = await testDb()
  })
  afterAll(async () => db.close())

  it('processes a reused GS06 and catches the resend by business key instead', async () => {
    const p = testPipeline(db)
    await p.ingest({ transport: 'cli', body: variant(301) })
    const again = await p.ingest({ transport: 'cli', body: variant(302) })
    expect(await statuses(db, again)).toEqual(['duplicate'])
    const exc = await listExceptions(db.sql, { payloadId: again })
    expect(exc.map((e) => e.code)).toEqual(['duplicate_document'])
  })
})
