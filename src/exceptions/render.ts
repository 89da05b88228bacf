/**
 * Plain-language text for exception reasons, kept apart from the data like zod's locales. One
 * sentence per code that names the document, the PO and line, the numbers and what to do. The
 * switch is exhaustive over ExceptionReason['code']: a new code without text fails the type check.
 */
import { ACK_ANSWERS } from '../edi/ack-answers.ts'
import type { ExceptionReason, MatchDocRef, MatchItemIds } from './reasons.ts'

const DOC_NAMES: Record<MatchDocRef['kind'], string> = {
  po_ack: 'PO acknowledgement',
  asn: 'ASN',
  invoice: 'Invoice',
  purchase_order: 'PO',
}

/** `ASN 0042`, `Invoice INV-9`. */
const docName = (d: MatchDocRef): string => `${DOC_NAMES[d.kind]} ${d.id}`

/** `line 3 (PO line 3)` or `lines 1, 4 (PO line 2)`. */
function lineOf(line: string | undefined, poLineNo?: string): string {
  if (!line) return poLineNo ? `PO line ${poLineNo}` : ''
  const l = line.includes(',') ? `lines ${line}` : `line ${line}`
  return poLineNo && poLineNo !== line ? `${l} (PO line ${poLineNo})` : l
}

/** `: +48.00 USD over the PO (2.00 USD more on each of 24 EA)`, or nothing without amounts. */
function priceAtStake(r: Extract<ExceptionReason, { code: 'price_mismatch' }>): string {
  if (!r.atStake || !r.priceDelta || !r.qty) return ''
  const under = r.atStake.startsWith('-')
  const cur = r.currency ? ` ${r.currency}` : ''
  const amount = under ? r.atStake.slice(1) : r.atStake
  const delta = r.priceDelta.replace(/^-/, '')
  return `: ${under ? '−' : '+'}${amount}${cur} ${under ? 'under' : 'over'} the PO (${delta}${cur} ${under ? 'less' : 'more'} on each of ${r.qty} ${r.uom})`
}

