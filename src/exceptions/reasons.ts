/**
 * Business exceptions: the queue people work. Each reason is data discriminated by `code`
 * (never renamed; retired codes stay, marked @deprecated). The REASONS table gives each code its
 * queue, severity and whether a replay can help; `satisfies` makes a missing row a compile error.
 * Human text lives in render.ts.
 */
import type { AckKind } from '../edi/ack-answers.ts'
import type { EdiIssue } from '../edi/issues.ts'
import type { Standard } from '../edi/types.ts'
import type { SerializedError } from '../lib/errors.ts'

export type ExceptionReason =
  | { code: 'envelope_unreadable'; detail: string }
  | { code: 'unknown_partner'; standard: Standard | 'json' | 'unknown'; qualifier?: string; senderId: string }
  | { code: 'partner_mismatch'; expected: string; actual: string }
  | { code: 'partner_disabled'; partnerId: string }
  | { code: 'duplicate_interchange'; controlNumber: string; firstSeenAt: string; firstMessageId: string }
  | { code: 'duplicate_transaction'; controlNumber: string; firstMessageId: string }
  | {
      code: 'duplicate_document'
      businessKey: string
      firstDocumentId: string
      sameContent: boolean
      /** Filled in when opened (db/exceptions.ts): the document as the buyer knows it. */
      docKind?: MatchDocRef['kind']
      number?: string
      supplierId?: string
      poNumber?: string
      firstReceivedAt?: string
    }
  | { code: 'test_indicator'; policy: string }
  | { code: 'message_invalid'; docType: string; controlNumber: string; issues: EdiIssue[] }
  | { code: 'no_map'; partnerId: string; direction: 'in' | 'out'; standard: string; version: string; docType: string }
  | { code: 'canonical_invalid'; mapId: string; issues: { path: string; message: string; source?: string }[] }
  /**
   * An outbound document the partner's standard cannot carry as it is: a delimiter inside a
   * value of an X12 document (no release character), without `x12.replaceDelimitersWith`.
   * `reference` names it (PO number, shipment).
   */
  | { code: 'document_unwritable'; partnerId: string; standard: string; docType: string; reference: string; issues: { segment?: string; element?: number; value?: string; message: string }[] }
  | { code: 'ack_rejected'; ack: AckKind; controlNumber: string; notes: string[] }
  | { code: 'ack_overdue'; ack: string; controlNumber: string; sentAt: string; deadline: string }
  /**
   * A partner's ack names nothing we sent in its standard at its level (`reference`: GS06 for
   * 997/999, ISA13 for TA1, UNB 0020 for CONTRL; `messages`: the ST02 / UNH 0062 it lists).
   */
  | { code: 'ack_unmatched'; partnerId: string; ack: AckKind; standard: 'x12' | 'edifact'; reference: string; messages: string[] }
  | { code: 'mdn_negative'; messageId: string; disposition: string }
  | { code: 'mdn_overdue'; messageId: string; sentAt: string }
  | { code: 'delivery_failed'; transport: string; destination: string; attempts: number; lastError: string }
  | { code: 'stage_failed'; stage: string; attempts: number; error: SerializedError }
  | { code: 'certificate_expiring'; partnerId: string; file: string; notAfter: string }
  | { code: 'sftp_host_key_changed'; partnerId: string; host: string; expected: string; actual: string }
  | { code: 'file_rejected'; filename: string; detail: string }
  // ── AS2 inbound refusals (src/transports/as2/receive.ts, docs/as2-security.md) ──────────────
  /** The same signed content (fingerprint) arrived again under a new Message-ID: not processed. */
  | { code: 'as2_replay'; partnerId: string; messageId: string; firstMessageId: string; firstSeenAt: string; fingerprint: string }
  /** A message exceeded a resource limit (ASN.1 elements/depth, inflated size, worker heap or time). */
  | { code: 'as2_limit_exceeded'; partnerId: string; messageId: string; detail: string }
  // Parse stage: a payload over MAX_PAYLOAD_BYTES (bytes as decimal strings).
  | { code: 'payload_too_large'; size: string; limit: string }
  // ── matching (src/matching): documents vs the ERP's open purchase orders ──────────────────
  // Quantities and money are decimal strings; `line` is the document's own line, `poLineNo` the
  // PO line it correlated to, `doc` names the document so a person can find it.
  | { code: 'po_not_found'; doc: MatchDocRef; poNumber: string }
  | { code: 'po_closed'; doc: MatchDocRef; poNumber: string; poLineNo?: string; status: 'closed' | 'cancelled' }
  /** The item's identifiers as sent (buyer part, vendor part, GTIN) are stored with it. */
  | ({ code: 'line_unknown'; doc: MatchDocRef; poNumber: string; line: string; poLineNo: string; source?: string } & MatchItemIds)
  | ({ code: 'item_unknown'; doc: MatchDocRef; poNumber: string; line: string; source?: string } & MatchItemIds)
  | {
      code: 'item_substituted'
      doc: MatchDocRef
      poNumber: string
      line: string
      poLineNo: string
      ordered: MatchItemIds
      actual: MatchItemIds
    }
  | {
      code: 'qty_out_of_tolerance'
      doc: MatchDocRef
      poNumber: string
      line: string
      poLineNo: string
      direction: 'over' | 'under'
      ordered: string
      actual: string
      uom: string
      /** Allowed deviation as configured, e.g. `5%` or `2` or `5% or 2`. */
      tolerance: string
      /** The quantity the tolerance allows up to (over) or down to (under). */
      limit: string
      source?: string
      /** ASN: the item as sent on the (first) ASN item counted, to name it in the text. */
      item?: MatchItemIds
    }
  | {
      code: 'qty_over_remaining'
      doc: MatchDocRef
      poNumber: string
      line: string
      poLineNo: string
      ordered: string
      shippedBefore: string
      /** Shipment ids of the earlier ASNs counted in `shippedBefore` (held ones included). */
      shippedOn?: string[]
      remaining: string
      actual: string
      uom: string
      tolerance: string
      limit: string
      source?: string
      /** ASN: the item as sent on the (first) ASN item counted, to name it in the text. */
      item?: MatchItemIds
    }
  | {
      code: 'price_mismatch'
      doc: MatchDocRef
      poNumber: string
      line: string
      poLineNo: string
      expected: string
      actual: string
      /** Per PO unit of measure (`uom`), in `currency`. */
      uom: string
      currency?: string
      tolerance: string
      source?: string
      /** Invoice: the invoiced quantity (PO unit) and what the difference costs in `currency`. */
      qty?: string
      /** Invoice price minus PO price per PO unit, signed. */
      priceDelta?: string
      /** `priceDelta` × `qty`, signed, two decimals: `48.00` over, `-12.00` under the PO. */
      atStake?: string
    }
  | {
      code: 'date_out_of_window'
      doc: MatchDocRef
      poNumber: string
      line?: string
      poLineNo?: string
      field: 'ship_date' | 'scheduled_ship_date' | 'scheduled_delivery_date' | 'delivery_date'
      /** The date compared with the window: an ASN's delivery date, or ship date + transit days. */
      date: string
      from: string
      to: string
      toleranceDays: number
      /** ASN without a delivery date: the ship date sent and the profile's transit days added. */
      shipDate?: string
      transitDays?: number
    }
  | {
      code: 'uom_unconvertible'
      doc: MatchDocRef
      poNumber: string
      line: string
      poLineNo: string
      from: string
      to: string
      packSize?: string
    }
  | {
      code: 'ack_line_rejected'
      doc: MatchDocRef
      poNumber: string
      line: string
      poLineNo?: string
      statusCode?: string
      reason?: string
    }
  | {
      code: 'ack_line_changed'
      doc: MatchDocRef
      poNumber: string
      line: string
      poLineNo: string
      changes: { field: 'qty' | 'price' | 'date' | 'item'; ordered: string; acked: string }[]
      statusCode?: string
    }
  | {
      code: 'ack_line_backordered'
      doc: MatchDocRef
      poNumber: string
      line: string
      poLineNo: string
      quantity: string
      uom: string
      scheduledShipDate?: string
    }
  // ── warehouse (src/matching/warehouse.ts): ASN structure the dock relies on ──────────────────
  | {
      code: 'sscc_invalid'
      doc: MatchDocRef
      sscc: string
      problem: 'length' | 'not_digits' | 'check_digit'
      expectedCheckDigit?: string
      path: string
      /** The PO of the order the pack ships against. */
      poNumber?: string
      /** The pack as a person counts it on the ASN: `carton 2`, `pallet 1` (1-based, in order). */
      pack?: string
    }
  | { code: 'sscc_reused'; doc: MatchDocRef; sscc: string; otherShipmentId: string; path: string }
  | {
      code: 'asn_tree_invalid'
      doc: MatchDocRef
      path: string
      problem: 'empty_order' | 'empty_pack' | 'item_without_qty' | 'carton_contains_pallet'
      poNumber?: string
    }
  | {
      code: 'pack_total_mismatch'
      doc: MatchDocRef
      path: string
      sscc?: string
      item: string
      declared: string
      contained: string
      uom: string
    }
  // ── invoice (src/matching/invoice.ts): 3-way match PO × receipts × invoice ──────────────────
  | {
      code: 'invoice_qty_over_shipped'
      doc: MatchDocRef
      poNumber: string
      line: string
      poLineNo: string
      invoiced: string
      invoicedBefore: string
      shipped: string
      uom: string
      source?: string
      /** Of this invoice's quantity, how much was never shipped, and what it bills for it. */
      notShipped?: string
      atStake?: string
      currency?: string
    }
  | {
      code: 'invoice_total_mismatch'
      doc: MatchDocRef
      poNumber: string
      lines: string
      charges: string
      allowances: string
      tax: string
      expected: string
      actual: string
      currency: string
    }
  | {
      code: 'invoice_line_amount_mismatch'
      doc: MatchDocRef
      poNumber: string
      line: string
      quantity: string
      unitPrice: string
      expected: string
      actual: string
      currency: string
    }
  | {
      code: 'invoice_duplicate'
      doc: MatchDocRef
      poNumber: string
      invoiceNumber: string
      supplierId: string
      /** ISO time the first copy was received, when known. */
      firstReceivedAt?: string
    }
  // ── documents we read but do not map (x12dict) ─────────────────────────────────────────────
  /**
   * A transaction set / message the gateway parses, validates and acknowledges but maps into no
   * canonical document for any partner (X12 860/865/846, EDIFACT ORDCHG/INVRPT ...): kept for a
   * person. Unlike `no_map` (this partner lacks a map others have), no map exists at all.
   */
  | { code: 'unsupported_document'; partnerId: string; standard: string; version: string; docType: string; controlNumber?: string }

