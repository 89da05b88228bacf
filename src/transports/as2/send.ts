/**
 * AS2 sending (RFC 4130): build a message per the partner profile (compress → sign → encrypt,
 * RFC 5402 §3 order), POST it once, and judge the MDN: signature by the partner's certificate,
 * Original-Message-ID, disposition, and Received-Content-MIC against the MIC we computed.
 * Retries, backoff and exceptions belong to the `as2_send` stage (src/pipeline/as2.ts); a retry
 * resends the same Message-ID so the partner can recognise it as a resend.
 */
import type { KeyObject } from 'node:crypto'
import type { PartnerProfile } from '../../config/partner.ts'
import type { Registry } from '../../config/registry.ts'
import { resolveSecret } from '../../lib/secrets.ts'
import type { DeliveryReceipt, OutboundPayload, Transport } from '../types.ts'
import { compress, mic, micalgName, normalizeDigest, signDetached, type CertInfo, type ContentCipher, type Digest, type VerifyOptions } from './cms.ts'
import { encryptEnvelope } from './envelope.ts'
import { partnerCertificate } from './keys.ts'
import { isPositive, parseMdn } from './mdn.ts'
import { base64Lines, buildEntity, buildMultipart, newBoundary, parseEntity, quoteAs2Id, type Headers } from './mime.ts'
import type { As2Store, MdnOutcome, OutboundState } from './store.ts'

export interface As2SendDeps {
  registry: Pick<Registry, 'get' | 'root'>
  keys: { key: KeyObject; cert: CertInfo }
  /** Our AS2 id when a profile names no `us.as2`. */
  defaultId: string
  /** Public base URL of this gateway; async MDNs are requested at `${publicUrl}/as2/mdn`. */
  publicUrl?: string
  fetch?: typeof fetch
  now?: () => Date
}

export interface BuiltMessage {
  headers: Headers
  body: Buffer
  /** Received-Content-MIC we expect back, and its algorithm. */
  mic: string
  micAlg: Digest
}

export interface OutboundMessage {
  messageId: string
  partnerId: string
  bytes: Buffer
  filename: string
  contentType: string
}

const ourId = (deps: As2SendDeps, p: PartnerProfile) => p.us.as2 ?? deps.defaultId

