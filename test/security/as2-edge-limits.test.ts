/**
 * AS2 limits on the real `edi-gateway serve` (hardening issue, AS2 edges 2 and 3), over real
 * HTTP from 127.0.0.1:
 *   - AS2 has its own body limit (AS2_BODY_LIMIT, a profile's as2.maxBodyBytes per partner),
 *     with and without Content-Length: 413, nothing stored, no MDN;
 *   - messages per minute per partner (AS2_RATE_LIMIT, as2.rateLimitPerMinute; unknown AS2-From
 *     ids share one bucket) and per source address (AS2_SOURCE_RATE_LIMIT): 429 + Retry-After,
 *     nothing stored, nothing acknowledged.
 */
import { request } from 'node:http'
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliEnv } from '../helpers/cli.ts'
import { testDb, type TestDb } from '../helpers/db.ts'
import { repoRoot, startGateway, type GatewayProcess } from '../helpers/gateway-process.ts'
import { hasOpenssl, makeConfigRoot, opensslPair, type PartnerSpec } from '../transports/as2/gateway.ts'

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

const X12 = 'ISA*00*          *00*          *ZZ*PARTNER        *ZZ*OURS           *240101*1200*U*00401*000000001*0*P*>~\n'

/** POST a plain (unsigned, unencrypted) AS2 message asking for a sync MDN; `chunked` drops Content-Length. */
function postAs2(base: string, from: string, body: Buffer, o: { chunked?: boolean; messageId?: string } = {}): Promise<Reply & { messageId: string }> {
  const messageId = o.messageId ?? `<lim-${Date.now()}-${Math.random().toString(36).slice(2)}@${from}>`
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      'AS2-Version': '1.2', 'AS2-From': from, 'AS2-To': 'OURS', 'Message-ID': messageId,
      'Content-Type': 'application/edi-x12', 'Disposition-Notification-To': 'mailto:as2@partner.invalid',
    }
    if (!o.chunked) headers['Content-Length'] = String(body.length)
    const req = request(`${base}/as2`, { method: 'POST', headers, agent: false }, (res) => {
      let text = ''
      res.on('data', (d) => (text += d))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text, messageId }))
    })
    // The gateway may answer 413/429 and close before the whole body is written.
    req.on('error', (err) => {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EPIPE' || code === 'ECONNRESET') resolve({ status: 0, headers: {}, body: String(code), messageId })
      else reject(err)
    })
    if (o.chunked) for (let i = 0; i < body.length; i += 4096) req.write(body.subarray(i, i + 4096))
    else req.write(body)
    req.end()
  })
}

const payload = (size: number) => Buffer.concat([Buffer.from(X12), Buffer.alloc(Math.max(0, size - X12.length), 0x20)])

async function gatewayWith(db: TestDb, partners: Omit<PartnerSpec, 'cert' | 'us'>[], env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'as2-limits-'))
  const cert = opensslPair(dir, 'partner').crt
  const { root } = makeConfigRoot(partners.map((p) => ({ ...p, cert, us: 'OURS' })))
  symlinkSync(join(repoRoot, 'maps'), join(root, 'maps'))
  const gw = await startGateway({
    env: { ...cliEnv(db), CONFIG_DIR: root, DATA_DIR: join(dir, 'data'), AS2_ID: 'OURS', DEMO_SEED: 'off', WORKERS: '0', OPERATOR_TOKEN: 'op-limits-test-0123456789abcdef', ...env },
  })
  return { gw, cleanup: () => [dir, root].forEach((d) => rmSync(d, { recursive: true, force: true })) }
}

