/**
 * Issue 16: a delivery sent by AS2 says what really happened. The deliver stage hands it to the
 * AS2 sender (`queued`); the as2_send job POSTs it over real HTTP to a real receiver: `sent` while
 * an async MDN is awaited, `acknowledged` on a positive MDN, `failed` after refused POSTs or a
 * negative MDN. Never `delivered` with a receipt of `{ as2: queued }`.
 */
import { serve, type ServerType } from '@hono/node-server'
import { mkdtempSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { enqueue } from '../../src/db/jobs.ts'
import { insertDelivery } from '../../src/db/lineage.ts'
import { silentLogger } from '../../src/lib/log.ts'
import { createAs2Stages } from '../../src/pipeline/as2.ts'
import { deliverStage } from '../../src/pipeline/deliver.ts'
import type { PipelineDeps } from '../../src/pipeline/deps.ts'
import { createWorker, type Worker } from '../../src/pipeline/worker.ts'
import { createAs2Transport } from '../../src/transports/as2/send.ts'
import { hasOpenssl, makeConfigRoot, opensslPair, startGateway, startMisbehavingPartner, type Gateway } from '../transports/as2/gateway.ts'

describe.skipIf(!hasOpenssl)('delivery states over AS2', { timeout: 120_000 }, () => {
  let gw: Gateway
  let worker: Worker
  let liar: Awaited<ReturnType<typeof startMisbehavingPartner>> | undefined
  let receiver: ServerType

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dlv-states-'))
    const ours = opensslPair(dir, 'ours', 'OURS')
    // A partner whose MDNs carry a wrong MIC (negative), and one that never sends its async MDN.
    liar = await startMisbehavingPartner(() => gw.keys)
    const liarUrl = liar.url
    const probe = await startGateway({ ...makeConfigRoot([]), keyFile: ours.key, certFile: ours.crt, ourIds: ['OURS'] })
    const url = await probe.listen()
    await probe.close()
    const { registry } = makeConfigRoot([
      { id: 'loop-in', as2Id: 'LOOPBACK', us: 'OURS', cert: ours.crt },
      { id: 'loop-out', as2Id: 'OURS', us: 'LOOPBACK', cert: ours.crt, url: `${url}/as2` },
      { id: 'down', as2Id: 'DOWN', us: 'OURS', cert: ours.crt, url: 'http://127.0.0.1:1/as2' },
      { id: 'liar', as2Id: 'LIAR', us: 'OURS', cert: ours.crt, url: `${liarUrl}/liar` },
      { id: 'silent', as2Id: 'SILENT', us: 'OURS', cert: ours.crt, url: `${liarUrl}/silent`, extra: '  mdn: { mode: async, signed: true }' },
    ])
    gw = await startGateway({ registry, keyFile: ours.key, certFile: ours.crt, ourIds: ['OURS'] })
    receiver = await new Promise((r) => {
      const s = serve({ fetch: gw.app.fetch, port: Number(new URL(url).port), hostname: '127.0.0.1' }, () => r(s))
    })
    const transport = createAs2Transport({ store: gw.store, registry, defaultId: 'OURS' })
    const deps = { registry, transports: { as2: transport } } as unknown as PipelineDeps
    worker = createWorker({
      sql: gw.sql,
      handlers: {
        ...createAs2Stages({ registry, keys: gw.keys, defaultId: 'OURS', publicUrl: url, mdnDeadlineMs: () => 3_600_000 }),
        deliver: { transactional: false, run: (q, p, job) => deliverStage(deps, q, String(p.deliveryId), job) },
      },
      log: silentLogger,
      backoffBaseMs: 5,
    })
  })
  afterAll(async () => {
    await liar?.close()
    await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()))
    await gw?.close()
  })

  const deliver = async (partnerId: string) => {
    const id = await insertDelivery(gw.sql, {
      partnerId, kind: 'document', docType: '850', parentTable: 'documents', parentId: `doc_${partnerId}`,
      destination: 'as2', bytes: Buffer.from(`ISA*00*test payload for ${partnerId}~`), filename: `850-${partnerId}.edi`, contentType: 'application/edi-x12',
    })
    await enqueue(gw.sql, 'deliver', { deliveryId: id, partnerId }, { dedupeKey: `deliver:${id}` })
    await worker.drain({ timeoutMs: 60_000 })
    const [row] = await gw.sql<{ status: string; receipt: Record<string, unknown>; last_error: string | null; sent_at: Date | null; history: { status: string }[] }[]>`
      select status, receipt, last_error, sent_at, history from deliveries where id = ${id}`
    return { ...row, path: row.history.map((h) => h.status) }
  }

  it('acknowledged on a positive sync MDN', async () => {
    const row = await deliver('loop-out')
    expect(row).toMatchObject({ status: 'acknowledged', receipt: expect.objectContaining({ as2: 'acknowledged', mdn: 'delivered' }) })
    expect(row.sent_at).not.toBeNull()
    expect(row.path).toEqual(['pending', 'queued', 'sent', 'acknowledged'])
  })

  it('failed after eight refused POSTs, with the last error', async () => {
    const row = await deliver('down')
    expect(row.status).toBe('failed')
    expect(row.receipt).toMatchObject({ as2: 'failed' })
    expect(row.last_error).toBeTruthy()
    expect(row.sent_at).toBeNull()
    expect(row.path).toEqual(['pending', 'queued', 'failed'])
  })

  it('failed on a negative MDN', async () => {
    const row = await deliver('liar')
    expect(row).toMatchObject({ status: 'failed', receipt: expect.objectContaining({ as2: 'failed', mdn: 'mic_mismatch' }) })
    expect(row.last_error).toMatch(/MDN mic_mismatch/)
    expect(row.path).toEqual(['pending', 'queued', 'sent', 'failed'])
  })

  it('sent while an async MDN is awaited', async () => {
    const row = await deliver('silent')
    expect(row).toMatchObject({ status: 'sent', receipt: expect.objectContaining({ as2: 'sent' }) })
    expect(row.path).toEqual(['pending', 'queued', 'sent'])
  })
})
