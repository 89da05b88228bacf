/**
 * The partner outbox pull (outbound: api) through the real deliver stage, the partner API and the
 * operations lineage: queued (waiting) → sent (downloaded) → acknowledged (POST .../received).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JobRow } from '../../src/db/jobs.ts'
import { insertDelivery } from '../../src/db/lineage.ts'
import { newId } from '../../src/lib/ids.ts'
import { deliverStage } from '../../src/pipeline/deliver.ts'
import { harness, type Harness } from './harness.ts'

describe('partner outbox pull (outbound: api)', () => {
  let h: Harness
  let message: string
  let mine: string
  let theirs: string
  const job = { attempts: 1, max_attempts: 5 } as JobRow
  const list = async () => ((await (await h.call('GET', '/api/v1/outbox', { key: h.keys.a })).json()) as { files: { id: string; status: string }[] }).files
  const states = async () => {
    const r = await h.call('GET', `/api/v1/ops/messages/${message}`, { token: h.token })
    expect(r.status).toBe(200)
    const l = (await r.json()) as { deliveries: { id: string; status: string; history: { status: string }[] }[] }
    const d = l.deliveries.find((x) => x.id === mine)!
    return { status: d.status, history: d.history.map((s) => s.status) }
  }

  beforeAll(async () => {
    h = await harness()
    // The message these files answer (their lineage parent).
    message = newId('msg')
    await h.db.sql`insert into payloads (id, transport, partner_id, sha256, size) values (${message}, 'cli', 'supplier-a', 'x', 1)`
    const row = async (partnerId: string, body: string) => {
      const id = await insertDelivery(h.db.sql, {
        partnerId, kind: 'ack', docType: '997', parentTable: 'payloads', parentId: message, destination: 'api',
        bytes: Buffer.from(body, 'latin1'), filename: `997-${partnerId}.x12`, contentType: 'application/edi-x12', controlNumber: '7',
      })
      await deliverStage(h.gw.deps, h.db.sql, id, job)
      return id
    }
    mine = await row('supplier-a', 'ISA*00*...for A~')
    theirs = await row('supplier-b', 'ISA*00*...for B~')
  })
  afterAll(async () => h.close())

  it('queues the file for the partner: listed as queued, nothing sent yet', async () => {
    expect(await states()).toEqual({ status: 'queued', history: ['pending', 'queued'] })
    const files = await list()
    expect(files.map((f) => f.id)).toEqual([mine])
    expect(files[0]).toMatchObject({ docType: '997', filename: '997-supplier-a.x12', size: 16, status: 'queued' })
  })

  it('downloads only the caller’s files, byte-exact; the download makes it sent and it stays listed until confirmed', async () => {
    const got = await h.call('GET', `/api/v1/outbox/${mine}`, { key: h.keys.a })
    expect(got.status).toBe(200)
    expect(Buffer.from(await got.arrayBuffer()).toString('latin1')).toBe('ISA*00*...for A~')
    expect(got.headers.get('content-disposition')).toBe('attachment; filename="997-supplier-a.x12"')
    expect(await states()).toEqual({ status: 'sent', history: ['pending', 'queued', 'sent'] })
    expect((await list()).map((f) => [f.id, f.status])).toEqual([[mine, 'sent']])
    // Another partner's file is not there for A, whatever the id, and A's attempts change nothing.
    expect((await h.call('GET', `/api/v1/outbox/${theirs}`, { key: h.keys.a })).status).toBe(404)
    expect((await h.call('POST', `/api/v1/outbox/${theirs}/received`, { key: h.keys.a })).status).toBe(404)
    const [other] = await h.db.sql<{ status: string }[]>`select status from deliveries where id = ${theirs}`
    expect(other.status).toBe('queued')
  })

  it('acknowledges a file once the partner confirms it, and it leaves the list', async () => {
    const r = await h.call('POST', `/api/v1/outbox/${mine}/received`, { key: h.keys.a })
    expect(await r.json()).toEqual({ id: mine, status: 'acknowledged' })
    const [row] = await h.db.sql<{ sent_at: Date | null }[]>`select sent_at from deliveries where id = ${mine}`
    expect(row.sent_at).toBeInstanceOf(Date)
    expect(await states()).toEqual({ status: 'acknowledged', history: ['pending', 'queued', 'sent', 'acknowledged'] })
    expect(await list()).toEqual([])
    // A second confirmation is harmless and records nothing new.
    expect(await (await h.call('POST', `/api/v1/outbox/${mine}/received`, { key: h.keys.a })).json()).toEqual({ id: mine, status: 'acknowledged' })
    expect((await states()).history).toHaveLength(4)
    // The operator token is not a partner key.
    expect((await h.call('GET', '/api/v1/outbox', { token: h.token })).status).toBe(401)
  })

  it('never offers the partner a file that goes out another way, whatever its state', async () => {
    const id = await insertDelivery(h.db.sql, {
      partnerId: 'supplier-a', kind: 'ack', docType: '997', parentTable: 'payloads', parentId: message, destination: 'sftp',
      bytes: Buffer.from('ISA*sftp~', 'latin1'), filename: '997-sftp.x12', status: 'queued',
    })
    expect((await list()).map((f) => f.id)).not.toContain(id)
    expect((await h.call('GET', `/api/v1/outbox/${id}`, { key: h.keys.a })).status).toBe(404)
  })
})
