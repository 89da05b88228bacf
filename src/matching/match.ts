/**
 * The one entry the pipeline's match stage calls. Dispatches on the canonical kind; an ASN gets
 * both the PO match and the warehouse checks. Pure: the caller loads MatchContext first
 * (`poNumbersOf(doc)` says which POs) and persists `result.quantities` once the document is
 * accepted. Held results with `waitingFor` are re-matched when one of those POs arrives.
 */
import type { CanonicalDoc } from '../canonical/index.ts'
import { matchAck } from './ack.ts'
import { matchAsn } from './asn.ts'
import type { MatchContext } from './context.ts'
import { matchInvoice } from './invoice.ts'
import { finish } from './result.ts'
import type { MatchResult } from './result.ts'
import { checkWarehouse } from './warehouse.ts'

/**
 * Match one canonical document against the ERP state in `ctx`.
 *
 * @example
 * const ctx = buildMatchContext({ orders: [po], today: '2026-03-02', config: profile.matching })
 * const r = matchDocument(asn, ctx)
 * if (r.status === 'held') for (const reason of r.reasons) console.log(explain(reason))
 */
export function matchDocument(doc: CanonicalDoc, ctx: MatchContext): MatchResult {
  switch (doc.kind) {
    case 'po_ack':
      return matchAck(doc, ctx)
    case 'asn': {
      const r = matchAsn(doc, ctx)
      // A cancel withdraws an earlier ASN; its labels and dates no longer matter to the dock.
      if (doc.purpose === 'cancel') return r
      return finish([...r.reasons, ...checkWarehouse(doc, ctx)], r.lines, r.quantities)
    }
    case 'invoice':
      return matchInvoice(doc, ctx)
    case 'purchase_order':
      // An inbound PO is the thing others match against; nothing to compare it with here.
      return finish(
        [],
        doc.lines.map((l) => ({ lineNo: l.lineNo, poNumber: doc.poNumber, state: 'ok', notes: [] }))
      )
  }
}
