/**
 * Warehouse deliveries of a matched (or released) ASN: as signed JSON to a webhook, as a JSON
 * file into a warehouse partner's SFTP mailbox, or as an outbound X12 856 to a warehouse
 * partner; and the retry, once a refusal's exception is resolved, for the destinations that have
 * no delivery yet.
 */
import type { PartnerProfile } from '../config/partner.ts'
import { allocateRanges } from '../db/control-numbers.ts'
import { dedupeKeyOf, openException } from '../db/exceptions.ts'
import { insertDeliveries, type DeliveryInsert, type DeliveryRequest } from '../db/lineage.ts'
import type { Q } from '../db/sql.ts'
import type { ExceptionReason } from '../exceptions/reasons.ts'
import { newId } from '../lib/ids.ts'
import type { PipelineDeps } from './deps.ts'
import type { DocRow } from './match.ts'
import { unwritable } from './outbound.ts'

/**
 * Only an ASN that passed matching and the warehouse checks goes to the warehouses: as signed
 * JSON to a webhook, as a JSON file into a warehouse partner's SFTP mailbox, or as an outbound
 * X12 856 to a warehouse partner over that partner's own outbound transport.
 */
export async function queueWarehouse(deps: PipelineDeps, q: Q, profile: PartnerProfile, row: DocRow, retry?: WarehouseRetry): Promise<number> {
  const shipment = row.business_key.replace(/^asn:/, '')
  const deliveries: DeliveryRequest[] = []
  // A retry opens its exceptions anew: a key is never reused, so the first refusal's (resolved)
  // would otherwise swallow the second.
  const open = (reason: ExceptionReason, refs: { documentId: string; partnerId: string }) =>
    openException(q, reason, refs, retry ? `${dedupeKeyOf(reason, refs)}:${retry.attempt}` : undefined)
  for (const dest of profile.warehouse.destinations) {
    const idempotencyKey = `${row.id}:${dest.name}`
    if (retry?.existing.has(idempotencyKey)) continue
    let delivery: DeliveryInsert
    if (dest.type === 'x12_856') {
      const target = deps.registry.get(dest.partner)
      const version = target?.x12?.version ?? '004010'
      const body = target ? deps.mapper.outbound(target, { standard: 'x12', version, docType: '856' }, row.doc) : undefined
      if (!target || !body?.ok || !deps.engines.x12?.write) {
        const reasons = body && !body.ok ? body.reasons : []
        const detail = !target ? `warehouse partner ${dest.partner} is not configured` : reasons.map((r) => r.code).join(', ') || 'no X12 writer'
        await open({ code: 'delivery_failed', transport: 'x12_856', destination: dest.name, attempts: 0, lastError: detail }, { documentId: row.id, partnerId: profile.id })
        continue
      }
      const written = await deps.engines.x12.write(target, '856', body.segments, (counts) => allocateRanges(q, target.id, counts))
      if (!written.ok) {
        await open(unwritable(target.id, 'x12', '856', shipment, written.issues), { documentId: row.id, partnerId: target.id })
        continue
      }
      delivery = {
        partnerId: target.id, kind: 'warehouse', docType: '856', parentTable: 'documents', parentId: row.id,
        destination: target.outbound, bytes: Buffer.from(written.text, 'latin1'),
        filename: `856-${shipment.replace(/[^A-Za-z0-9._-]/g, '_')}-${written.controlNumber}.x12`,
        contentType: 'application/edi-x12', controlNumber: written.controlNumber, idempotencyKey,
        // Its references, so the warehouse's 997/999 (or TA1) reconciles it (pipeline/acks.ts), and
        // the warehouse partner's ack deadline, after which it is overdue like any EDI we send.
        standard: 'x12', references: written.references,
        ackDeadline: target.x12 ? new Date(deps.now().getTime() + target.x12.ackDeadlineHours * 3_600_000) : null,
        receipt: { mapId: body.mapId, mapHash: body.mapHash, forPartner: profile.id },
      }
    } else {
      delivery = {
        partnerId: profile.id, kind: 'warehouse', docType: 'asn', parentTable: 'documents', parentId: row.id,
        destination: `${dest.type}:${dest.name}`, bytes: Buffer.from(JSON.stringify({ documentId: row.id, asn: row.doc })),
        filename: `asn-${shipment.replace(/[^A-Za-z0-9._-]/g, '_')}.json`, contentType: 'application/json', idempotencyKey,
      }
    }
    deliveries.push({ ...delivery, deliver: { partnerId: profile.id, documentId: row.id } })
  }
  // The deliveries and their deliver jobs in one statement, which the other ASNs matched now
  // share (insertDeliveries coalesces them).
  await insertDeliveries(q, deliveries)
  return deliveries.length
}

/** queueWarehouse once more for a matched ASN: the destinations it already has a delivery for are skipped. */
interface WarehouseRetry {
  existing: Set<string>
  /** Names this attempt in the keys of the exceptions it opens. */
  attempt: string
}

/**
 * A matched ASN whose warehouse delivery was refused (document_unwritable: the warehouse
 * partner's X12 cannot carry its data; delivery_failed: no such warehouse partner, or its map
 * failed): once that exception is resolved, the destinations without a delivery are tried again.
 * Still refused, a new exception opens. True when a delivery was queued.
 */
export async function resendToWarehouses(deps: PipelineDeps, q: Q, row: DocRow): Promise<boolean> {
  const profile = deps.registry.get(row.partner_id)
  if (row.test || !profile) return false
  const have = await q<{ key: string }[]>`select idempotency_key as key from deliveries
    where parent_table = 'documents' and parent_id = ${row.id} and kind = 'warehouse'`
  const queued = await queueWarehouse(deps, q, profile, row, { existing: new Set(have.map((h) => h.key)), attempt: newId('try') })
  if (queued > 0) deps.wake()
  return queued > 0
}
