/**
 * Stage `parse`: raw payload → interchanges → transactions, plus the acks we owe.
 * sniff → lex/envelope/validate (engine) → identify the partner per interchange → duplicate and
 * test-indicator policy → one transaction row per ST/UNH (bad ones rejected alone) → queue
 * `translate` for the good ones and `deliver` for the 997/999/TA1/CONTRL. An inbound TA1 (or a
 * 997/999/CONTRL set) is reconciled against what we sent (acks.ts).
 */
import type { PartnerProfile } from '../config/partner.ts'
import { nextControlNumber } from '../db/control-numbers.ts'
import { openException } from '../db/exceptions.ts'
import { enqueue } from '../db/jobs.ts'
import { findDuplicateInterchange, findDuplicateTransaction, insertDelivery, insertInterchange, insertTransaction } from '../db/lineage.ts'
import { getPayloadForParse, setPayloadStatus, type PayloadRow } from '../db/payloads.ts'
import { pgSafe } from '../db/pg-safe.ts'
import type { Q } from '../db/sql.ts'
import { applyGuide } from '../edi/guide.ts'
import { sniff } from '../edi/sniff.ts'
import type { ParsedInterchange, ParseResult, Standard } from '../edi/types.ts'
import type { ExceptionReason } from '../exceptions/reasons.ts'
import type { Allocate, PipelineDeps } from './deps.ts'
import { jsonDocType } from './json-kind.ts'
import { reconcileAck } from './acks.ts'

export interface ParseOutcome {
  status: 'parsed' | 'rejected' | 'partially_rejected' | 'duplicate'
  interchanges: number
  transactions: number
  rejected: number
}

export async function parseStage(deps: PipelineDeps, q: Q, messageId: string): Promise<ParseOutcome | undefined> {
  // Row and bytes in one statement; idempotent: a replayed job for an already parsed payload
  // does nothing (and reads no bytes).
  const got = await getPayloadForParse(q, messageId)
  if (!got?.bytes) return undefined
  const { row: payload, bytes } = got
  const kind = sniff(bytes)
  if (kind === 'empty' || kind === 'unknown') {
    const detail = kind === 'empty' ? 'the file is empty (0 bytes of content)' : 'the content is not X12 (ISA), EDIFACT (UNA/UNB) or JSON'
    return reject(q, payload, { code: 'envelope_unreadable', detail }, kind)
  }
  if (kind === 'json') return parseJson(deps, q, payload, bytes)
  const engine = deps.engines[kind]
  if (!engine) return reject(q, payload, { code: 'envelope_unreadable', detail: `no ${kind} engine is configured` }, kind)
  const result = pgSafe(engine.parse(bytes))
  if (result.unreadable || result.interchanges.length === 0) {
    const detail = result.issues.map((i) => i.message).join('; ') || 'no complete interchange found'
    return reject(q, payload, { code: 'envelope_unreadable', detail }, kind)
  }
  return parseEdi(deps, q, payload, kind, result)
}

/**
 * Each inbound set/message that the profile's `documents[]` gives a guide (same standard, type
 * and version, the version compared on its first six characters: GS08 `004010VICS` → `004010`)
 * gets the guide's issues (src/edi/guide.ts); a group's status follows from its sets.
 */
function applyGuides(profile: PartnerProfile, standard: Standard, ic: ParsedInterchange): void {
  const guides = profile.documents.filter((d) => d.direction === 'in' && d.standard === standard && d.guide)
  if (guides.length === 0) return
  for (const g of ic.groups) {
    for (const tx of g.transactions) {
      const entry = guides.find((d) => d.docType === tx.type && tx.version.slice(0, 6).toUpperCase() === d.version.slice(0, 6).toUpperCase())
      if (entry?.guide) applyGuide(tx, entry.guide)
    }
  }
}

async function reject(q: Q, payload: PayloadRow, reason: ExceptionReason, standard: string): Promise<ParseOutcome> {
  await openException(q, reason, { payloadId: payload.id, partnerId: payload.partner_id })
  const outcome: ParseOutcome = { status: 'rejected', interchanges: 0, transactions: 0, rejected: 0 }
  await setPayloadStatus(q, payload.id, { status: 'rejected', standard, outcome })
  return outcome
}

