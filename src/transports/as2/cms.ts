/**
 * CMS (RFC 5652) for AS2: detached signatures, EnvelopedData / AuthEnvelopedData (RFC 5083),
 * CompressedData (RFC 3274) and the MIC digest; envelope.ts holds EnvelopedData / AuthEnvelopedData.
 * These two are the only AS2 files that touch node:crypto.
 * Structures are read with der.ts (BER tolerant) and written as DER; the RSA and symmetric
 * primitives are node:crypto's. We deliberately do NOT add the RFC 6211
 * CMS-algorithm-protection attribute: IBM Sterling rejects signatures that carry it.
 */
import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  sign as rsaSign,
  verify as rsaVerify,
  X509Certificate,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto'
import { deflateSync, inflateSync } from 'node:zlib'
import { algId, ctx, DerLimitError, encodeOid, integer, octets, octetString, oid, read, readHeader, seq, setOf, TAG, time, tlv, type Node } from './der.ts'

export type Digest = 'sha1' | 'sha256' | 'sha384' | 'sha512'

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  authEnvelopedData: '1.2.840.113549.1.9.16.1.23',
  compressedData: '1.2.840.113549.1.9.16.1.9',
  zlib: '1.2.840.113549.1.9.16.3.8',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsaOaep: '1.2.840.113549.1.1.7',
  rsaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  ski: '2.5.29.14',
} as const

const DIGEST_OID: Record<Digest, string> = {
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
}
export const OID_DIGEST = new Map(Object.entries(DIGEST_OID).map(([d, o]) => [o, d as Digest]))
/** sha*WithRSAEncryption signature OIDs some signers put in signatureAlgorithm. */
const RSA_WITH = new Map<string, Digest>([
  ['1.2.840.113549.1.1.5', 'sha1'],
  ['1.2.840.113549.1.1.11', 'sha256'],
  ['1.2.840.113549.1.1.12', 'sha384'],
  ['1.2.840.113549.1.1.13', 'sha512'],
])

export type ContentCipher = 'aes128-cbc' | 'aes192-cbc' | 'aes256-cbc' | 'des3' | 'aes128-gcm' | 'aes192-gcm' | 'aes256-gcm'
export const CIPHERS: Record<ContentCipher, { oid: string; node: string; keyLen: number; ivLen: number; gcm?: boolean }> = {
  'aes128-cbc': { oid: '2.16.840.1.101.3.4.1.2', node: 'aes-128-cbc', keyLen: 16, ivLen: 16 },
  'aes192-cbc': { oid: '2.16.840.1.101.3.4.1.22', node: 'aes-192-cbc', keyLen: 24, ivLen: 16 },
  'aes256-cbc': { oid: '2.16.840.1.101.3.4.1.42', node: 'aes-256-cbc', keyLen: 32, ivLen: 16 },
  des3: { oid: '1.2.840.113549.3.7', node: 'des-ede3-cbc', keyLen: 24, ivLen: 8 },
  'aes128-gcm': { oid: '2.16.840.1.101.3.4.1.6', node: 'aes-128-gcm', keyLen: 16, ivLen: 12, gcm: true },
  'aes192-gcm': { oid: '2.16.840.1.101.3.4.1.26', node: 'aes-192-gcm', keyLen: 24, ivLen: 12, gcm: true },
  'aes256-gcm': { oid: '2.16.840.1.101.3.4.1.46', node: 'aes-256-gcm', keyLen: 32, ivLen: 12, gcm: true },
}
export const OID_CIPHER = new Map(Object.entries(CIPHERS).map(([k, v]) => [v.oid, k as ContentCipher]))

/** A certificate with the parts CMS needs, read once. */
export interface CertInfo {
  pem: string
  der: Buffer
  publicKey: KeyObject
  /** Exact DER of the issuer Name and of the serialNumber INTEGER content. */
  issuer: Buffer
  serial: Buffer
  subjectKeyId?: Buffer
  subject: string
  notAfter: Date
  notBefore: Date
}

/** The AS2 spelling of a digest (`sha-256`, `SHA256`, `sha1` ...) → ours; undefined if unknown. */
export function normalizeDigest(name: string): Digest | undefined {
  const n = name.trim().toLowerCase().replace(/[-_]/g, '')
  return n === 'sha1' || n === 'sha256' || n === 'sha384' || n === 'sha512' ? n : undefined
}

/** RFC 5751 §3.4.3.2 micalg spelling: `sha-256`. */
export const micalgName = (d: Digest): string => d.replace('sha', 'sha-')

/** Received-Content-MIC value: base64 digest (RFC 4130 §7.3.1). */
export const mic = (bytes: Buffer, d: Digest): string => createHash(d).update(bytes).digest('base64')

