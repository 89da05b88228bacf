/**
 * Message Disposition Notifications for AS2 (RFC 4130 §7, RFC 8098): build the receipt we return
 * and read the receipts partners return to us. An MDN is a multipart/report
 * (report-type=disposition-notification) with a human text part and a
 * message/disposition-notification part, signed as multipart/signed when the sender asked for a
 * signed receipt (Disposition-Notification-Options, RFC 4130 §7.3).
 */
import type { KeyObject } from 'node:crypto'
import { micalgName, normalizeDigest, signDetached, verifyDetached, type CertInfo, type Digest, type VerifyOptions, type VerifyResult } from './cms.ts'
import {
  base64Lines,
  buildEntity,
  buildMultipart,
  decodeTransfer,
  header,
  mediaType,
  newBoundary,
  param,
  parseEntity,
  parseHeaders,
  quoteAs2Id,
  splitMultipart,
  type Headers,
} from './mime.ts'

/**
 * Dispositions we send (RFC 4130 §7.4.3). `unknown-trading-partner` is the widespread extension
 * (pyas2, Mendelson) for an AS2-From/AS2-To pair we have no agreement for.
 */
export const DISPOSITION = {
  processed: 'processed',
  duplicate: 'processed/warning: duplicate-document',
  decryptionFailed: 'processed/error: decryption-failed',
  authenticationFailed: 'processed/error: authentication-failed',
  integrityCheckFailed: 'processed/error: integrity-check-failed',
  insufficientSecurity: 'processed/error: insufficient-message-security',
  unknownPartner: 'processed/error: unknown-trading-partner',
  unexpected: 'processed/error: unexpected-processing-error',
  /** The same signed content came before under another Message-ID (docs/as2-security.md). */
  replay: 'processed/error: duplicate-document',
} as const
export type Disposition = (typeof DISPOSITION)[keyof typeof DISPOSITION]

const ACTION_MODE = 'automatic-action/MDN-sent-automatically'

/** True for `processed` and `processed/warning: ...` (the document was taken); false for errors/failures. */
export function isPositive(disposition: string): boolean {
  const type = (disposition.includes(';') ? disposition.split(';').slice(1).join(';') : disposition).trim().toLowerCase()
  return type === 'processed' || type.startsWith('processed/warning')
}

export interface MdnRequest {
  /** Disposition-Notification-To present: a receipt is wanted at all. */
  wanted: boolean
  signed: boolean
  /** First supported signed-receipt-micalg, default sha256. */
  micalg: Digest
  /** Receipt-Delivery-Option: URL for an asynchronous MDN. */
  asyncUrl?: string
}

/**
 * Read the receipt request from the message headers. `signed-receipt-micalg=optional, sha-256, sha1`
 * lists algorithms in preference order; both `sha256` and `sha-256` spellings are accepted.
 */
export function parseMdnRequest(get: (name: string) => string | undefined): MdnRequest {
  const to = get('disposition-notification-to')
  const options = get('disposition-notification-options') ?? ''
  let signed = false
  let micalg: Digest = 'sha256'
  for (const part of options.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    const name = part.slice(0, eq).trim().toLowerCase()
    const values = part.slice(eq + 1).split(',').map((v) => v.trim())
    if (name === 'signed-receipt-protocol') signed = values.slice(1).some((v) => v.toLowerCase() === 'pkcs7-signature')
    if (name === 'signed-receipt-micalg') {
      const found = values.slice(1).map(normalizeDigest).find((d) => d !== undefined)
      if (found) micalg = found
    }
  }
  const asyncUrl = get('receipt-delivery-option')?.trim() || undefined
  return { wanted: to !== undefined, signed, micalg, asyncUrl }
}

export interface BuildMdnOptions {
  originalMessageId: string
  /** Our AS2 id (AS2-From of the MDN) and the partner's (AS2-To). */
  from: string
  to: string
  disposition: string
  mic?: { value: string; alg: Digest }
  /** Sign as multipart/signed with this key/cert and digest. */
  sign?: { key: KeyObject; cert: CertInfo; digest: Digest }
  text?: string
  messageId?: string
  now?: Date
}

export interface BuiltMdn {
  messageId: string
  /** HTTP headers: AS2 headers and the Content-Type of the body. */
  headers: Headers
  body: Buffer
}