function identify(deps: PipelineDeps, standard: Standard, ic: ParsedInterchange, groupSenders: string[]): PartnerProfile | undefined {
  if (standard === 'x12') {
    return deps.registry.byX12(ic.sender.qualifier, ic.sender.id) ?? groupSenders.map((g) => deps.registry.byGs(g)).find(Boolean)
  }
  return deps.registry.byEdifact(ic.sender.qualifier, ic.sender.id)
}

async function parseEdi(deps: PipelineDeps, q: Q, payload: PayloadRow, standard: Standard, result: ParseResult): Promise<ParseOutcome> {
  const engine = deps.engines[standard]!
  let txCount = 0
  let rejected = 0
  let accepted = 0
  let duplicates = 0
  let icRejected = 0
  let interchangeAcks = 0
  let partnerId = payload.partner_id
  let anyTest = false
  for (const [seq, ic] of result.interchanges.entries()) {
    const refs = { payloadId: payload.id, partnerId: payload.partner_id }
    const profile = identify(deps, standard, ic, ic.groups.map((g) => g.senderId ?? '').filter(Boolean))
    let status = 'parsed'
    let reason: ExceptionReason | undefined
    if (!profile) {
      reason = { code: 'unknown_partner', standard, qualifier: ic.sender.qualifier, senderId: ic.sender.id }
    } else if (payload.partner_id && profile.id !== payload.partner_id) {
      // The transport authenticated one partner; the envelope claims another.
      reason = { code: 'partner_mismatch', expected: payload.partner_id, actual: profile.id }
    } else if (profile.status === 'disabled') {
      reason = { code: 'partner_disabled', partnerId: profile.id }
    }
    if (reason || !profile) {
      const icId = await insertInterchange(q, icRow(payload.id, seq, standard, null, ic, 'rejected'))
      await openException(q, reason!, { ...refs, transactionId: null, partnerId: profile?.id ?? payload.partner_id }, `${reason!.code}:${icId}`)
      rejected += ic.groups.reduce((n, g) => n + g.transactions.length, 0)
      icRejected++
      continue
    }
    partnerId = profile.id
    // A replay (meta.replayOf) is an intentional re-run of stored bytes, not a partner's resend.
    const dup = payload.meta.replayOf ? undefined : await findDuplicateInterchange(q, {
      partnerId: profile.id, standard, senderId: ic.sender.id, controlNumber: ic.controlNumber,
      windowDays: profile.duplicates.windowDays, payloadId: payload.id,
    })
    // A live partner's test interchange (ISA15=T, UNB 0035=1) is handled by policy.
    const testFlag = profile.status === 'testing' || (ic.test && profile.testIndicator === 'treat_as_test')
    anyTest ||= testFlag
    if (dup) status = 'duplicate'
    else if (ic.test && profile.status === 'live' && profile.testIndicator === 'reject') status = 'rejected'
    const icId = await insertInterchange(q, { ...icRow(payload.id, seq, standard, profile.id, ic, status), test: testFlag, duplicateOf: dup?.id })
    if (dup) {
      duplicates++
      await openException(q, { code: 'duplicate_interchange', controlNumber: ic.controlNumber, firstSeenAt: dup.created_at.toISOString(), firstMessageId: dup.payload_id }, { ...refs, partnerId: profile.id }, `duplicate_interchange:${icId}`)
      // policy `flag`: acknowledged as received, never processed twice; `reject`: no ack either.
      if (profile.duplicates.policy === 'flag') await queueAcks(deps, q, engine, result, ic, profile, icId)
      continue
    }
    if (status === 'rejected') {
      await openException(q, { code: 'test_indicator', policy: profile.testIndicator }, { ...refs, partnerId: profile.id }, `test_indicator:${icId}`)
      icRejected++
      continue
    }
    // The partner's implementation guides narrow the base validation before any ack is built.
    applyGuides(profile, standard, ic)
    // Acks in the envelope itself (X12 TA1, between ISA and the first GS) answer interchanges of
    // ours: reconciled like a 997/999/CONTRL, with no transaction row of their own.
    const icAcks = engine.readInterchangeAcks?.(ic) ?? []
    for (const ack of icAcks) await reconcileAck(q, profile.id, ack, { transactionId: null, payloadId: payload.id })
    interchangeAcks += icAcks.length
    // A readable envelope with nothing inside it but errors (cut off after ISA/UNB) is rejected
    // with its reason, never left as a silent 'rejected' status. A TA1-only interchange is not empty.
    if (icAcks.length === 0 && ic.groups.every((g) => g.transactions.length === 0) && ic.issues.some((i) => i.severity === 'error')) {
      const detail = `interchange ${ic.controlNumber} holds no transaction: ${ic.issues.map((i) => i.message).join('; ')}`.slice(0, 2000)
      await openException(q, { code: 'envelope_unreadable', detail }, { ...refs, partnerId: profile.id }, `envelope_unreadable:${icId}`)
    }
    for (const g of ic.groups) {
      const dupGroup = profile.duplicates.groups && g.explicit
        ? await findDuplicateTransaction(q, { partnerId: profile.id, standard, interchangeId: icId, windowDays: profile.duplicates.windowDays, groupControl: g.controlNumber })
        : undefined
      for (const tx of g.transactions) {
        txCount++
        const dupTx = dupGroup ?? (profile.duplicates.transactions && tx.status !== 'rejected'
          ? await findDuplicateTransaction(q, { partnerId: profile.id, standard, interchangeId: icId, windowDays: profile.duplicates.windowDays, docType: tx.type, controlNumber: tx.controlNumber })
          : undefined)
        if (dupTx) {
          duplicates++
          const txId = await insertTransaction(q, {
            payloadId: payload.id, interchangeId: icId, partnerId: profile.id, standard, docType: tx.type, version: tx.version,
            groupControl: g.controlNumber, controlNumber: tx.controlNumber, status: 'duplicate', issues: tx.issues, span: tx.span,
          })
          const controlNumber = dupGroup ? `group ${g.controlNumber}` : tx.controlNumber
          await openException(q, { code: 'duplicate_transaction', controlNumber, firstMessageId: dupTx.payload_id }, { payloadId: payload.id, transactionId: txId, partnerId: profile.id })
          continue
        }
        const ack = tx.status !== 'rejected' ? engine.readAck(tx) : undefined
        const txStatus = tx.status === 'rejected' ? 'rejected' : ack ? 'reconciled' : 'parsed'
        const txId = await insertTransaction(q, {
          payloadId: payload.id, interchangeId: icId, partnerId: profile.id, standard, docType: tx.type, version: tx.version,
          groupControl: g.controlNumber, controlNumber: tx.controlNumber, status: txStatus, issues: tx.issues,
          segments: tx.status === 'rejected' ? undefined : tx.segments, span: tx.span,
        })
        if (tx.status === 'rejected') {
          rejected++
          await openException(q, { code: 'message_invalid', docType: tx.type, controlNumber: tx.controlNumber, issues: tx.issues.slice(0, 50) }, { payloadId: payload.id, transactionId: txId, partnerId: profile.id })
        } else if (ack) {
          accepted++
          await reconcileAck(q, profile.id, ack, { transactionId: txId, payloadId: payload.id })
        } else {
          accepted++
          await enqueue(q, 'translate', { messageId: payload.id, transactionId: txId, partnerId: profile.id }, { dedupeKey: `translate:${txId}` })
        }
      }
    }
    await queueAcks(deps, q, engine, result, ic, profile, icId)
  }
  const outcome: ParseOutcome = {
    status: overallStatus(txCount, accepted, rejected, duplicates, result, icRejected, interchangeAcks),
    interchanges: result.interchanges.length,
    transactions: txCount,
    rejected,
  }
  await setPayloadStatus(q, payload.id, { status: outcome.status, standard, partnerId, test: anyTest, outcome })
  deps.wake()
  return outcome
}

