import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createSelfSignedCertificate, loadPrivateKey, mic, parseCertificate } from '../../../src/transports/as2/cms.ts'
import { buildMdn, DISPOSITION, isPositive, parseMdn, parseMdnRequest } from '../../../src/transports/as2/mdn.ts'
import { judgeMdn } from '../../../src/transports/as2/send.ts'

const pair = createSelfSignedCertificate({ commonName: 'OURS', days: 10 })
const key = loadPrivateKey(pair.keyPem)
const cert = parseCertificate(pair.certPem)
const other = parseCertificate(createSelfSignedCertificate({ commonName: 'OTHER', days: 10 }).certPem)
const ct = (h: [string, string][]) => h.find(([k]) => k === 'Content-Type')![1]

describe('MDN build, parse, verify', () => {
  const content = Buffer.from('the signed entity')
  const built = buildMdn({
    originalMessageId: '<m1@p>',
    from: 'OURS',
    to: 'PEER PARTNER',
    disposition: DISPOSITION.processed,
    mic: { value: mic(content, 'sha256'), alg: 'sha256' },
    sign: { key, cert, digest: 'sha256' },
  })

  it('round-trips a signed MDN and verifies it against the signer certificate', () => {
    const p = parseMdn(ct(built.headers), built.body, cert)
    expect(p).toMatchObject({ signed: true, originalMessageId: '<m1@p>', disposition: 'processed' })
    expect(p.signature?.ok).toBe(true)
    expect(p.mic).toEqual({ value: mic(content, 'sha256'), alg: 'sha256', algName: 'sha-256' })
    expect(built.headers).toContainEqual(['AS2-To', '"PEER PARTNER"'])
    expect(judgeMdn(p, { messageId: '<m1@p>', partnerId: 'x', deliveryId: 'd', status: 's', mic: mic(content, 'sha256'), micAlg: 'sha256', mdnSigned: true }).status).toBe('delivered')
  })

  it('detects a wrong signer, an edited MDN, a MIC mismatch and a negative disposition', () => {
    expect(parseMdn(ct(built.headers), built.body, other).signature?.ok).toBe(false)
    const edited = Buffer.from(built.body.toString('latin1').replace('; processed', '; processed/error: decryption-failed'), 'latin1')
    const pe = parseMdn(ct(built.headers), edited, cert)
    expect(pe.signature).toMatchObject({ ok: false, reason: 'digest_mismatch' })
    const exp = { messageId: '<m1@p>', partnerId: 'x', deliveryId: 'd', status: 's', mic: mic(Buffer.from('other'), 'sha256'), micAlg: 'sha256', mdnSigned: true }
    expect(judgeMdn(parseMdn(ct(built.headers), built.body, cert), exp).status).toBe('mic_mismatch')
    const neg = buildMdn({ originalMessageId: '<m1@p>', from: 'OURS', to: 'P', disposition: DISPOSITION.decryptionFailed, sign: { key, cert, digest: 'sha1' } })
    expect(judgeMdn(parseMdn(ct(neg.headers), neg.body, cert), exp)).toMatchObject({ status: 'negative', disposition: 'processed/error: decryption-failed' })
  })

  it('builds an unsigned MDN as a bare multipart/report', () => {
    const u = buildMdn({ originalMessageId: '<m2@p>', from: 'OURS', to: 'P', disposition: DISPOSITION.duplicate })
    expect(ct(u.headers)).toMatch(/^multipart\/report; report-type=disposition-notification/)
    const p = parseMdn(ct(u.headers), u.body)
    expect(p).toMatchObject({ signed: false, disposition: 'processed/warning: duplicate-document' })
    expect(isPositive(p.disposition!)).toBe(true)
    expect(isPositive('automatic-action/MDN-sent-automatically; processed/error: authentication-failed')).toBe(false)
  })

  it('reads receipt requests with either micalg spelling, and async URLs', () => {
    const h = (m: Record<string, string>) => (n: string) => m[n]
    expect(parseMdnRequest(h({ 'disposition-notification-to': 'x', 'disposition-notification-options': 'signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, SHA256' }))).toEqual({ wanted: true, signed: true, micalg: 'sha256', asyncUrl: undefined })
    expect(parseMdnRequest(h({ 'disposition-notification-to': 'x', 'disposition-notification-options': 'signed-receipt-protocol=required,pkcs7-signature; signed-receipt-micalg=required,md5, sha-512', 'receipt-delivery-option': ' http://p/mdn ' }))).toEqual({ wanted: true, signed: true, micalg: 'sha512', asyncUrl: 'http://p/mdn' })
    expect(parseMdnRequest(h({})).wanted).toBe(false)
  })

  it('signs with the key it is given (a foreign key does not verify)', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const forged = buildMdn({ originalMessageId: '<m3@p>', from: 'OURS', to: 'P', disposition: 'processed', sign: { key: privateKey, cert, digest: 'sha256' } })
    expect(parseMdn(ct(forged.headers), forged.body, cert).signature).toMatchObject({ ok: false, reason: 'bad_signature' })
  })
})

describe('MDN signature policy', () => {
  const sha1 = buildMdn({ originalMessageId: '<m3@p>', from: 'OURS', to: 'P', disposition: DISPOSITION.processed, sign: { key, cert, digest: 'sha1' } })

  it('refuses SHA-1 unless allowed, and a certificate outside its validity', () => {
    expect(parseMdn(ct(sha1.headers), sha1.body, cert).signature?.ok).toBe(true)
    expect(parseMdn(ct(sha1.headers), sha1.body, cert, { allowSha1: false }).signature).toMatchObject({ ok: false, reason: 'weak_digest' })
    expect(parseMdn(ct(sha1.headers), sha1.body, cert, { allowSha1: true, now: new Date() }).signature?.ok).toBe(true)
    const later = new Date(cert.notAfter.getTime() + 86_400_000)
    expect(parseMdn(ct(sha1.headers), sha1.body, cert, { allowSha1: true, now: later }).signature).toMatchObject({ ok: false, reason: 'certificate_not_valid' })
  })
})