/** The document a matching reason is about: `{ kind: 'asn', id: shipmentId }`. */
export interface MatchDocRef {
  kind: 'po_ack' | 'asn' | 'invoice' | 'purchase_order'
  id: string
}

/** Item identifiers as sent or as on the PO line (any may be missing). */
export interface MatchItemIds {
  buyerPart?: string
  vendorPart?: string
  gtin?: string
}

export type ExceptionCode = ExceptionReason['code']
export type Queue = 'edi' | 'onboarding' | 'matching' | 'warehouse' | 'delivery' | 'operations'

export interface ReasonMeta {
  queue: Queue
  severity: 'error' | 'warn' | 'info'
  /** A replay of the stage can succeed once data or config is fixed. */
  retryable: boolean
  title: string
}

export const REASONS = {
  envelope_unreadable: { queue: 'edi', severity: 'error', retryable: false, title: 'Unreadable interchange' },
  unknown_partner: { queue: 'onboarding', severity: 'error', retryable: true, title: 'Unknown sender' },
  partner_mismatch: { queue: 'onboarding', severity: 'error', retryable: true, title: 'Sender does not match the authenticated partner' },
  partner_disabled: { queue: 'onboarding', severity: 'error', retryable: true, title: 'Partner is disabled' },
  duplicate_interchange: { queue: 'edi', severity: 'warn', retryable: false, title: 'Duplicate interchange' },
  duplicate_transaction: { queue: 'edi', severity: 'warn', retryable: false, title: 'Duplicate transaction set' },
  duplicate_document: { queue: 'matching', severity: 'warn', retryable: false, title: 'Document resent' },
  test_indicator: { queue: 'edi', severity: 'warn', retryable: false, title: 'Test interchange from a live partner' },
  message_invalid: { queue: 'edi', severity: 'error', retryable: true, title: 'Invalid message' },
  no_map: { queue: 'onboarding', severity: 'error', retryable: true, title: 'No map for document' },
  canonical_invalid: { queue: 'edi', severity: 'error', retryable: true, title: 'Document incomplete after mapping' },
  document_unwritable: { queue: 'edi', severity: 'error', retryable: true, title: 'Outbound document cannot be written' },
  ack_rejected: { queue: 'edi', severity: 'error', retryable: false, title: 'Partner rejected our document' },
  ack_overdue: { queue: 'edi', severity: 'warn', retryable: false, title: 'Acknowledgement overdue' },
  ack_unmatched: { queue: 'edi', severity: 'warn', retryable: false, title: 'Acknowledgement for nothing we sent' },
  mdn_negative: { queue: 'delivery', severity: 'error', retryable: true, title: 'Negative MDN' },
  mdn_overdue: { queue: 'delivery', severity: 'warn', retryable: true, title: 'MDN overdue' },
  delivery_failed: { queue: 'delivery', severity: 'error', retryable: true, title: 'Delivery failed' },
  stage_failed: { queue: 'operations', severity: 'error', retryable: true, title: 'Processing failed' },
  certificate_expiring: { queue: 'operations', severity: 'warn', retryable: false, title: 'Certificate expiring' },
  sftp_host_key_changed: { queue: 'operations', severity: 'error', retryable: true, title: 'SFTP host key changed' },
  file_rejected: { queue: 'edi', severity: 'error', retryable: false, title: 'File rejected' },
  as2_replay: { queue: 'operations', severity: 'error', retryable: false, title: 'AS2 replay refused' },
  as2_limit_exceeded: { queue: 'operations', severity: 'warn', retryable: false, title: 'AS2 message over a resource limit' },
  payload_too_large: { queue: 'edi', severity: 'error', retryable: true, title: 'File too large' },
  po_not_found: { queue: 'matching', severity: 'warn', retryable: true, title: 'Purchase order not (yet) known' },
  po_closed: { queue: 'matching', severity: 'error', retryable: true, title: 'Purchase order closed or cancelled' },
  line_unknown: { queue: 'matching', severity: 'error', retryable: true, title: 'Unknown PO line' },
  item_unknown: { queue: 'matching', severity: 'error', retryable: true, title: 'Unknown item' },
  item_substituted: { queue: 'matching', severity: 'error', retryable: true, title: 'Item substituted' },
  qty_out_of_tolerance: { queue: 'matching', severity: 'error', retryable: true, title: 'Quantity outside tolerance' },
  qty_over_remaining: { queue: 'matching', severity: 'error', retryable: true, title: 'Shipped more than remains open' },
  price_mismatch: { queue: 'matching', severity: 'error', retryable: true, title: 'Price outside tolerance' },
  date_out_of_window: { queue: 'matching', severity: 'warn', retryable: true, title: 'Date outside the PO window' },
  uom_unconvertible: { queue: 'matching', severity: 'error', retryable: true, title: 'Unit of measure cannot be converted' },
  ack_line_rejected: { queue: 'matching', severity: 'error', retryable: false, title: 'Supplier rejected a PO line' },
  ack_line_changed: { queue: 'matching', severity: 'info', retryable: false, title: 'Supplier changed a PO line' },
  ack_line_backordered: { queue: 'matching', severity: 'info', retryable: false, title: 'PO line backordered' },
  sscc_invalid: { queue: 'warehouse', severity: 'error', retryable: false, title: 'Invalid SSCC' },
  sscc_reused: { queue: 'warehouse', severity: 'error', retryable: true, title: 'SSCC already on another open ASN' },
  asn_tree_invalid: { queue: 'warehouse', severity: 'error', retryable: false, title: 'Inconsistent ASN structure' },
  pack_total_mismatch: { queue: 'warehouse', severity: 'error', retryable: false, title: 'Pack total differs from its contents' },
  invoice_qty_over_shipped: { queue: 'matching', severity: 'error', retryable: true, title: 'Invoiced more than shipped' },
  invoice_total_mismatch: { queue: 'matching', severity: 'error', retryable: false, title: 'Invoice total does not add up' },
  invoice_line_amount_mismatch: { queue: 'matching', severity: 'error', retryable: false, title: 'Invoice line amount ≠ qty × price' },
  invoice_duplicate: { queue: 'matching', severity: 'error', retryable: false, title: 'Duplicate invoice number' },
  unsupported_document: { queue: 'edi', severity: 'warn', retryable: true, title: 'Document type not processed automatically' },
} as const satisfies Record<ExceptionCode, ReasonMeta>