export function parseCertificate(pemOrDer: string | Buffer): CertInfo {
  const x = new X509Certificate(pemOrDer)
  // Certificate → tbsCertificate → [0] version?, serialNumber, signature, issuer (RFC 5280 §4.1)
  const tbs = read(x.raw).children[0].children
  const i = tbs[0].tag === ctx(0) ? 1 : 0
  let subjectKeyId: Buffer | undefined
  const exts = tbs.find((n) => n.tag === ctx(3))
  for (const e of exts?.children[0]?.children ?? []) {
    if (oid(e.children[0]) === OID.ski) subjectKeyId = read(octets(e.children[e.children.length - 1])).value
  }
  return {
    pem: x.toString(),
    der: x.raw,
    publicKey: x.publicKey,
    issuer: tbs[i + 2].raw,
    serial: tbs[i].value,
    subjectKeyId,
    subject: x.subject,
    notAfter: new Date(x.validTo),
    notBefore: new Date(x.validFrom),
  }
}

export const loadPrivateKey = (pem: string | Buffer): KeyObject => createPrivateKey(pem)
export const publicKeyOf = (pem: string | Buffer): KeyObject => createPublicKey(pem)

/**
 * The CMS content type of a ContentInfo, or undefined when the bytes do not start like one. Reads
 * only the outer SEQUENCE header and the OID after it: the body is parsed once, by whoever
 * handles that content type, within the DER reader's limits.
 */
export function contentTypeOf(der: Buffer): string | undefined {
  try {
    const ci = readHeader(der)
    if (ci.tag !== TAG.SEQUENCE) return undefined
    const o = readHeader(der, ci.start)
    if (o.tag !== TAG.OID || o.length < 1 || o.length > 64) return undefined
    return oid({ tag: TAG.OID, value: der.subarray(o.start, o.start + o.length) })
  } catch {
    return undefined
  }
}

export function contentOf(der: Buffer, expected: string): Node {
  const ci = read(der)
  const type = oid(ci.children[0])
  if (type !== expected) throw new CmsError('malformed', `expected CMS ${expected}, got ${type}`)
  return ci.children[1].children[0]
}

export class CmsError extends Error {
  override name = 'CmsError'
  readonly code: 'malformed' | 'unsupported' | 'no_recipient' | 'decrypt_failed' | 'limit_exceeded'
  constructor(code: CmsError['code'], message: string) {
    super(message)
    this.code = code
  }
}

// ── signatures ────────────────────────────────────────────────────────────────────────────────

export type VerifyResult =
  | {
      ok: true
      digest: Digest
      pss: boolean
      /** SHA-256 over the content digest and the signature value: the same signed bytes give the same fingerprint. */
      fingerprint: string
    }
  | {
      ok: false
      reason:
        | 'signer_mismatch'
        | 'bad_signature'
        | 'digest_mismatch'
        | 'malformed'
        | 'unsupported'
        | 'limit_exceeded'
        | 'weak_digest'
        | 'certificate_not_valid'
      detail: string
    }

export interface VerifyOptions {
  /** Accept SHA-1 as content digest or signature hash (profile `as2.allowSha1`). Default true: policy is the caller's. */
  allowSha1?: boolean
  /** When given, the certificate must be valid at this time (notBefore ≤ now ≤ notAfter). */
  now?: Date
}

export function sidMatches(sid: Node, cert: CertInfo): boolean {
  if (sid.tag === ctx(0, false)) return !!cert.subjectKeyId && sid.value.equals(cert.subjectKeyId)
  const [issuer, serial] = sid.children
  const strip = (b: Buffer) => (b.length > 1 && b[0] === 0 ? b.subarray(1) : b)
  return issuer.raw.equals(cert.issuer) && strip(serial.value).equals(strip(cert.serial))
}

/**
 * Verify a detached CMS signature (multipart/signed, RFC 5751 §3.5.3) over `content` against the
 * partner's certificate. The signer must BE that certificate: an embedded certificate is ignored.
 */
export function verifyDetached(content: Buffer, signature: Buffer, cert: CertInfo, opts: VerifyOptions = {}): VerifyResult {
  try {
    return verifySignerInfo(content, signature, cert, opts)
  } catch (err) {
    // Hostile or truncated DER: a verdict, never an exception (the partner gets an MDN).
    return { ok: false, reason: err instanceof DerLimitError ? 'limit_exceeded' : 'malformed', detail: (err as Error).message }
  }
}

