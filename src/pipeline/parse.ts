/**
 * Stage `parse`: raw payload → interchanges → transactions, plus the acks we owe.
 * sniff → lex/envelope/validate (engine) → identify the partner per interchange → duplicate and
 * test-indicator policy → one transaction row per ST/UNH (bad ones rejected alone) → the good
 * ones translated and matched in this same transaction (inline.ts), and `deliver` queued for the
 * 997/999/TA1/CONTRL. An inbound TA1 (or a
 * 997/999/CONTRL set) is reconciled against what we sent (acks.ts).
 */
import type { PartnerProfile } from '../config/partner.ts'
import { openException } from '../db/exceptions.ts'
import { claimDuplicateKey, groupKey, insertInterchange, insertInterchangeClaiming, insertTransaction, releaseDuplicateKey, setInterchangeIssues, transactionKey, type DuplicateHolder } from '../db/lineage.ts'
import { getPayloadForParse, setPayloadStatus, type PayloadForParse, type PayloadRow, type PayloadStatus } from '../db/payloads.ts'
import { pgSafe } from '../db/pg-safe.ts'
import type { Q } from '../db/sql.ts'
import { applyGuide } from '../edi/guide.ts'
import { sniff } from '../edi/sniff.ts'
import type { EdiIssue } from '../edi/issues.ts'
import type { ParsedGroup, ParsedInterchange, ParsedTransaction, Standard } from '../edi/types.ts'
import type { ExceptionReason } from '../exceptions/reasons.ts'
import { newId } from '../lib/ids.ts'
import type { PipelineDeps } from './deps.ts'
import { parseJson } from './parse-json.ts'
import { reject, type ParseOutcome } from './parse-outcome.ts'
import { reconcileAck } from './acks.ts'
import { queueAcks, type Engine } from './queue-acks.ts'
import { inlineSink, SINK_MAX_SETS, type SetSink } from './inline.ts'

export type { ParseOutcome } from './parse-outcome.ts'

/** MAX_PAYLOAD_BYTES default: 2 GiB. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 2 * 1024 ** 3
/**
 * JSON is parsed whole (JSON.parse has no streaming form): a body larger than this is rejected
 * like an oversized payload instead of taking the worker's memory. The HTTP API accepts 50 MiB.
 */
export const MAX_JSON_BYTES = 256 * 1024 ** 2

/**
 * What a batch of parse jobs run together (parse-batch.ts) shares. Its handlers run at the same
 * time in one transaction, so nothing here may be read and then written by two of them.
 */
export interface ParseBatch {
  /** Where the good sets go to be translated and matched: flushed once, at the batch's end. */
  sink: SetSink
  /** Rows and first chunks read for the whole batch in one statement. */
  payloads?: Map<string, PayloadForParse>
  /** Outcomes written at the batch's end in one statement, not one update per payload. */
  statuses?: (PayloadStatus & { id: string })[]
  /**
   * The acks the batch owes, queued by the caller after its sink's flush (just before commit);
   * without it, each payload queues its own at its end.
   */
  acks?: OwedAck[]
}

/** An ack to queue, and the partner whose control numbers it takes. */
export interface OwedAck {
  partnerId: string
  queue(): Promise<void>
}

/**
 * Queues owed acks, in partner order: the counter rows of several partners are always locked in
 * one order, so two transactions never wait for each other in a cycle. Issued together: each
 * allocation statement goes out in that order.
 */
export async function queueOwedAcks(acks: OwedAck[]): Promise<void> {
  const sorted = acks.splice(0).sort((a, b) => (a.partnerId < b.partnerId ? -1 : a.partnerId > b.partnerId ? 1 : 0))
  await Promise.all(sorted.map((a) => a.queue()))
}

/**
 * `batch`: shared with the other parse jobs of a claimed batch. Without one, the stage has a sink
 * of its own and flushes it after each chunk (and every SINK_MAX_SETS sets).
 */