/** Build the HTTP headers and body of one AS2 message for `profile`. */
export function buildAs2Message(deps: As2SendDeps, profile: PartnerProfile, msg: OutboundMessage): BuiltMessage {
  const cfg = profile.as2
  if (!cfg) throw new Error(`partner ${profile.id} has no as2 section`)
  const safeName = msg.filename.replace(/["\\\r\n]/g, '_')
  const payloadEntity = buildEntity(
    [
      ['Content-Type', msg.contentType],
      ['Content-Transfer-Encoding', 'binary'],
      ['Content-Disposition', `attachment; filename="${safeName}"`],
    ],
    msg.bytes
  )
  let entity = payloadEntity
  if (cfg.compress) {
    entity = buildEntity(
      [
        ['Content-Type', 'application/pkcs7-mime; smime-type=compressed-data; name="smime.p7z"'],
        ['Content-Transfer-Encoding', 'binary'],
        ['Content-Disposition', 'attachment; filename="smime.p7z"'],
      ],
      compress(payloadEntity)
    )
  }
  const digest = cfg.sign === 'none' ? undefined : (cfg.sign as Digest)
  const micAlg: Digest = digest ?? 'sha256'
  // RFC 4130 §7.3.1 / RFC 5402 §4.1: what the partner's MIC will cover.
  let micInput = cfg.compress || cfg.encrypt !== 'none' ? payloadEntity : msg.bytes
  if (digest) {
    micInput = entity
    const signature = signDetached(entity, deps.keys.key, deps.keys.cert, digest, deps.now?.())
    const b = newBoundary('sig')
    const body = buildMultipart(b, [
      entity,
      buildEntity(
        [
          ['Content-Type', 'application/pkcs7-signature; name="smime.p7s"'],
          ['Content-Transfer-Encoding', 'base64'],
          ['Content-Disposition', 'attachment; filename="smime.p7s"'],
        ],
        base64Lines(signature)
      ),
    ])
    entity = buildEntity([['Content-Type', `multipart/signed; protocol="application/pkcs7-signature"; micalg=${micalgName(digest)}; boundary="${b}"`]], body)
  }
  let outer: Headers
  let body: Buffer
  if (cfg.encrypt !== 'none') {
    const cipher = cfg.encrypt as ContentCipher
    body = encryptEnvelope(entity, partnerCertificate(deps.registry, profile), cipher)
    const smime = cipher.endsWith('gcm') ? 'authEnveloped-data' : 'enveloped-data'
    outer = [
      ['Content-Type', `application/pkcs7-mime; smime-type=${smime}; name="smime.p7m"`],
      ['Content-Disposition', 'attachment; filename="smime.p7m"'],
    ]
  } else {
    // Unencrypted: the outermost entity's headers travel as HTTP headers (RFC 4130 §5.2).
    const e = parseEntity(entity)
    outer = e.headers.filter(([k]) => /^content-(type|disposition)$/i.test(k))
    body = e.body
  }
  const to = profile.identities.as2[0] ?? profile.id
  const headers: Headers = [
    ['AS2-Version', '1.2'],
    ['AS2-From', quoteAs2Id(ourId(deps, profile))],
    ['AS2-To', quoteAs2Id(to)],
    ['Message-ID', msg.messageId],
    ['Subject', `AS2 message ${safeName}`],
    ['Date', (deps.now?.() ?? new Date()).toUTCString()],
    ['Mime-Version', '1.0'],
    ...outer,
  ]
  if (cfg.mdn.mode !== 'none') {
    const asyncUrl = cfg.mdn.mode === 'async' && deps.publicUrl ? `${deps.publicUrl.replace(/\/$/, '')}/as2/mdn` : undefined
    headers.push(['Disposition-Notification-To', asyncUrl ?? 'as2-mdn@edi-gateway.invalid'])
    if (cfg.mdn.signed) {
      headers.push(['Disposition-Notification-Options', `signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, ${micalgName(micAlg)}`])
    }
    if (asyncUrl) headers.push(['Receipt-Delivery-Option', asyncUrl])
  }
  return { headers, body, mic: mic(micInput, micAlg), micAlg }
}

export type AttemptResult =
  | { kind: 'mdn'; outcome: MdnOutcome; mic: string; micAlg: Digest; url: string }
  | { kind: 'awaiting_mdn'; mic: string; micAlg: Digest; url: string }
  | { kind: 'sent'; mic: string; micAlg: Digest; url: string }
  | { kind: 'failed'; retryable: boolean; error: string; url?: string }

/** One POST of an outbound message, with the sync MDN judged. Never throws for partner-side problems. */
export async function attemptAs2Send(deps: As2SendDeps, msg: OutboundMessage): Promise<AttemptResult> {
  const profile = deps.registry.get(msg.partnerId)
  const cfg = profile?.as2
  if (!profile || !cfg?.url) return { kind: 'failed', retryable: false, error: `partner ${msg.partnerId} has no AS2 url` }
  const built = buildAs2Message(deps, profile, msg)
  const headers = new globalThis.Headers(built.headers)
  if (cfg.basicAuth) {
    const secret = resolveSecret(cfg.basicAuth, deps.registry.root)
    if (!secret) return { kind: 'failed', retryable: false, error: `basic auth secret ${cfg.basicAuth} is not set`, url: cfg.url }
    headers.set('Authorization', `Basic ${Buffer.from(secret).toString('base64')}`)
  }
  let res: Response
  try {
    res = await (deps.fetch ?? fetch)(cfg.url, {
      method: 'POST',
      headers,
      body: new Uint8Array(built.body),
      signal: AbortSignal.timeout(cfg.timeoutSeconds * 1000),
    })
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } }
    return { kind: 'failed', retryable: true, error: `POST ${cfg.url}: ${e.cause?.code ?? e.name}: ${e.message}`, url: cfg.url }
  }
  const resBody = Buffer.from(await res.arrayBuffer().catch(() => new ArrayBuffer(0)))
  const base = { mic: built.mic, micAlg: built.micAlg, url: cfg.url }
  if (!res.ok) {
    // 5xx, 408 and 429 are the partner's temporary trouble; other 4xx will not improve by resending.
    const retryable = res.status >= 500 || res.status === 408 || res.status === 429
    return { kind: 'failed', retryable, error: `HTTP ${res.status} from ${cfg.url}: ${resBody.subarray(0, 200).toString('utf8')}`, url: cfg.url }
  }
  if (cfg.mdn.mode === 'none') return { kind: 'sent', ...base }
  if (cfg.mdn.mode === 'async' && deps.publicUrl) return { kind: 'awaiting_mdn', ...base }
  const expected: OutboundState = { messageId: msg.messageId, partnerId: profile.id, deliveryId: '', status: 'sent', mic: built.mic, micAlg: built.micAlg, mdnSigned: cfg.mdn.signed }
  const parsed = parseMdn(res.headers.get('content-type') ?? '', resBody, partnerCertificate(deps.registry, profile), mdnPolicy(profile, deps.now?.() ?? new Date()))
  return { kind: 'mdn', outcome: judgeMdn(parsed, expected), ...base }
}

