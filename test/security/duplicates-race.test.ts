/**
 * Duplicates under concurrency. The same interchange received twice under two transport ids
 * (AS2 Message-IDs), or the same ASN resent under new control numbers, must be processed once
 * however many workers parse and translate at the same moment: exactly one is processed, the
 * others are flagged, no document is stored twice. Reported: 5 concurrent pairs of one interchange
 * gave 2 duplicates flagged out of 5, and one ASN stored twice (both `held`).
 *
 * On PostgreSQL the stages run on many connections at once (worker loops claiming one job each)
 * and in two worker processes; on the embedded database (one connection) the same assertions
 * hold with the jobs run one after another.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ENGINES } from '../../src/app/engines.ts'
import { loadConfig } from '../../src/app/gateway.ts'
import { createMapper } from '../../src/app/mapper.ts'
import { openDatabase, type Database } from '../../src/db/sql.ts'
import { silentLogger } from '../../src/lib/log.ts'
import type { PipelineDeps } from '../../src/pipeline/deps.ts'
import { receive } from '../../src/pipeline/receive.ts'
import { pipelineStages } from '../../src/pipeline/stages.ts'
import { BATCH_SIZE, createWorker } from '../../src/pipeline/worker.ts'
import { testDb, type TestDb } from '../helpers/db.ts'

const ASN = readFileSync('fixtures/demo-x12-supplier/856-asn-20250305-01.edi', 'latin1')

/** The demo 856 with ISA13 `isa` (GS06 and ST02 follow it) and ASN number `asn`. */
export function asn856(isa: number, asn: string): Buffer {
  const ctl = String(isa).padStart(9, '0')
  const st = String(isa % 10000).padStart(4, '0')
  return Buffer.from(
    ASN.replace('*000000102*', `*${ctl}*`).replace('IEA*1*000000102', `IEA*1*${ctl}`)
      .replace('*102*X*004010', `*${isa}*X*004010`).replace('GE*1*102', `GE*1*${isa}`)
      .replace('ST*856*0001', `ST*856*${st}`).replace('SE*37*0001', `SE*37*${st}`)
      .replace('BSN*00*ASN-20250305-01*', `BSN*00*${asn}*`),
    'latin1'
  )
}

const onPostgres = Boolean(process.env.DATABASE_URL)
/** Connections (and worker loops) for the concurrent runs; one on the embedded database. */
const LOOPS = onPostgres ? 10 : 1

function pipelineDeps(sql: Database['sql']): PipelineDeps {
  const { registry, maps } = loadConfig(process.cwd())
  return { sql, registry, engines: ENGINES, mapper: createMapper(maps), log: silentLogger, transports: {}, now: () => new Date(), wake: () => {} }
}

/**
 * Runs parse, translate and match until nothing is left, with LOOPS loops each claiming ONE job
 * per transaction (batchSize 1), or batches of up to BATCH_SIZE (the default) whose parse jobs run at the same time in
 * one transaction (parse-batch.ts: concurrent handlers). Deliveries (the 997s) stay queued: there
 * is no transport here.
 */
let deps: PipelineDeps | undefined

async function runConcurrently(db: Database, batchSize: number, only?: string): Promise<void> {
  // One mapper for the file: its maps compiled once, so no stage waits on a first compile.
  deps ??= pipelineDeps(db.sql)
  const { deliver: _deliver, ...all } = pipelineStages(deps)
  const handlers = only ? { [only]: all[only] } : all
  const worker = createWorker({ sql: db.sql, handlers, log: silentLogger, concurrency: LOOPS, batchSize, backoffBaseMs: 5 })
  await Promise.all(Array.from({ length: LOOPS }, () => worker.drain({ timeoutMs: 60_000 })))
}

async function payloadStatuses(db: TestDb, ids: string[]): Promise<string[]> {
  const rows = await db.sql<{ status: string }[]>`select status from payloads where id = any(${ids}) order by status`
  return rows.map((r) => r.status)
}

