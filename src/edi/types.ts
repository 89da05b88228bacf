/**
 * Shared shapes of the EDI layer. Both the X12 and the EDIFACT engines produce these, the CLI
 * prints them (`parse --json`), the pipeline stores them and the map engine reads `Segment`s.
 * Pure data: nothing here knows a partner.
 */
import type { EdiIssue } from './issues.ts'

export type Standard = 'x12' | 'edifact'

/** Where a segment starts in the original bytes. `index` counts segments from 0 within the file. */
export interface Position {
  offset: number
  index: number
  line: number
}

/**
 * One element: its components (a simple element has exactly one). X12 repetitions (ISA11) and
 * EDIFACT v4 repetitions are kept in `Segment.repeats` so the common case stays a flat array.
 */
export type Element = string[]

export interface Segment {
  tag: string
  /** elements[0] is the first data element after the tag (BEG01, BGM C002, ...). */
  elements: Element[]
  /** element index (0-based) → every repetition of that element, when the element repeats. */
  repeats?: Record<number, Element[]>
  pos: Position
}

export interface Delimiters {
  element: string
  component: string
  segment: string
  /** X12 5010 ISA11 or EDIFACT UNA repetition separator; absent when none. */
  repetition?: string
  /** EDIFACT release character (`?` by default). X12 has none. */
  release?: string
  /** EDIFACT decimal mark (`.` or `,`). */
  decimal?: string
}

export type TransactionStatus = 'accepted' | 'accepted_with_errors' | 'rejected'

export interface PartyId {
  qualifier: string
  id: string
}

/** One ST..SE (X12) or UNH..UNT (EDIFACT). */
export interface ParsedTransaction {
  /** X12 ST01 (`850`) or EDIFACT UNH S009 message type (`ORDERS`). */
  type: string
  /** ST02 / UNH 0062. */
  controlNumber: string
  /** X12: GS08 or ST03 (`004010`); EDIFACT: `D96A`, `D01B` (version + release). */
  version: string
  /** EDIFACT association assigned code (`EAN008`) or X12 implementation reference (ST03). */
  implementation?: string
  status: TransactionStatus
  issues: EdiIssue[]
  /** Segments from ST/UNH to SE/UNT inclusive. */
  segments: Segment[]
  /** Byte range of the transaction in the source, for highlighting and raw extraction. */
  span: { start: number; end: number }
}

/** GS..GE, or for EDIFACT UNG..UNE (or one synthetic group per message type when there is no UNG). */
export interface ParsedGroup {
  /** X12 GS01 functional identifier (`PO`, `SH`, `IN`, `PR`, `FA`); EDIFACT message type or UNG 0038. */
  type: string
  controlNumber: string
  version: string
  senderId?: string
  receiverId?: string
  /** false for the EDIFACT group made up when there was no UNG. */
  explicit: boolean
  issues: EdiIssue[]
  transactions: ParsedTransaction[]
}

export interface ParsedInterchange {
  standard: Standard
  sender: PartyId
  receiver: PartyId
  controlNumber: string
  /** ISA15 = T, or UNB 0035 = 1. */
  test: boolean
  /** ISA09/ISA10 or UNB S004, as written (`yymmdd`/`hhmm` or `ccyymmdd`). */
  date?: string
  time?: string
  /** ISA12 (`00401`) or UNB S001 syntax identifier + version (`UNOC:3`). */
  syntax: string
  /** ISA14 = 1 (TA1 requested) or UNB 0031 = 1 (CONTRL requested). */
  ackRequested: boolean
  delimiters: Delimiters
  issues: EdiIssue[]
  groups: ParsedGroup[]
  span: { start: number; end: number }
  /**
   * X12: the TA1 segments between ISA and the first GS (a partner's interchange acknowledgments
   * of ours), TA101..TA105 as written; `offset` is where the TA1 starts. Absent when there is none.
   */
  ta1?: { offset: number; elements: string[] }[]
}

export interface ParseResult {
  standard: Standard
  interchanges: ParsedInterchange[]
  /** File-level issues: unreadable envelope, trailing garbage, bytes outside any interchange. */
  issues: EdiIssue[]
  /** true when nothing in the file could be read as EDI (CLI exit code 2). */
  unreadable: boolean
}

/** Counts only: what `parse --summary` prints for very large files. */
export interface ParseSummary {
  standard: Standard
  bytes: number
  interchanges: number
  groups: number
  transactions: number
  segments: number
  byType: Record<string, number>
  issues: number
  unreadable: boolean
}