function verifySignerInfo(content: Buffer, signature: Buffer, cert: CertInfo, options: VerifyOptions): VerifyResult {
  let si: Node
  try {
    const sd = contentOf(signature, OID.signedData)
    const infos = sd.children[sd.children.length - 1]
    si = infos.children.find((s) => sidMatches(s.children[1], cert)) as Node
    if (!si) return { ok: false, reason: 'signer_mismatch', detail: 'the signature was not made with the partner certificate' }
  } catch (err) {
    return { ok: false, reason: err instanceof DerLimitError ? 'limit_exceeded' : 'malformed', detail: (err as Error).message }
  }
  if (options.now && (options.now < cert.notBefore || options.now > cert.notAfter)) {
    const when = options.now < cert.notBefore ? `not valid before ${cert.notBefore.toISOString()}` : `expired ${cert.notAfter.toISOString()}`
    return { ok: false, reason: 'certificate_not_valid', detail: `the partner certificate is ${when}` }
  }
  // SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm, [0] signedAttrs?, signatureAlgorithm, signature, ... }
  const f = si.children
  const digest = OID_DIGEST.get(oid(f[2].children[0]))
  if (!digest) return { ok: false, reason: 'unsupported', detail: `digest ${oid(f[2].children[0])}` }
  const attrs = f[3].tag === ctx(0) ? f[3] : undefined
  const sigAlg = f[attrs ? 4 : 3]
  const sigValue = f[attrs ? 5 : 4].value
  const algOid = oid(sigAlg.children[0])
  let opts: Parameters<typeof rsaVerify>[2]
  let hash: Digest = digest
  if (algOid === OID.rsaPss) {
    const p = pssParams(sigAlg.children[1])
    hash = p.hash
    opts = { key: cert.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: p.saltLength }
  } else if (algOid === OID.rsaEncryption || RSA_WITH.has(algOid)) {
    hash = RSA_WITH.get(algOid) ?? digest
    opts = { key: cert.publicKey, padding: constants.RSA_PKCS1_PADDING }
  } else return { ok: false, reason: 'unsupported', detail: `signature algorithm ${algOid}` }
  // SHA-1 collisions are practical (SHAttered, 2017): refused unless the partner's profile allows it.
  if (options.allowSha1 === false && (digest === 'sha1' || hash === 'sha1')) {
    return { ok: false, reason: 'weak_digest', detail: 'SHA-1 signature (set as2.allowSha1 in the partner profile to accept it)' }
  }
  const contentDigest = createHash(digest).update(content).digest()
  const fingerprint = createHash('sha256').update(contentDigest).update(sigValue).digest('hex')
  if (!attrs) {
    // No signed attributes: the signature covers the content itself (RFC 5652 §5.4).
    return rsaVerify(hash, content, opts, sigValue)
      ? { ok: true, digest, pss: algOid === OID.rsaPss, fingerprint }
      : { ok: false, reason: 'bad_signature', detail: 'signature does not match the content' }
  }
  // RFC 5652 §5.4: the signature covers the DER of the attributes with an EXPLICIT SET OF tag.
  const signedBytes = Buffer.from(attrs.raw)
  signedBytes[0] = TAG.SET
  if (!rsaVerify(hash, signedBytes, opts, sigValue)) {
    return { ok: false, reason: 'bad_signature', detail: 'signature does not verify with the partner certificate' }
  }
  const md = attrs.children.find((a) => oid(a.children[0]) === OID.messageDigest)
  if (!md) return { ok: false, reason: 'malformed', detail: 'no message-digest attribute' }
  if (!md.children[1].children[0].value.equals(contentDigest)) {
    return { ok: false, reason: 'digest_mismatch', detail: 'the content was changed after signing' }
  }
  return { ok: true, digest, pss: algOid === OID.rsaPss, fingerprint }
}

/** RSASSA-PSS-params (RFC 4055 §3.1): [0] hash (default sha1), [2] saltLength (default 20). */
function pssParams(params: Node | undefined): { hash: Digest; saltLength: number } {
  let hash: Digest = 'sha1'
  let saltLength = 20
  for (const c of params?.children ?? []) {
    if (c.tag === ctx(0)) hash = OID_DIGEST.get(oid(c.children[0].children[0])) ?? hash
    if (c.tag === ctx(2)) saltLength = c.children[0].value.reduce((a, b) => a * 256 + b, 0)
  }
  return { hash, saltLength }
}

/**
 * Detached CMS SignedData over `content`, PKCS#1 v1.5 with `digest`. Signed attributes:
 * content-type, signing-time, message-digest (RFC 5652 §11); nothing else.
 */