export async function parseStage(deps: PipelineDeps, q: Q, messageId: string, batch?: ParseBatch): Promise<ParseOutcome | undefined> {
  // The row and the first chunk in one statement (for the whole batch when there is one);
  // idempotent: a replayed job for an already parsed payload does nothing (and reads no bytes).
  const got = batch?.payloads?.get(messageId) ?? await getPayloadForParse(q, messageId)
  if (!got?.chunks) return undefined
  const { row: payload } = got
  const size = Number(payload.size)
  const limit = deps.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES
  if (size > limit) return reject(q, payload, { code: 'payload_too_large', size: String(size), limit: String(limit) }, 'unknown')
  const chunks = got.chunks[Symbol.asyncIterator]()
  // Sniffed from the first chunk that holds anything but blanks (read so far: `first`).
  const first: Buffer[] = []
  let kind: ReturnType<typeof sniff> = 'empty'
  for (let c = await chunks.next(); !c.done && kind === 'empty'; c = kind === 'empty' ? await chunks.next() : c) {
    first.push(c.value)
    kind = sniff(c.value)
  }
  if (kind === 'empty' || kind === 'unknown') {
    const detail = kind === 'empty' ? 'the file is empty (0 bytes of content)' : 'the content is not X12 (ISA), EDIFACT (UNA/UNB) or JSON'
    return reject(q, payload, { code: 'envelope_unreadable', detail }, kind)
  }
  if (kind === 'json') {
    if (size > MAX_JSON_BYTES) return reject(q, payload, { code: 'payload_too_large', size: String(size), limit: String(MAX_JSON_BYTES) }, 'json')
    const parts = first
    for (let c = await chunks.next(); !c.done; c = await chunks.next()) parts.push(c.value)
    return parseJson(deps, q, payload, Buffer.concat(parts), batch)
  }
  const engine = deps.engines[kind]
  if (!engine) return reject(q, payload, { code: 'envelope_unreadable', detail: `no ${kind} engine is configured` }, kind)
  return parseEdi(deps, q, payload, kind, engine, first, chunks, batch)
}

function identify(deps: PipelineDeps, standard: Standard, ic: ParsedInterchange, groupSenders: string[]): PartnerProfile | undefined {
  if (standard === 'x12') {
    return deps.registry.byX12(ic.sender.qualifier, ic.sender.id) ?? groupSenders.map((g) => deps.registry.byGs(g)).find(Boolean)
  }
  return deps.registry.byEdifact(ic.sender.qualifier, ic.sender.id)
}

/**
 * A set/message that the partner's profile gives a guide in `documents[]` (same standard, type
 * and version, the version compared on its first six characters: GS08 `004010VICS` → `004010`)
 * gets the guide's issues (src/edi/guide.ts) before anything is stored or acknowledged. Called
 * from the reader's synchronous callback, so the slim copy the acks are built from sees them.
 */
function applyGuides(deps: PipelineDeps, standard: Standard, tx: ParsedTransaction, g: ParsedGroup, ic: ParsedInterchange): void {
  const profile = identify(deps, standard, ic, g.senderId ? [g.senderId] : [])
  if (!profile) return
  const entry = profile.documents.find(
    (d) => d.direction === 'in' && d.standard === standard && d.guide && d.docType === tx.type && tx.version.slice(0, 6).toUpperCase() === d.version.slice(0, 6).toUpperCase()
  )
  if (entry?.guide) applyGuide(tx, entry.guide)
}


/** What the reader reported, queued by its (synchronous) callbacks for the async stage to store. */
type ReadEvent =
  | { kind: 'tx'; tx: ParsedTransaction; group: ParsedGroup; ic: ParsedInterchange }
  | { kind: 'ic'; ic: ParsedInterchange }

/** One interchange while it is being read: decided at its first set (or at its end if it has none). */
interface OpenInterchange {
  id: string
  /** ISA13 / UNB 0020 and the test flag stored with the row: what translate passes to the maps. */
  control: string
  test: boolean
  profile?: PartnerProfile
  /** process: store its sets; rejected: sets counted, not stored; skip: duplicate or test-rejected. */
  mode: 'process' | 'rejected' | 'skip'
  duplicate: boolean
  /** Issues stored with the row; the interchange's trailer checks may add more at its end. */
  issuesStored: number
  group?: ParsedGroup
  /** The open group's holder when its control number is another interchange's (a resent group). */
  groupDup?: DuplicateHolder
  /** The open group's key when this interchange claimed it; `used` once a set of it is accepted. */
  groupClaim?: { key: string; used: boolean }
}

