/**
 * SSRF through Receipt-Delivery-Option (hardening issue, AS2 edges 1). Real local HTTP listeners
 * count every request that reaches them; the real AS2 routes, the real database and the real
 * as2_mdn job deliver (or refuse) the asynchronous MDNs:
 *   - unknown AS2-From, and a bad signature from a partner that requires signing: 0 hits;
 *   - a known, authenticated partner whose profile does not list the URL: 0 hits (sync MDN instead);
 *   - a URL on the partner's `as2.asyncMdnUrls` (exact or prefix): exactly 1 hit;
 *   - a redirect from an allowed URL is not followed; an endless or silent answer is bounded;
 *   - a hostile URL already queued (by an older version) is never posted.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { mkdtempSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/lib/log.ts'
import { createAs2Stages } from '../../src/pipeline/as2.ts'
import { createWorker } from '../../src/pipeline/worker.ts'
import { parseMdn } from '../../src/transports/as2/mdn.ts'
import { postAsyncMdn } from '../../src/transports/as2/send.ts'
import { hasOpenssl, makeConfigRoot, opensslPair, startGateway, type Gateway } from '../transports/as2/gateway.ts'
import { buildPartnerMessage, type PartnerMessageOptions } from '../transports/as2/openssl.ts'

const X12 = Buffer.from('ISA*00*          *00*          *ZZ*PARTNER        *ZZ*OURS           *240101*1200*U*00401*000000001*0*P*>~\n')

interface Listener {
  url: string
  hits: string[]
  server: Server
}

/** An HTTP listener on 127.0.0.1 that records every request path and answers with `handler`. */
async function listener(handler: (req: IncomingMessage, res: import('node:http').ServerResponse) => void = (_q, r) => r.end('ok')): Promise<Listener> {
  const hits: string[] = []
  const server = createServer((req, res) => {
    hits.push(req.url ?? '')
    req.resume()
    handler(req, res)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server }
}
const close = (l?: Listener) => new Promise<void>((r) => (l ? (l.server.closeAllConnections(), l.server.close(() => r())) : r()))

describe.skipIf(!hasOpenssl)('AS2 async MDN: no SSRF', () => {
  let gw: Gateway
  let partner: { key: string; crt: string }
  let stranger: { key: string; crt: string }
  let allowed: Listener
  let victim: Listener

  beforeAll(async () => {
    allowed = await listener()
    victim = await listener()
    const dir = mkdtempSync(join(tmpdir(), 'as2-ssrf-'))
    partner = opensslPair(dir, 'partner')
    stranger = opensslPair(dir, 'stranger')
    const ours = opensslPair(dir, 'ours', 'OURS')
    const { registry } = makeConfigRoot([
      // requires signing; may receive async MDNs at one exact URL and under one prefix
      { id: 'signer', as2Id: 'SIGNER', us: 'OURS', cert: partner.crt, requireSigned: true,
        extra: `  asyncMdnUrls: ['${allowed.url}/exact', '${allowed.url}/mdn/']` },
      // no allow-list at all: async MDNs are refused
      { id: 'plain', as2Id: 'PLAIN', us: 'OURS', cert: partner.crt },
    ])
    gw = await startGateway({ registry, keyFile: ours.key, certFile: ours.crt, ourIds: ['OURS'] })
  })
  afterAll(async () => {
    await gw?.close()
    await close(allowed)
    await close(victim)
  })

  // Each message carries its own ISA13: the same signed bytes under a new Message-ID are a replay.
  let seq = 0
  const post = async (o: Omit<PartnerMessageOptions, 'payload'>) => {
    const payload = Buffer.from(X12.toString('latin1').replace('*000000001*', `*${String(++seq).padStart(9, '0')}*`), 'latin1')
    const m = buildPartnerMessage({ payload, ...o })
    const res = await gw.app.request('/as2', { method: 'POST', headers: m.headers, body: new Uint8Array(m.body) })
    const body = Buffer.from(await res.arrayBuffer())
    return { m, res, body, mdn: parseMdn(res.headers.get('content-type') ?? '', body) }
  }
  const drain = async () => {
    const worker = createWorker({ sql: gw.sql, handlers: createAs2Stages({ registry: gw.registry, keys: gw.keys, defaultId: 'OURS' }), log: silentLogger, backoffBaseMs: 1 })
    await worker.drain({ timeoutMs: 30_000 })
  }
  const stored = async (messageId: string) =>
    (await gw.sql<{ n: number }[]>`select count(*)::int as n from payloads where external_id = ${messageId}`)[0].n

  it('never posts an MDN for an unknown AS2-From (answers in the HTTP response instead)', async () => {
    const r = await post({ from: 'NOBODY', sign: partner, asyncUrl: `${victim.url}/internal/admin` })
    await drain()
    expect(victim.hits).toEqual([])
    expect(r.res.status).toBe(200)
    expect(r.mdn.disposition).toBe('processed/error: unknown-trading-partner')
    expect(await stored(r.m.messageId)).toBe(0)
  })

  it('never posts an MDN for a signature that does not verify against a signing partner’s certificate', async () => {
    const bad = await post({ from: 'SIGNER', sign: stranger, asyncUrl: `${allowed.url}/exact` })
    const unsigned = await post({ from: 'SIGNER', asyncUrl: `${allowed.url}/exact` })
    await drain()
    expect(allowed.hits).toEqual([])
    expect(bad.mdn.disposition).toBe('processed/error: authentication-failed')
    expect(unsigned.mdn.disposition).toBe('processed/error: insufficient-message-security')
  })

  it('refuses URLs the profile does not list, even for an authenticated partner: sync MDN, no request', async () => {
    const cases = [
      ['SIGNER', `${victim.url}/exact`], // same path, another port
      ['SIGNER', `${allowed.url}/exact/more`], // an exact entry is not a prefix
      ['SIGNER', `${allowed.url}/mdnx`], // a prefix is a whole path segment
      ['SIGNER', `${allowed.url.replace('127.0.0.1', '127.0.0.1.nip.io')}/mdn/x`],
      ['PLAIN', `${allowed.url}/mdn/x`], // no allow-list: async refused
    ] as const
    for (const [from, url] of cases) {
      const r = await post({ from, sign: partner, asyncUrl: url })
      expect(r.res.status, url).toBe(200)
      expect(r.mdn.disposition, url).toBe('processed')
      expect(r.mdn.originalMessageId).toBe(r.m.messageId)
      expect(await stored(r.m.messageId)).toBe(1)
    }
    await drain()
    expect(allowed.hits).toEqual([])
    expect(victim.hits).toEqual([])
  })

  it('posts exactly one MDN to an allowed URL (exact and prefix)', async () => {
    const exact = await post({ from: 'SIGNER', sign: partner, asyncUrl: `${allowed.url}/exact` })
    expect(exact.body.toString()).toMatch(/asynchronously/)
    await drain()
    expect(allowed.hits).toEqual(['/exact'])
    const prefixed = await post({ from: 'SIGNER', sign: partner, asyncUrl: `${allowed.url}/mdn/receipts?x=1` })
    await drain()
    expect(allowed.hits).toEqual(['/exact', '/mdn/receipts?x=1'])
    expect(exact.mdn.disposition).toBeUndefined() // the HTTP response only acknowledges receipt
    expect(prefixed.res.status).toBe(200)
  })

  it('never posts an already queued MDN whose URL the profile does not allow', async () => {
    await gw.store.queueAsyncMdn({ partnerId: '', messageId: '<old@x>', url: `${victim.url}/queued-before-the-fix`, headers: [], body: Buffer.from('x') })
    await gw.store.queueAsyncMdn({ partnerId: 'signer', messageId: '<old2@x>', url: `${victim.url}/queued-before-the-fix`, headers: [], body: Buffer.from('x') })
    await drain()
    expect(victim.hits).toEqual([])
    const rows = await gw.sql<{ status: string }[]>`select status from as2_mdn_outbox where message_id in ('<old@x>', '<old2@x>')`
    expect(rows.map((r) => r.status)).toEqual(['failed', 'failed'])
  })
})

describe('postAsyncMdn bounds what it reads and how long it waits', () => {
  let endless: Listener
  let silent: Listener
  let redirect: Listener
  let target: Listener
  let served = 0
  beforeAll(async () => {
    endless = await listener((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      const chunk = Buffer.alloc(64 * 1024, 0x41)
      const pump = () => {
        while (res.writable && !res.destroyed && res.write(chunk)) served += chunk.length
        if (!res.destroyed) res.once('drain', pump)
      }
      res.on('close', () => undefined)
      pump()
    })
    silent = await listener(() => undefined) // never answers
    target = await listener()
    redirect = await listener((_q, res) => {
      res.writeHead(303, { location: `${target.url}/internal` })
      res.end()
    })
  })
  afterAll(async () => {
    for (const l of [endless, silent, redirect, target]) await close(l)
  })

  it('stops reading an endless answer after a small cap', async () => {
    const t0 = Date.now()
    const r = await postAsyncMdn(`${endless.url}/mdn`, [], Buffer.from('mdn'))
    expect(r.ok).toBe(true)
    expect(Date.now() - t0).toBeLessThan(15_000)
  }, 70_000)

  it('gives up on a listener that never answers', async () => {
    const t0 = Date.now()
    const r = await postAsyncMdn(`${silent.url}/mdn`, [], Buffer.from('mdn'), { timeoutMs: 1_000 })
    expect(r.ok).toBe(false)
    expect(Date.now() - t0).toBeLessThan(10_000)
  })

  it('does not follow redirects', async () => {
    const r = await postAsyncMdn(`${redirect.url}/mdn`, [], Buffer.from('mdn'))
    expect(r.ok).toBe(false)
    expect(target.hits).toEqual([])
    expect(redirect.hits).toEqual(['/mdn'])
  })
})
