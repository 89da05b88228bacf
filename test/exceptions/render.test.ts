import { describe, expect, it } from 'vitest'
import { explain } from '../../src/exceptions/render.ts'
import { REASONS } from '../../src/exceptions/reasons.ts'
import type { ExceptionCode, ExceptionReason } from '../../src/exceptions/reasons.ts'

const asn = { kind: 'asn' as const, id: '0042' }
const inv = { kind: 'invoice' as const, id: 'INV-9' }
const ack = { kind: 'po_ack' as const, id: 'A-1' }
const PO = '4500012345'

/** One sample per code; the mapped type makes a missing code a compile error. */
const SAMPLES: { [K in ExceptionCode]: Extract<ExceptionReason, { code: K }> } = {
  envelope_unreadable: { code: 'envelope_unreadable', detail: 'no ISA at byte 0' },
  unknown_partner: { code: 'unknown_partner', standard: 'x12', qualifier: 'ZZ', senderId: 'ACME' },
  partner_mismatch: { code: 'partner_mismatch', expected: 'acme', actual: 'globex' },
  partner_disabled: { code: 'partner_disabled', partnerId: 'acme' },
  duplicate_interchange: {
    code: 'duplicate_interchange',
    controlNumber: '000000101',
    firstSeenAt: '2026-03-01T10:00:00Z',
    firstMessageId: 'm1',
  },
  duplicate_transaction: {
    code: 'duplicate_transaction',
    controlNumber: '0001',
    firstMessageId: 'm1',
  },
  duplicate_document: {
    code: 'duplicate_document',
    businessKey: 'inv:INV-9',
    firstDocumentId: 'd1',
    sameContent: true,
  },
  test_indicator: { code: 'test_indicator', policy: 'reject' },
  message_invalid: { code: 'message_invalid', docType: '856', controlNumber: '0001', issues: [] },
  unsupported_document: { code: 'unsupported_document', partnerId: 'acme', standard: 'x12', version: '004010', docType: '860', controlNumber: '0001' },
  no_map: {
    code: 'no_map',
    partnerId: 'acme',
    direction: 'in',
    standard: 'x12',
    version: '004010',
    docType: '856',
  },
  canonical_invalid: {
    code: 'canonical_invalid',
    mapId: 'x12-004010/856.in',
    issues: [{ path: 'shipmentId', message: 'required', source: 'BSN/02' }],
  },
  document_unwritable: {
    code: 'document_unwritable',
    partnerId: 'demo-x12-supplier',
    standard: 'x12',
    docType: '850',
    reference: PO,
    issues: [{ segment: 'PID', element: 5, value: 'Bolt 3*4', message: "PID05 'Bolt 3*4' contains the delimiter '*' (X12 cannot escape it)" }],
  },
  ack_rejected: { code: 'ack_rejected', ack: '997', controlNumber: '0001', notes: ['AK5*R'] },
  ack_overdue: {
    code: 'ack_overdue',
    ack: '997',
    controlNumber: '0001',
    sentAt: '2026-03-01',
    deadline: '2026-03-02',
  },
  ack_unmatched: {
    code: 'ack_unmatched',
    partnerId: 'acme',
    ack: '997',
    standard: 'x12',
    reference: '4711',
    messages: ['0001'],
  },
  mdn_negative: {
    code: 'mdn_negative',
    messageId: '<m@x>',
    disposition: 'processed/error: decryption-failed',
  },
  mdn_overdue: { code: 'mdn_overdue', messageId: '<m@x>', sentAt: '2026-03-01' },
  delivery_failed: {
    code: 'delivery_failed',
    transport: 'http',
    destination: 'https://wh.example',
    attempts: 5,
    lastError: '503',
  },
  stage_failed: {
    code: 'stage_failed',
    stage: 'match',
    attempts: 3,
    error: { name: 'Error', message: 'db down' },
  },
  certificate_expiring: {
    code: 'certificate_expiring',
    partnerId: 'acme',
    file: 'certs/acme/as2.pem',
    notAfter: '2026-04-01',
  },
  sftp_host_key_changed: {
    code: 'sftp_host_key_changed',
    partnerId: 'acme',
    host: 'sftp.acme',
    expected: 'SHA256:a',
    actual: 'SHA256:b',
  },
  file_rejected: { code: 'file_rejected', filename: 'x.edi', detail: 'too large' },
  as2_replay: {
    code: 'as2_replay',
    partnerId: 'acme',
    messageId: '<b@acme>',
    firstMessageId: '<a@acme>',
    firstSeenAt: '2026-01-01T00:00:00.000Z',
    fingerprint: 'ab12',
  },
  as2_limit_exceeded: { code: 'as2_limit_exceeded', partnerId: 'acme', messageId: '<c@acme>', detail: 'too many ASN.1 elements' },
  payload_too_large: { code: 'payload_too_large', size: '3221225472', limit: '2147483648' },
  po_not_found: { code: 'po_not_found', doc: asn, poNumber: PO },
  po_closed: { code: 'po_closed', doc: asn, poNumber: PO, status: 'cancelled' },
  line_unknown: {
    code: 'line_unknown',
    doc: asn,
    poNumber: PO,
    line: '3',
    poLineNo: '9',
    source: 'LIN*3',
  },
  item_unknown: { code: 'item_unknown', doc: asn, poNumber: PO, line: '3', buyerPart: '884421' },
  item_substituted: {
    code: 'item_substituted',
    doc: asn,
    poNumber: PO,
    line: '3',
    poLineNo: '3',
    ordered: { buyerPart: 'A' },
    actual: { buyerPart: 'B' },
  },
  qty_out_of_tolerance: {
    code: 'qty_out_of_tolerance',
    doc: ack,
    poNumber: PO,
    line: '2',
    poLineNo: '2',
    direction: 'under',
    ordered: '100',
    actual: '80',
    uom: 'EA',
    tolerance: '10%',
    limit: '90',
  },
  qty_over_remaining: {
    code: 'qty_over_remaining',
    doc: asn,
    poNumber: PO,
    line: '3',
    poLineNo: '3',
    ordered: '100',
    shippedBefore: '0',
    remaining: '100',
    actual: '130',
    uom: 'EA',
    tolerance: '5%',
    limit: '105',
    source: 'HL*7 SN1**130*EA',
  },
  price_mismatch: {
    code: 'price_mismatch',
    doc: inv,
    poNumber: PO,
    line: '1',
    poLineNo: '1',
    expected: '2.5',
    actual: '2.6',
    uom: 'EA',
    currency: 'USD',
    tolerance: '1%',
  },
  date_out_of_window: {
    code: 'date_out_of_window',
    doc: asn,
    poNumber: PO,
    field: 'ship_date',
    date: '2026-03-20',
    from: '2026-03-10',
    to: '2026-03-12',
    toleranceDays: 2,
  },
  uom_unconvertible: {
    code: 'uom_unconvertible',
    doc: asn,
    poNumber: PO,
    line: '1',
    poLineNo: '1',
    from: 'CS',
    to: 'EA',
  },
  ack_line_rejected: {
    code: 'ack_line_rejected',
    doc: ack,
    poNumber: PO,
    line: '4',
    poLineNo: '4',
    statusCode: 'IR',
    reason: 'discontinued',
  },
  ack_line_changed: {
    code: 'ack_line_changed',
    doc: ack,
    poNumber: PO,
    line: '4',
    poLineNo: '4',
    changes: [{ field: 'qty', ordered: '100 EA', acked: '96 EA' }],
  },
  ack_line_backordered: {
    code: 'ack_line_backordered',
    doc: ack,
    poNumber: PO,
    line: '4',
    poLineNo: '4',
    quantity: '20',
    uom: 'EA',
    scheduledShipDate: '2026-04-01',
  },
  sscc_invalid: {
    code: 'sscc_invalid',
    doc: asn,
    sscc: '006141411234567891',
    problem: 'check_digit',
    expectedCheckDigit: '0',
    path: 'orders.0.packs.0',
  },
  sscc_reused: {
    code: 'sscc_reused',
    doc: asn,
    sscc: '006141411234567890',
    otherShipmentId: '0031',
    path: 'orders.0.packs.0',
  },
  asn_tree_invalid: {
    code: 'asn_tree_invalid',
    doc: asn,
    path: 'orders.0.packs.2',
    problem: 'empty_pack',
  },
  pack_total_mismatch: {
    code: 'pack_total_mismatch',
    doc: asn,
    path: 'orders.0.packs.0',
    sscc: '006141411234567890',
    item: 'gtin:00012345678905',
    declared: '30',
    contained: '24',
    uom: 'EA',
  },
  invoice_qty_over_shipped: {
    code: 'invoice_qty_over_shipped',
    doc: inv,
    poNumber: PO,
    line: '1',
    poLineNo: '1',
    invoiced: '12',
    invoicedBefore: '2',
    shipped: '10',
    uom: 'EA',
  },
  invoice_total_mismatch: {
    code: 'invoice_total_mismatch',
    doc: inv,
    poNumber: PO,
    lines: '100',
    charges: '5',
    allowances: '2',
    tax: '0',
    expected: '103',
    actual: '104',
    currency: 'USD',
  },
  invoice_line_amount_mismatch: {
    code: 'invoice_line_amount_mismatch',
    doc: inv,
    poNumber: PO,
    line: '1',
    quantity: '3',
    unitPrice: '19.99',
    expected: '59.97',
    actual: '59.98',
    currency: 'USD',
  },
  invoice_duplicate: {
    code: 'invoice_duplicate',
    doc: inv,
    poNumber: PO,
    invoiceNumber: 'INV-9',
    supplierId: 'acme',
  },
}