describe.skipIf(!hasOpenssl)('AS2 limits on a running gateway', () => {
  let db: TestDb
  let gw: GatewayProcess
  let cleanup: () => void
  // What must be stored (1) or not (0), checked once the gateway has stopped: the embedded test
  // database cannot run the child's transactions and ours at the same time.
  const expected = new Map<string, number>()
  const expectStored = (messageId: string, n: 0 | 1) => expected.set(messageId, n)

  beforeAll(async () => {
    db = await testDb()
    ;({ gw, cleanup } = await gatewayWith(db, [
      { id: 'big', as2Id: 'BIG' },
      { id: 'small', as2Id: 'SMALL', extra: '  maxBodyBytes: 4096' },
      { id: 'slow', as2Id: 'SLOW', extra: '  rateLimitPerMinute: 2' },
    ], { AS2_BODY_LIMIT: String(64 * 1024), AS2_SOURCE_RATE_LIMIT: '1000', AS2_RATE_LIMIT: '100' }))
  }, 90_000)
  afterAll(async () => {
    await gw?.stop()
    await db?.close()
    cleanup?.()
  })

  it('AS2_BODY_LIMIT holds with Content-Length and while streaming without it: 413, nothing stored', async () => {
    for (const chunked of [false, true]) {
      const r = await postAs2(gw.url, 'BIG', payload(200 * 1024), { chunked })
      expect(r.status, `chunked=${chunked}`).toBe(413)
      expect(r.body).not.toMatch(/Disposition:/)
      expectStored(r.messageId, 0)
    }
    const ok = await postAs2(gw.url, 'BIG', payload(32 * 1024), { chunked: true })
    expect(ok.status).toBe(200)
    expect(ok.body).toMatch(/Disposition: automatic-action\/MDN-sent-automatically; processed/)
    expectStored(ok.messageId, 1)
  })

  it('a profile’s as2.maxBodyBytes applies to that partner only', async () => {
    for (const chunked of [false, true]) {
      const r = await postAs2(gw.url, 'SMALL', payload(8 * 1024), { chunked })
      expect(r.status, `chunked=${chunked}`).toBe(413)
      expectStored(r.messageId, 0)
    }
    const ok = await postAs2(gw.url, 'SMALL', payload(2 * 1024))
    expect(ok.status).toBe(200)
    expectStored(ok.messageId, 1)
  })

  it('a partner over its as2.rateLimitPerMinute gets 429 with Retry-After; nothing stored, no MDN', async () => {
    const replies = []
    for (let i = 0; i < 3; i++) replies.push(await postAs2(gw.url, 'SLOW', payload(200)))
    expect(replies.map((r) => r.status)).toEqual([200, 200, 429])
    const limited = replies[2]
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(limited.body).not.toMatch(/Disposition:/)
    expectStored(limited.messageId, 0)
    expectStored(replies[0].messageId, 1)
    expectStored(replies[1].messageId, 1)
    // Other partners are not affected.
    expect((await postAs2(gw.url, 'BIG', payload(200))).status).toBe(200)
  })

  it('stored exactly what was answered with an MDN, nothing that was refused', async () => {
    await gw.stop()
    expect(expected.size).toBeGreaterThanOrEqual(8)
    const rows = await db.sql<{ external_id: string }[]>`select external_id from payloads where external_id = any(${[...expected.keys()]})`
    const got = new Set(rows.map((r) => r.external_id))
    for (const [id, n] of expected) expect(got.has(id) ? 1 : 0, id).toBe(n)
  })
})

describe.skipIf(!hasOpenssl)('AS2 rate limit per source address', () => {
  let db: TestDb
  let gw: GatewayProcess
  let cleanup: () => void

  beforeAll(async () => {
    db = await testDb()
    ;({ gw, cleanup } = await gatewayWith(db, [{ id: 'known', as2Id: 'KNOWN' }], { AS2_SOURCE_RATE_LIMIT: '4', AS2_RATE_LIMIT: '1000' }))
  }, 90_000)
  afterAll(async () => {
    await gw?.stop()
    await db?.close()
    cleanup?.()
  })

  it('rotating AS2-From ids does not escape the per-source bucket', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) statuses.push((await postAs2(gw.url, i % 2 ? `NOBODY-${i}` : 'KNOWN', payload(200))).status)
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429])
    await gw.stop()
    const [{ n }] = await db.sql<{ n: number }[]>`select count(*)::int as n from payloads`
    expect(n).toBe(2) // the two KNOWN messages within the budget
  })
})
