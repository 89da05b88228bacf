/** Small builders for matching tests: one ERP PO, canonical docs with minimal provenance. */
import type { Asn, AsnItem, AsnPack } from '../../src/canonical/asn.ts'
import type { Invoice, InvoiceLine } from '../../src/canonical/invoice.ts'
import type { PoAck, PoAckLine } from '../../src/canonical/po-ack.ts'
import type { ErpPoLine, ErpPurchaseOrder } from '../../src/erp/port.ts'
import { buildMatchContext } from '../../src/matching/context.ts'
import type { MatchContextInput } from '../../src/matching/context.ts'

export const PO_NO = '4500012345'

export function prov(docType: string, isa = '000000001') {
  return {
    partnerId: 'acme',
    standard: 'x12' as const,
    version: '004010',
    docType,
    interchangeControl: isa,
    test: false,
    fields: {},
  }
}

export function poLine(lineNo: string, over: Partial<ErpPoLine> = {}): ErpPoLine {
  return {
    lineNo,
    buyerPart: `BP-${lineNo}`,
    vendorPart: `VP-${lineNo}`,
    quantity: '100',
    uom: 'EA',
    unitPrice: '2.50',
    status: 'open',
    ...over,
  }
}

export function erpPo(over: Partial<ErpPurchaseOrder> = {}, lines?: ErpPoLine[]): ErpPurchaseOrder {
  return {
    poNumber: PO_NO,
    supplierId: 'acme',
    status: 'open',
    currency: 'USD',
    requestedDate: '2026-03-10',
    lines: lines ?? [poLine('1'), poLine('2'), poLine('3')],
    ...over,
  }
}

export const ctxOf = (input: Partial<MatchContextInput> = {}) =>
  buildMatchContext({ orders: [erpPo()], today: '2026-03-09', supplierId: 'acme', ...input })

export function item(
  poLineNo: string | undefined,
  qty: string,
  uom = 'EA',
  over: Partial<AsnItem> = {}
): AsnItem {
  return {
    ...(poLineNo ? { poLineNo } : {}),
    item: { buyerPart: `BP-${poLineNo ?? '1'}` },
    quantity: { value: qty, uom },
    ...over,
  }
}

export const carton = (
  sscc: string | undefined,
  items: AsnItem[],
  packs: AsnPack[] = []
): AsnPack => ({
  ...(sscc ? { sscc } : {}),
  type: 'carton',
  items,
  packs,
})
export const pallet = (
  sscc: string | undefined,
  packs: AsnPack[],
  items: AsnItem[] = []
): AsnPack => ({
  ...(sscc ? { sscc } : {}),
  type: 'pallet',
  items,
  packs,
})

export function asn(items: AsnItem[], over: Partial<Asn> = {}, poNumber = PO_NO): Asn {
  return {
    kind: 'asn',
    shipmentId: 'SH-0042',
    purpose: 'original',
    shipDate: '2026-03-10',
    parties: [],
    orders: [{ poNumber, packs: [], items }],
    provenance: prov('856'),
    ...over,
  }
}

export function ackLine(lineNo: string, over: Partial<PoAckLine> = {}): PoAckLine {
  return {
    lineNo,
    item: { buyerPart: `BP-${lineNo}` },
    status: 'accepted',
    quantity: { value: '100', uom: 'EA' },
    ...over,
  }
}

export function ack(lines: PoAckLine[], over: Partial<PoAck> = {}): PoAck {
  return {
    kind: 'po_ack',
    poNumber: PO_NO,
    ackNumber: 'ACK-1',
    status: 'accepted',
    parties: [],
    lines,
    provenance: prov('855'),
    ...over,
  }
}

export function invLine(
  lineNo: string,
  qty: string,
  price = '2.50',
  over: Partial<InvoiceLine> = {}
): InvoiceLine {
  return {
    lineNo,
    poLineNo: lineNo,
    item: { buyerPart: `BP-${lineNo}` },
    quantity: { value: qty, uom: 'EA' },
    unitPrice: { amount: price, currency: 'USD' },
    ...over,
  }
}

export function invoice(lines: InvoiceLine[], total: string, over: Partial<Invoice> = {}): Invoice {
  return {
    kind: 'invoice',
    invoiceNumber: 'INV-77',
    invoiceType: 'invoice',
    poNumber: PO_NO,
    currency: 'USD',
    parties: [],
    lines,
    chargesAllowances: [],
    total: { amount: total, currency: 'USD' },
    provenance: prov('810'),
    ...over,
  }
}

/** A valid SSCC-18 built from a 17-digit body (check digit computed independently here). */
export function sscc(body17: string): string {
  const digits = body17.split('').map(Number)
  let s = 0
  // weights 3,1,3,... starting at the rightmost body digit
  for (let i = 0; i < 17; i++) s += digits[16 - i] * (i % 2 === 0 ? 3 : 1)
  return body17 + String((10 - (s % 10)) % 10)
}

export const codes = (r: { reasons: { code: string }[] }): string[] => r.reasons.map((x) => x.code)
