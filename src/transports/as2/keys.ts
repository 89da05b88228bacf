/**
 * Certificates for AS2: our key pair (public certificate under certs/ours/, private key outside
 * git under the data directory or where AS2_KEY_FILE points), the partners' certificates from
 * their profiles, and the 30-day expiry warning. Private keys are never logged: only file paths
 * and certificate fingerprints are reported.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join } from 'node:path'
import type { PartnerProfile } from '../../config/partner.ts'
import type { Registry } from '../../config/registry.ts'
import type { ExceptionReason } from '../../exceptions/reasons.ts'
import { createSelfSignedCertificate, loadPrivateKey, parseCertificate, type CertInfo } from './cms.ts'
import type { KeyObject } from 'node:crypto'

export interface As2KeyPair {
  key: KeyObject
  cert: CertInfo
  certFile: string
  keyFile: string
}

export interface EnsureKeysResult {
  keys: As2KeyPair
  /** True when this call generated a new development key pair. */
  generated: boolean
  /** One line for the operator (paths only, never key material). */
  message: string
}

/** Load our key pair from explicit files. */
export function loadOurAs2Keys(certFile: string, keyFile: string): As2KeyPair {
  return { key: loadPrivateKey(readFileSync(keyFile)), cert: parseCertificate(readFileSync(certFile)), certFile, keyFile }
}

/**
 * Our AS2 key pair: AS2_CERT_FILE / AS2_KEY_FILE when set, else `<certsDir>/ours/as2.crt` and
 * `<dataDir>/keys/as2.key`. When neither file exists a self-signed development pair is created
 * (the key with mode 0600) and `generated` is true, so `npm start` works on a fresh checkout.
 *
 * @example
 * const { keys, message } = ensureOurAs2Keys('data', 'certs', { commonName: 'OURSERVER' })
 * log.info(message)
 */
export function ensureOurAs2Keys(
  dataDir: string,
  certsDir: string,
  opts: { env?: NodeJS.ProcessEnv; commonName?: string; days?: number } = {}
): EnsureKeysResult {
  const env = opts.env ?? process.env
  const certFile = env.AS2_CERT_FILE || join(certsDir, 'ours', 'as2.crt')
  const keyFile = env.AS2_KEY_FILE || join(dataDir, 'keys', 'as2.key')
  const haveCert = existsSync(certFile)
  const haveKey = existsSync(keyFile)
  if (haveCert && haveKey) {
    const keys = loadOurAs2Keys(certFile, keyFile)
    return { keys, generated: false, message: `AS2: using certificate ${certFile} (${keys.cert.subject}, valid until ${keys.cert.notAfter.toISOString()})` }
  }
  if (haveCert !== haveKey) {
    throw new Error(
      `AS2: found ${haveCert ? `certificate ${certFile} but no private key ${keyFile}` : `private key ${keyFile} but no certificate ${certFile}`}; ` +
        'set AS2_CERT_FILE and AS2_KEY_FILE to the matching pair'
    )
  }
  const { certPem, keyPem } = createSelfSignedCertificate({ commonName: opts.commonName ?? 'edi-gateway AS2 (development)', days: opts.days ?? 365 })
  mkdirSync(dirname(keyFile), { recursive: true })
  mkdirSync(dirname(certFile), { recursive: true })
  writeFileSync(keyFile, keyPem, { mode: 0o600 })
  chmodSync(keyFile, 0o600)
  writeFileSync(certFile, certPem)
  const keys = loadOurAs2Keys(certFile, keyFile)
  return {
    keys,
    generated: true,
    message: `AS2: generated a development key pair: certificate ${certFile} (give it to partners), private key ${keyFile} (keep out of git)`,
  }
}

const certCache = new Map<string, CertInfo>()

/** The partner's AS2 certificate (profile `as2.cert`, relative to the config root), cached. */
export function partnerCertificate(registry: Pick<Registry, 'root'>, profile: PartnerProfile): CertInfo {
  if (!profile.as2) throw new Error(`partner ${profile.id} has no as2 section`)
  const file = isAbsolute(profile.as2.cert) ? profile.as2.cert : join(registry.root, profile.as2.cert)
  let c = certCache.get(file)
  if (!c) {
    c = parseCertificate(readFileSync(file))
    certCache.set(file, c)
  }
  return c
}

/** Drop cached partner certificates (after a registry reload). */
export const clearCertificateCache = (): void => certCache.clear()

/**
 * `certificate_expiring` reasons for every AS2 certificate (ours and the partners') that expires
 * within `days` (30 by default). The core opens them as exceptions; the dedupe key on
 * (file, notAfter) keeps a daily check from opening the same one twice.
 */
export function certificateExpiryReasons(
  registry: Pick<Registry, 'root' | 'partners'>,
  ours: { cert: CertInfo; certFile: string } | undefined,
  now = new Date(),
  days = 30
): ExceptionReason[] {
  const limit = now.getTime() + days * 86_400_000
  const out: ExceptionReason[] = []
  if (ours && ours.cert.notAfter.getTime() <= limit) {
    out.push({ code: 'certificate_expiring', partnerId: '(ours)', file: ours.certFile, notAfter: ours.cert.notAfter.toISOString() })
  }
  for (const p of registry.partners.values()) {
    if (!p.as2) continue
    try {
      const c = partnerCertificate(registry, p)
      if (c.notAfter.getTime() <= limit) {
        out.push({ code: 'certificate_expiring', partnerId: p.id, file: p.as2.cert, notAfter: c.notAfter.toISOString() })
      }
    } catch {
      // A missing or unreadable file is reported by the registry's own checks.
    }
  }
  return out
}
