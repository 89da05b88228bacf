/**
 * What a match returns. `held` when any reason is above `info` severity (REASONS table); info
 * reasons (a backordered or changed-within-tolerance ack line) are kept for the ERP outbox but
 * never hold a document. `waitingFor` lists PO numbers that were not found: the pipeline parks
 * the document and re-runs the match when one of those POs arrives (order of arrival).
 */
import { REASONS } from '../exceptions/reasons.ts'
import type { ExceptionReason } from '../exceptions/reasons.ts'

export type MatchedBy = 'line_no' | 'buyer_part' | 'vendor_part' | 'gtin'

export interface MatchLine {
  /** The document's line (ack/invoice line number; for an ASN the item's 1-based position). */
  lineNo: string
  poNumber?: string
  poLineNo?: string
  matchedBy?: MatchedBy
  state: 'ok' | 'exception'
  notes: string[]
  /** Where the line sits in the canonical document, e.g. `orders.0.packs.1.items.0`. */
  path?: string
}

/** Quantity this document moves on a PO line, in the PO line's unit (to persist after a match). */
export interface LineQty {
  poNumber: string
  poLineNo: string
  qty: string
  uom: string
}

export interface MatchResult {
  status: 'matched' | 'held'
  reasons: ExceptionReason[]
  lines: MatchLine[]
  /** Present when a PO is unknown: re-match when these arrive. */
  waitingFor?: { poNumbers: string[] }
  /** ASN: shipped per PO line; invoice: invoiced per PO line. Add to *SoFar once accepted. */
  quantities: LineQty[]
}

/** Any reason that is not info-level holds the document. */
export const holds = (r: ExceptionReason): boolean => REASONS[r.code].severity !== 'info'

export function finish(
  reasons: ExceptionReason[],
  lines: MatchLine[],
  quantities: LineQty[] = []
): MatchResult {
  const missing = [
    ...new Set(reasons.flatMap((r) => (r.code === 'po_not_found' ? [r.poNumber] : []))),
  ]
  return {
    status: reasons.some(holds) ? 'held' : 'matched',
    reasons,
    lines,
    ...(missing.length ? { waitingFor: { poNumbers: missing } } : {}),
    quantities,
  }
}

/** Merge partial results (per order of an ASN, warehouse checks) into one. */
export function merge(parts: MatchResult[]): MatchResult {
  return finish(
    parts.flatMap((p) => p.reasons),
    parts.flatMap((p) => p.lines),
    parts.flatMap((p) => p.quantities)
  )
}

/** The PO arrived: does this held result wait for it? */
export const isWaitingFor = (r: MatchResult, poNumber: string): boolean =>
  r.waitingFor?.poNumbers.includes(poNumber) ?? false
