import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insertDelivery } from '../../src/db/lineage.ts'
import { harness, type Harness } from './harness.ts'

describe('partner outbox pull (outbound: api)', () => {
  let h: Harness
  let mine: string
  let theirs: string
  beforeAll(async () => {
    h = await harness()
    const row = (partnerId: string, body: string) =>
      insertDelivery(h.db.sql, {
        partnerId, kind: 'ack', docType: '997', parentTable: 'interchanges', parentId: 'icn_x', destination: 'api',
        bytes: Buffer.from(body, 'latin1'), filename: `997-${partnerId}.x12`, contentType: 'application/edi-x12', controlNumber: '7', status: 'available',
      })
    mine = await row('supplier-a', 'ISA*00*...for A~')
    theirs = await row('supplier-b', 'ISA*00*...for B~')
  })
  afterAll(async () => h.close())

  it('lists and downloads only the caller’s waiting files, byte-exact', async () => {
    const list = (await (await h.call('GET', '/api/v1/outbox', { key: h.keys.a })).json()) as { files: { id: string }[] }
    expect(list.files.map((f) => f.id)).toEqual([mine])
    expect(list.files[0]).toMatchObject({ docType: '997', filename: '997-supplier-a.x12', size: 16 })
    const got = await h.call('GET', `/api/v1/outbox/${mine}`, { key: h.keys.a })
    expect(got.status).toBe(200)
    expect(Buffer.from(await got.arrayBuffer()).toString('latin1')).toBe('ISA*00*...for A~')
    expect(got.headers.get('content-disposition')).toBe('attachment; filename="997-supplier-a.x12"')
    // Another partner's file is not there for A, whatever the id.
    expect((await h.call('GET', `/api/v1/outbox/${theirs}`, { key: h.keys.a })).status).toBe(404)
    expect((await h.call('POST', `/api/v1/outbox/${theirs}/received`, { key: h.keys.a })).status).toBe(404)
  })

  it('marks a file delivered once the partner confirms it, and it leaves the list', async () => {
    const r = await h.call('POST', `/api/v1/outbox/${mine}/received`, { key: h.keys.a })
    expect(await r.json()).toEqual({ id: mine, status: 'delivered' })
    const [row] = await h.db.sql<{ status: string; sent_at: Date | null }[]>`select status, sent_at from deliveries where id = ${mine}`
    expect(row.status).toBe('delivered')
    expect(row.sent_at).toBeInstanceOf(Date)
    const list = (await (await h.call('GET', '/api/v1/outbox', { key: h.keys.a })).json()) as { files: { id: string }[] }
    expect(list.files).toEqual([])
    // The operator token is not a partner key.
    expect((await h.call('GET', '/api/v1/outbox', { token: h.token })).status).toBe(401)
  })
})
