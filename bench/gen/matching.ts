/**
 * Deterministic data for the matching benchmark: open ERP purchase orders and 100-line ASNs
 * packed in cartons with valid SSCCs. Seeded (mulberry32), so every run matches the same input.
 */
import type { Asn, AsnPack } from '../../src/canonical/asn.ts'
import type { ErpPurchaseOrder } from '../../src/erp/port.ts'
import { gs1CheckDigit } from '../../src/matching/sscc.ts'

/** The shared seeded PRNG (prng.ts) under the name this module's callers use. */
export { prng as rng } from './prng.ts'

export const poNumberOf = (i: number): string => `45${String(i).padStart(8, '0')}`

/** `orders` POs of `linesPerPo` lines each; every line 120 EA at a price with cents. */
export function openOrders(orders: number, linesPerPo: number): ErpPurchaseOrder[] {
  const out: ErpPurchaseOrder[] = []
  for (let i = 0; i < orders; i++) {
    const lines = []
    for (let l = 1; l <= linesPerPo; l++) {
      lines.push({
        lineNo: String(l),
        buyerPart: `BP${i}-${l}`,
        vendorPart: `VP${i}-${l}`,
        quantity: '120',
        uom: 'EA',
        unitPrice: `${(l % 50) + 1}.99`,
        packSize: '12',
        status: 'open' as const,
      })
    }
    out.push({
      poNumber: poNumberOf(i),
      supplierId: 'bench',
      status: 'open',
      currency: 'USD',
      requestedDate: '2026-03-10',
      lines,
    })
  }
  return out
}

let serial = 0
function nextSscc(): string {
  const body = `1061414${String(serial++).padStart(10, '0')}`
  return body + gs1CheckDigit(body)
}

/**
 * A 100-line ASN over `posPerAsn` random POs: each line ships 5 cases of 12 (60 EA, half the
 * line), some by line number, some by buyer part only, in cartons of 4 lines.
 */
export function asnFor(
  n: number,
  rand: () => number,
  orders: number,
  linesPerPo: number,
  posPerAsn = 2
): Asn {
  const perPo = Math.ceil(100 / posPerAsn)
  const asnOrders = []
  for (let p = 0; p < posPerAsn; p++) {
    const po = Math.floor(rand() * orders)
    const start = Math.floor(rand() * Math.max(1, linesPerPo - perPo))
    const packs: AsnPack[] = []
    for (let l = 0; l < perPo; l += 4) {
      const items = []
      for (let k = l; k < Math.min(l + 4, perPo); k++) {
        const lineNo = start + (k % linesPerPo) + 1
        items.push({
          ...(k % 3 === 0 ? {} : { poLineNo: String(lineNo).padStart(4, '0') }),
          item: { buyerPart: `BP${po}-${lineNo}` },
          quantity: { value: '5', uom: 'CS' },
          packSize: '12',
        })
      }
      packs.push({ sscc: nextSscc(), type: 'carton', items, packs: [] })
    }
    asnOrders.push({ poNumber: poNumberOf(po), packs, items: [] })
  }
  return {
    kind: 'asn',
    shipmentId: `SH${n}`,
    purpose: 'original',
    shipDate: '2026-03-10',
    parties: [],
    orders: asnOrders,
    provenance: {
      partnerId: 'bench',
      standard: 'x12',
      version: '004010',
      docType: '856',
      test: false,
      fields: {},
    },
  }
}
