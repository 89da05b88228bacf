/**
 * AS2 receiving (RFC 4130): `POST /as2` takes a partner's message, `POST /as2/mdn` takes the
 * asynchronous MDNs partners return for what we sent. The order on receipt is fixed by the
 * contract in transports/types.ts: identify (AS2-From/AS2-To) → decrypt/decompress/verify →
 * onReceive (durable) → only then the MDN. A Message-ID we already stored for this partner is
 * not processed again and gets the disposition it got the first time (notes/AS2.md: a partner
 * that lost our MDN must be able to get one), i.e. `processed`, not a warning; only error
 * dispositions are never remembered, so a corrected resend is processed normally.
 */
import { Hono } from 'hono'
import type { KeyObject } from 'node:crypto'
import type { Registry } from '../../config/registry.ts'
import type { Logger } from '../../lib/log.ts'
import type { OnReceive } from '../types.ts'
import { asyncMdnPermitted } from './async-mdn.ts'
import { mic as micOf, type CertInfo } from './cms.ts'
import { CmsWorkerError, sharedCmsPool, type CmsPool } from './cms-pool.ts'
import { partnerCertificate } from './keys.ts'
import { buildMdn, DISPOSITION, parseMdnRequest, type BuiltMdn, type MdnRequest } from './mdn.ts'
import { decodeTransfer, mediaType, unquoteAs2Id, type Headers } from './mime.ts'
import { evaluateMdn } from './send.ts'
import type { As2Store } from './store.ts'
import type { UnwrapResult, Unwrapped } from './unwrap.ts'

export interface As2ReceiveDeps {
  registry: Pick<Registry, 'byAs2' | 'get' | 'root'>
  onReceive: OnReceive
  store: As2Store
  /** Our private key and certificate: decrypts inbound messages, signs MDNs. */
  keys: { key: KeyObject; cert: CertInfo }
  /** AS2 ids we answer to when a profile names no `us.as2`. */
  ourIds: string[]
  log: Logger
  now?: () => Date
  /** Worker threads for the CMS work (default: the process-wide pool). */
  cms?: CmsPool
}

export interface As2Response {
  status: number
  headers: Headers
  body: Buffer
}

const text = (status: number, message: string): As2Response => ({
  status,
  headers: [['Content-Type', 'text/plain; charset=utf-8']],
  body: Buffer.from(message + '\n'),
})

/**
 * Hono routes for AS2. Mount under the server root: `app.route('/', createAs2Routes(deps))`.
 *
 * @example
 * const app = new Hono()
 * app.route('/', createAs2Routes({ registry, onReceive: (p) => receive({ sql }, p), store, keys, ourIds: ['OURSERVER'], log }))
 */
export function createAs2Routes(deps: As2ReceiveDeps): Hono {
  const app = new Hono()
  const respond = (r: As2Response) => new Response(new Uint8Array(r.body), { status: r.status, headers: r.headers })
  app.post('/as2', async (c) => {
    const body = Buffer.from(await c.req.arrayBuffer())
    return respond(await handleAs2Message(deps, (n) => c.req.header(n), body))
  })
  app.post('/as2/mdn', async (c) => {
    const body = Buffer.from(await c.req.arrayBuffer())
    return respond(await handleAsyncMdn(deps, (n) => c.req.header(n), body))
  })
  return app
}

