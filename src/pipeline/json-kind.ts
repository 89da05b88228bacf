/**
 * Which canonical document a JSON body carries, when the transport did not say (CLI ingest,
 * SFTP drop). SP-API vendor payloads are recognised by their top-level collection; other
 * suppliers may state `documentType`.
 */
// JSON document types are the names of the maps in maps/json-v1 (`<docType>.in.yaml`).
const BY_KEY: Record<string, string> = {
  acknowledgements: 'acknowledgement',
  shipmentConfirmations: 'shipment_confirmation',
  invoices: 'invoice',
}
const KINDS = new Set(['acknowledgement', 'shipment_confirmation', 'invoice', 'asn'])

export function jsonDocType(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined
  const o = body as Record<string, unknown>
  for (const k of ['documentType', 'docType', 'kind']) {
    const v = o[k]
    if (typeof v === 'string' && KINDS.has(v)) return v
  }
  for (const [key, kind] of Object.entries(BY_KEY)) if (Array.isArray(o[key])) return kind
  // The simple 3PL ASN shape (maps/json-v1/asn.in.yaml).
  if (typeof o.asnNumber === 'string' && Array.isArray(o.orders)) return 'asn'
  return undefined
}