describe('duplicates under concurrency', () => {
  let db: TestDb
  let conc: Database
  beforeAll(async () => {
    db = await testDb()
    conc = await openDatabase({ databaseUrl: db.url, schema: db.schema, dataDir: '.tmp/unused', max: LOOPS })
  })
  afterAll(async () => {
    await conc?.close()
    await db?.close()
  })

  for (const [mode, batchSize, base] of [['one job per transaction', 1, 0], [`batches of up to ${BATCH_SIZE} (the default), handlers at the same time`, BATCH_SIZE, 1000]] as const) {
    it(`5 pairs of one interchange under different Message-IDs, received and parsed at once (${mode}): one of each pair processed, the other a duplicate; the 997s never share a control number`, async () => {
      const pairs = [1, 2, 3, 4, 5].map((i) => ({ isa: base + 7100 + i, asn: `RACE-ICN-${base}-${i}` }))
      const receipts = await Promise.all(
        pairs.flatMap(({ isa, asn }) => ['a', 'b'].map((m) =>
          receive({ sql: conc.sql }, { transport: 'as2', partnerId: 'demo-x12-supplier', externalId: `<${asn}-${m}@race>`, body: asn856(isa, asn) })))
      )
      expect(new Set(receipts.map((r) => r.messageId)).size).toBe(10)
      await runConcurrently(conc, batchSize)
      for (const [i, { isa, asn }] of pairs.entries()) {
        const ids = receipts.slice(2 * i, 2 * i + 2).map((r) => r.messageId)
        expect(await payloadStatuses(db, ids), `pair ${asn}`).toEqual(['duplicate', 'parsed'])
        const ics = await db.sql<{ status: string; duplicate_of: string | null }[]>`
          select status, duplicate_of from interchanges where payload_id = any(${ids}) order by status`
        expect(ics.map((r) => r.status)).toEqual(['duplicate', 'parsed'])
        expect(ics[0].duplicate_of).not.toBeNull()
        const [exc] = await db.sql<{ n: number }[]>`select count(*)::int as n from exceptions
          where code = 'duplicate_interchange' and payload_id = any(${ids})`
        expect(exc.n, `duplicate_interchange for ${asn}`).toBe(1)
        const docs = await db.sql<{ status: string }[]>`select status from documents where business_key = ${`asn:${asn}`}`
        expect(docs, `documents of ${asn}`).toHaveLength(1)
        const txs = await db.sql<{ n: number }[]>`select count(*)::int as n from transactions t join interchanges i on i.id = t.interchange_id
          where i.control_number = ${String(isa).padStart(9, '0')}`
        expect(txs[0].n).toBe(1)
      }
      // Every 997 (one per processed interchange) carries its own ISA13, GS06 and ST02.
      const acks = await db.sql<{ text: string }[]>`select convert_from(d.bytes, 'LATIN1') as text from deliveries d
        join interchanges i on d.parent_table = 'interchanges' and d.parent_id = i.id
        where d.kind = 'ack' and i.payload_id = any(${receipts.map((r) => r.messageId)})`
      expect(acks).toHaveLength(5)
      const refs = acks.map((a) => /^ISA(?:\*[^*]*){12}\*(\d{9})\*.*?~GS(?:\*[^*]*){5}\*(\d+)\*.*?~ST\*997\*(\d+)~/s.exec(a.text)!.slice(1, 4))
      for (const level of [0, 1, 2]) expect(new Set(refs.map((r) => r[level])).size, `level ${level} of ${JSON.stringify(refs)}`).toBe(5)
    })

    it(`one ASN resent 5 times under new control numbers, translated at once (${mode}): one document processed, 4 duplicates`, async () => {
      const receipts = await Promise.all([1, 2, 3, 4, 5].map((i) =>
        receive({ sql: conc.sql }, { transport: 'as2', partnerId: 'demo-x12-supplier', externalId: `<resend-${base}-${i}@race>`, body: asn856(base + 7200 + i, `RACE-DOC-${base}`) })))
      await runConcurrently(conc, batchSize)
      const ids = receipts.map((r) => r.messageId)
      // Every interchange is new (own ISA13): all are parsed, the business key decides.
      expect(await payloadStatuses(db, ids)).toEqual(['parsed', 'parsed', 'parsed', 'parsed', 'parsed'])
      const docs = await db.sql<{ status: string; duplicate_of: string | null; id: string }[]>`
        select id, status, duplicate_of from documents where business_key = ${`asn:RACE-DOC-${base}`} order by status = 'duplicate', created_at`
      expect(docs).toHaveLength(5)
      const live = docs.filter((d) => d.status !== 'duplicate')
      expect(live, JSON.stringify(docs)).toHaveLength(1)
      expect(docs.filter((d) => d.status === 'duplicate').map((d) => d.duplicate_of)).toEqual([live[0].id, live[0].id, live[0].id, live[0].id])
      const [exc] = await db.sql<{ n: number }[]>`select count(*)::int as n from exceptions where code = 'duplicate_document' and payload_id = any(${ids})`
      expect(exc.n).toBe(4)
      const txs = await db.sql<{ status: string }[]>`select status from transactions where payload_id = any(${ids}) and status = 'duplicate'`
      expect(txs).toHaveLength(4)
    })
  }

  it.runIf(onPostgres)('two worker processes: 4 pairs and one ASN resent 4 times, each processed once', async () => {
    const pairs = [1, 2, 3, 4].map((i) => ({ isa: 7300 + i, asn: `RACE-PROC-${i}` }))
    const bodies = [
      ...pairs.flatMap(({ isa, asn }) => ['a', 'b'].map((m) => ({ id: `<${asn}-${m}@proc>`, body: asn856(isa, asn) }))),
      ...[1, 2, 3, 4].map((i) => ({ id: `<proc-resend-${i}@race>`, body: asn856(7400 + i, 'RACE-PROC-DOC') })),
    ]
    const receipts = await Promise.all(bodies.map((b) => receive({ sql: conc.sql }, { transport: 'as2', partnerId: 'demo-x12-supplier', externalId: b.id, body: b.body })))
    const env = { DATABASE_URL: db.url, DATABASE_SCHEMA: db.schema, RACE_LOOPS: '4' }
    const [a, b] = await Promise.all([runChild(env), runChild(env)])
    expect(a.code, a.out).toBe(0)
    expect(b.code, b.out).toBe(0)
    const ids = receipts.map((r) => r.messageId)
    const [left] = await db.sql<{ n: number }[]>`select count(*)::int as n from jobs
      where payload->>'messageId' = any(${ids}) and stage <> 'deliver' and state <> 'completed'`
    expect(left.n).toBe(0)
    for (const [i, { asn }] of pairs.entries()) {
      expect(await payloadStatuses(db, ids.slice(2 * i, 2 * i + 2)), `pair ${asn}`).toEqual(['duplicate', 'parsed'])
      const docs = await db.sql`select id from documents where business_key = ${`asn:${asn}`}`
      expect(docs, `documents of ${asn}`).toHaveLength(1)
    }
    const docs = await db.sql<{ status: string }[]>`select status from documents where business_key = 'asn:RACE-PROC-DOC'`
    expect(docs).toHaveLength(4)
    expect(docs.filter((d) => d.status !== 'duplicate')).toHaveLength(1)
  })
})

function runChild(env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/run-ts.js', 'test/helpers/pipeline-child.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('close', (code) => resolve({ code: code ?? -1, out }))
  })
}