/**
 * One word for the payload. Interchanges that hold no transaction set but TA1s we reconciled are
 * parsed (what the TA1s said is on our deliveries); one with neither and no envelope error is
 * simply parsed too; with errors it was rejected with a reason above.
 */
function overallStatus(txCount: number, accepted: number, rejected: number, duplicates: number, result: ParseResult, icRejected: number, interchangeAcks: number): ParseOutcome['status'] {
  if (txCount === 0 && duplicates === 0) {
    if (interchangeAcks > 0 && icRejected === 0) return 'parsed'
    const errors = result.interchanges.some((ic) => ic.issues.some((i) => i.severity === 'error'))
    return errors || icRejected > 0 ? 'rejected' : 'parsed'
  }
  if (accepted === 0 && duplicates > 0 && rejected === 0) return 'duplicate'
  if (accepted === 0) return 'rejected'
  return rejected > 0 ? 'partially_rejected' : 'parsed'
}

function icRow(payloadId: string, seq: number, standard: string, partnerId: string | null, ic: ParsedInterchange, status: string) {
  return {
    payloadId, seq, standard, partnerId, senderQual: ic.sender.qualifier, senderId: ic.sender.id,
    receiverQual: ic.receiver.qualifier, receiverId: ic.receiver.id, controlNumber: ic.controlNumber,
    test: ic.test, status, issues: ic.issues,
  }
}

