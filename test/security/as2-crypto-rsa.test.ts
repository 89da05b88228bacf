/**
 * RSA key transport hardening (AS2 hardening issue, items 1 and 2):
 *   - an encrypted key whose length is not the modulus length (a leading 00 made OpenSSL refuse
 *     it and sent it to an unblinded BigInt RSADP) is refused before any private-key operation;
 *   - no BigInt RSA code is left to reach;
 *   - bad PKCS#1 v1.5 padding is rejected implicitly: a deterministic substitute key (HMAC of the
 *     encrypted key under a secret derived from our private key) goes through the very same
 *     content decryption as a well-padded key, so neither the MDN nor the code path tells them apart.
 */
import { constants, createCipheriv, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { makeConfigRoot, startGateway } from '../transports/as2/gateway.ts'
import { CIPHERS, CmsError, createSelfSignedCertificate, loadPrivateKey, OID, parseCertificate, type CertInfo, type ContentCipher } from '../../src/transports/as2/cms.ts'
import { algId, encodeOid, integer, octetString, seq, setOf, TAG, tlv, ctx } from '../../src/transports/as2/der.ts'
import { decryptEnvelope } from '../../src/transports/as2/envelope.ts'
import * as rsa from '../../src/transports/as2/rsa-pkcs1.ts'

const ours = createSelfSignedCertificate({ commonName: 'ours', days: 2 })
const cert = parseCertificate(ours.certPem)
const key = loadPrivateKey(ours.keyPem)
const k = 256 // RSA-2048
const content = Buffer.from('Content-Type: application/edi-x12\r\n\r\nISA*00*...~')

/** EnvelopedData for `recipient` with a caller-chosen encrypted key and content key. */
function envelope(recipient: CertInfo, cek: Buffer, encryptedKey: Buffer, cipher: ContentCipher = 'aes128-cbc', kta = algId(OID.rsaEncryption)): Buffer {
  const spec = CIPHERS[cipher]
  const iv = randomBytes(spec.ivLen)
  const c = createCipheriv(spec.node, cek, iv)
  const enc = Buffer.concat([c.update(content), c.final()])
  const ktri = seq(integer(0), seq(recipient.issuer, tlv(TAG.INTEGER, recipient.serial)), kta, octetString(encryptedKey))
  const eci = seq(encodeOid(OID.data), algId(spec.oid, octetString(iv)), tlv(ctx(0, false), enc))
  return seq(encodeOid(OID.envelopedData), tlv(ctx(0), seq(integer(0), setOf(ktri), eci)))
}

/** c = em^e mod n for a chosen encoded message (textbook RSA through OpenSSL, no padding). */
const rawEncrypt = (em: Buffer): Buffer => publicEncrypt({ key: cert.publicKey, padding: constants.RSA_NO_PADDING }, em)

/** EM = 00 02 PS 00 M with a non-zero PS, for a key of `mLen` octets. */
function goodEm(m: Buffer): Buffer {
  const ps = Buffer.alloc(k - 3 - m.length)
  for (let i = 0; i < ps.length; i++) ps[i] = 1 + (randomBytes(1)[0] % 255)
  return Buffer.concat([Buffer.from([0, 2]), ps, Buffer.from([0]), m])
}

/** Encoded messages with every kind of padding error for a 16-octet key. */
function badEms(): [string, Buffer][] {
  const m = randomBytes(16)
  const set = (b: Buffer, i: number, v: number) => ((b[i] = v), b)
  return [
    ['first octet not 00', set(goodEm(m), 0, 1)],
    ['block type 01', set(goodEm(m), 1, 1)],
    ['block type 00', set(goodEm(m), 1, 0)],
    ['no separator', Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(k - 2, 0x11)])],
    ['PS shorter than 8 octets', Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(5, 7), Buffer.from([0]), randomBytes(k - 8).fill(9)])],
    ['key of another length (32 instead of 16)', goodEm(randomBytes(32))],
    ['key of another length (15 instead of 16)', goodEm(randomBytes(15))],
    ['separator at the very end', Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(k - 3, 5), Buffer.from([0])])],
  ]
}

