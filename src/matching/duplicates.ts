/**
 * Business-key duplicates: a partner resends the same PO, ASN or invoice under new control
 * numbers (ISA13/GS06/ST02 or UNB 0020/UNH 0062 all change), usually after a failed MDN.
 * Control-number checks miss that, so we compare the business key (canonical `businessKey()`:
 * `po:<number>`, `asn:<shipmentId>`, `inv:<number>`) and a hash of the content without its
 * provenance:
 * - same key, same hash      → `duplicate` (never process twice);
 * - same key, different hash → `changed_resend` (a correction: a person decides);
 * - new key                  → `new`.
 */
import { createHash } from 'node:crypto'
import { stableStringify } from '../lib/ids.ts'
import { businessKey } from '../canonical/index.ts'
import type { CanonicalDoc } from '../canonical/index.ts'
import type { ExceptionReason } from '../exceptions/reasons.ts'

export interface PriorDoc {
  businessKey: string
  contentHash: string
  documentId: string
}

export type ResendCheck =
  | { kind: 'new'; businessKey: string; contentHash: string }
  | {
      kind: 'duplicate' | 'changed_resend'
      businessKey: string
      contentHash: string
      first: PriorDoc
    }

/** JSON with sorted keys and no `undefined`, so equal content always hashes equal. */
export const stableJson = stableStringify

/** sha256 of the document without `provenance` (envelopes and control numbers differ per resend). */
export function contentHash(doc: CanonicalDoc): string {
  const { provenance: _ignored, ...content } = doc
  return createHash('sha256').update(stableJson(content)).digest('hex')
}

/**
 * Classify a document against earlier (key, hash) rows of the same partner. The earliest prior
 * with the same content wins; otherwise the first prior with the key.
 *
 * @example
 * const r = checkResend(doc, priors)  // { kind: 'duplicate', first: { documentId: 'd-17', ... } }
 */
export function checkResend(doc: CanonicalDoc, priors: readonly PriorDoc[]): ResendCheck {
  const key = businessKey(doc)
  const hash = contentHash(doc)
  const sameKey = priors.filter((p) => p.businessKey === key)
  const same = sameKey.find((p) => p.contentHash === hash)
  if (same) return { kind: 'duplicate', businessKey: key, contentHash: hash, first: same }
  if (sameKey.length)
    return { kind: 'changed_resend', businessKey: key, contentHash: hash, first: sameKey[0] }
  return { kind: 'new', businessKey: key, contentHash: hash }
}

/** The pipeline's existing `duplicate_document` reason for a resend, or undefined when new. */
export function resendReason(r: ResendCheck): ExceptionReason | undefined {
  if (r.kind === 'new') return undefined
  return {
    code: 'duplicate_document',
    businessKey: r.businessKey,
    firstDocumentId: r.first.documentId,
    sameContent: r.kind === 'duplicate',
  }
}