/** The holder of a key when it is another interchange (a duplicate), else undefined (claimed here). */
async function claimedElsewhere(q: Q, r: Parameters<typeof claimDuplicateKey>[1]): Promise<DuplicateHolder | undefined> {
  const holder = await claimDuplicateKey(q, r)
  return holder.interchange_id === r.interchangeId ? undefined : holder
}

/**
 * A group whose sets were all rejected did not arrive: its control number is given back, so the
 * partner's corrected resend under the same number is processed (as a set is claimed only once
 * accepted).
 */
async function releaseUnusedGroup(q: Q, open: OpenInterchange): Promise<void> {
  if (open.groupClaim && !open.groupClaim.used && open.profile) await releaseDuplicateKey(q, open.profile.id, open.groupClaim.key, open.id)
  open.groupClaim = undefined
}

/**
 * The EDI payload as a stream: stored chunks → the engine's streaming reader → one set at a time
 * into PostgreSQL. Nothing is kept but the set being stored and, per interchange, what its ack
 * needs (status and issues per set, no segments), so memory does not grow with the file. The
 * decisions per interchange (partner, duplicate, test indicator) are made from its header at its
 * first set, exactly as they were on the whole file.
 */
async function parseEdi(
  deps: PipelineDeps, q: Q, payload: PayloadRow, standard: Standard, engine: Engine, first: Buffer[], rest: AsyncIterator<Buffer>,
  batch?: ParseBatch
): Promise<ParseOutcome> {
  const shared = batch?.sink
  const sink = shared ?? inlineSink(deps, q)
  const st = {
    txCount: 0, rejected: 0, accepted: 0, duplicates: 0, icRejected: 0, interchangeAcks: 0, interchanges: 0,
    partnerId: payload.partner_id, anyTest: false, icErrors: false, sink, acks: batch?.acks ?? [],
  }
  const events: ReadEvent[] = []
  const reader = engine.stream({
    transaction: (tx, group, ic) => {
      // The partner's implementation guide narrows the base validation before any ack is built.
      applyGuides(deps, standard, tx, group, ic)
      events.push({ kind: 'tx', tx, group, ic })
    },
    interchange: (ic) => void events.push({ kind: 'ic', ic }),
  })
  let open: OpenInterchange | undefined
  const drain = async () => {
    // Taken one by one: a set's segments are released as soon as it is stored.
    for (let e = events.shift(); e !== undefined; e = events.shift()) {
      if (e.kind === 'tx') {
        open ??= await openInterchange(deps, q, payload, standard, st, e.ic, e.group)
        await storeTransaction(deps, q, payload, standard, engine, st, open, e.tx, e.group)
        // A batch's sink is flushed at the batch's end, never while its other handlers are at work
        // (the flush runs in a savepoint, whose rollback would take their statements with it);
        // what it holds is bounded by the batch's weight (worker.ts batchSize).
        if (!shared && sink.size >= SINK_MAX_SETS) {
          await sink.flush()
        }
      } else {
        const ic = pgSafe(e.ic)
        open ??= await openInterchange(deps, q, payload, standard, st, ic, undefined)
        await closeInterchange(deps, q, payload, standard, engine, st, open, ic)
        open = undefined
      }
    }
    // This chunk's sets translated and matched now (a batch's sink: at the batch's end).
    if (!shared) await sink.flush()
  }
  // A defect inside the engine (never the partner's fault) stops the reading: what was stored
  // stays, the rest of the file is rejected with the defect named. Database errors are not
  // caught here: they roll the stage back and the job is retried.
  let defect: Error | undefined
  const feed = (read: () => void): boolean => {
    try {
      read()
      return true
    } catch (err) {
      defect = err instanceof Error ? err : new Error(String(err))
      return false
    }
  }
  let end: { issues: EdiIssue[]; unreadable: boolean } = { issues: [], unreadable: true }
  let ok = true
  // (Spliced out: the first chunks are not kept for the rest of the file.)
  for (const chunk of first.splice(0)) {
    ok = feed(() => reader.push(chunk))
    await drain()
    if (!ok) break
  }
  for (let c = ok ? await rest.next() : undefined; c !== undefined && !c.done; c = await rest.next()) {
    ok = feed(() => reader.push(c!.value))
    await drain()
    if (!ok) break
  }
  if (ok) feed(() => void (end = reader.end()))
  await drain()
  if (defect !== undefined || end.unreadable) {
    const detail = defect ? `internal parser error: ${defect.message}` : end.issues.map((i) => i.message).join('; ') || 'no complete interchange found'
    if (st.interchanges === 0) return reject(q, payload, { code: 'envelope_unreadable', detail: pgSafe(detail) }, standard)
    await openException(q, { code: 'envelope_unreadable', detail: pgSafe(detail).slice(0, 2000) }, { payloadId: payload.id, partnerId: st.partnerId })
    st.icErrors = true
  }
  // The acks last, everything else stored (see ParseState.acks); a batch queues them at its end.
  if (!batch?.acks) await queueOwedAcks(st.acks)
  const outcome: ParseOutcome = {
    status: overallStatus(st.txCount, st.accepted, st.rejected, st.duplicates, st.icErrors, st.icRejected, st.interchangeAcks),
    interchanges: st.interchanges,
    transactions: st.txCount,
    rejected: st.rejected,
  }
  const status = { status: outcome.status, standard, partnerId: st.partnerId, test: st.anyTest, outcome }
  if (batch?.statuses) batch.statuses.push({ id: payload.id, ...status })
  else await setPayloadStatus(q, payload.id, status)
  deps.wake()
  return outcome
}

