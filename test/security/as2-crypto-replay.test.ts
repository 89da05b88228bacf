/**
 * Replays (AS2 hardening issue, item 5): the same signed bytes under a new Message-ID were
 * `processed` twice. Now:
 *   - a signature (content digest + signature value) seen before from the partner under another
 *     Message-ID is refused with an error MDN and an `as2_replay` exception; the claim is atomic,
 *     so of concurrent replays exactly one gets through;
 *   - a resend under the SAME Message-ID keeps its original disposition;
 *   - SHA-1 signatures are refused unless the profile says `as2.allowSha1: true`;
 *   - the partner certificate must be inside its validity period.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSelfSignedCertificate } from '../../src/transports/as2/cms.ts'
import { hasOpenssl, makeConfigRoot, opensslPair, startGateway, type Gateway } from '../transports/as2/gateway.ts'
import { buildPartnerMessage, type PartnerMessageOptions } from '../transports/as2/openssl.ts'

let seq = Math.floor(Math.random() * 1e6)
const payload = () => Buffer.from(`ISA*00*replay-test*${++seq}~\nGS*PO*P*O~\n`)
const disposition = (mdn: string) => /Disposition: automatic-action\/MDN-sent-automatically; ([^\r\n]*)/.exec(mdn)?.[1]

describe.skipIf(!hasOpenssl)('AS2 replays, SHA-1 and certificate validity', () => {
  let gw: Gateway
  let dir: string
  let partner: { key: string; crt: string }
  let ours: { key: string; crt: string }
  let expired: { key: string; crt: string }
  let future: { key: string; crt: string }

  const pemPair = (name: string, now: Date) => {
    const { certPem, keyPem } = createSelfSignedCertificate({ commonName: name, days: 30, now })
    writeFileSync(join(dir, `${name}.crt`), certPem)
    writeFileSync(join(dir, `${name}.key`), keyPem)
    return { crt: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'as2-replay-'))
    partner = opensslPair(dir, 'p')
    ours = opensslPair(dir, 'o', 'OURS')
    expired = pemPair('expired', new Date(Date.now() - 400 * 86_400_000))
    future = pemPair('future', new Date(Date.now() + 400 * 86_400_000))
    const { registry } = makeConfigRoot([
      // replayGraceSeconds 0: every second sighting is judged a replay (the default lets 30 s pass)
      { id: 'p', as2Id: 'P', us: 'OURS', cert: partner.crt, extra: '  replayGraceSeconds: 0' },
      { id: 'graceful', as2Id: 'GRACEFUL', us: 'OURS', cert: partner.crt },
      { id: 'legacy', as2Id: 'LEGACY', us: 'OURS', cert: partner.crt, extra: '  allowSha1: true' },
      { id: 'old', as2Id: 'OLD', us: 'OURS', cert: expired.crt },
      { id: 'early', as2Id: 'EARLY', us: 'OURS', cert: future.crt },
    ])
    gw = await startGateway({ registry, keyFile: ours.key, certFile: ours.crt, ourIds: ['OURS'] })
  })
  afterAll(async () => {
    await gw?.close()
  })

  const post = async (headers: Record<string, string>, body: Buffer, messageId?: string) => {
    const h = { ...headers, ...(messageId ? { 'Message-ID': messageId } : {}) }
    const res = await gw.app.request('/as2', { method: 'POST', headers: h, body: new Uint8Array(body) })
    return disposition(await res.text())
  }
  const send = (o: Partial<PartnerMessageOptions>) => {
    const m = buildPartnerMessage({ payload: payload(), sign: partner, from: 'P', ...o })
    return { m, post: (messageId?: string) => post(m.headers, m.body, messageId) }
  }
  const storedCount = async (messageIds: string[]) =>
    (await gw.sql<{ n: number }[]>`select count(*)::int as n from payloads where external_id = any(${messageIds})`)[0].n
  const replayRows = (messageId: string) =>
    gw.sql<{ code: string; partner_id: string; reason: { firstMessageId: string; fingerprint: string } }[]>`
      select code, partner_id, reason from exceptions where code = 'as2_replay' and reason->>'messageId' = ${messageId}`

  it('refuses the same signed bytes under a new Message-ID, with an as2_replay exception', async () => {
    const { m, post: again } = send({ encrypt: { crt: ours.crt } })
    expect(await again()).toBe('processed')
    const replayId = `<replay-${Date.now()}@attacker>`
    expect(await again(replayId)).toBe('processed/error: duplicate-document')
    expect(await storedCount([m.messageId, replayId])).toBe(1)
    const [row] = await replayRows(replayId)
    expect(row.code).toBe('as2_replay')
    expect(row.partner_id).toBe('p')
    expect(row.reason.firstMessageId).toBe(m.messageId)
    expect(row.reason.fingerprint).toMatch(/^[0-9a-f]{64}$/)
  })

  it('lets the same signature under a new Message-ID through within the grace window (default 30 s), to the content duplicate checks', async () => {
    // What an OpenSSL peer running its option matrix does: one file signed twice in the same
    // second gives byte-identical signatures. Within the grace window they are not refused; the
    // interchange duplicate check keeps the second from being processed twice.
    const m = buildPartnerMessage({ payload: payload(), sign: partner, from: 'GRACEFUL' })
    expect(await post(m.headers, m.body)).toBe('processed')
    const second = `<second-${Date.now()}@graceful>`
    expect(await post(m.headers, m.body, second)).toBe('processed')
    expect(await storedCount([m.messageId, second])).toBe(2)
    expect(await replayRows(second)).toEqual([])
  })

  it('sees the signature through a new encryption: re-encrypting the signed part is still a replay', async () => {
    const signed = buildPartnerMessage({ payload: payload(), sign: partner, from: 'P' })
    // Rebuild the multipart/signed entity the partner signed, then encrypt it twice.
    const entity = Buffer.concat([Buffer.from(`Content-Type: ${signed.headers['Content-Type']}\r\n\r\n`), signed.body])
    writeFileSync(join(dir, 'signed.mime'), entity)
    const encrypt = (out: string) => {
      execFileSync('openssl', ['cms', '-encrypt', '-binary', '-in', join(dir, 'signed.mime'), '-outform', 'DER', '-out', join(dir, out), '-aes128', '-recip', ours.crt], { stdio: 'pipe' })
      return readFileSync(join(dir, out))
    }
    const a = encrypt('a.der')
    const b = encrypt('b.der')
    expect(a.equals(b)).toBe(false)
    const h = { ...signed.headers, 'Content-Type': 'application/pkcs7-mime; smime-type=enveloped-data' }
    expect(await post(h, a, `<enc-a-${seq}@p>`)).toBe('processed')
    expect(await post(h, b, `<enc-b-${seq}@p>`)).toBe('processed/error: duplicate-document')
  })

  it('answers a resend under the same Message-ID with its original disposition, stored once', async () => {
    const { m, post: again } = send({})
    expect(await again()).toBe('processed')
    expect(await again()).toBe('processed')
    expect(await storedCount([m.messageId])).toBe(1)
    expect(await replayRows(m.messageId)).toHaveLength(0)
  })

  it('lets exactly one of many concurrent replays through', async () => {
    const { m } = send({})
    const ids = Array.from({ length: 8 }, (_, i) => `<race-${seq}-${i}@p>`)
    const results = await Promise.all(ids.map((id) => post(m.headers, m.body, id)))
    expect(results.filter((d) => d === 'processed')).toHaveLength(1)
    expect(results.filter((d) => d === 'processed/error: duplicate-document')).toHaveLength(7)
    expect(await storedCount(ids)).toBe(1)
    // The claim itself, raced directly on the store.
    const claims = await Promise.all(ids.map((id) => gw.store.claimSignature('p', 'f'.repeat(63) + String(seq % 10), id)))
    expect(claims.filter((c) => c === undefined)).toHaveLength(1)
  })

  it('refuses SHA-1 signatures unless the profile allows them', async () => {
    for (const sign of [{ ...partner, md: 'sha1' }, { ...partner, md: 'sha1', pss: true }]) {
      expect(await send({ sign }).post()).toBe('processed/error: insufficient-message-security')
      expect(await send({ sign, from: 'LEGACY' }).post()).toBe('processed')
    }
    expect(await send({ sign: { ...partner, md: 'sha256' } }).post()).toBe('processed')
  })

  it('refuses a signature by a certificate outside its validity period', async () => {
    expect(await send({ sign: expired, from: 'OLD' }).post()).toBe('processed/error: authentication-failed')
    expect(await send({ sign: future, from: 'EARLY' }).post()).toBe('processed/error: authentication-failed')
  })
})