/** One inbound AS2 message → the HTTP response (a sync MDN, or an empty 200 for async/none). */
export async function handleAs2Message(deps: As2ReceiveDeps, get: (name: string) => string | undefined, raw: Buffer): Promise<As2Response> {
  const now = deps.now?.() ?? new Date()
  const messageId = get('message-id')?.trim()
  const from = unquoteAs2Id(get('as2-from'))
  const to = unquoteAs2Id(get('as2-to'))
  if (!messageId || !from || !to) return text(400, 'AS2-From, AS2-To and Message-ID are required (RFC 4130 §6)')
  const request = parseMdnRequest(get)
  const log = deps.log.child({ as2MessageId: messageId, as2From: from })
  // An async MDN only for an authenticated partner and a URL its profile allows (async-mdn.ts).
  const mayPost = (accepted: boolean, signed: boolean) =>
    request.asyncUrl !== undefined && asyncMdnPermitted({ as2: partner?.as2, accepted, signed, url: request.asyncUrl })
  const answer = (disposition: string, partnerId?: string, m?: Partial<Unwrapped>, postAsync = false) =>
    replyMdn(deps, { request, messageId, from, to, disposition, partnerId, micInput: m?.micInput, now, postAsync, log })

  const partner = deps.registry.byAs2(from)
  const expectedTo = partner?.us.as2 ? [partner.us.as2] : deps.ourIds
  if (!partner?.as2 || partner.status === 'disabled' || !expectedTo.includes(to)) {
    log.warn('AS2 message for an unknown partnership', { as2To: to, partnerId: partner?.id })
    return answer(DISPOSITION.unknownPartner)
  }
  const body = mediaType(get('content-transfer-encoding')) === 'base64' ? decodeTransfer('base64', raw) : raw
  const outer: Headers = [['Content-Type', get('content-type') ?? 'application/octet-stream']]
  const cd = get('content-disposition')
  if (cd) outer.push(['Content-Disposition', cd])
  let r: UnwrapResult
  try {
    // Decrypt, inflate and verify in a worker thread: a hostile body costs a worker, not the event loop.
    const keys = { key: deps.keys.key, cert: deps.keys.cert, partnerCert: partnerCertificate(deps.registry, partner) }
    const policy = { allowSha1: partner.as2.allowSha1, maxDecompressed: partner.as2.maxDecompressedMb * 1024 * 1024, now }
    r = await (deps.cms ?? sharedCmsPool()).unwrap(outer, body, keys, policy)
  } catch (err) {
    // A worker out of memory or time: the body is hostile. Otherwise a defect or a certificate
    // file that cannot be read: answer, and say so in the log.
    const code = err instanceof CmsWorkerError && err.reason !== 'crashed' ? 'limit_exceeded' : undefined
    r = { ok: false, disposition: DISPOSITION.unexpected, detail: (err as Error).message, code }
  }
  if (!r.ok) {
    log.warn('AS2 message rejected', { partnerId: partner.id, disposition: r.disposition, detail: r.detail, code: r.code })
    if (r.code === 'limit_exceeded') {
      await deps.store.refused({ code: 'as2_limit_exceeded', partnerId: partner.id, messageId, detail: r.detail }).catch((err: Error) => log.error('AS2 exception not recorded', { error: err.message }))
    }
    return answer(r.disposition, partner.id, r.partial, mayPost(false, false))
  }
  const m = r.message
  // A profile that requires security refuses a message without it (RFC 4130 §7.4.3).
  if ((partner.as2.requireSigned && !m.signed) || (partner.as2.requireEncrypted && !m.encrypted)) {
    log.warn('AS2 message without the required security', { partnerId: partner.id, signed: m.signed, encrypted: m.encrypted })
    return answer(DISPOSITION.insufficientSecurity, partner.id, m, mayPost(false, m.signed))
  }
  // The same signed bytes under a new Message-ID are a replay (a resend keeps its Message-ID).
  // The claim is one insert on a unique key, so of two concurrent replays only one gets through.
  const fingerprint = m.signatureFingerprint
  if (fingerprint) {
    let first: Awaited<ReturnType<As2Store['claimSignature']>>
    try {
      first = await deps.store.claimSignature(partner.id, fingerprint, messageId)
    } catch (err) {
      log.error('AS2 signature could not be recorded', { partnerId: partner.id, error: (err as Error).message })
      return text(503, 'temporarily unable to store the message; please resend')
    }
    // Within the grace window the same signed bytes are what a partner (or a test matrix) that
    // signs one file twice in the same second sends: they go on, and the interchange and document
    // duplicate checks keep them from being processed twice. Later, they are a replay.
    const grace = partner.as2.replayGraceSeconds
    const age = first ? (Date.now() - Date.parse(first.at)) / 1000 : 0
    if (first && grace > 0 && age <= grace) {
      log.info('AS2 signature seen again within the replay grace window', { partnerId: partner.id, firstMessageId: first.messageId, ageSeconds: Math.round(age) })
    } else if (first) {
      log.warn('AS2 replay of a signed message under a new Message-ID', { partnerId: partner.id, firstMessageId: first.messageId })
      const reason = { code: 'as2_replay' as const, partnerId: partner.id, messageId, firstMessageId: first.messageId, firstSeenAt: first.at, fingerprint }
      await deps.store.refused(reason).catch((err: Error) => log.error('AS2 exception not recorded', { error: err.message }))
      return answer(DISPOSITION.replay, partner.id, m, mayPost(false, m.signed))
    }
  }
  const micValue = micOf(m.micInput, request.micalg)
  const postAsync = mayPost(true, m.signed)
  let receipt
  try {
    receipt = await deps.onReceive({
      transport: 'as2',
      partnerId: partner.id,
      filename: m.filename,
      contentType: m.contentType,
      body: m.payload,
      externalId: messageId,
      meta: {
        as2: { messageId, from, to, signed: m.signed, encrypted: m.encrypted, compressed: m.compressed, cipher: m.cipher, keyTransport: m.keyTransport, digest: m.signatureDigest, pss: m.pss, mic: `${micValue}, ${request.micalg}` },
      },
    })
  } catch (err) {
    // Not stored: no MDN, so the partner resends (a negative MDN would make it give up).
    log.error('AS2 message could not be stored', { partnerId: partner.id, error: (err as Error).message })
    if (fingerprint) await deps.store.releaseSignature(partner.id, fingerprint, messageId).catch(() => undefined)
    return text(503, 'temporarily unable to store the message; please resend')
  }
  // Only stored messages reach this point, so a duplicate's first disposition was `processed`
  // unless the store remembers otherwise. The payload row (meta.as2) is the record of a sync
  // receipt; an as2_inbound row is written for async receipts, whose MDN must be tracked.
  const first = receipt.duplicate ? await deps.store.findInbound(partner.id, messageId) : undefined
  const disposition = first?.disposition ?? DISPOSITION.processed
  if (!first && request.wanted && postAsync) {
    await deps.store.recordInbound({
      partnerId: partner.id,
      messageId,
      payloadId: receipt.messageId,
      disposition,
      mic: micValue,
      micAlg: request.micalg,
      mdnMode: 'async',
    })
  }
  log.info(receipt.duplicate ? 'AS2 resend of a stored message' : 'AS2 message stored', { partnerId: partner.id, messageId: receipt.messageId })
  return replyMdn(deps, { request, messageId, from, to, disposition, partnerId: partner.id, micInput: m.micInput, now, postAsync, log })
}

