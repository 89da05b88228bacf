/**
 * ERP purchase-order import: CSV (one row per PO line) or JSON (the same fields, as an array of
 * rows or `{ "lines": [...] }`). Rows are validated with zod; errors name the row and the field
 * as the input spelled it.
 *
 *   CSV header:  po_number,line,supplier,buyer_part,vendor_part,gtin,quantity,uom,unit_price,currency,pack_size,ship_to,requested_date
 *   JSON fields: poNumber, line, supplier, buyerPart, vendorPart, gtin, quantity, uom, unitPrice, currency, packSize, shipTo, requestedDate, status
 *
 * JSON rows are camelCase like the rest of the API; the CSV column names are still accepted in
 * JSON as deprecated aliases (JSON files and ERP exports written before the API went camelCase).
 */
import { z } from 'zod'
import type { ErpPurchaseOrder } from './port.ts'

export const CSV_HEADER = [
  'po_number', 'line', 'supplier', 'buyer_part', 'vendor_part', 'gtin', 'quantity', 'uom', 'unit_price',
  'currency', 'pack_size', 'ship_to', 'requested_date',
] as const

const dec = z.string().trim().regex(/^\d+(\.\d+)?$/, 'must be a decimal number like 12 or 4.50')
const optText = z.string().trim().optional().transform((v) => (v ? v : undefined))
const optDec = z
  .union([z.number(), z.string()])
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : String(v).trim()))
  .pipe(dec.optional())

export const PoLineRow = z.strictObject({
  poNumber: z.string().trim().min(1),
  line: z.coerce.string().trim().min(1),
  supplier: z.string().trim().min(1),
  buyerPart: optText,
  vendorPart: optText,
  gtin: z.string().trim().regex(/^(\d{8}|\d{12,14})?$/, 'must be 8, 12, 13 or 14 digits').optional().transform((v) => (v ? v : undefined)),
  quantity: z.coerce.string().pipe(dec),
  uom: z.string().trim().min(1).max(8),
  unitPrice: optDec,
  currency: z.string().trim().regex(/^[A-Z]{3}$/).optional().transform((v) => v ?? 'USD'),
  packSize: optDec,
  shipTo: optText,
  requestedDate: z.string().trim().regex(/^(\d{4}-\d{2}-\d{2})?$/, 'must be YYYY-MM-DD').optional().transform((v) => (v ? v : undefined)),
  status: z.enum(['open', 'closed', 'cancelled']).optional(),
})
export type PoLineRow = z.infer<typeof PoLineRow>

/** CSV column (and deprecated JSON alias) → JSON field. */
const FROM_CSV: Record<string, string> = {
  po_number: 'poNumber', buyer_part: 'buyerPart', vendor_part: 'vendorPart', unit_price: 'unitPrice',
  pack_size: 'packSize', ship_to: 'shipTo', requested_date: 'requestedDate',
}

/**
 * A row with the CSV names turned into the JSON fields; `names` maps each field back to the name
 * the input used, so errors speak the input's language. Both spellings of one field is an error.
 */
function normalizeRow(input: unknown): { row: unknown; names: Map<string, string>; clash?: string } {
  const names = new Map<string, string>()
  if (!input || typeof input !== 'object' || Array.isArray(input)) return { row: input, names }
  const entries: [string, unknown][] = []
  for (const [k, v] of Object.entries(input)) {
    const field = Object.hasOwn(FROM_CSV, k) ? FROM_CSV[k] : k
    if (names.has(field)) return { row: input, names, clash: `${names.get(field)} and ${k} are the same field; give one` }
    names.set(field, k)
    entries.push([field, v])
  }
  // fromEntries defines own properties: a `__proto__` key stays a key (refused as unknown).
  return { row: Object.fromEntries(entries), names }
}

export interface ImportError {
  row: number
  field: string
  message: string
}