describe('explain', () => {
  it('has a sample for every code in REASONS', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(Object.keys(REASONS).sort())
  })
  for (const [code, reason] of Object.entries(SAMPLES)) {
    it(`${code}: one complete sentence naming the document and PO`, () => {
      const text = explain(reason as ExceptionReason)
      expect(text).toMatch(/^[A-Z].*[.]$/)
      expect(text).not.toMatch(/undefined|\[object|NaN/)
      if ('poNumber' in reason) expect(text).toContain(PO)
      if ('doc' in reason) expect(text).toContain(reason.doc.id)
    })
  }
  it('the buyer-facing example reads as intended', () => {
    expect(explain(SAMPLES.qty_over_remaining)).toBe(
      'ASN 0042 item 3 for PO line 3 of PO 4500012345: shipped 130 EA but only 100 EA remain open (ordered 100, shipped before 0; tolerance +5% allows 105 EA); source HL*7 SN1**130*EA.'
    )
    expect(explain(SAMPLES.sscc_invalid)).toBe(
      'ASN 0042: SSCC 006141411234567891 at orders.0.packs.0 is invalid (check digit should be 0); the dock cannot scan it.'
    )
    expect(explain(SAMPLES.po_not_found)).toContain('re-matched when the PO arrives')
  })
})
