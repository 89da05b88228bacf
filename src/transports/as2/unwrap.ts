/**
 * Peel an inbound AS2 message layer by layer: enveloped (decrypt) → compressed (inflate) →
 * multipart/signed (verify) → compressed … → the payload entity, in whatever order the partner
 * applied them (RFC 5402 allows compression before or after signing). Along the way we keep the
 * exact bytes the Received-Content-MIC must cover (RFC 4130 §7.3.1, RFC 5402 §4.1):
 *   signed             → the signed MIME entity, headers and body (first part of multipart/signed)
 *   unsigned, compressed → the uncompressed MIME entity with its headers
 *   unsigned, encrypted  → the decrypted MIME entity with its headers
 *   plain              → the content only
 */
import type { KeyObject } from 'node:crypto'
import { CmsError, contentTypeOf, decompress, DEFAULT_MAX_DECOMPRESSED, OID, verifyDetached, type CertInfo, type ContentCipher, type Digest } from './cms.ts'
import { decryptEnvelope } from './envelope.ts'
import { DISPOSITION, type Disposition } from './mdn.ts'
import {
  decodeTransfer,
  dispositionFilename,
  header,
  mediaType,
  param,
  parseEntity,
  splitMultipart,
  type Entity,
  type Headers,
} from './mime.ts'

export interface Unwrapped {
  payload: Buffer
  contentType?: string
  filename?: string
  signed: boolean
  encrypted: boolean
  compressed: boolean
  /** Exact bytes the MIC is computed over. */
  micInput: Buffer
  cipher?: ContentCipher
  keyTransport?: string
  signatureDigest?: Digest
  pss?: boolean
  /** Fingerprint of the (first) signature: SHA-256 over content digest and signature value. */
  signatureFingerprint?: string
}

/**
 * Why a message was refused, when it is worth more than a log line: `limit_exceeded` (hostile
 * size or structure, opens `as2_limit_exceeded`), `weak_digest` (SHA-1 not allowed),
 * `certificate_not_valid` (outside the partner certificate's validity period).
 */
export type UnwrapCode = 'limit_exceeded' | 'weak_digest' | 'certificate_not_valid'

export type UnwrapResult =
  | { ok: true; message: Unwrapped }
  | { ok: false; disposition: Disposition; detail: string; code?: UnwrapCode; partial?: Partial<Unwrapped> }

export interface UnwrapKeys {
  key: KeyObject
  cert: CertInfo
  partnerCert: CertInfo
}

/** Partner policy for one message (from the profile's `as2` block). */
export interface UnwrapOptions {
  /** Accept SHA-1 signatures (`as2.allowSha1`, default false). */
  allowSha1?: boolean
  /** Cap on what one CompressedData may inflate to, in octets (`as2.maxDecompressedMb`). */
  maxDecompressed?: number
  /** Receipt time: the partner certificate must be valid then. */
  now?: Date
}

/** At most this many nested layers (encrypt, compress, sign, compress) before we call it hostile. */
const MAX_LAYERS = 8

/**
 * A decrypted MIME entity starts with header text (RFC 4130 §3; headerless EDI starts with text
 * too). Content decrypted under a wrong or substitute key passes the CBC padding check about one
 * time in 256; this keeps such noise from being taken for a message. It looks at the plaintext
 * only, so it answers the same whether the key transport padding was good or bad.
 */
function looksLikeMimeText(b: Buffer): boolean {
  const n = Math.min(b.length, 32)
  if (n === 0) return false
  for (let i = 0; i < n; i++) {
    const c = b[i]
    if (!((c >= 0x20 && c < 0x7f) || c === 0x09 || c === 0x0a || c === 0x0d)) return false
  }
  return true
}

/**
 * @param outer the outermost entity's MIME headers, which travel as HTTP headers (RFC 4130 §5.2):
 *   Content-Type and Content-Disposition
 * @param body the HTTP body after any HTTP-level Content-Transfer-Encoding was undone
 */
