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
import { CmsError, contentTypeOf, decompress, OID, verifyDetached, type CertInfo, type ContentCipher, type Digest } from './cms.ts'
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
}

export type UnwrapResult = { ok: true; message: Unwrapped } | { ok: false; disposition: Disposition; detail: string; partial?: Partial<Unwrapped> }

export interface UnwrapKeys {
  key: KeyObject
  cert: CertInfo
  partnerCert: CertInfo
}

/** At most this many nested layers (encrypt, compress, sign, compress) before we call it hostile. */
const MAX_LAYERS = 8

/**
 * @param outer the outermost entity's MIME headers, which travel as HTTP headers (RFC 4130 §5.2):
 *   Content-Type and Content-Disposition
 * @param body the HTTP body after any HTTP-level Content-Transfer-Encoding was undone
 */
export function unwrapMessage(outer: Headers, body: Buffer, keys: UnwrapKeys): UnwrapResult {
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
        Object.assign(m, { encrypted: true, cipher: d.cipher, keyTransport: d.keyTransport })
        decryptedEntity ??= d.content
        entity = parseEntity(d.content)
      } catch (err) {
        const detail = err instanceof CmsError ? err.message : `decryption: ${(err as Error).message}`
        return { ok: false, disposition: DISPOSITION.decryptionFailed, detail, partial: m }
      }
      continue
    }
    if (cmsType === OID.compressedData) {
      try {
        const inflated = decompress(content)
        m.compressed = true
        // RFC 5402 §4.1: for unsigned messages the MIC covers the innermost uncompressed entity.
        uncompressedEntity = inflated
        entity = parseEntity(inflated)
      } catch (err) {
        return { ok: false, disposition: DISPOSITION.unexpected, detail: (err as Error).message, partial: m }
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
      const v = verifyDetached(parts[0], der, keys.partnerCert)
      if (!v.ok) {
        // The content changed after signing → integrity; anything about who signed → authentication.
        const disposition = v.reason === 'digest_mismatch' ? DISPOSITION.integrityCheckFailed : DISPOSITION.authenticationFailed
        return { ok: false, disposition, detail: v.detail, partial: { ...m, signed: true, micInput: parts[0] } }
      }
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