type ParseState = {
  txCount: number; rejected: number; accepted: number; duplicates: number; icRejected: number; interchangeAcks: number
  interchanges: number; partnerId: string | null; anyTest: boolean; icErrors: boolean
  /** Where accepted sets go to be translated and matched. */
  sink: SetSink
  /**
   * The acks owed (997/999/TA1/CONTRL), queued once everything else is stored: allocating their
   * control numbers locks the partner's counter rows until commit (that is what keeps them
   * gap-free), so every other transaction queuing acks for the partner waits from that moment.
   * Queued as each interchange closed, a large file held them from its first interchange to its
   * commit, minutes in which none of the partner's other files could finish.
   */
  acks: OwedAck[]
}

async function openInterchange(
  deps: PipelineDeps, q: Q, payload: PayloadRow, standard: Standard, st: ParseState, ic: ParsedInterchange, group: ParsedGroup | undefined
): Promise<OpenInterchange> {
  const seq = st.interchanges++
  const refs = { payloadId: payload.id, partnerId: payload.partner_id }
  const senders = (group ? [...ic.groups, group] : ic.groups).map((g) => g.senderId ?? '').filter(Boolean)
  const profile = identify(deps, standard, pgSafe(ic), senders)
  const row = pgSafe(icRow(payload.id, seq, standard, null, ic, 'parsed'))
  let reason: ExceptionReason | undefined
  if (!profile) {
    reason = { code: 'unknown_partner', standard, qualifier: row.senderQual, senderId: row.senderId }
  } else if (payload.partner_id && profile.id !== payload.partner_id) {
    // The transport authenticated one partner; the envelope claims another.
    reason = { code: 'partner_mismatch', expected: payload.partner_id, actual: profile.id }
  } else if (profile.status === 'disabled') {
    reason = { code: 'partner_disabled', partnerId: profile.id }
  }
  if (reason || !profile) {
    const id = await insertInterchange(q, { ...row, status: 'rejected' })
    await openException(q, reason!, { ...refs, transactionId: null, partnerId: profile?.id ?? payload.partner_id }, `${reason!.code}:${id}`)
    st.icRejected++
    return { id, control: row.controlNumber, test: row.test, mode: 'rejected', duplicate: false, issuesStored: row.issues.length }
  }
  st.partnerId = profile.id
  // A live partner's test interchange (ISA15=T, UNB 0035=1) is handled by policy.
  const testFlag = profile.status === 'testing' || (ic.test && profile.testIndicator === 'treat_as_test')
  st.anyTest ||= testFlag
  const status = ic.test && profile.status === 'live' && profile.testIndicator === 'reject' ? 'rejected' : 'parsed'
  // The row and the claim of its control number in one statement (duplicate_keys): a copy parsed
  // at the same moment, in another transaction or in this one, finds it held. A replay
  // (meta.replayOf) is an intentional re-run of stored bytes, not a partner's resend: no claim.
  const claim = payload.meta.replayOf ? false : { windowDays: profile.duplicates.windowDays }
  const { id, duplicateOf: dup } = await insertInterchangeClaiming(q, { ...row, partnerId: profile.id, status, test: testFlag }, claim)
  if (dup) {
    st.duplicates++
    await openException(q, { code: 'duplicate_interchange', controlNumber: row.controlNumber, firstSeenAt: new Date(dup.created_at).toISOString(), firstMessageId: dup.payload_id }, { ...refs, partnerId: profile.id }, `duplicate_interchange:${id}`)
    return { id, control: row.controlNumber, test: testFlag, profile, mode: 'skip', duplicate: true, issuesStored: row.issues.length }
  }
  if (status === 'rejected') {
    await openException(q, { code: 'test_indicator', policy: profile.testIndicator }, { ...refs, partnerId: profile.id }, `test_indicator:${id}`)
    st.icRejected++
    return { id, control: row.controlNumber, test: testFlag, profile, mode: 'skip', duplicate: false, issuesStored: row.issues.length }
  }
  return { id, control: row.controlNumber, test: testFlag, profile, mode: 'process', duplicate: false, issuesStored: row.issues.length }
}

