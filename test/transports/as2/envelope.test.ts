import { describe, expect, it } from 'vitest'
import { CmsError, createSelfSignedCertificate, loadPrivateKey, parseCertificate } from '../../../src/transports/as2/cms.ts'
import { decryptEnvelope, encryptEnvelope } from '../../../src/transports/as2/envelope.ts'
import { unwrapMessage } from '../../../src/transports/as2/unwrap.ts'

describe('EnvelopedData addressed to someone else', () => {
  const ours = createSelfSignedCertificate({ commonName: 'ours', days: 2 })
  const stranger = createSelfSignedCertificate({ commonName: 'stranger', days: 2 })
  const ourCert = parseCertificate(ours.certPem)
  const ourKey = loadPrivateKey(ours.keyPem)

  it('always ends in decryption-failed, even when the substitute key passes the CBC padding by chance', () => {
    // Our RSADP of a key wrapped for someone else is bad padding, so the unwrap gives the
    // deterministic substitute key (implicit rejection) and the content is decrypted with it;
    // about 1 time in 256 that passes the CBC padding check. The noise it yields is never taken
    // for a message: the AS2 layer answers decryption-failed every time.
    const content = Buffer.from('Content-Type: application/edi-x12\r\n\r\nISA*00*...~')
    const strangerCert = parseCertificate(stranger.certPem)
    let cbcPassed = 0
    // Stop after 3 chance passes (about 770 tries on average; 6,000 make missing them negligible).
    for (let i = 0; i < 6000 && cbcPassed < 3; i++) {
      const der = encryptEnvelope(content, strangerCert, 'aes128-cbc')
      let passed = false
      try {
        decryptEnvelope(der, ourKey, ourCert)
        passed = true
        cbcPassed++
      } catch (err) {
        expect(err).toBeInstanceOf(CmsError)
        expect((err as CmsError).code).toBe('decrypt_failed')
      }
      if (!passed && i % 50 !== 0) continue
      const r = unwrapMessage([['Content-Type', 'application/pkcs7-mime; smime-type=enveloped-data']], der, { key: ourKey, cert: ourCert, partnerCert: strangerCert })
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.disposition).toBe('processed/error: decryption-failed')
    }
    expect(cbcPassed).toBe(3) // the case this test is about did occur
  })

  it('still decrypts what is addressed to us', () => {
    const content = Buffer.from('hello')
    const der = encryptEnvelope(content, ourCert, 'aes256-cbc')
    expect(decryptEnvelope(der, ourKey, ourCert).content.equals(content)).toBe(true)
  })
})
