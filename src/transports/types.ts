/**
 * The seam between partner-facing protocols and the pipeline. Every inbound transport ends in one
 * injected `OnReceive` (pipeline.receive), which stores the raw bytes durably and only then
 * returns; the transport acknowledges to the partner (MDN, HTTP 2xx, SFTP close OK) after that.
 */
export type TransportName = 'as2' | 'sftp' | 'http' | 'cli' | 'poll'

export interface InboundPayload {
  transport: TransportName
  /** Known when the transport authenticated the partner (AS2 ids, SFTP account, API key). */
  partnerId?: string
  /** Original file name (Content-Disposition, SFTP path, CLI argument). */
  filename?: string
  contentType?: string
  /** The bytes, whole or as a stream of chunks (large SFTP uploads stream). */
  body: Buffer | AsyncIterable<Uint8Array>
  /** Transport-level reference, unique per partner: AS2 Message-ID, SFTP path+mtime, API key. */
  externalId?: string
  /** Transport facts worth keeping on the message row (AS2 MIC, signer, SFTP user ...). Never secrets. */
  meta?: Record<string, unknown>
}

export interface ReceiveReceipt {
  /** Gateway message id (the stored raw payload); the correlation id everywhere. */
  messageId: string
  sha256: string
  size: number
  /** True when this externalId was already received from this partner: nothing new was stored. */
  duplicate: boolean
}

export type OnReceive = (payload: InboundPayload) => Promise<ReceiveReceipt>

export interface OutboundPayload {
  deliveryId: string
  partnerId: string
  bytes: Buffer
  filename: string
  contentType: string
  /** What the bytes are: `997`, `855`, `CONTRL`, `asn_webhook` ... */
  docType: string
}

/**
 * What a successful send established (src/pipeline/deliver.ts has the state model): `queued`
 * handed to a sender that reports later (AS2), `sent` complete at the other side but not
 * confirmed (SFTP), `acknowledged` confirmed by the receiver itself (webhook 2xx). Unset: `sent`.
 */
export type DeliveryState = 'queued' | 'sent' | 'acknowledged'

export type DeliveryReceipt =
  | { ok: true; ref?: string; state?: DeliveryState; detail?: Record<string, unknown> }
  | { ok: false; retryable: boolean; error: string }

/** One outbound channel (AS2 send, SFTP mailbox/push, webhook). */
export interface Transport {
  name: string
  send(payload: OutboundPayload): Promise<DeliveryReceipt>
}