export function unwrapMessage(outer: Headers, body: Buffer, keys: UnwrapKeys, opts: UnwrapOptions = {}): UnwrapResult {
  const cap = opts.maxDecompressed
  const maxDecompressed = cap !== undefined && Number.isFinite(cap) && cap > 0 ? cap : DEFAULT_MAX_DECOMPRESSED
  let entity: Entity = { headers: outer, raw: body, body }
  let signedEntity: Buffer | undefined
  let uncompressedEntity: Buffer | undefined
  let decryptedEntity: Buffer | undefined
  const m: Partial<Unwrapped> = { signed: false, encrypted: false, compressed: false }
  for (let layer = 0; layer < MAX_LAYERS; layer++) {
    const ct = header(entity.headers, 'content-type')
    const type = mediaType(ct)
    const content = decodeTransfer(header(entity.headers, 'content-transfer-encoding'), entity.body)
    const cmsType = type === 'application/pkcs7-mime' || type === 'application/x-pkcs7-mime' ? contentTypeOf(content) : undefined
    if (cmsType === OID.envelopedData || cmsType === OID.authEnvelopedData) {
      try {
        const d = decryptEnvelope(content, keys.key, keys.cert)
        if (!looksLikeMimeText(d.content)) throw new CmsError('decrypt_failed', 'the decrypted content is not a MIME entity')
        Object.assign(m, { encrypted: true, cipher: d.cipher, keyTransport: d.keyTransport })
        decryptedEntity ??= d.content
        entity = parseEntity(d.content)
      } catch (err) {
        const detail = err instanceof CmsError ? err.message : `decryption: ${(err as Error).message}`
        const code = err instanceof CmsError && err.code === 'limit_exceeded' ? 'limit_exceeded' : undefined
        return { ok: false, disposition: DISPOSITION.decryptionFailed, detail, code, partial: m }
      }
      continue
    }
    if (cmsType === OID.compressedData) {
      try {
        // Signed-then-compressed was verified above before we got here; compressed-then-signed
        // can only be checked after inflating, hence the cap.
        const inflated = decompress(content, maxDecompressed)
        m.compressed = true
        // RFC 5402 §4.1: for unsigned messages the MIC covers the innermost uncompressed entity.
        uncompressedEntity = inflated
        entity = parseEntity(inflated)
      } catch (err) {
        const code = err instanceof CmsError && err.code === 'limit_exceeded' ? 'limit_exceeded' : undefined
        return { ok: false, disposition: DISPOSITION.unexpected, detail: (err as Error).message, code, partial: m }
      }
      continue
    }
    const isSmime = type === 'application/pkcs7-mime' || type === 'application/x-pkcs7-mime'
    if (isSmime && cmsType === undefined) {
      // Declared S/MIME but not a readable ContentInfo: never store it as if it were the payload.
      const encrypted = /enveloped/i.test(param(ct, 'smime-type') ?? '')
      const disposition = encrypted ? DISPOSITION.decryptionFailed : DISPOSITION.unexpected
      return { ok: false, disposition, detail: 'the S/MIME body is not a readable CMS structure', partial: m }
    }
    if (cmsType !== undefined) {
      return { ok: false, disposition: DISPOSITION.unexpected, detail: `unsupported S/MIME content ${cmsType}`, partial: m }
    }
    if (type === 'multipart/signed') {
      const parts = splitMultipart(entity.body, param(ct, 'boundary') ?? '')
      if (parts.length < 2) {
        return { ok: false, disposition: DISPOSITION.integrityCheckFailed, detail: 'multipart/signed without two parts', partial: m }
      }
      const sigPart = parseEntity(parts[1])
      const der = decodeTransfer(header(sigPart.headers, 'content-transfer-encoding'), sigPart.body)
      const v = verifyDetached(parts[0], der, keys.partnerCert, { allowSha1: opts.allowSha1 ?? false, now: opts.now ?? new Date() })
      if (!v.ok) {
        // The content changed after signing → integrity; a digest the profile does not allow →
        // insufficient security; anything about who signed → authentication.
        const disposition =
          v.reason === 'digest_mismatch'
            ? DISPOSITION.integrityCheckFailed
            : v.reason === 'weak_digest'
              ? DISPOSITION.insufficientSecurity
              : DISPOSITION.authenticationFailed
        const code = v.reason === 'limit_exceeded' || v.reason === 'weak_digest' || v.reason === 'certificate_not_valid' ? v.reason : undefined
        return { ok: false, disposition, detail: v.detail, code, partial: { ...m, signed: true, micInput: parts[0] } }
      }
      if (!m.signed) m.signatureFingerprint = v.fingerprint
      Object.assign(m, { signed: true, signatureDigest: v.digest, pss: v.pss })
      signedEntity ??= parts[0]
      entity = parseEntity(parts[0])
      continue
    }
    // The payload entity.
    const micInput = signedEntity ?? uncompressedEntity ?? decryptedEntity ?? content
    return {
      ok: true,
      message: {
        ...(m as Unwrapped),
        payload: content,
        contentType: ct,
        filename: dispositionFilename(header(entity.headers, 'content-disposition')),
        micInput,
      },
    }
  }
  return { ok: false, disposition: DISPOSITION.unexpected, detail: 'too many nested MIME layers', partial: m }
}