async function storeTransaction(
  deps: PipelineDeps, q: Q, payload: PayloadRow, standard: Standard, engine: Engine, st: ParseState, open: OpenInterchange,
  raw: ParsedTransaction, g: ParsedGroup
): Promise<void> {
  if (open.mode === 'rejected') {
    st.rejected++
    return
  }
  if (open.mode === 'skip' || !open.profile) return
  const profile = open.profile
  const icId = open.id
  if (open.group !== g) {
    // A new group: its own control number may be a resend (profile duplicates.groups).
    await releaseUnusedGroup(q, open)
    open.group = g
    open.groupDup = undefined
    open.groupClaim = undefined
    if (profile.duplicates.groups && g.explicit) {
      const key = groupKey(standard, pgSafe(g.controlNumber))
      const holder = await claimDuplicateKey(q, { partnerId: profile.id, key, interchangeId: icId, payloadId: payload.id, windowDays: profile.duplicates.windowDays })
      if (holder.interchange_id !== icId) open.groupDup = holder
      else open.groupClaim = { key, used: false }
    }
  }
  const groupControl = pgSafe(g.controlNumber)
  const tx = { type: pgSafe(raw.type), controlNumber: pgSafe(raw.controlNumber), version: pgSafe(raw.version), status: raw.status, issues: pgSafe(raw.issues), span: raw.span }
  st.txCount++
  const dupTx = open.groupDup ?? (profile.duplicates.transactions && tx.status !== 'rejected'
    ? await claimedElsewhere(q, { partnerId: profile.id, key: transactionKey(standard, tx.type, tx.controlNumber), interchangeId: icId, payloadId: payload.id, windowDays: profile.duplicates.windowDays })
    : undefined)
  if (!dupTx && tx.status !== 'rejected' && open.groupClaim) open.groupClaim.used = true
  const base = {
    payloadId: payload.id, interchangeId: icId, partnerId: profile.id, standard, docType: tx.type, version: tx.version,
    groupControl, controlNumber: tx.controlNumber, issues: tx.issues, span: tx.span,
  }
  if (dupTx) {
    st.duplicates++
    const txId = await insertTransaction(q, { ...base, status: 'duplicate' })
    const controlNumber = open.groupDup ? `group ${groupControl}` : tx.controlNumber
    await openException(q, { code: 'duplicate_transaction', controlNumber, firstMessageId: dupTx.payload_id }, { payloadId: payload.id, transactionId: txId, partnerId: profile.id })
    return
  }
  const ack = tx.status !== 'rejected' ? engine.readAck(raw) : undefined
  const txStatus = tx.status === 'rejected' ? 'rejected' : ack ? 'reconciled' : 'parsed'
  const txId = newId('txn')
  // Segments made storable (plain objects, no NUL) only now, one set at a time.
  const segments = tx.status === 'rejected' ? undefined : pgSafe(raw.segments)
  if (tx.status === 'rejected') {
    st.rejected++
    await insertTransaction(q, { ...base, id: txId, status: txStatus, segments })
    await openException(q, { code: 'message_invalid', docType: tx.type, controlNumber: tx.controlNumber, issues: tx.issues.slice(0, 50) }, { payloadId: payload.id, transactionId: txId, partnerId: profile.id })
  } else if (ack) {
    st.accepted++
    await insertTransaction(q, { ...base, id: txId, status: txStatus, segments })
    await reconcileAck(q, profile.id, pgSafe(ack), { transactionId: txId, payloadId: payload.id })
  } else {
    st.accepted++
    // The row goes with the set into the sink, which stores the rows of a chunk (or of a batch of
    // files) in one statement when it flushes, before translating. Translate and match take the
    // set from memory (its segments are not read back).
    st.sink.add({
      id: txId, payload_id: payload.id, interchange_id: icId, partner_id: profile.id, standard, doc_type: tx.type, version: tx.version,
      group_control: groupControl, control_number: tx.controlNumber, status: 'parsed', segments: segments as unknown[], body: null,
      ic_control: open.control, ic_test: open.test,
    }, { ...base, id: txId, status: txStatus, segments })
  }
}