/** Minimal RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  const s = text.replace(/^\uFEFF/, '')
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(field)
      field = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++
      row.push(field)
      if (row.some((f) => f !== '')) rows.push(row)
      row = []
      field = ''
    } else field += c
  }
  row.push(field)
  if (row.some((f) => f !== '')) rows.push(row)
  return rows
}

function rowsFromCsv(text: string): { rows: Record<string, string>[]; errors: ImportError[] } {
  const [header, ...body] = parseCsv(text)
  if (!header) return { rows: [], errors: [{ row: 0, field: '', message: 'empty file' }] }
  const names = header.map((h) => h.trim().toLowerCase())
  const missing = CSV_HEADER.filter((h) => !names.includes(h) && ['po_number', 'line', 'supplier', 'quantity', 'uom'].includes(h))
  if (missing.length) {
    return { rows: [], errors: [{ row: 1, field: missing.join(','), message: `header is missing ${missing.join(', ')}; expected ${CSV_HEADER.join(',')}` }] }
  }
  return { rows: body.map((cells) => Object.fromEntries(names.map((n, i) => [n, cells[i] ?? '']))), errors: [] }
}

/** Parse CSV or JSON text into purchase orders grouped by PO number. */
export function parsePurchaseOrders(text: string, format: 'csv' | 'json'): { orders: ErpPurchaseOrder[]; errors: ImportError[] } {
  let raw: unknown[]
  const errors: ImportError[] = []
  if (format === 'json') {
    let data: unknown
    try {
      data = JSON.parse(text)
    } catch (e) {
      return { orders: [], errors: [{ row: 0, field: '', message: `invalid JSON: ${(e as Error).message}` }] }
    }
    raw = Array.isArray(data) ? data : Array.isArray((data as { lines?: unknown[] })?.lines) ? (data as { lines: unknown[] }).lines : []
    if (raw.length === 0) errors.push({ row: 0, field: '', message: 'expected an array of PO line rows or { "lines": [...] }' })
  } else {
    const r = rowsFromCsv(text)
    raw = r.rows
    errors.push(...r.errors)
  }
  const byPo = new Map<string, ErpPurchaseOrder>()
  raw.forEach((input, i) => {
    const rowNo = format === 'csv' ? i + 2 : i + 1
    // PostgreSQL text cannot hold U+0000: a field error, not a database error later.
    const nul = input && typeof input === 'object' ? Object.entries(input).find(([, v]) => typeof v === 'string' && v.includes('\u0000')) : undefined
    if (nul) {
      errors.push({ row: rowNo, field: nul[0], message: 'contains a NUL character (U+0000), which is not allowed' })
      return
    }
    const { row, names, clash } = normalizeRow(input)
    if (clash) {
      errors.push({ row: rowNo, field: '', message: clash })
      return
    }
    const parsed = PoLineRow.safeParse(row)
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const [head, ...rest] = issue.path.map(String)
        const field = head === undefined ? '' : [names.get(head) ?? head, ...rest].join('.')
        errors.push({ row: rowNo, field, message: issue.message })
      }
      return
    }
    const r = parsed.data
    let po = byPo.get(r.poNumber)
    if (!po) {
      po = { poNumber: r.poNumber, supplierId: r.supplier, status: 'open', currency: r.currency, shipTo: r.shipTo, requestedDate: r.requestedDate, lines: [] }
      byPo.set(r.poNumber, po)
    }
    if (r.status === 'closed' || r.status === 'cancelled') po.status = r.status
    if (po.supplierId !== r.supplier) errors.push({ row: rowNo, field: 'supplier', message: `PO ${r.poNumber} has lines for two suppliers` })
    if (po.lines.some((l) => l.lineNo === r.line)) errors.push({ row: rowNo, field: 'line', message: `line ${r.line} of PO ${r.poNumber} appears twice` })
    po.lines.push({
      lineNo: r.line, buyerPart: r.buyerPart, vendorPart: r.vendorPart, gtin: r.gtin, quantity: r.quantity, uom: r.uom.toUpperCase(),
      unitPrice: r.unitPrice, packSize: r.packSize, requestedDate: r.requestedDate, status: 'open',
    })
  })
  return { orders: [...byPo.values()], errors }
}
