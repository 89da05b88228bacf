import { describe, expect, it } from 'vitest'
import { CmsError, createSelfSignedCertificate, loadPrivateKey, parseCertificate } from '../../../src/transports/as2/cms.ts'
import { decryptEnvelope, encryptEnvelope } from '../../../src/transports/as2/envelope.ts'

describe('EnvelopedData addressed to someone else', () => {
  const ours = createSelfSignedCertificate({ commonName: 'ours', days: 2 })
  const stranger = createSelfSignedCertificate({ commonName: 'stranger', days: 2 })
  const ourCert = parseCertificate(ours.certPem)
  const ourKey = loadPrivateKey(ours.keyPem)

  it('always fails with decrypt_failed, even when a random key passes the CBC padding by chance', () => {
    // The PKCS#1 v1.5 unwrap fails for every one of these; the random stand-in key then passes
    // the CBC padding check about 1 time in 256. 1,500 tries make that chance near certain.
    const content = Buffer.from('Content-Type: application/edi-x12\r\n\r\nISA*00*...~')
    let failures = 0
    for (let i = 0; i < 1500; i++) {
      const der = encryptEnvelope(content, parseCertificate(stranger.certPem), 'aes128-cbc')
      try {
        decryptEnvelope(der, ourKey, ourCert)
      } catch (err) {
        expect(err).toBeInstanceOf(CmsError)
        expect((err as CmsError).code).toBe('decrypt_failed')
        failures++
      }
    }
    expect(failures).toBe(1500)
  })

  it('still decrypts what is addressed to us', () => {
    const content = Buffer.from('hello')
    const der = encryptEnvelope(content, ourCert, 'aes256-cbc')
    expect(decryptEnvelope(der, ourKey, ourCert).content.equals(content)).toBe(true)
  })
})
