/**
 * One submit (PO ack, shipment confirmation, 3PL ASN, invoice): raw body → JSON → zod → stored
 * through the pipeline's receive() with the Idempotency-Key as the transport id → 202
 * { transactionId }. receive() commits before we answer, so a 202 means durable.
 * Idempotency (draft-ietf-httpapi-idempotency-key-header): the same key again returns the first
 * answer; the same key with a different body is 409, detected by the stored body's sha256.
 */
import type { Context } from 'hono'
import type { Sql } from '../../db/sql.ts'
import { newId, sha256 } from '../../lib/ids.ts'
import { problem } from '../app.ts'
import type { HttpContext } from '../context.ts'
import type { SubmitSpec } from '../schemas.ts'
import type { PartnerEnv } from './api-auth.ts'
import { validationProblem } from './api-validate.ts'

/** Visible ASCII, as the idempotency-key draft's examples; bounded so it fits an index. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/

/** PO numbers a body refers to (to notice, in the log, another supplier's PO). */
export function poNumbersOf(spec: SubmitSpec, body: any): string[] {
  const out = new Set<string>()
  const add = (v: unknown) => typeof v === 'string' && v && out.add(v)
  if (spec.docType === 'acknowledgement') for (const a of body.acknowledgements ?? []) add(a.purchaseOrderNumber)
  else if (spec.shape === '3pl') for (const o of body.orders ?? []) add(o.poNumber)
  else if (spec.docType === 'shipment_confirmation') {
    for (const s of body.shipmentConfirmations ?? []) {
      for (const i of s.shippedItems ?? []) add(i.itemDetails?.purchaseOrderNumber)
      for (const c of s.cartons ?? []) for (const i of c.items ?? []) add(i.itemDetails?.purchaseOrderNumber)
    }
  } else if (spec.docType === 'invoice') for (const inv of body.invoices ?? []) for (const i of inv.items ?? []) add(i.purchaseOrderNumber)
  return [...out]
}

async function foreignPos(sql: Sql, partnerId: string, pos: string[]): Promise<string[]> {
  if (pos.length === 0) return []
  const rows = await sql<{ po_number: string }[]>`select po_number from erp_purchase_orders
    where po_number = any(${pos}) and supplier_id <> ${partnerId}`
  return rows.map((r) => r.po_number)
}

export function submitHandler(ctx: HttpContext, spec: SubmitSpec, routeLimit: number) {
  return async (c: Context<PartnerEnv>) => {
    const partnerId = c.get('partnerId')
    const declared = Number(c.req.header('content-length') ?? 0)
    if (declared > routeLimit) return problem(413, 'Payload Too Large', `${spec.path} accepts at most ${routeLimit} bytes`)
    const raw = Buffer.from(await c.req.arrayBuffer())
    if (raw.length > routeLimit) return problem(413, 'Payload Too Large', `${spec.path} accepts at most ${routeLimit} bytes`)
    const key = c.req.header('idempotency-key')
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      return problem(400, 'Bad Request', 'Idempotency-Key must be 1-200 visible ASCII characters', { type: 'urn:edi-gateway:problem:idempotency_key' })
    }
    let body: unknown
    try {
      body = JSON.parse(raw.toString('utf8'))
    } catch (e) {
      return problem(400, 'Malformed JSON', (e as Error).message.slice(0, 200), { type: 'urn:edi-gateway:problem:malformed_json' })
    }
    const parsed = spec.schema.safeParse(body)
    if (!parsed.success) return validationProblem(parsed.error)
    // Another supplier's PO is answered exactly like a PO that does not exist (202, then
    // po_not_found while it waits): a different answer would tell a supplier which PO numbers
    // exist for others. Matching only ever reads the caller's own POs (pipeline/match.ts).
    const foreign = await foreignPos(ctx.sql, partnerId, poNumbersOf(spec, body))
    if (foreign.length) ctx.log.warn('api submit names purchase orders of another supplier', { partnerId, docType: spec.docType, foreignPos: foreign.length })
    const receipt = await ctx.receive({
      transport: 'http',
      partnerId,
      externalId: key ?? newId('api'),
      contentType: 'application/json',
      filename: `${spec.docType}.json`,
      meta: { docType: spec.docType, version: 'v1', shape: spec.shape, endpoint: spec.path },
      body: raw,
    })
    if (receipt.duplicate) {
      if (receipt.sha256 !== sha256(raw)) {
        return problem(409, 'Conflict', 'this Idempotency-Key was already used with a different request body', {
          type: 'urn:edi-gateway:problem:idempotency_conflict',
          transactionId: receipt.messageId,
        })
      }
      c.header('idempotent-replayed', 'true')
    } else {
      ctx.log.info('api submit', { messageId: receipt.messageId, partnerId, docType: spec.docType, size: raw.length })
    }
    c.header('location', `/api/v1/transactions/${receipt.messageId}`)
    return c.json({ transactionId: receipt.messageId }, 202)
  }
}