describe('RSA key transport: length and primitive (item 1)', () => {
  it('refuses an encrypted key one octet longer than the modulus (leading 00) that the old BigInt path decrypted', () => {
    const cek = randomBytes(16)
    const c = publicEncrypt({ key: cert.publicKey, padding: constants.RSA_PKCS1_PADDING }, cek)
    for (const ek of [Buffer.concat([Buffer.from([0]), c]), Buffer.concat([Buffer.from([0, 0, 0]), c])]) {
      const der = envelope(cert, cek, ek)
      expect(() => decryptEnvelope(der, key, cert)).toThrow(CmsError)
      try {
        decryptEnvelope(der, key, cert)
      } catch (err) {
        expect((err as CmsError).code).toBe('decrypt_failed')
      }
    }
    // The well-formed key (exactly k octets) still works.
    expect(decryptEnvelope(envelope(cert, cek, c), key, cert).content.equals(content)).toBe(true)
  })

  it('holds OAEP key transport to the modulus length too', () => {
    const cek = randomBytes(16)
    const c = publicEncrypt({ key: cert.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING }, cek)
    const oaep = algId(OID.rsaOaep, seq()) // RSAES-OAEP-params all default: SHA-1, MGF1-SHA-1
    expect(decryptEnvelope(envelope(cert, cek, c, 'aes128-cbc', oaep), key, cert)).toMatchObject({ keyTransport: 'rsa-oaep' })
    expect(() => decryptEnvelope(envelope(cert, cek, Buffer.concat([Buffer.from([0]), c]), 'aes128-cbc', oaep), key, cert)).toThrow(/not as long as our RSA modulus/)
    expect(() => decryptEnvelope(envelope(cert, cek, c.subarray(1), 'aes128-cbc', oaep), key, cert)).toThrow(/not as long as our RSA modulus/)
  })

  it('refuses a wrong-length key before any private-key operation', () => {
    let calls = 0
    const counting = (kk: Parameters<typeof rsa.rsadpOpenssl>[0], c: Buffer) => {
      calls++
      return rsa.rsadpOpenssl(kk, c)
    }
    const c = publicEncrypt({ key: cert.publicKey, padding: constants.RSA_PKCS1_PADDING }, randomBytes(16))
    for (const ek of [Buffer.concat([Buffer.from([0]), c]), c.subarray(1), Buffer.alloc(0), Buffer.alloc(4096)]) {
      expect(rsa.unwrapPkcs1v15(key, ek, 16, counting)).toEqual({ ok: false, reason: 'length' })
    }
    expect(calls).toBe(0)
    expect(rsa.unwrapPkcs1v15(key, c, 16, counting).ok).toBe(true)
    expect(calls).toBe(1)
  })

  it('has no JavaScript RSA decryption primitive left (no BigInt anywhere in the module)', () => {
    expect(Object.keys(rsa).sort()).toEqual(['rsadpOpenssl', 'syntheticKey', 'unwrapPkcs1v15'])
    const src = readFileSync(fileURLToPath(new URL('../../src/transports/as2/rsa-pkcs1.ts', import.meta.url)), 'utf8')
    const code = src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '')
    expect(code).not.toMatch(/BigInt|\b\d+n\b|modPow/)
  })

  it('a ciphertext ≥ n is refused by OpenSSL and ends exactly like bad padding', () => {
    const jwk = cert.publicKey.export({ format: 'jwk' })
    const n = Buffer.from(jwk.n as string, 'base64url')
    expect(n.length).toBe(k)
    for (const c of [n, Buffer.alloc(k, 0xff)]) {
      expect(() => rsa.rsadpOpenssl(key, c)).toThrow()
      const r = rsa.unwrapPkcs1v15(key, c, 16)
      expect(r).toEqual({ ok: true, cek: rsa.syntheticKey(key, c, 16) })
    }
  })

  it('other key sizes: the length is the modulus length of the key in use', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 3072 })
    const cek = randomBytes(32)
    const c = publicEncrypt({ key: small.publicKey, padding: constants.RSA_PKCS1_PADDING }, cek)
    expect(c.length).toBe(384)
    expect(rsa.unwrapPkcs1v15(small.privateKey, c, 32)).toEqual({ ok: true, cek })
    expect(rsa.unwrapPkcs1v15(small.privateKey, Buffer.concat([Buffer.from([0]), c]), 32)).toEqual({ ok: false, reason: 'length' })
  })
})