async function replyMdn(
  deps: As2ReceiveDeps,
  o: {
    request: MdnRequest; messageId: string; from: string; to: string; disposition: string; partnerId?: string; micInput?: Buffer; now: Date
    /** The async MDN was allowed (async-mdn.ts); otherwise a requested async MDN is answered synchronously. */
    postAsync: boolean
    log: Logger
  }
): Promise<As2Response> {
  if (!o.request.wanted) return { status: 200, headers: [], body: Buffer.alloc(0) }
  const mdn: BuiltMdn = buildMdn({
    originalMessageId: o.messageId,
    from: o.to,
    to: o.from,
    disposition: o.disposition,
    mic: o.micInput ? { value: micOf(o.micInput, o.request.micalg), alg: o.request.micalg } : undefined,
    sign: o.request.signed ? { key: deps.keys.key, cert: deps.keys.cert, digest: o.request.micalg } : undefined,
    now: o.now,
  })
  if (o.request.asyncUrl && !o.postAsync) {
    o.log.warn('AS2 async MDN refused: answered in the HTTP response', { partnerId: o.partnerId, reason: o.partnerId ? 'not authenticated or URL not in as2.asyncMdnUrls' : 'unknown partner' })
  }
  if (o.request.asyncUrl && o.postAsync) {
    // RFC 4130 §7.2: the HTTP response only acknowledges receipt; the MDN follows by POST (job `as2_mdn`).
    await deps.store.queueAsyncMdn({ partnerId: o.partnerId ?? '', messageId: o.messageId, url: o.request.asyncUrl, headers: mdn.headers, body: mdn.body })
    return { status: 200, headers: [['Content-Type', 'text/plain']], body: Buffer.from('MDN will be sent asynchronously\n') }
  }
  return { status: 200, headers: mdn.headers, body: mdn.body }
}

/** An asynchronous MDN a partner POSTs for a message we sent. */
export async function handleAsyncMdn(deps: As2ReceiveDeps, get: (name: string) => string | undefined, raw: Buffer): Promise<As2Response> {
  const body = mediaType(get('content-transfer-encoding')) === 'base64' ? decodeTransfer('base64', raw) : raw
  const contentType = get('content-type') ?? ''
  const result = await evaluateMdn(deps, contentType, body)
  if (!result.messageId) return text(400, 'not an MDN: no Original-Message-ID')
  if (result.outcome.status === 'unmatched') return text(404, `no message ${result.messageId} is waiting for an MDN`)
  await deps.store.recordMdn(result.messageId, result.outcome)
  deps.log.info('AS2 async MDN received', { as2MessageId: result.messageId, status: result.outcome.status })
  return text(200, 'MDN received')
}
