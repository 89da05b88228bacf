/**
 * The default ErpPort: open purchase orders in the gateway's own tables (erp_purchase_orders,
 * erp_po_lines) and an outbox of ERP events (erp_events) read by ERP consumers with a cursor.
 * This is the one ERP adapter that uses our database directly, because it IS our database.
 */
import type { Q } from './sql.ts'
import { newId } from '../lib/ids.ts'
import type { ErpEvent, ErpPoLine, ErpPort, ErpPurchaseOrder } from '../erp/port.ts'

interface PoRow {
  po_number: string
  supplier_id: string
  status: ErpPurchaseOrder['status']
  currency: string
  ship_to: string | null
  requested_date: string | null
}
interface LineRow {
  po_number: string
  line_no: string
  buyer_part: string | null
  vendor_part: string | null
  gtin: string | null
  quantity: string
  uom: string
  unit_price: string | null
  pack_size: string | null
  requested_date: string | null
  status: ErpPoLine['status']
}

const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v)

// Same order as localeCompare(b, undefined, { numeric: true }), without building a collator per call.
const byLineNo = new Intl.Collator(undefined, { numeric: true }).compare

function toOrder(po: PoRow, lines: LineRow[]): ErpPurchaseOrder {
  return {
    poNumber: po.po_number,
    supplierId: po.supplier_id,
    status: po.status,
    currency: po.currency,
    shipTo: opt(po.ship_to),
    requestedDate: opt(po.requested_date),
    lines: lines
      .sort((a, b) => byLineNo(a.line_no, b.line_no))
      .map((l) => ({
        lineNo: l.line_no,
        buyerPart: opt(l.buyer_part),
        vendorPart: opt(l.vendor_part),
        gtin: opt(l.gtin),
        quantity: l.quantity,
        uom: l.uom,
        unitPrice: opt(l.unit_price),
        packSize: opt(l.pack_size),
        requestedDate: opt(l.requested_date),
        status: l.status,
      })),
  }
}

export interface TablesErp extends ErpPort {
  /** Events after `afterSeq`, for the pull endpoint. */
  events(afterSeq: number, limit: number): Promise<{ seq: number; event: ErpEvent & { id: string; createdAt: Date; test: boolean } }[]>
}

export function createTablesErp(q: Q): TablesErp {
  async function load(poNumbers: readonly string[]): Promise<Map<string, ErpPurchaseOrder>> {
    const out = new Map<string, ErpPurchaseOrder>()
    if (poNumbers.length === 0) return out
    // Both queries in one round trip (pipelined on the connection): a line always belongs to an
    // existing PO (foreign key), so selecting lines by the requested numbers finds the same rows.
    // One index probe per PO number, whatever the statistics: a list (`in (…)` or `= any(…)`)
    // was planned as a sequential scan of every PO line while the tables had no statistics yet
    // (after an import, before autovacuum analyses them, or with autovacuum off), per match.
    const keys = [...new Set(poNumbers)]
    const [pos, lines] = await Promise.all([
      q<PoRow[]>`select o.* from unnest(${keys}::text[]) as k(po)
        cross join lateral (select * from erp_purchase_orders where po_number = k.po offset 0) o`,
      q<LineRow[]>`select l.* from unnest(${keys}::text[]) as k(po)
        cross join lateral (select * from erp_po_lines where po_number = k.po offset 0) l`,
    ])
    const byPo = new Map<string, LineRow[]>()
    for (const l of lines) {
      const list = byPo.get(l.po_number)
      if (list) list.push(l)
      else byPo.set(l.po_number, [l])
    }
    for (const p of pos) out.set(p.po_number, toOrder(p, byPo.get(p.po_number) ?? []))
    return out
  }
  return {
    findOrders: load,
    async listOpenOrders(supplierId, page) {
      const rows = await q<PoRow[]>`select * from erp_purchase_orders
        where supplier_id = ${supplierId} and status = 'open' and po_number > ${page.after ?? ''}
        order by po_number limit ${page.limit + 1}`
      const pageRows = rows.slice(0, page.limit)
      const map = await load(pageRows.map((r) => r.po_number))
      return {
        items: pageRows.map((r) => map.get(r.po_number)!),
        next: rows.length > page.limit ? pageRows[pageRows.length - 1].po_number : undefined,
      }
    },
    async upsertOrders(orders) {
      let inserted = 0
      let updated = 0
      const created: string[] = []
      for (const o of orders) {
        const [r] = await q<{ inserted: boolean }[]>`
          insert into erp_purchase_orders (po_number, supplier_id, status, currency, ship_to, requested_date)
          values (${o.poNumber}, ${o.supplierId}, ${o.status}, ${o.currency}, ${o.shipTo ?? null}, ${o.requestedDate ?? null})
          on conflict (po_number) do update set supplier_id = excluded.supplier_id, status = excluded.status,
            currency = excluded.currency, ship_to = excluded.ship_to, requested_date = excluded.requested_date,
            updated_at = now()
          returning (xmax = 0) as inserted`
        if (r.inserted) {
          inserted++
          created.push(o.poNumber)
        } else updated++
        // Re-import replaces the line set: a line missing from the new import no longer exists.
        await q`delete from erp_po_lines where po_number = ${o.poNumber}`
        for (const l of o.lines) {
          await q`insert into erp_po_lines (po_number, line_no, buyer_part, vendor_part, gtin, quantity, uom,
              unit_price, pack_size, requested_date, status)
            values (${o.poNumber}, ${l.lineNo}, ${l.buyerPart ?? null}, ${l.vendorPart ?? null}, ${l.gtin ?? null},
              ${l.quantity}, ${l.uom}, ${l.unitPrice ?? null}, ${l.packSize ?? null}, ${l.requestedDate ?? null}, ${l.status})`
        }
      }
      return { inserted, updated, created }
    },
    async publish(e: ErpEvent & { test?: boolean }) {
      await q`insert into erp_events (id, type, partner_id, po_number, document_id, payload, test)
        values (${newId('evt')}, ${e.type}, ${e.partnerId}, ${e.poNumber ?? null}, ${e.documentId},
          ${q.json(e.payload as never)}, ${e.test ?? false})`
    },
    async events(afterSeq, limit) {
      const rows = await q<{ seq: string; id: string; type: ErpEvent['type']; partner_id: string; po_number: string | null;
        document_id: string; payload: Record<string, unknown>; test: boolean; created_at: Date }[]>`
        select * from erp_events where seq > ${afterSeq} and not test order by seq limit ${limit}`
      return rows.map((r) => ({
        seq: Number(r.seq),
        event: { id: r.id, type: r.type, partnerId: r.partner_id, poNumber: opt(r.po_number), documentId: r.document_id,
          payload: r.payload, createdAt: r.created_at, test: r.test },
      }))
    },
  }
}