async function queueAcks(
  deps: PipelineDeps, q: Q, engine: NonNullable<PipelineDeps['engines'][Standard]>, result: ParseResult,
  ic: ParsedInterchange, profile: PartnerProfile, icId: string
): Promise<void> {
  const allocate: Allocate = (kind) => nextControlNumber(q, profile.id, kind)
  for (const ack of await engine.acks(result, ic, profile, allocate)) {
    const ext = ack.docType === 'CONTRL' ? 'edi' : 'x12'
    const deliveryId = await insertDelivery(q, {
      partnerId: profile.id, kind: 'ack', docType: ack.docType, parentTable: 'interchanges', parentId: icId,
      destination: profile.outbound, bytes: Buffer.from(ack.text, 'latin1'),
      filename: `${ack.docType}-${ack.controlNumber}.${ext}`,
      contentType: ack.docType === 'CONTRL' ? 'application/edifact' : 'application/edi-x12',
      controlNumber: ack.controlNumber,
    })
    await enqueue(q, 'deliver', { deliveryId, partnerId: profile.id }, { dedupeKey: `deliver:${deliveryId}` })
  }
}

async function parseJson(deps: PipelineDeps, q: Q, payload: PayloadRow, bytes: Buffer): Promise<ParseOutcome> {
  let body: unknown
  try {
    body = pgSafe(JSON.parse(bytes.toString('utf8')))
  } catch (e) {
    // V8's message quotes the input around the error, NUL bytes included: storable first.
    return reject(q, payload, { code: 'envelope_unreadable', detail: pgSafe(`invalid JSON: ${(e as Error).message}`) }, 'json')
  }
  const profile = payload.partner_id ? deps.registry.get(payload.partner_id) : undefined
  if (!profile) {
    return reject(q, payload, { code: 'unknown_partner', standard: 'json', senderId: payload.partner_id ?? '(none)' }, 'json')
  }
  const docType = (payload.meta.docType as string | undefined) ?? jsonDocType(body)
  if (!docType) {
    return reject(q, payload, { code: 'envelope_unreadable', detail: 'JSON document type not recognised (expected a PO acknowledgement, shipment confirmation/ASN or invoice)' }, 'json')
  }
  const version = (payload.meta.version as string | undefined) ?? 'v1'
  // One transaction per document in the body (the map's `split` path), each with its JSON path.
  const parts = deps.mapper.splitJson(profile, docType, version, body)
  if (parts.length === 0) {
    return reject(q, payload, { code: 'envelope_unreadable', detail: `the JSON body holds no ${docType} document` }, 'json')
  }
  // Rows first, then their jobs and the payload status: two pipelined round trips in all, the
  // statements still reaching the database in the order of the parts.
  const txIds = await Promise.all(parts.map((part, i) => insertTransaction(q, {
    payloadId: payload.id, interchangeId: null, partnerId: profile.id, standard: 'json', docType, version,
    controlNumber: `${payload.external_id ?? payload.id}${parts.length > 1 ? `#${i + 1}` : ''}`, status: 'parsed',
    issues: [], body: part,
  })))
  const outcome: ParseOutcome = { status: 'parsed', interchanges: 0, transactions: parts.length, rejected: 0 }
  await Promise.all([
    ...txIds.map((txId) => enqueue(q, 'translate', { messageId: payload.id, transactionId: txId, partnerId: profile.id }, { dedupeKey: `translate:${txId}` })),
    setPayloadStatus(q, payload.id, { status: 'parsed', standard: 'json', partnerId: profile.id, test: profile.status === 'testing', outcome }),
  ])
  deps.wake()
  return outcome
}