/**
 * What a partner's signed MDN must meet: the policy its messages to us meet (receive.ts), so a
 * receipt signed with SHA-1 or with a certificate outside its validity proves nothing. SHA-1 is
 * accepted where the profile allows it, or where we sign with SHA-1 ourselves: we then ask for
 * the receipt's MIC and signature in SHA-1 (signed-receipt-micalg), and a partner that complies
 * must not fail every delivery.
 */
function mdnPolicy(profile: PartnerProfile, now: Date): VerifyOptions {
  return { allowSha1: (profile.as2?.allowSha1 ?? false) || profile.as2?.sign === 'sha1', now }
}

/** Judge a parsed MDN against the message we sent. */
export function judgeMdn(parsed: ReturnType<typeof parseMdn>, expected: OutboundState): MdnOutcome {
  const disposition = parsed.disposition
  if (!disposition) return { status: 'negative', detail: 'the response carries no MDN' }
  if (expected.mdnSigned && !parsed.signed) return { status: 'bad_signature', disposition, detail: 'a signed MDN was requested but the MDN is unsigned' }
  if (parsed.signature && !parsed.signature.ok) return { status: 'bad_signature', disposition, detail: parsed.signature.detail }
  if (parsed.originalMessageId && parsed.originalMessageId !== expected.messageId) {
    return { status: 'negative', disposition, detail: `MDN answers ${parsed.originalMessageId}, not ${expected.messageId}` }
  }
  if (!isPositive(disposition)) return { status: 'negative', disposition }
  if (expected.mic && parsed.mic) {
    const sameAlg = !expected.micAlg || parsed.mic.alg === normalizeDigest(expected.micAlg)
    if (!sameAlg || parsed.mic.value !== expected.mic) {
      return { status: 'mic_mismatch', disposition, detail: `Received-Content-MIC ${parsed.mic.value}, ${parsed.mic.algName}; expected ${expected.mic}, ${expected.micAlg}` }
    }
  } else if (expected.mic && expected.mdnSigned) return { status: 'mic_mismatch', disposition, detail: 'the MDN has no Received-Content-MIC' }
  return { status: 'delivered', disposition }
}

/** Match an async MDN to the message we sent and judge it. */
export async function evaluateMdn(
  deps: { registry: Pick<Registry, 'get' | 'root'>; store: As2Store; now?: () => Date },
  contentType: string,
  body: Buffer
): Promise<{ messageId?: string; outcome: MdnOutcome }> {
  const first = parseMdn(contentType, body)
  const messageId = first.originalMessageId
  if (!messageId) return { outcome: { status: 'unmatched' } }
  const sent = await deps.store.findOutbound(messageId)
  const profile = sent && deps.registry.get(sent.partnerId)
  if (!sent || !profile?.as2) return { messageId, outcome: { status: 'unmatched' } }
  const parsed = parseMdn(contentType, body, partnerCertificate(deps.registry, profile), mdnPolicy(profile, deps.now?.() ?? new Date()))
  return { messageId, outcome: judgeMdn(parsed, sent) }
}

