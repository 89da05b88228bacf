/**
 * Replay with diff (issue 5): after a map changes, `replayDiff` re-maps a stored message in
 * memory and shows exactly the changed field (path, before, after) with the map versions, and
 * writes nothing; a plain replay receives the raw bytes again as a new message linked to the
 * original by meta.replayOf.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ENGINES } from '../../src/app/engines.ts'
import { loadConfig } from '../../src/app/gateway.ts'
import { createMapper } from '../../src/app/mapper.ts'
import { createTablesErp } from '../../src/db/erp.ts'
import { parsePurchaseOrders } from '../../src/erp/import.ts'
import { silentLogger } from '../../src/lib/log.ts'
import type { PipelineDeps } from '../../src/pipeline/deps.ts'
import { receive } from '../../src/pipeline/receive.ts'
import { replayMessage } from '../../src/pipeline/replay.ts'
import { replayDiff } from '../../src/pipeline/replay-diff.ts'
import { pipelineStages } from '../../src/pipeline/stages.ts'
import { createWorker, type Worker } from '../../src/pipeline/worker.ts'
import { testDb, type TestDb } from '../helpers/db.ts'
import { samplesDir, tempConfig, type TempConfig } from '../onboarding/config-dir.ts'

const TABLES = ['payloads', 'payload_chunks', 'interchanges', 'transactions', 'documents', 'deliveries', 'jobs', 'exceptions', 'erp_events', 'control_numbers']

describe('replay', () => {
  let db: TestDb
  let cfg: TempConfig
  const workers: Worker[] = []
  let messageId: string

  /** Deps + worker over the CURRENT files in the temp config dir (a restart after a config change). */
  function open(): { deps: PipelineDeps; worker: Worker } {
    const { registry, maps } = loadConfig(cfg.dir)
    let worker: Worker | undefined
    const deps: PipelineDeps = {
      sql: db.sql, registry, engines: ENGINES, mapper: createMapper(maps), log: silentLogger, transports: {},
      now: () => new Date('2026-03-04T12:00:00Z'), wake: () => worker?.wake(),
    }
    worker = createWorker({ sql: db.sql, handlers: pipelineStages(deps), log: silentLogger, concurrency: 1, backoffBaseMs: 5 })
    workers.push(worker)
    return { deps, worker }
  }

  async function counts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {}
    for (const t of TABLES) out[t] = (await db.sql.unsafe<{ n: number }[]>(`select count(*)::int as n from ${t}`))[0].n
    return out
  }

  beforeAll(async () => {
    db = await testDb()
    cfg = tempConfig({ partners: ['demo-x12-supplier', 'demo-warehouse'] })
    const { orders } = parsePurchaseOrders(readFileSync(join(samplesDir, 'erp.csv'), 'utf8'), 'csv')
    await createTablesErp(db.sql).upsertOrders(orders)
    const { deps, worker } = open()
    const r = await receive({ sql: deps.sql, wake: deps.wake }, { transport: 'cli', filename: '855-ack.x12', body: readFileSync(join(samplesDir, '855-ack.x12')) })
    messageId = r.messageId
    await worker.drain({ timeoutMs: 30_000 })
  })
  afterAll(async () => {
    for (const w of workers) await w.stop()
    await db?.close()
    cfg?.close()
  })

  it('the original is stored with its canonical document and map version', async () => {
    const docs = await db.sql<{ status: string; doc: { status: string }; map_id: string }[]>`select status, doc, map_id from documents where payload_id = ${messageId}`
    expect(docs).toEqual([expect.objectContaining({ status: 'matched', map_id: 'x12-004010/855.in' })])
    expect(docs[0].doc.status).toBe('accepted')
  })

  it('replayDiff after a map change shows exactly the changed field and writes nothing', async () => {
    // Unchanged maps first: no differences at all.
    const same = await replayDiff(open().deps, messageId)
    expect(same).toHaveLength(1)
    expect(same[0].changes).toEqual([])
    expect(same[0].mapBefore).toBe(same[0].mapAfter)

    // The map change: BAK02 `AD` now means "accepted with changes". One field, same source path.
    const file = join(cfg.dir, 'maps/x12-004010/855.in.yaml')
    const text = readFileSync(file, 'utf8')
    expect(text).toContain('{ AD: accepted, AK: accepted')
    writeFileSync(file, text.replace('{ AD: accepted, AK: accepted', '{ AD: accepted_with_changes, AK: accepted'))

    const before = await counts()
    const diffs = await replayDiff(open().deps, messageId)
    expect(await counts()).toEqual(before)
    expect(diffs).toHaveLength(1)
    expect(diffs[0]).toMatchObject({ docType: '855', transactionControl: '0001' })
    expect(diffs[0].changes).toEqual([{ path: 'status', before: 'accepted', after: 'accepted_with_changes' }])
    // Maps are versioned by content hash: same id, another version.
    const [idBefore, hashBefore] = diffs[0].mapBefore!.split('@')
    const [idAfter, hashAfter] = diffs[0].mapAfter!.split('@')
    expect(idAfter).toBe(idBefore)
    expect(hashAfter).not.toBe(hashBefore)
  })

  it('a plain replay creates a new message linked by meta.replayOf; the original stays as it was', async () => {
    const { deps, worker } = open()
    const newId = await replayMessage(deps, messageId)
    expect(newId).not.toBe(messageId)
    const [p] = await db.sql<{ meta: { replayOf?: string }; sha256: string }[]>`select meta, sha256 from payloads where id = ${newId}`
    const [orig] = await db.sql<{ sha256: string }[]>`select sha256 from payloads where id = ${messageId}`
    expect(p.meta.replayOf).toBe(messageId)
    expect(p.sha256).toBe(orig.sha256)
    await worker.drain({ timeoutMs: 30_000 })
    const [old] = await db.sql<{ doc: { status: string } }[]>`select doc from documents where payload_id = ${messageId}`
    expect(old.doc.status).toBe('accepted')
  })

  // The replayed bytes carry the same ISA13: a replay must not be stopped as duplicate_interchange.
  it('the replayed message is processed through the current maps (not stopped as a duplicate)', async () => {
    const [p] = await db.sql<{ id: string }[]>`select id from payloads where meta->>'replayOf' = ${messageId}`
    const docs = await db.sql<{ doc: { status: string }; map_hash: string }[]>`select doc, map_hash from documents where payload_id = ${p.id}`
    expect(docs).toHaveLength(1)
    expect(docs[0].doc.status).toBe('accepted_with_changes')
    const [orig] = await db.sql<{ map_hash: string }[]>`select map_hash from documents where payload_id = ${messageId}`
    expect(docs[0].map_hash).not.toBe(orig.map_hash)
  })
})