describe('PKCS#1 v1.5 implicit rejection (item 2)', () => {
  it('recovers well-padded keys of every content-cipher length', () => {
    for (const len of [16, 24, 32]) {
      const cek = randomBytes(len)
      const c = publicEncrypt({ key: cert.publicKey, padding: constants.RSA_PKCS1_PADDING }, cek)
      expect(rsa.unwrapPkcs1v15(key, c, len)).toEqual({ ok: true, cek })
      expect(rsa.unwrapPkcs1v15(key, rawEncrypt(goodEm(cek)), len)).toEqual({ ok: true, cek })
    }
  })

  it('answers every kind of bad padding with the deterministic substitute key, not an error', () => {
    const seen = new Set<string>()
    for (const [name, em] of badEms()) {
      const c = rawEncrypt(em)
      const a = rsa.unwrapPkcs1v15(key, c, 16)
      const b = rsa.unwrapPkcs1v15(key, c, 16)
      expect(a.ok, name).toBe(true)
      // Same input → same substitute; it is the HMAC-derived key, never the bytes in the block.
      expect(a, name).toEqual(b)
      expect(a, name).toEqual({ ok: true, cek: rsa.syntheticKey(key, c, 16) })
      expect(a.ok && a.cek.length, name).toBe(16)
      seen.add(a.ok ? a.cek.toString('hex') : '')
    }
    // Different inputs → different substitutes.
    expect(seen.size).toBe(badEms().length)
  })

  it('derives the substitute from our private key: another key pair gives another substitute', () => {
    const other = createSelfSignedCertificate({ commonName: 'other', days: 2 })
    const c = rawEncrypt(badEms()[0][1])
    const mine = rsa.syntheticKey(key, c, 16)
    expect(rsa.syntheticKey(loadPrivateKey(ours.keyPem), c, 16).equals(mine)).toBe(true) // a reload of the same key
    expect(rsa.syntheticKey(loadPrivateKey(other.keyPem), c, 16).equals(mine)).toBe(false)
    expect(rsa.syntheticKey(key, c, 24).subarray(0, 16).equals(mine)).toBe(false) // the length is bound in
  })

  it('runs the same content decryption for a substitute key as for a real one (no padding branch)', () => {
    // Content encrypted under the substitute key of a badly padded block decrypts like any other
    // message: the envelope code cannot tell a bad padding from a good one.
    for (const [name, em] of badEms()) {
      const ek = rawEncrypt(em)
      const der = envelope(cert, rsa.syntheticKey(key, ek, 16), ek)
      expect(decryptEnvelope(der, key, cert).content.equals(content), name).toBe(true)
    }
  })

  it('counts one private-key operation for good and bad padding alike', () => {
    let calls = 0
    const counting = (kk: Parameters<typeof rsa.rsadpOpenssl>[0], c: Buffer) => {
      calls++
      return rsa.rsadpOpenssl(kk, c)
    }
    const good = publicEncrypt({ key: cert.publicKey, padding: constants.RSA_PKCS1_PADDING }, randomBytes(16))
    const inputs = [good, ...badEms().map(([, em]) => rawEncrypt(em))]
    for (const c of inputs) expect(rsa.unwrapPkcs1v15(key, c, 16, counting).ok).toBe(true)
    expect(calls).toBe(inputs.length)
  })
})

describe('PKCS#1 v1.5 padding through POST /as2 (item 2)', () => {
  it('answers every badly padded key with the same disposition, as a wrong but well-padded key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'as2-pad-'))
    writeFileSync(join(dir, 'ours.key'), ours.keyPem)
    writeFileSync(join(dir, 'ours.crt'), ours.certPem)
    const p = createSelfSignedCertificate({ commonName: 'p', days: 2 })
    writeFileSync(join(dir, 'p.crt'), p.certPem)
    const { registry } = makeConfigRoot([{ id: 'p', as2Id: 'P', us: 'OURS', cert: join(dir, 'p.crt') }])
    const gw = await startGateway({ registry, keyFile: join(dir, 'ours.key'), certFile: join(dir, 'ours.crt'), ourIds: ['OURS'] })
    try {
      const seen = new Map<string, number>()
      const post = async (der: Buffer, i: number) => {
        const res = await gw.app.request('/as2', {
          method: 'POST',
          headers: { 'AS2-From': 'P', 'AS2-To': 'OURS', 'Message-ID': `<pad-${i}-${Date.now()}@p>`, 'Content-Type': 'application/pkcs7-mime; smime-type=enveloped-data', 'Disposition-Notification-To': 'x' },
          body: new Uint8Array(der),
        })
        const d = /Disposition: [^;]*; ([^\r\n]*)/.exec(await res.text())?.[1] ?? `HTTP ${res.status}`
        seen.set(d, (seen.get(d) ?? 0) + 1)
      }
      let i = 0
      // Bad padding of every kind, 5 times each, with content under some random key …
      for (let round = 0; round < 5; round++) for (const [, em] of badEms()) await post(envelope(cert, randomBytes(16), rawEncrypt(em)), i++)
      // … and well-padded keys that are not the content key (what a Bleichenbacher query with valid padding looks like).
      for (let j = 0; j < 10; j++) await post(envelope(cert, randomBytes(16), rawEncrypt(goodEm(randomBytes(16)))), i++)
      expect([...seen.entries()]).toEqual([['processed/error: decryption-failed', i]])
      const [n] = await gw.sql<{ n: number }[]>`select count(*)::int as n from payloads`
      expect(n.n).toBe(0)
    } finally {
      await gw.close()
    }
  })
})
