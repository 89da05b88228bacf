/**
 * Which canonical document a JSON body carries, when the transport did not say (CLI ingest,
 * SFTP drop). SP-API vendor payloads are recognised by their top-level collection; other
 * suppliers may state `documentType`.
 */
const BY_KEY: Record<string, string> = {
  acknowledgements: 'po_ack',
  shipmentConfirmations: 'asn',
  shipConfirmations: 'asn',
  invoices: 'invoice',
  orders: 'purchase_order',
}
const KINDS = new Set(['po_ack', 'asn', 'invoice', 'purchase_order'])

export function jsonDocType(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined
  const o = body as Record<string, unknown>
  for (const k of ['documentType', 'docType', 'kind']) {
    const v = o[k]
    if (typeof v === 'string' && KINDS.has(v)) return v
  }
  for (const [key, kind] of Object.entries(BY_KEY)) if (Array.isArray(o[key])) return kind
  return undefined
}
