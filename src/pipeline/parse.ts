/**
 * Stage `parse`: raw payload → interchanges → transactions, plus the acks we owe.
 * sniff → lex/envelope/validate (engine) → identify the partner per interchange → duplicate and
 * test-indicator policy → one transaction row per ST/UNH (bad ones rejected alone) → the good
 * ones translated and matched in this same transaction (inline.ts), and `deliver` queued for the
 * 997/999/TA1/CONTRL. An inbound TA1 (or a 997/999/CONTRL set) is reconciled against what we
 * sent (acks.ts). This file reads the payload and streams it through the engine; what happens to
 * each interchange and set is decided in parse-interchange.ts.
 */
import { openException } from '../db/exceptions.ts'
import { getPayloadForParse, setPayloadStatus, type PayloadForParse, type PayloadRow, type PayloadStatus } from '../db/payloads.ts'
import { pgSafe } from '../db/pg-safe.ts'
import type { Q } from '../db/sql.ts'
import { applyGuide } from '../edi/guide.ts'
import { sniff } from '../edi/sniff.ts'
import type { EdiIssue } from '../edi/issues.ts'
import type { ParsedGroup, ParsedInterchange, ParsedTransaction, Standard } from '../edi/types.ts'
import type { PipelineDeps } from './deps.ts'
import { parseJson } from './parse-json.ts'
import { reject, type ParseOutcome } from './parse-outcome.ts'
import { queueOwedAcks, type Engine, type OwedAck } from './queue-acks.ts'
import { inlineSink, SINK_MAX_SETS, type SetSink } from './inline.ts'
import { closeInterchange, identify, openInterchange, storeTransaction, type OpenInterchange } from './parse-interchange.ts'

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

/**
 * Items (interchanges, sets, issues) whose acks a payload may owe before it queues them
 * (parse-interchange.ts ParseState.acks): a few MB of memory. A file of up to about 20,000 valid
 * sets (100 MiB) queues its acks at its end; a larger one from this point on.
 */
export const OWED_ACKS_MAX_ITEMS = 25_000

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
    partnerId: payload.partner_id, anyTest: false, icErrors: false, sink, acks: batch?.acks ?? [], nul: false,
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
  let owedWeight = 0
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
        const owed = st.acks.length
        await closeInterchange(deps, q, payload, standard, engine, st, open, ic)
        open = undefined
        // A very large file queues what it owes once what waits for an ack would take memory
        // (interchanges, sets and issues): from then on it holds the partner's counters.
        for (const a of st.acks.slice(owed)) owedWeight += a.weight
        if (!batch?.acks && owedWeight > OWED_ACKS_MAX_ITEMS) {
          await queueOwedAcks(q, st.acks)
          owedWeight = 0
        }
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
  // A payload whose bytes are all in hand (a small file: one chunk; the stored chunks never
  // hold more than its size, db/payloads.ts streamChunks) is read to its end before
  // anything is stored, so the reader's resources (an EDIFACT lexer's WebAssembly scanner) go
  // back to their pool before the first await: a batch's files are at their statements
  // together, and each held its own scanner through them (a new instance per file once a batch
  // had more EDIFACT files than the pool). Its sets are queued either way: a chunk is read
  // whole before its sets are stored.
  const whole = first.reduce((n, c) => n + c.length, 0) >= Number(payload.size)
  // (Spliced out: the first chunks are not kept for the rest of the file.)
  for (const chunk of first.splice(0)) {
    st.nul ||= chunk.includes(0)
    ok = feed(() => reader.push(chunk))
    if (!whole) await drain()
    if (!ok) break
  }
  for (let c = ok && !whole ? await rest.next() : undefined; c !== undefined && !c.done; c = await rest.next()) {
    st.nul ||= c.value.includes(0)
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
  // The acks last, everything else stored (parse-interchange.ts ParseState.acks); a batch queues them at its end.
  if (!batch?.acks) await queueOwedAcks(q, st.acks)
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
