/**
 * POST /as2 through app.request() with messages built by `openssl cms`, on a real database and
 * the real pipeline receive(): what gets stored, and the disposition and MIC of the MDN.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readPayload } from '../../../src/db/payloads.ts'
import { parseCertificate } from '../../../src/transports/as2/cms.ts'
import { parseMdn } from '../../../src/transports/as2/mdn.ts'
import { readFileSync } from 'node:fs'
import { hasOpenssl, makeConfigRoot, opensslPair, startGateway, type Gateway } from './gateway.ts'
import { buildPartnerMessage, type PartnerMessageOptions } from './openssl.ts'

const X12 = Buffer.from('ISA*00*          *00*          *ZZ*PARTNER        *ZZ*OURS           *240101*1200*U*00401*000000001*0*P*>~\nGS*PO*P*O*20240101*1200*1*X*004010~\n')
// Each message its own interchange control number: the same signed bytes under a new
// Message-ID would be refused as a replay (test/security/as2-crypto-replay.test.ts).
let control = Math.floor(Math.random() * 1e8)
const nextX12 = () => Buffer.from(X12.toString('latin1').replace('000000001', String(++control).padStart(9, '0')), 'latin1')

describe.skipIf(!hasOpenssl)('AS2 receive (POST /as2)', () => {
  let gw: Gateway
  let partner: { key: string; crt: string }
  let stranger: { key: string; crt: string }
  let ours: { key: string; crt: string }

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'as2-recv-'))
    partner = opensslPair(dir, 'partner')
    stranger = opensslPair(dir, 'stranger')
    ours = opensslPair(dir, 'ours', 'OURS')
    const { registry } = makeConfigRoot([
      { id: 'partner', as2Id: 'PARTNER', us: 'OURS', cert: partner.crt },
      { id: 'strict', as2Id: 'STRICT PARTNER', us: 'OURS', cert: partner.crt, requireSigned: true, requireEncrypted: true },
    ])
    gw = await startGateway({ registry, keyFile: ours.key, certFile: ours.crt, ourIds: ['OURS'] })
  })
  afterAll(async () => {
    await gw?.close()
  })

  const post = async (o: Omit<PartnerMessageOptions, 'payload'> & { payload?: Buffer }, tamper?: (b: Buffer) => Buffer) => {
    const m = buildPartnerMessage({ payload: nextX12(), ...o })
    const res = await gw.app.request('/as2', { method: 'POST', headers: m.headers, body: new Uint8Array(tamper ? tamper(m.body) : m.body) })
    const body = Buffer.from(await res.arrayBuffer())
    const mdn = parseMdn(res.headers.get('content-type') ?? '', body, parseCertificate(readFileSync(ours.crt)))
    return { m, res, mdn }
  }
  const stored = async (messageId: string) => gw.sql<{ id: string; filename: string | null; partner_id: string }[]>`
    select id, filename, partner_id from payloads where external_id = ${messageId}`
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('base64')

  it('stores a signed, encrypted, compressed message byte-exact and answers processed with the right MIC', async () => {
    const payload = Buffer.concat([X12, Buffer.from([0, 0xff, 0x0a, 0x0d, 0x0d, 0x0a, 0x80])]) // binary tail, LF-only lines
    const { m, res, mdn } = await post({ payload, filename: 'po-1.x12', sign: partner, encrypt: { crt: ours.crt }, compress: true })
    expect(res.status).toBe(200)
    expect(mdn.signed).toBe(true)
    expect(mdn.signature?.ok).toBe(true)
    expect(mdn.disposition).toBe('processed')
    expect(mdn.originalMessageId).toBe(m.messageId)
    expect(mdn.mic?.value).toBe(sha(m.micInput))
    const [row] = await stored(m.messageId)
    expect(row.filename).toBe('po-1.x12')
    expect(row.partner_id).toBe('partner')
    expect((await readPayload(gw.sql, row.id)).equals(payload)).toBe(true)
  })

  it.each([
    ['3DES + OAEP', { cipher: '-des3', oaep: true }],
    ['AES-128-GCM (AuthEnvelopedData)', { cipher: '-aes-128-gcm' }],
  ])('decrypts %s', async (_name, enc) => {
    const { m, mdn } = await post({ sign: { ...partner, md: 'sha512', pss: true }, encrypt: { crt: ours.crt, ...enc } })
    expect(mdn.disposition).toBe('processed')
    expect(mdn.mic?.value).toBe(sha(m.micInput))
    expect(await stored(m.messageId)).toHaveLength(1)
  })

  it('answers a tampered signed message with integrity-check-failed and stores nothing', async () => {
    const { m, mdn } = await post({ sign: partner }, (b) => {
      const copy = Buffer.from(b)
      copy[copy.indexOf('GS*PO')] = 0x48 // 'G' → 'H' inside the signed content
      return copy
    })
    expect(mdn.disposition).toBe('processed/error: integrity-check-failed')
    expect(mdn.signature?.ok).toBe(true)
    expect(await stored(m.messageId)).toHaveLength(0)
  })

  it('answers a signature by the wrong certificate with authentication-failed', async () => {
    const { m, mdn } = await post({ sign: stranger, encrypt: { crt: ours.crt } })
    expect(mdn.disposition).toBe('processed/error: authentication-failed')
    expect(await stored(m.messageId)).toHaveLength(0)
  })

  it('answers a message encrypted for someone else with decryption-failed', async () => {
    const { m, mdn } = await post({ sign: partner, encrypt: { crt: stranger.crt } })
    expect(mdn.disposition).toBe('processed/error: decryption-failed')
    expect(await stored(m.messageId)).toHaveLength(0)
  })

  it('refuses unsigned or unencrypted messages from a partner that requires both', async () => {
    const unsigned = await post({ from: 'STRICT PARTNER', encrypt: { crt: ours.crt } })
    expect(unsigned.mdn.disposition).toBe('processed/error: insufficient-message-security')
    const unencrypted = await post({ from: '"STRICT PARTNER"', sign: partner })
    expect(unencrypted.mdn.disposition).toBe('processed/error: insufficient-message-security')
    const ok = await post({ from: '"STRICT PARTNER"', sign: partner, encrypt: { crt: ours.crt } })
    expect(ok.mdn.disposition).toBe('processed')
    expect(await stored(unsigned.m.messageId)).toHaveLength(0)
    expect(await stored(ok.m.messageId)).toHaveLength(1)
  })

  it('answers an unknown AS2-To or AS2-From with unknown-trading-partner', async () => {
    const to = await post({ to: 'NOT-US', sign: partner })
    expect(to.mdn.disposition).toBe('processed/error: unknown-trading-partner')
    const from = await post({ from: 'NOBODY', sign: partner })
    expect(from.mdn.disposition).toBe('processed/error: unknown-trading-partner')
    expect(await stored(to.m.messageId)).toHaveLength(0)
  })

  it('does not process a duplicate Message-ID twice and repeats the original disposition', async () => {
    const messageId = `<dup-${Date.now()}@partner>`
    const payload = nextX12()
    const a = await post({ payload, messageId, sign: partner, encrypt: { crt: ours.crt } })
    const b = await post({ payload, messageId, sign: partner, encrypt: { crt: ours.crt } })
    expect(a.mdn.disposition).toBe('processed')
    expect(b.mdn.disposition).toBe('processed')
    expect(b.mdn.mic?.value).toBe(a.mdn.mic?.value)
    expect(await stored(messageId)).toHaveLength(1)
    const jobs = await gw.sql<{ n: number }[]>`select count(*)::int as n from jobs j join payloads p on p.id = j.payload->>'messageId' where p.external_id = ${messageId}`
    expect(jobs[0].n).toBe(1)
  })

  it('keeps the MIC rules: plain → content, unsigned encrypted → entity, unsigned compressed → entity', async () => {
    for (const o of [{}, { encrypt: { crt: ours.crt } }, { compress: true }] as const) {
      const { m, mdn } = await post({ ...o, filename: 'x.edi' })
      expect(mdn.disposition).toBe('processed')
      expect(mdn.mic?.value).toBe(sha(m.micInput))
    }
  })

  it('uses the requested micalg, in either spelling, for the MIC and the MDN signature', async () => {
    const { m, mdn, res } = await post({ sign: partner, micalg: 'SHA384' })
    expect(res.headers.get('content-type')).toContain('micalg=sha-384')
    expect(mdn.mic?.algName).toBe('sha-384')
    expect(mdn.mic?.value).toBe(createHash('sha384').update(m.micInput).digest('base64'))
  })

  it('returns a bare 200 without a receipt request, after storing', async () => {
    const { m, res } = await post({ sign: partner, mdn: 'none' })
    expect(res.status).toBe(200)
    expect(await stored(m.messageId)).toHaveLength(1)
  })

  it('rejects a request without AS2 headers with 400', async () => {
    const res = await gw.app.request('/as2', { method: 'POST', body: 'hello' })
    expect(res.status).toBe(400)
  })
})

describe.skipIf(!hasOpenssl)('AS2 receive: hostile bodies', () => {
  it('answers garbage S/MIME with an error disposition instead of failing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'as2-bad-'))
    const partner = opensslPair(dir, 'p')
    const ours = opensslPair(dir, 'o', 'OURS')
    const { registry } = makeConfigRoot([{ id: 'p', as2Id: 'P', us: 'OURS', cert: partner.crt }])
    const gw = await startGateway({ registry, keyFile: ours.key, certFile: ours.crt, ourIds: ['OURS'] })
    try {
      const base = { 'AS2-From': 'P', 'AS2-To': 'OURS', 'Disposition-Notification-To': 'x' }
      const cases: [string, Buffer][] = [
        ['application/pkcs7-mime; smime-type=enveloped-data', Buffer.from([0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03, 0xa0])],
        ['application/pkcs7-mime; smime-type=compressed-data', Buffer.from('30030201', 'hex')],
        ['multipart/signed; boundary=b', Buffer.from('--b\r\n\r\nhello\r\n--b\r\nContent-Type: application/pkcs7-signature\r\n\r\n\x30\x82\xff\xff\r\n--b--\r\n', 'latin1')],
      ]
      for (const [i, [ct, body]] of cases.entries()) {
        const res = await gw.app.request('/as2', { method: 'POST', headers: { ...base, 'Content-Type': ct, 'Message-ID': `<bad-${i}@p>` }, body: new Uint8Array(body) })
        expect(res.status).toBe(200)
        expect(await res.text()).toMatch(/Disposition: automatic-action\/MDN-sent-automatically; processed\/error: /)
      }
      const [n] = await gw.sql<{ n: number }[]>`select count(*)::int as n from payloads`
      expect(n.n).toBe(0)
    } finally {
      await gw.close()
    }
  })
})
