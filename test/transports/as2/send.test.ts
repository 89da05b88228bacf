/**
 * Outbound AS2: our sender (transport → as2_send job) delivers to our own receiver over HTTP,
 * with sync and async MDNs; a down endpoint is retried and then becomes `delivery_failed`; a
 * lying MDN (wrong MIC) becomes `mdn_negative`; a missing async MDN becomes `mdn_overdue`.
 */
import { serve, type ServerType } from '@hono/node-server'
import { mkdtempSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readPayload } from '../../../src/db/payloads.ts'
import { silentLogger } from '../../../src/lib/log.ts'
import { createAs2Stages } from '../../../src/pipeline/as2.ts'
import { createWorker, type Worker } from '../../../src/pipeline/worker.ts'
import { buildMdn, DISPOSITION } from '../../../src/transports/as2/mdn.ts'
import { createAs2Transport } from '../../../src/transports/as2/send.ts'
import type { Transport } from '../../../src/transports/types.ts'
import { hasOpenssl, makeConfigRoot, opensslPair, startGateway, startMisbehavingPartner, type Gateway } from './gateway.ts'

describe.skipIf(!hasOpenssl)('AS2 send', () => {
  let gw: Gateway
  let worker: Worker
  let transport: Transport
  let liar: Awaited<ReturnType<typeof startMisbehavingPartner>> | undefined
  const payload = Buffer.from('UNB+UNOC:3+SENDER+RECEIVER+240101:1200+1\'\nUNH+1+ORDERS:D:96A:UN\'\n\x00\xff binary tail\r\n')

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'as2-send-'))
    const ours = opensslPair(dir, 'ours', 'OURS')
    // A partner whose MDNs carry a wrong MIC (negative), and one that never sends its async MDN.
    liar = await startMisbehavingPartner(() => gw.keys)
    const liarUrl = liar.url
    // The gateway needs its own URL in the profiles, so reserve it first.
    const probe = await startGateway({ ...makeConfigRoot([]), keyFile: ours.key, certFile: ours.crt, ourIds: ['OURS'] })
    const url = await probe.listen()
    await probe.close()
    const async = '  mdn: { mode: async, signed: true }'
    const { registry } = makeConfigRoot([
      // receiving side: what our receiver knows about the sender (us, under other ids)
      { id: 'loop-in', as2Id: 'LOOPBACK', us: 'OURS', cert: ours.crt, requireSigned: true, requireEncrypted: true },
      { id: 'loop-in-async', as2Id: 'LOOPBACK2', us: 'OURS2', cert: ours.crt, extra: `  asyncMdnUrls: ['${url}/as2/mdn']` },
      // sending side
      { id: 'loop-out', as2Id: 'OURS', us: 'LOOPBACK', cert: ours.crt, url: `${url}/as2`, extra: '  compress: true\n  encrypt: aes128-gcm' },
      { id: 'loop-async', as2Id: 'OURS2', us: 'LOOPBACK2', cert: ours.crt, url: `${url}/as2`, extra: `  sign: sha384\n${async}` },
      { id: 'down', as2Id: 'DOWN', us: 'OURS', cert: ours.crt, url: 'http://127.0.0.1:1/as2' },
      { id: 'liar', as2Id: 'LIAR', us: 'OURS', cert: ours.crt, url: `${liarUrl}/liar` },
      { id: 'silent', as2Id: 'SILENT', us: 'OURS', cert: ours.crt, url: `${liarUrl}/silent`, extra: async },
      // MDNs signed with SHA-1, which these profiles do not allow: sync, and async posted by the test
      { id: 'sha1', as2Id: 'SHA1', us: 'OURS', cert: ours.crt, url: `${liarUrl}/sha1` },
      { id: 'sha1-async', as2Id: 'SHA1ASYNC', us: 'OURS', cert: ours.crt, url: `${liarUrl}/silent`, extra: async },
      // We sign with SHA-1 and so ask for the receipt in SHA-1: its signature is accepted
      { id: 'sha1-ours', as2Id: 'SHA1OURS', us: 'OURS', cert: ours.crt, url: `${liarUrl}/sha1`, extra: '  sign: sha1' },
    ])
    gw = await startGateway({ registry, keyFile: ours.key, certFile: ours.crt, ourIds: ['OURS'] })
    await listenOn(gw, Number(new URL(url).port))
    worker = createWorker({
      sql: gw.sql,
      handlers: createAs2Stages({ registry, keys: gw.keys, defaultId: 'OURS', publicUrl: url, mdnDeadlineMs: (p) => (p.id === 'silent' ? 0 : 3_600_000) }),
      log: silentLogger,
      backoffBaseMs: 5,
    })
    transport = createAs2Transport({ store: gw.store, registry, defaultId: 'OURS' })
  })
  afterAll(async () => {
    await liar?.close()
    await gw?.close()
  })

  const sendTo = async (partnerId: string) => {
    const deliveryId = `dlv_${partnerId}_${Date.now()}`
    const r = await transport.send({ deliveryId, partnerId, bytes: payload, filename: 'orders.edi', contentType: 'application/edifact', docType: 'ORDERS' })
    expect(r.ok).toBe(true)
    await worker.drain({ timeoutMs: 30_000 })
    const [row] = await gw.sql<{ message_id: string; status: string; mdn_status: string | null; attempts: number }[]>`
      select message_id, status, mdn_status, attempts from as2_outbound where delivery_id = ${deliveryId}`
    const exceptions = await gw.sql<{ code: string; reason: Record<string, unknown> }[]>`select code, reason from exceptions where delivery_id = ${deliveryId}`
    return { deliveryId, row, exceptions, ref: r.ok ? r.ref : undefined }
  }
  const receivedBy = async (messageId: string) => {
    const [p] = await gw.sql<{ id: string; partner_id: string; filename: string }[]>`select id, partner_id, filename from payloads where external_id = ${messageId}`
    return p && { ...p, bytes: await readPayload(gw.sql, p.id) }
  }

  it('delivers compressed, signed, AES-GCM encrypted with a verified sync MDN', async () => {
    const { row, exceptions, ref } = await sendTo('loop-out')
    expect(row).toMatchObject({ message_id: ref, status: 'delivered', mdn_status: 'delivered', attempts: 1 })
    expect(exceptions).toEqual([])
    const got = await receivedBy(row.message_id)
    expect(got.partner_id).toBe('loop-in')
    expect(got.filename).toBe('orders.edi')
    expect(got.bytes.equals(payload)).toBe(true)
  })

  it('delivers with an async MDN that arrives on POST /as2/mdn and is matched', async () => {
    const { row, exceptions } = await sendTo('loop-async')
    expect(row).toMatchObject({ status: 'delivered', mdn_status: 'delivered' })
    expect(exceptions).toEqual([])
    expect((await receivedBy(row.message_id)).partner_id).toBe('loop-in-async')
    const [inbound] = await gw.sql<{ mdn_status: string }[]>`select mdn_status from as2_inbound where message_id = ${row.message_id}`
    expect(inbound.mdn_status).toBe('delivered')
  })

  it('retries a down endpoint with backoff, then opens delivery_failed', async () => {
    const { row, exceptions } = await sendTo('down')
    expect(row.status).toBe('failed')
    expect(row.attempts).toBe(8)
    expect(exceptions.map((e) => e.code)).toEqual(['delivery_failed'])
    expect(exceptions[0].reason).toMatchObject({ transport: 'as2', attempts: 8 })
  })

  it('opens mdn_negative when the MDN MIC does not match what we sent', async () => {
    const { row, exceptions } = await sendTo('liar')
    expect(row).toMatchObject({ status: 'negative', mdn_status: 'mic_mismatch' })
    expect(exceptions.map((e) => e.code)).toEqual(['mdn_negative'])
  })

  it('opens mdn_overdue when an async MDN does not come in time', async () => {
    const { row, exceptions } = await sendTo('silent')
    expect(row.status).toBe('mdn_overdue')
    expect(exceptions.map((e) => e.code)).toEqual(['mdn_overdue'])
  })

  it('refuses a receipt signed with SHA-1 where the profile does not allow it, sync or async', async () => {
    const sync = await sendTo('sha1')
    expect(sync.row).toMatchObject({ status: 'negative', mdn_status: 'bad_signature' })
    expect(sync.exceptions.map((e) => e.code)).toEqual(['mdn_negative'])
    expect(JSON.stringify(sync.exceptions[0].reason)).toContain('SHA-1')
    const pending = await sendTo('sha1-async')
    expect(pending.row.mdn_status).toBeNull()
    const { key, cert } = gw.keys
    const mdn = buildMdn({ originalMessageId: pending.row.message_id, from: 'SHA1ASYNC', to: 'OURS', disposition: DISPOSITION.processed, sign: { key, cert, digest: 'sha1' } })
    const res = await gw.app.request('/as2/mdn', { method: 'POST', headers: mdn.headers, body: new Uint8Array(mdn.body) })
    expect(res.status).toBe(200)
    const [after] = await gw.sql<{ mdn_status: string }[]>`select mdn_status from as2_outbound where message_id = ${pending.row.message_id}`
    expect(after.mdn_status).toBe('bad_signature')
    // Where we sign with SHA-1 ourselves, the partner's SHA-1 receipt verifies (this one then
    // fails on its made-up MIC, not on its signature).
    const ours = await sendTo('sha1-ours')
    expect(ours.row).toMatchObject({ status: 'negative', mdn_status: 'mic_mismatch' })
  })

  it('rejects an async MDN for a message we never sent', async () => {
    const mdn = buildMdn({ originalMessageId: '<never@sent>', from: 'X', to: 'OURS', disposition: 'processed' })
    const res = await gw.app.request('/as2/mdn', { method: 'POST', headers: mdn.headers, body: new Uint8Array(mdn.body) })
    expect(res.status).toBe(404)
  })
})

/** Serve the gateway on a given port (the one its profiles point at). */
async function listenOn(gw: Gateway, port: number) {
  await new Promise<void>((resolve) => {
    const s = serve({ fetch: gw.app.fetch, port, hostname: '127.0.0.1' }, () => resolve())
    const close = gw.close
    gw.close = async () => {
      await new Promise<void>((r) => s.close(() => r()))
      await close()
    }
  })
  gw.url = `http://127.0.0.1:${port}`
}