export function signDetached(content: Buffer, key: KeyObject, cert: CertInfo, digest: Digest, now = new Date()): Buffer {
  const attr = (type: string, value: Buffer) => seq(encodeOid(type), setOf(value))
  const attrs = [
    attr(OID.contentType, encodeOid(OID.data)),
    attr(OID.signingTime, time(now)),
    attr(OID.messageDigest, octetString(createHash(digest).update(content).digest())),
  ]
  const signedAttrs = setOf(...attrs)
  const signature = rsaSign(digest, signedAttrs, { key, padding: constants.RSA_PKCS1_PADDING })
  const signedAttrsImplicit = Buffer.from(signedAttrs)
  signedAttrsImplicit[0] = ctx(0)
  const signerInfo = seq(
    integer(1),
    seq(cert.issuer, tlv(TAG.INTEGER, cert.serial)),
    algId(DIGEST_OID[digest]),
    signedAttrsImplicit,
    algId(OID.rsaEncryption),
    octetString(signature)
  )
  const signedData = seq(
    integer(1),
    setOf(algId(DIGEST_OID[digest])),
    seq(encodeOid(OID.data)),
    tlv(ctx(0), cert.der),
    setOf(signerInfo)
  )
  return seq(encodeOid(OID.signedData), tlv(ctx(0), signedData))
}

// ── encryption ─────────────────────────────────────────────────────────────────────────────────

/** CompressedData (RFC 3274) with zlib, as used by AS2 (RFC 5402). */
export function compress(content: Buffer): Buffer {
  const eci = seq(encodeOid(OID.data), tlv(ctx(0), octetString(deflateSync(content))))
  return seq(encodeOid(OID.compressedData), tlv(ctx(0), seq(integer(0), algId(OID.zlib, null), eci)))
}

/** Default cap on what one CompressedData may inflate to (profile `as2.maxDecompressedMb`). */
export const DEFAULT_MAX_DECOMPRESSED = 64 * 1024 * 1024

/**
 * Inflate a CompressedData. zlib stops at `maxOutput` octets (a 1 MB bomb once became 1 GiB
 * before anything was checked); past it the result is CmsError `limit_exceeded`.
 */
export function decompress(der: Buffer, maxOutput = DEFAULT_MAX_DECOMPRESSED): Buffer {
  let compressed: Buffer
  try {
    const cd = contentOf(der, OID.compressedData)
    const alg = oid(cd.children[1].children[0])
    if (alg !== OID.zlib) throw new CmsError('unsupported', `compression algorithm ${alg}`)
    const econtent = cd.children[2].children[1]
    compressed = octets(econtent.children[0])
  } catch (err) {
    if (err instanceof CmsError) throw err
    throw asCmsError(err, 'compressed data')
  }
  try {
    return inflateSync(compressed, { maxOutputLength: maxOutput })
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new CmsError('limit_exceeded', `compressed data inflates beyond ${maxOutput} octets`)
    }
    throw new CmsError('malformed', `compressed data: ${(err as Error).message}`)
  }
}

/** A DER reader error as a CmsError: a limit stays recognisable as one. */
export function asCmsError(err: unknown, what: string): CmsError {
  if (err instanceof CmsError) return err
  if (err instanceof DerLimitError) return new CmsError('limit_exceeded', `${what}: ${err.message}`)
  return new CmsError('malformed', `${what}: ${(err as Error).message}`)
}

// ── our own certificate ────────────────────────────────────────────────────────────────────────

/**
 * A self-signed RSA-2048 certificate for development (RFC 5280 §4.1): v3, SHA-256 with RSA,
 * basicConstraints CA:FALSE, keyUsage digitalSignature + keyEncipherment, subjectKeyIdentifier.
 * Returns PEM strings; the private key is PKCS#8.
 */
export function createSelfSignedCertificate(o: { commonName: string; days: number; now?: Date }): { certPem: string; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const now = o.now ?? new Date()
  const spki = publicKey.export({ format: 'der', type: 'spki' })
  // RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING value.
  const ski = createHash('sha1').update(read(spki).children[1].value.subarray(1)).digest()
  const name = seq(setOf(seq(encodeOid('2.5.4.3'), tlv(TAG.UTF8, Buffer.from(o.commonName, 'utf8')))))
  const ext = (id: string, critical: boolean, value: Buffer) =>
    seq(encodeOid(id), ...(critical ? [Buffer.from([0x01, 0x01, 0xff])] : []), octetString(value))
  const serial = randomBytes(16)
  serial[0] &= 0x7f
  const sigAlg = algId('1.2.840.113549.1.1.11')
  const tbs = seq(
    tlv(ctx(0), integer(2)),
    integer(serial),
    sigAlg,
    name,
    seq(time(new Date(now.getTime() - 60_000)), time(new Date(now.getTime() + o.days * 86_400_000))),
    name,
    spki,
    tlv(
      ctx(3),
      seq(
        ext('2.5.29.19', true, seq()),
        // KeyUsage BIT STRING: digitalSignature (bit 0) + keyEncipherment (bit 2) → 0xa0, 5 unused bits
        ext('2.5.29.15', true, tlv(0x03, Buffer.from([0x05, 0xa0]))),
        ext(OID.ski, false, octetString(ski))
      )
    )
  )
  const signature = rsaSign('sha256', tbs, privateKey)
  const der = seq(tbs, sigAlg, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])))
  const certPem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`
  return { certPem, keyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string }
}
