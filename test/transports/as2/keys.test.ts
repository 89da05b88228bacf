import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { certificateExpiryReasons, ensureOurAs2Keys } from '../../../src/transports/as2/keys.ts'
import { hasOpenssl, makeConfigRoot, opensslPair } from './gateway.ts'

describe('our AS2 keys and certificate expiry', () => {
  it('generates a development pair once, then reuses it', () => {
    const root = mkdtempSync(join(tmpdir(), 'as2-keys-'))
    const first = ensureOurAs2Keys(join(root, 'data'), join(root, 'certs'), { env: {} })
    expect(first.generated).toBe(true)
    expect(first.message).not.toMatch(/PRIVATE KEY/)
    expect(existsSync(join(root, 'certs', 'ours', 'as2.crt'))).toBe(true)
    expect(statSync(join(root, 'data', 'keys', 'as2.key')).mode & 0o777).toBe(0o600)
    expect(readFileSync(join(root, 'certs', 'ours', 'as2.crt'), 'utf8')).not.toContain('PRIVATE')
    const again = ensureOurAs2Keys(join(root, 'data'), join(root, 'certs'), { env: {} })
    expect(again.generated).toBe(false)
    expect(again.keys.cert.der.equals(first.keys.cert.der)).toBe(true)
  })

  it('honours AS2_CERT_FILE / AS2_KEY_FILE and refuses a certificate without its key', () => {
    const root = mkdtempSync(join(tmpdir(), 'as2-keys-'))
    const made = ensureOurAs2Keys(join(root, 'a'), join(root, 'c'), { env: {} })
    const viaEnv = ensureOurAs2Keys('/nonexistent', '/nonexistent', { env: { AS2_CERT_FILE: made.keys.certFile, AS2_KEY_FILE: made.keys.keyFile } })
    expect(viaEnv.generated).toBe(false)
    expect(() => ensureOurAs2Keys(join(root, 'other'), join(root, 'c'), { env: {} })).toThrow(/no private key/)
  })

  it.skipIf(!hasOpenssl)('reports certificates expiring within 30 days, ours and the partners\'', () => {
    const dir = mkdtempSync(join(tmpdir(), 'as2-exp-'))
    const soon = opensslPair(dir, 'soon') // valid 30 days
    const { registry } = makeConfigRoot([{ id: 'soon', as2Id: 'SOON', cert: soon.crt }])
    const ours = ensureOurAs2Keys(join(dir, 'd'), join(dir, 'c'), { env: {}, days: 365 }).keys
    expect(certificateExpiryReasons(registry, ours, new Date(), 10)).toEqual([])
    const reasons = certificateExpiryReasons(registry, ours, new Date(), 30)
    expect(reasons).toEqual([expect.objectContaining({ code: 'certificate_expiring', partnerId: 'soon', file: 'certs/soon/as2.crt' })])
    const later = certificateExpiryReasons(registry, ours, new Date(Date.now() + 340 * 86_400_000))
    expect(later.map((r) => (r as { partnerId: string }).partnerId)).toEqual(['(ours)', 'soon'])
  })
})
