/**
 * Webhook delivery (warehouse ASNs, ERP events): POST JSON signed with HMAC-SHA256 over the exact
 * body, with an Idempotency-Key header so the receiver sees each delivery once even when we retry
 * after a lost response. A 2xx is the receiver's acknowledgement (`acknowledged`); anything else
 * is an error the deliver stage retries (5xx, 408, 429, network) or fails at once (other 4xx).
 */
import { createHmac } from 'node:crypto'
import type { DeliveryReceipt } from '../types.ts'

export interface WebhookRequest {
  url: string
  secret: string
  body: Buffer
  idempotencyKey: string
  timeoutMs?: number
}

export const signatureHeader = (secret: string, body: Buffer): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`

export async function postWebhook(r: WebhookRequest): Promise<DeliveryReceipt> {
  try {
    const res = await fetch(r.url, {
      method: 'POST',
      body: r.body,
      headers: {
        'content-type': 'application/json',
        'idempotency-key': r.idempotencyKey,
        'x-edi-gateway-signature': signatureHeader(r.secret, r.body),
      },
      signal: AbortSignal.timeout(r.timeoutMs ?? 15_000),
    })
    await res.arrayBuffer().catch(() => undefined)
    // The receiver's own answer that it has the event: nothing later confirms it any better.
    if (res.ok) return { ok: true, ref: String(res.status), state: 'acknowledged', detail: { http: res.status } }
    // 4xx other than 408/429 will not get better by retrying.
    const retryable = res.status >= 500 || res.status === 408 || res.status === 429
    return { ok: false, retryable, error: `HTTP ${res.status} from ${new URL(r.url).host}` }
  } catch (err) {
    return { ok: false, retryable: true, error: `${(err as Error).name}: ${(err as Error).message}` }
  }
}