/**
 * The Transport the core's `deliver` stage uses for partners with `outbound: as2`. `send` queues
 * the message (job `as2_send`) and returns at once with the AS2 Message-ID as `ref`; the stage
 * owns the POST, its retries and the MDN. Call it outside a database transaction.
 */
export function createAs2Transport(deps: { store: As2Store; registry: Pick<Registry, 'get'>; defaultId: string }): Transport {
  return {
    name: 'as2',
    async send(p: OutboundPayload): Promise<DeliveryReceipt> {
      const profile = deps.registry.get(p.partnerId)
      if (!profile?.as2?.url) return { ok: false, retryable: false, error: `partner ${p.partnerId} has no AS2 url` }
      const host = (profile.us.as2 ?? deps.defaultId).replace(/[^A-Za-z0-9.-]/g, '_')
      // Stable per delivery: a re-run of the deliver stage queues the same message, not a second one.
      const messageId = `<${p.deliveryId}@${host}>`
      await deps.store.queueOutbound({ messageId, deliveryId: p.deliveryId, partnerId: p.partnerId, filename: p.filename, contentType: p.contentType, docType: p.docType, bytes: p.bytes })
      return { ok: true, ref: messageId, state: 'queued', detail: { as2: 'queued' } }
    },
  }
}

/** How much of a partner's answer to an async MDN we read: it is only a status, never data. */
export const ASYNC_MDN_READ_LIMIT = 64 * 1024
/** How long one async MDN POST may take, answer included. */
export const ASYNC_MDN_TIMEOUT_MS = 30_000

/**
 * POST an asynchronous MDN to the partner's Receipt-Delivery-Option URL (RFC 4130 §7.2). The
 * caller has checked the URL against the profile (async-mdn.ts); redirects are not followed (a
 * redirect could point anywhere), at most ASYNC_MDN_READ_LIMIT bytes of the answer are read and
 * the whole exchange is bounded in time.
 */
export async function postAsyncMdn(
  url: string,
  headers: Headers,
  body: Buffer,
  opts: { fetch?: typeof fetch; timeoutMs?: number } = {}
): Promise<{ ok: true } | { ok: false; error: string }> {
  const abort = new AbortController()
  const timer = setTimeout(() => abort.abort(new Error('timed out')), opts.timeoutMs ?? ASYNC_MDN_TIMEOUT_MS)
  try {
    const res = await (opts.fetch ?? fetch)(url, {
      method: 'POST',
      headers: new globalThis.Headers(headers),
      body: new Uint8Array(body),
      redirect: 'manual',
      signal: abort.signal,
    })
    await drainCapped(res, ASYNC_MDN_READ_LIMIT)
    if (res.status >= 300 && res.status < 400) return { ok: false, error: `HTTP ${res.status} from ${url}: redirects are not followed` }
    return res.ok ? { ok: true } : { ok: false, error: `HTTP ${res.status} from ${url}` }
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } }
    return { ok: false, error: `POST ${url}: ${e.cause?.code ?? e.name}: ${e.message}` }
  } finally {
    clearTimeout(timer)
    abort.abort()
  }
}

/** Read at most `limit` bytes of a response body, then drop the rest (the connection closes). */
async function drainCapped(res: Response, limit: number): Promise<void> {
  const reader = res.body?.getReader()
  if (!reader) return
  let seen = 0
  try {
    while (seen <= limit) {
      const { done, value } = await reader.read()
      if (done) return
      seen += value.byteLength
    }
  } catch {
    // The status is what counts; a body that breaks off changes nothing.
  } finally {
    await reader.cancel().catch(() => undefined)
  }
}