async function closeInterchange(
  deps: PipelineDeps, q: Q, payload: PayloadRow, standard: Standard, engine: Engine, st: ParseState, open: OpenInterchange, ic: ParsedInterchange
): Promise<void> {
  const icErrors = ic.issues.some((i) => i.severity === 'error')
  st.icErrors ||= icErrors
  // The trailer (IEA/UNZ) checks come at the end: the row gets the interchange's final issues.
  if (ic.issues.length !== open.issuesStored) await setInterchangeIssues(q, open.id, ic.issues)
  await releaseUnusedGroup(q, open)
  const profile = open.profile
  if (!profile || open.mode === 'rejected') return
  if (open.duplicate) {
    // policy `flag`: acknowledged as received, never processed twice; `reject`: no ack either.
    if (profile.duplicates.policy === 'flag') st.acks.push({ partnerId: profile.id, queue: () => queueAcks(q, engine, standard, ic, profile, open.id) })
    return
  }
  if (open.mode === 'skip') return
  // Acks in the envelope itself (X12 TA1, between ISA and the first GS) answer interchanges of
  // ours: reconciled like a 997/999/CONTRL, with no transaction row of their own.
  const icAcks = engine.readInterchangeAcks?.(ic) ?? []
  for (const ack of icAcks) await reconcileAck(q, profile.id, ack, { transactionId: null, payloadId: payload.id })
  st.interchangeAcks += icAcks.length
  // A readable envelope with nothing inside it but errors (cut off after ISA/UNB) is rejected
  // with its reason, never left as a silent 'rejected' status. A TA1-only interchange is not empty.
  if (icAcks.length === 0 && ic.groups.every((g) => g.transactions.length === 0) && icErrors) {
    const detail = `interchange ${ic.controlNumber} holds no transaction: ${ic.issues.map((i) => i.message).join('; ')}`.slice(0, 2000)
    await openException(q, { code: 'envelope_unreadable', detail }, { payloadId: payload.id, partnerId: profile.id }, `envelope_unreadable:${open.id}`)
  }
  st.acks.push({ partnerId: profile.id, queue: () => queueAcks(q, engine, standard, ic, profile, open.id) })
}

/**
 * One word for the payload. Interchanges that hold no transaction set but TA1s we reconciled are
 * parsed (what the TA1s said is on our deliveries); one with neither and no envelope error is
 * simply parsed too; with errors it was rejected with a reason above.
 */
function overallStatus(txCount: number, accepted: number, rejected: number, duplicates: number, icErrors: boolean, icRejected: number, interchangeAcks: number): ParseOutcome['status'] {
  if (txCount === 0 && duplicates === 0) {
    if (interchangeAcks > 0 && icRejected === 0) return 'parsed'
    return icErrors || icRejected > 0 ? 'rejected' : 'parsed'
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
