/**
 * What every stage gets. Concrete engines (X12/EDIFACT parsers, the map engine, the matcher)
 * are plugged in by main.ts through these small interfaces, so stages can be tested with the
 * real ones and the pipeline never imports an adapter.
 */
import type { AckKind } from '../edi/ack-answers.ts'
import type { CanonicalDoc } from '../canonical/index.ts'
import type { PartnerProfile } from '../config/partner.ts'
import type { Registry } from '../config/registry.ts'
import type { ControlKind } from '../db/control-numbers.ts'
import type { DeliveryReferences } from '../db/lineage.ts'
import type { Q, Sql } from '../db/sql.ts'
import type { EdiIssue } from '../edi/issues.ts'
import type { ParseResult, ParsedGroup, ParsedInterchange, ParsedTransaction, Standard } from '../edi/types.ts'
import type { ExceptionReason } from '../exceptions/reasons.ts'
import type { Logger } from '../lib/log.ts'
import type { Transport } from '../transports/types.ts'

/** An ack we owe the sender, ready to deliver. */
export interface OutboundAck {
  docType: '997' | '999' | 'TA1' | 'CONTRL'
  text: string
  controlNumber: string
}

/** What an inbound 997/999/TA1/CONTRL says about something WE sent. */
export interface AckReconciliation {
  ack: AckKind
  /** Our group (GS06: 997/999) or interchange (ISA13: TA1, UNB 0020: CONTRL) reference the ack answers. */
  reference: string
  results: { controlNumber: string; status: 'accepted' | 'accepted_with_errors' | 'rejected'; notes: string[] }[]
}

/**
 * Allocates a range of our outbound control numbers for each kind asked, all at once (one
 * statement in the pipeline) in the current transaction: the first number of each range. A
 * count of 0 allocates nothing and answers 0.
 */
export type Allocate = <K extends ControlKind>(counts: Readonly<Record<K, number>>) => Promise<Record<K, number>>

/**
 * Numbers from counters in memory, each range after the last (what certification and the CLI
 * parse command use: they must not consume a partner's real control numbers).
 */
export function localAllocator(): Allocate {
  const next: Partial<Record<ControlKind, number>> = {}
  return async (counts) => {
    const out = {} as Record<keyof typeof counts, number>
    for (const [kind, n] of Object.entries(counts) as [keyof typeof counts & ControlKind, number][]) {
      out[kind] = n > 0 ? (next[kind] ?? 0) + 1 : 0
      next[kind] = (next[kind] ?? 0) + Math.max(0, Math.floor(n))
    }
    return out
  }
}

/**
 * What a streaming read reports, in file order: each transaction set as it closes (with its
 * segments), then its interchange as it closes. The interchange's groups hold the sets in slim
 * form (no segments, what the acks need), so nothing grows with the file but one entry per set.
 */
export interface EdiStreamSink {
  /** `group` and `interchange` are still open: their trailers and counts are not checked yet. */
  transaction(tx: ParsedTransaction, group: ParsedGroup, interchange: ParsedInterchange): void
  interchange(interchange: ParsedInterchange): void
}

export interface EdiStream {
  /** Chunks must not be modified after push (segments may point into them until processed). */
  push(chunk: Buffer): void
  /** File-level issues; `unreadable` when no interchange was found at all. */
  end(): { issues: EdiIssue[]; unreadable: boolean }
}

export interface EdiEngine {
  parse(buf: Buffer): ParseResult
  /** The same reading as `parse`, pushed chunk by chunk: memory is one set, not the file. */
  stream(sink: EdiStreamSink): EdiStream
  /** The acks this interchange earns under the partner's profile (may be none). */
  acks(result: ParseResult, ic: ParsedInterchange, profile: PartnerProfile, allocate: Allocate): Promise<OutboundAck[]>
  /** Set when the transaction is itself an acknowledgement (997/999/CONTRL). */
  readAck(tx: ParsedTransaction): AckReconciliation | undefined
  /** Acks carried by the interchange envelope itself (X12 TA1 between ISA and the first GS). */
  readInterchangeAcks?(ic: ParsedInterchange): AckReconciliation[]
  /**
   * Envelope + serialise an outbound document body for the partner. `controlNumber` is what
   * acks answer (GS06, UNB 0020); `references` every envelope level. Data the standard cannot
   * carry (an X12 delimiter inside a value) is `ok: false` with the issues, found before any
   * control number is allocated.
   */
  write?(profile: PartnerProfile, docType: string, body: { tag: string; elements: string[][] }[], allocate: Allocate): Promise<WriteResult>
}

export type WriteResult =
  | { ok: true; text: string; controlNumber: string; references: DeliveryReferences }
  | { ok: false; issues: EdiIssue[] }

export type MapOutcome =
  | { ok: true; doc: CanonicalDoc; mapId: string; mapHash: string }
  | { ok: false; reasons: ExceptionReason[] }

export type OutboundMapOutcome =
  | { ok: true; segments: { tag: string; elements: string[][] }[]; mapId: string; mapHash: string }
  | { ok: false; reasons: ExceptionReason[] }

export interface Mapper {
  /** Canonical → message body segments for a partner (most specific outbound map). */
  outbound(profile: PartnerProfile, q: { standard: 'x12' | 'edifact'; version: string; docType: string }, doc: CanonicalDoc): OutboundMapOutcome
  /** A JSON payload may carry several documents (SP-API `acknowledgements[]`): one entry per document. */
  splitJson(profile: PartnerProfile, docType: string, version: string, body: unknown): { json: unknown; path: string }[]
  inbound(
    profile: PartnerProfile,
    input: { standard: Standard | 'json'; version: string; docType: string; segments?: unknown[]; body?: unknown },
    provenance: { interchangeControl?: string; groupControl?: string; transactionControl?: string; test: boolean }
  ): MapOutcome
}

export interface PipelineDeps {
  sql: Sql
  registry: Registry
  engines: Partial<Record<Standard, EdiEngine>>
  mapper: Mapper
  log: Logger
  /** Outbound channels by name: 'as2', 'sftp', 'sftp_mailbox', 'webhook' ... */
  transports: Record<string, Transport>
  now: () => Date
  wake: () => void
  /** Largest payload the parse stage reads (MAX_PAYLOAD_BYTES); larger ones are rejected. */
  maxPayloadBytes?: number
  /** Hook for the match stage (wired by main.ts to src/matching). */
  match?: (q: Q, documentId: string) => Promise<void>
}
