/**
 * The AS2 transport's only view of persistence (implemented in src/db/as2.ts, injected by
 * main). Kept to what the protocol needs: the first answer we gave each inbound Message-ID
 * (duplicates get it again), async MDNs waiting to be delivered, and the messages we sent that
 * still wait for their MDN.
 */
import type { ExceptionReason } from '../../exceptions/reasons.ts'
import type { Headers } from './mime.ts'

/** Inbound messages refused at the AS2 layer that an operator should see (docs/as2-security.md). */
export type As2Refusal = Extract<ExceptionReason, { code: 'as2_replay' | 'as2_limit_exceeded' }>

/** The Message-ID that first carried a signature, and when. */
export interface SignatureClaim {
  messageId: string
  at: string
}

export interface InboundRecord {
  partnerId: string
  /** AS2 Message-ID as sent, angle brackets included. */
  messageId: string
  /** Gateway payload id returned by receive(). */
  payloadId: string
  disposition: string
  mic?: string
  micAlg?: string
  mdnMode: 'sync' | 'async' | 'none'
}

export interface AsyncMdn {
  partnerId: string
  /** The Message-ID the MDN answers. */
  messageId: string
  url: string
  headers: Headers
  body: Buffer
}

/** An outbound message handed to the AS2 transport (one per delivery). */
export interface OutboundQueued {
  messageId: string
  deliveryId: string
  partnerId: string
  filename: string
  contentType: string
  docType: string
  bytes: Buffer
}

export type MdnOutcomeStatus = 'delivered' | 'negative' | 'mic_mismatch' | 'bad_signature' | 'unmatched'

export interface MdnOutcome {
  status: MdnOutcomeStatus
  disposition?: string
  detail?: string
  /** The MDN's own Message-ID, for the audit trail. */
  mdnMessageId?: string
}

export interface OutboundState {
  messageId: string
  partnerId: string
  deliveryId: string
  status: string
  mic?: string
  micAlg?: string
  mdnSigned: boolean
}

export interface As2Store {
  /** The record of the first successful receipt of this Message-ID from this partner. */
  findInbound(partnerId: string, messageId: string): Promise<InboundRecord | undefined>
  /** Remember a stored message and the disposition it was given (idempotent). */
  recordInbound(rec: InboundRecord): Promise<void>
  /** Queue an asynchronous MDN (job `as2_mdn`); the inbound row is "MDN pending" until sent. */
  queueAsyncMdn(mdn: AsyncMdn): Promise<void>
  /** Queue an outbound message (job `as2_send`). */
  queueOutbound(msg: OutboundQueued): Promise<void>
  findOutbound(messageId: string): Promise<OutboundState | undefined>
  /** Record the MDN for a message we sent; a non-delivered outcome opens an exception. */
  recordMdn(messageId: string, outcome: MdnOutcome): Promise<void>
  /**
   * Claim a signature fingerprint for a Message-ID, atomically (unique key). Undefined when the
   * claim is ours (new, or held by this same Message-ID); else the Message-ID that holds it.
   */
  claimSignature(partnerId: string, fingerprint: string, messageId: string): Promise<SignatureClaim | undefined>
  /** Drop our claim when the message could not be stored, so the partner's resend is not a replay. */
  releaseSignature(partnerId: string, fingerprint: string, messageId: string): Promise<void>
  /** Open the exception for a refused inbound message (deduplicated; see the reason codes). */
  refused(reason: As2Refusal): Promise<void>
}