export function buildMdn(o: BuildMdnOptions): BuiltMdn {
  const now = o.now ?? new Date()
  const messageId = o.messageId ?? `<mdn-${now.getTime().toString(36)}-${newBoundary('').slice(-12)}@${o.from.replace(/[^A-Za-z0-9.-]/g, '_')}>`
  const fields = [
    `Reporting-UA: edi-gateway AS2`,
    `Original-Recipient: rfc822; ${o.from}`,
    `Final-Recipient: rfc822; ${o.from}`,
    `Original-Message-ID: ${o.originalMessageId}`,
    ...(o.mic ? [`Received-Content-MIC: ${o.mic.value}, ${micalgName(o.mic.alg)}`] : []),
    `Disposition: ${ACTION_MODE}; ${o.disposition}`,
  ]
  const text =
    o.text ??
    (isPositive(o.disposition)
      ? `The AS2 message ${o.originalMessageId} was received on ${now.toUTCString()} and stored.`
      : `The AS2 message ${o.originalMessageId} could not be processed: ${o.disposition}.`)
  const reportBoundary = newBoundary('report')
  const report = buildEntity(
    [['Content-Type', `multipart/report; report-type=disposition-notification; boundary="${reportBoundary}"`]],
    buildMultipart(reportBoundary, [
      buildEntity([['Content-Type', 'text/plain; charset=us-ascii'], ['Content-Transfer-Encoding', '7bit']], Buffer.from(text + '\r\n')),
      buildEntity(
        [['Content-Type', 'message/disposition-notification'], ['Content-Transfer-Encoding', '7bit']],
        Buffer.from(fields.join('\r\n') + '\r\n', 'latin1')
      ),
    ])
  )
  const as2: Headers = [
    ['AS2-Version', '1.2'],
    ['AS2-From', quoteAs2Id(o.from)],
    ['AS2-To', quoteAs2Id(o.to)],
    ['Message-ID', messageId],
    ['Date', now.toUTCString()],
    ['Subject', 'Message Disposition Notification'],
    ['Mime-Version', '1.0'],
  ]
  if (!o.sign) {
    const e = parseEntity(report)
    return { messageId, headers: [...as2, ...e.headers], body: e.body }
  }
  const signature = signDetached(report, o.sign.key, o.sign.cert, o.sign.digest, now)
  const b = newBoundary('signed')
  const body = buildMultipart(b, [
    report,
    buildEntity(
      [
        ['Content-Type', 'application/pkcs7-signature; name="smime.p7s"'],
        ['Content-Transfer-Encoding', 'base64'],
        ['Content-Disposition', 'attachment; filename="smime.p7s"'],
      ],
      base64Lines(signature)
    ),
  ])
  const ct = `multipart/signed; protocol="application/pkcs7-signature"; micalg=${micalgName(o.sign.digest)}; boundary="${b}"`
  return { messageId, headers: [...as2, ['Content-Type', ct]], body }
}

export interface ParsedMdn {
  signed: boolean
  /** Result of checking the signature against the partner certificate (when signed). */
  signature?: VerifyResult
  originalMessageId?: string
  /** The disposition type and modifiers, without the action mode (`processed`, `processed/error: ...`). */
  disposition?: string
  mic?: { value: string; alg?: Digest; algName: string }
  finalRecipient?: string
  text?: string
}

/**
 * Parse (and when signed, verify) an MDN from its Content-Type and body bytes. `policy`: what the
 * partner's signature must meet beyond verifying (SHA-1 refused, certificate valid now), as for
 * the messages it sends us.
 */
export function parseMdn(contentType: string, body: Buffer, partnerCert?: CertInfo, policy: VerifyOptions = {}): ParsedMdn {
  const out: ParsedMdn = { signed: false }
  let report = { ct: contentType, body }
  if (mediaType(contentType) === 'multipart/signed') {
    const parts = splitMultipart(body, param(contentType, 'boundary') ?? '')
    out.signed = true
    if (parts.length < 2) {
      out.signature = { ok: false, reason: 'malformed', detail: 'multipart/signed MDN without two parts' }
      return out
    }
    const sig = parseEntity(parts[1])
    const der = decodeTransfer(header(sig.headers, 'content-transfer-encoding'), sig.body)
    out.signature = partnerCert ? verifyDetached(parts[0], der, partnerCert, policy) : undefined
    const inner = parseEntity(parts[0])
    report = { ct: header(inner.headers, 'content-type') ?? '', body: inner.body }
  }
  if (mediaType(report.ct) !== 'multipart/report') return out
  for (const raw of splitMultipart(report.body, param(report.ct, 'boundary') ?? '')) {
    const part = parseEntity(raw)
    const ct = mediaType(header(part.headers, 'content-type'))
    const content = decodeTransfer(header(part.headers, 'content-transfer-encoding'), part.body)
    if (ct === 'message/disposition-notification') {
      const f = parseHeaders(content.toString('latin1'))
      out.originalMessageId = header(f, 'original-message-id')
      out.finalRecipient = header(f, 'final-recipient')
      const d = header(f, 'disposition')
      if (d) out.disposition = (d.includes(';') ? d.slice(d.indexOf(';') + 1) : d).trim()
      const m = header(f, 'received-content-mic')
      if (m) {
        const [value, algName = ''] = m.split(',').map((s) => s.trim())
        out.mic = { value, algName, alg: normalizeDigest(algName) }
      }
    } else if (ct === 'text/plain' || ct === '') out.text = content.toString('utf8').trim()
  }
  return out
}
