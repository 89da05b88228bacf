/**
 * Correlate a document line (ack, ASN item, invoice line) to a PO line. First by the PO line
 * number the partner sent (PO101 / LIN 1082 echoed in ACK, SN1-less LIN, IT101), then by item
 * identity in the order the partner profile gives (`matching.itemKey`: buyer part, vendor part,
 * GTIN). When the line number hits a line whose item disagrees but an identifier finds another
 * line, the identifier wins: partners renumber lines far more often than they swap items.
 */
import type { ItemIds } from '../canonical/common.ts'
import type { MatchingConfig } from '../config/partner.ts'
import type { ErpPoLine, ErpPurchaseOrder } from '../erp/port.ts'
import type { MatchItemIds } from '../exceptions/reasons.ts'
import { normLineNo } from './context.ts'
import type { MatchedBy } from './result.ts'

type ItemKey = MatchingConfig['itemKey'][number]

export interface DocLine {
  poLineNo?: string
  item: ItemIds
}

export type Correlation =
  | {
      ok: true
      poLine: ErpPoLine
      matchedBy: MatchedBy
      /** Set when the line number matched but an identifier present on both sides differs. */
      substituted?: { ordered: MatchItemIds; actual: MatchItemIds }
      note?: string
    }
  | { ok: false; problem: 'line_unknown' | 'item_unknown' }

/** GTIN-8/12/13/14 and UPC compare as GTIN-14 (GS1 General Specifications §3.3.2: left-pad zeros). */
export const normGtin = (g: string): string => g.trim().replace(/^0+/, '').padStart(14, '0')

interface PoIndex {
  byLine: Map<string, ErpPoLine>
  buyer_part: Map<string, ErpPoLine>
  vendor_part: Map<string, ErpPoLine>
  gtin: Map<string, ErpPoLine>
}

// ERP orders are immutable inputs; indexing each once keeps a 100-line ASN at O(lines).
const cache = new WeakMap<ErpPurchaseOrder, PoIndex>()

function indexOf(po: ErpPurchaseOrder): PoIndex {
  let ix = cache.get(po)
  if (ix) return ix
  ix = { byLine: new Map(), buyer_part: new Map(), vendor_part: new Map(), gtin: new Map() }
  for (const l of po.lines) {
    ix.byLine.set(normLineNo(l.lineNo), l)
    // first line wins when a PO repeats an item on several lines (schedule lines)
    if (l.buyerPart && !ix.buyer_part.has(l.buyerPart.trim()))
      ix.buyer_part.set(l.buyerPart.trim(), l)
    if (l.vendorPart && !ix.vendor_part.has(l.vendorPart.trim()))
      ix.vendor_part.set(l.vendorPart.trim(), l)
    if (l.gtin && !ix.gtin.has(normGtin(l.gtin))) ix.gtin.set(normGtin(l.gtin), l)
  }
  cache.set(po, ix)
  return ix
}

/** The value of one identifier on a document item (UPC counts as GTIN). */
function docKey(item: ItemIds, key: ItemKey): string | undefined {
  if (key === 'buyer_part') return item.buyerPart?.trim() || undefined
  if (key === 'vendor_part') return item.vendorPart?.trim() || undefined
  const g = item.gtin ?? item.upc
  return g ? normGtin(g) : undefined
}

function poKey(line: ErpPoLine, key: ItemKey): string | undefined {
  if (key === 'buyer_part') return line.buyerPart?.trim() || undefined
  if (key === 'vendor_part') return line.vendorPart?.trim() || undefined
  return line.gtin ? normGtin(line.gtin) : undefined
}

const ALL_KEYS: ItemKey[] = ['buyer_part', 'vendor_part', 'gtin']

export const itemIdsOf = (x: ItemIds | ErpPoLine): MatchItemIds => ({
  ...(x.buyerPart ? { buyerPart: x.buyerPart } : {}),
  ...(x.vendorPart ? { vendorPart: x.vendorPart } : {}),
  ...(x.gtin ? { gtin: x.gtin } : 'upc' in x && x.upc ? { gtin: x.upc } : {}),
})

/** An identifier present on both sides that differs. */
function conflicts(doc: ItemIds, line: ErpPoLine): boolean {
  return ALL_KEYS.some((k) => {
    const a = docKey(doc, k)
    const b = poKey(line, k)
    return a !== undefined && b !== undefined && a !== b
  })
}

function byItem(
  ix: PoIndex,
  item: ItemIds,
  order: readonly ItemKey[]
): { line: ErpPoLine; key: ItemKey } | undefined {
  for (const k of order) {
    const v = docKey(item, k)
    const hit = v === undefined ? undefined : ix[k].get(v)
    if (hit) return { line: hit, key: k }
  }
  return undefined
}

/**
 * Find the PO line for a document line and say how it was found.
 *
 * @example correlate({ poLineNo: '0003', item: { buyerPart: 'A-1' } }, po, ['buyer_part', 'gtin'])
 */
export function correlate(
  doc: DocLine,
  po: ErpPurchaseOrder,
  itemKey: readonly ItemKey[]
): Correlation {
  const ix = indexOf(po)
  const byNo = doc.poLineNo ? ix.byLine.get(normLineNo(doc.poLineNo)) : undefined
  if (byNo && !conflicts(doc.item, byNo)) return { ok: true, poLine: byNo, matchedBy: 'line_no' }
  const found = byItem(ix, doc.item, itemKey)
  if (found && !conflicts(doc.item, found.line)) {
    const note = doc.poLineNo
      ? `line ${doc.poLineNo} ${byNo ? 'holds another item' : 'is not on the PO'}; matched PO line ${found.line.lineNo} by ${found.key}`
      : `matched PO line ${found.line.lineNo} by ${found.key}`
    return { ok: true, poLine: found.line, matchedBy: found.key, note }
  }
  if (byNo) {
    return {
      ok: true,
      poLine: byNo,
      matchedBy: 'line_no',
      substituted: { ordered: itemIdsOf(byNo), actual: itemIdsOf(doc.item) },
    }
  }
  if (found) {
    // Same buyer/vendor part but e.g. another GTIN: the supplier shipped a variant.
    const substituted = { ordered: itemIdsOf(found.line), actual: itemIdsOf(doc.item) }
    return { ok: true, poLine: found.line, matchedBy: found.key, substituted }
  }
  // A line number that does not exist is the more specific problem than an unknown item.
  return { ok: false, problem: doc.poLineNo ? 'line_unknown' : 'item_unknown' }
}