/** `2026-03-05 14:30 UTC` from an ISO time. */
const received = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`

const hasIds = (i: MatchItemIds): boolean => !!(i.buyerPart || i.vendorPart || i.gtin)

/**
 * The document and its line. An ASN's lines are item positions, never PO lines: `ASN 0042 item 4
 * (vendor part X) for PO line 3`, `ASN 0042 items 1 and 2 (buyer part A), both for PO line 1`.
 * Other documents keep their own line numbers: `Invoice 9 line 3 (PO line 2)`.
 */
function docLine(r: { doc: MatchDocRef; line?: string; poLineNo?: string; item?: MatchItemIds }): string {
  if (r.doc.kind !== 'asn') {
    const l = lineOf(r.line, r.poLineNo)
    return l ? `${docName(r.doc)} ${l}` : docName(r.doc)
  }
  const items = r.line ? r.line.split(/,\s*/) : []
  if (items.length === 0) return r.poLineNo ? `${docName(r.doc)} PO line ${r.poLineNo}` : docName(r.doc)
  const label = items.length > 1 ? `items ${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}` : `item ${items[0]}`
  const idText = r.item && hasIds(r.item) ? ` (${ids(r.item)})` : ''
  const po = !r.poLineNo ? '' : items.length > 1 ? `, ${items.length === 2 ? 'both' : 'all'} for PO line ${r.poLineNo}` : ` for PO line ${r.poLineNo}`
  return `${docName(r.doc)} ${label}${idText}${po}`
}

function ids(i: MatchItemIds): string {
  const parts = [
    i.buyerPart && `buyer part ${i.buyerPart}`,
    i.vendorPart && `vendor part ${i.vendorPart}`,
    i.gtin && `GTIN ${i.gtin}`,
  ].filter(Boolean)
  return parts.length ? parts.join(', ') : 'no item identifier'
}

const src = (s: string | undefined): string => (s ? `; source ${s}` : '')
/** `tolerance +5%`, `tolerance ±1%` or `no tolerance`. */
const tol = (t: string, sign: '+' | '−' | '±'): string =>
  t === '0' ? 'no tolerance' : `tolerance ${sign}${t}`

/** Which ASN date a date check compared: the delivery date, or ship date + transit days. */
function asnDate(r: Extract<ExceptionReason, { code: 'date_out_of_window' }>): string {
  if (r.field === 'delivery_date') return `delivery date ${r.date}`
  if (!r.transitDays) return `ship date ${r.shipDate ?? r.date} (no delivery date sent, no transit days in the profile)`
  return `ship date ${r.shipDate} + ${r.transitDays} transit day(s) = expected arrival ${r.date}`
}

/**
 * One sentence a buyer or EDI analyst can act on.
 *
 * @example explain({ code: 'po_not_found', doc: { kind: 'asn', id: '0042' }, poNumber: '4500012345' })
 * // 'ASN 0042 refers to PO 4500012345, which is not in the ERP yet; it is held and re-matched when the PO arrives.'
 */
export function explain(r: ExceptionReason): string {
  switch (r.code) {
    // ── pipeline ──
    case 'envelope_unreadable':
      return `The file has no readable ISA/UNB envelope (${r.detail}); ask the partner to resend it.`
    case 'unknown_partner':
      return `No partner profile has the ${r.standard} sender id ${r.qualifier ? `${r.qualifier}/` : ''}${r.senderId}; add it to a profile, then replay.`
    case 'partner_mismatch':
      return `The envelope names partner ${r.actual} but the connection authenticated as ${r.expected}; check the profile identities.`
    case 'partner_disabled':
      return `Partner ${r.partnerId} is disabled; enable the profile and replay if the document is expected.`
    case 'duplicate_interchange':
      return `Interchange control number ${r.controlNumber} was already received on ${r.firstSeenAt} (message ${r.firstMessageId}); the repeat was not processed.`
    case 'duplicate_transaction':
      return `Transaction control number ${r.controlNumber} repeats message ${r.firstMessageId}; the repeat was not processed.`
    case 'duplicate_document':
      if (r.number && r.docKind) {
        const what = `${DOC_NAMES[r.docKind]} ${r.number}${r.supplierId ? ` from supplier ${r.supplierId}` : ''}${r.poNumber && r.docKind !== 'purchase_order' ? ` for PO ${r.poNumber}` : ''}`
        const when = r.firstReceivedAt ? ` (first received ${received(r.firstReceivedAt)})` : ''
        return r.sameContent
          ? `${what} was resent with identical content${when}; it was not processed twice.`
          : `${what} was resent with different content${when}; review the changes before accepting it.`
      }
      return r.sameContent
        ? `Document ${r.businessKey} was resent with identical content (first as ${r.firstDocumentId}); it was not processed twice.`
        : `Document ${r.businessKey} was resent with different content (first as ${r.firstDocumentId}); review the changes before accepting it.`
    case 'test_indicator':
      return `A test interchange came from a live partner (policy: ${r.policy}); confirm with the partner which mode they are in.`
    case 'message_invalid':
      return `Transaction set ${r.docType} ${r.controlNumber} failed validation with ${r.issues.length} issue(s)${r.issues[0] ? `, first: ${r.issues[0].message}` : ''}.`
    case 'no_map':
      return `No ${r.direction}bound map for ${r.standard} ${r.version} ${r.docType} and partner ${r.partnerId}; add one, then replay.`
    case 'document_unwritable': {
      const first = r.issues[0]
      const where = first?.segment ? ` (${first.segment}${first.element ? String(first.element).padStart(2, '0') : ''}${first.value !== undefined ? ` "${first.value}"` : ''})` : ''
      const fix = r.standard === 'x12' ? 'set x12.replaceDelimitersWith in the partner profile' : 'give the partner\'s EDIFACT separators a release character'
      const again = r.docType === '856' ? 'then resolve this exception to send the ASN to the warehouse again' : 'then send the document again'
      return `The ${r.standard === 'x12' ? 'X12' : 'EDIFACT'} ${r.docType} ${r.reference} for partner ${r.partnerId} cannot be written${where}: ${first?.message ?? 'refused by the writer'}. Fix the data or ${fix}; ${again}.`
    }
    case 'canonical_invalid':
      return `Map ${r.mapId} produced an incomplete document (${r.issues.map((i) => `${i.path}: ${i.message}${i.source ? ` from ${i.source}` : ''}`).join('; ')}).`
    case 'ack_rejected':
      return `The partner's ${r.ack} rejected our ${r.controlNumber}${r.notes.length ? `: ${r.notes.join('; ')}` : ''}; fix and resend.`
    case 'ack_overdue':
      return `No ${r.ack} for ${r.controlNumber} sent ${r.sentAt} arrived by ${r.deadline}; ask the partner whether they received it.`
    case 'ack_unmatched': {
      const level = ACK_ANSWERS[r.ack].level
      const messages = r.messages.length ? ` (messages ${r.messages.join(', ')})` : ''
      return `Partner ${r.partnerId} sent a ${r.ack} for ${r.standard === 'x12' ? 'X12' : 'EDIFACT'} ${level} ${r.reference}${messages}, which we never sent them; often a misrouted or duplicate ack: check with the partner what it answers.`
    }
    case 'mdn_negative':
      return `The partner's MDN for AS2 message ${r.messageId} says "${r.disposition}"; check certificates and resend.`
    case 'mdn_overdue':
      return `No MDN for AS2 message ${r.messageId} sent ${r.sentAt}; check the partner's endpoint.`
    case 'delivery_failed':
      return `Delivery by ${r.transport} to ${r.destination} failed ${r.attempts} time(s), last error: ${r.lastError}; fix the destination, then replay.`
    case 'stage_failed':
      return `Stage ${r.stage} failed ${r.attempts} time(s): ${r.error.message}; replay once the cause is fixed.`
    case 'certificate_expiring':
      return `Certificate ${r.file} of partner ${r.partnerId} expires ${r.notAfter}; exchange a new one before then.`
    case 'sftp_host_key_changed':
      return `The SFTP host key of ${r.host} (partner ${r.partnerId}) changed from ${r.expected} to ${r.actual}; verify with the partner before trusting it.`
    case 'file_rejected':
      return `File ${r.filename} was rejected: ${r.detail}.`
    case 'as2_replay':
      return `AS2 message ${r.messageId} from partner ${r.partnerId} repeats the signed content of ${r.firstMessageId} (first seen ${r.firstSeenAt}) under a new Message-ID; it was refused as a replay. If the partner really sent the same file twice, ask them to resend it freshly signed.`
    case 'as2_limit_exceeded':
      return `AS2 message ${r.messageId} from partner ${r.partnerId} was refused: ${r.detail}. Check with the partner; a message this size or shape is usually hostile or broken.`
    case 'payload_too_large':
      return `The file is ${r.size} bytes, over the limit of ${r.limit} (MAX_PAYLOAD_BYTES); it is stored but was not read. Ask the partner to split it, or raise the limit and replay.`
    // ── matching ──
    case 'po_not_found':
      return `${docName(r.doc)} refers to PO ${r.poNumber}, which is not in the ERP yet; it is held and re-matched when the PO arrives.`
    case 'po_closed':
      return `${docName(r.doc)} refers to ${r.poLineNo ? `line ${r.poLineNo} of ` : ''}PO ${r.poNumber}, which is ${r.status}; reopen it in the ERP or reject the document.`
    case 'line_unknown':
      return `${docName(r.doc)} ${r.doc.kind === 'asn' ? 'item' : 'line'} ${r.line}${hasIds(r) ? ` (${ids(r)})` : ''} refers to PO line ${r.poLineNo} of PO ${r.poNumber}, which does not exist, and no item identifier matched another line of the PO${src(r.source)}.`
    case 'item_unknown':
      return `${docLine({ doc: r.doc, line: r.line })}: the item (${ids(r)}) is not on PO ${r.poNumber}; check the item cross-reference.`
    case 'item_substituted':
      return `${docLine(r)} of PO ${r.poNumber}: ordered ${ids(r.ordered)} but got ${ids(r.actual)}; accept the substitute or reject it.`
    case 'qty_out_of_tolerance':
      return `${docLine(r)} of PO ${r.poNumber}: ${r.actual} ${r.uom} against ${r.ordered} ${r.uom} ordered is ${r.direction} the ${tol(r.tolerance, r.direction === 'over' ? '+' : '−')} (limit ${r.limit} ${r.uom})${src(r.source)}.`
    case 'qty_over_remaining':
      return `${docLine(r)} of PO ${r.poNumber}: shipped ${r.actual} ${r.uom} but only ${r.remaining} ${r.uom} remain open (ordered ${r.ordered}, shipped before ${r.shippedBefore}${r.shippedOn?.length ? ` (on ASN ${r.shippedOn.join(', ')})` : ''}; ${tol(r.tolerance, '+')} allows ${r.limit} ${r.uom})${src(r.source)}.`
    case 'price_mismatch':
      return `${docLine(r)} of PO ${r.poNumber}: price ${r.actual}${r.currency ? ` ${r.currency}` : ''} per ${r.uom} differs from the PO price ${r.expected} beyond the ${tol(r.tolerance, '±')}${priceAtStake(r)}${src(r.source)}.`
    case 'date_out_of_window':
      if (r.doc.kind === 'asn' && (r.field === 'delivery_date' || r.shipDate !== undefined))
        return `${docName(r.doc)} of PO ${r.poNumber}: compared the ASN ${asnDate(r)} with the PO requested delivery date ${r.from === r.to ? r.from : `${r.from} to ${r.to}`} ± ${r.toleranceDays} day(s): outside.`
      return `${docName(r.doc)}${r.line ? ` ${lineOf(r.line, r.poLineNo)}` : ''} of PO ${r.poNumber}: ${r.field.replace(/_/g, ' ')} ${r.date} is outside ${r.from === r.to ? r.from : `${r.from} to ${r.to}`} ± ${r.toleranceDays} day(s).`
    case 'uom_unconvertible':
      return `${docLine(r)} of PO ${r.poNumber}: ${r.from} cannot be converted to the PO unit ${r.to}${r.packSize ? ` (pack size ${r.packSize})` : ' (no pack size known)'}; add the pack size to the item.`
    case 'ack_line_rejected':
      return `${docName(r.doc)}: the supplier rejected ${lineOf(r.line, r.poLineNo)} of PO ${r.poNumber}${r.statusCode ? ` (${r.statusCode})` : ''}${r.reason ? `: ${r.reason}` : ''}; source it elsewhere or cancel the line.`
    case 'ack_line_changed':
      return `${docName(r.doc)}: the supplier changed ${lineOf(r.line, r.poLineNo)} of PO ${r.poNumber} (${r.changes.map((c) => `${c.field} ${c.ordered} → ${c.acked}`).join(', ')}); check the ERP order reflects it.`
    case 'ack_line_backordered':
      return `${docName(r.doc)}: ${r.quantity} ${r.uom} of ${lineOf(r.line, r.poLineNo)} of PO ${r.poNumber} are backordered${r.scheduledShipDate ? `, to ship ${r.scheduledShipDate}` : ''}.`
    // ── warehouse ──
    case 'sscc_invalid':
      if (r.pack)
        return `${docName(r.doc)}${r.poNumber ? `, PO ${r.poNumber}` : ''}: ${r.pack} (SSCC ${r.sscc}) ${r.problem === 'check_digit' ? `has a wrong check digit, it should end in ${r.expectedCheckDigit}` : r.problem === 'length' ? 'is not 18 digits' : 'is not all digits'}; the dock cannot scan it, ask the supplier to relabel and resend the ASN.`
      return `${docName(r.doc)}: SSCC ${r.sscc} at ${r.path} is invalid (${r.problem === 'check_digit' ? `check digit should be ${r.expectedCheckDigit}` : r.problem === 'length' ? 'not 18 digits' : 'not all digits'}); the dock cannot scan it.`
    case 'sscc_reused':
      return r.otherShipmentId === r.doc.id
        ? `${docName(r.doc)}: SSCC ${r.sscc} appears more than once (again at ${r.path}); each container needs its own label.`
        : `${docName(r.doc)}: SSCC ${r.sscc} at ${r.path} is already on open ASN ${r.otherShipmentId}; the supplier must relabel or cancel the other ASN.`
    case 'asn_tree_invalid':
      return `${docName(r.doc)}: ${r.problem.replace(/_/g, ' ')} at ${r.path}${r.poNumber ? ` (PO ${r.poNumber})` : ''}; ask the supplier for a corrected ASN.`
    case 'pack_total_mismatch':
      return `${docName(r.doc)}: pack ${r.sscc ?? r.path} declares ${r.declared} ${r.uom} of ${r.item} but its contents hold ${r.contained} ${r.uom}.`
    // ── invoice ──
    case 'invoice_qty_over_shipped':
      return `${docLine(r)} of PO ${r.poNumber}: invoiced ${r.invoiced} ${r.uom} in total (${r.invoicedBefore} before) but only ${r.shipped} ${r.uom} were shipped${r.atStake ? `: ${r.atStake}${r.currency ? ` ${r.currency}` : ''} billed for ${r.notShipped} ${r.uom} not shipped` : ''}${src(r.source)}.`
    case 'invoice_total_mismatch':
      return `${docName(r.doc)} for PO ${r.poNumber}: lines ${r.lines} + charges ${r.charges} − allowances ${r.allowances} + tax ${r.tax} = ${r.expected} ${r.currency}, but the invoice total is ${r.actual}.`
    case 'invoice_line_amount_mismatch':
      return `${docName(r.doc)} ${lineOf(r.line)} for PO ${r.poNumber}: ${r.quantity} × ${r.unitPrice} = ${r.expected} ${r.currency}, but the line says ${r.actual}.`
    case 'invoice_duplicate':
      return `${docName(r.doc)} for PO ${r.poNumber}: supplier ${r.supplierId || '(unknown)'} already sent invoice number ${r.invoiceNumber}${r.firstReceivedAt ? ` (first received ${received(r.firstReceivedAt)})` : ''}; do not pay it twice.`
    case 'unsupported_document':
      return `${r.standard === 'x12' ? 'X12' : r.standard === 'edifact' ? 'EDIFACT' : r.standard} ${r.docType} ${r.version}${r.controlNumber ? ` ${r.controlNumber}` : ''} from partner ${r.partnerId} was read, validated and acknowledged, but the gateway does not turn ${r.docType} into a business document (no map for it exists): handle it by hand, or add a map and replay.`
  }
}
