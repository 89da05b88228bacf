/**
 * Memory bounds of the streaming reader (issue 10: "memory stays bounded" on any input, 500 MB of
 * garbage included). Everything the reader keeps grows with one of three things, each capped here:
 * - issues: at most MAX_ISSUES per message, per interchange and per file are kept, the rest
 *   counted (src/edi/limits.ts, shared with X12);
 * - the open message: a message longer than MAX_MESSAGE_BYTES (UNH to the current segment) or
 *   than MAX_MESSAGE_SEGMENTS is rejected (`transaction_too_large`) and its body is dropped; the
 *   reader keeps counting its segments so UNT is still checked;
 * - one segment: the lexer's maxSegmentBytes (reader option, default 16 MiB).
 * The limits are far above any real EANCOM message (the largest ORDERS/DESADV/INVOIC seen are a
 * few hundred KB), so valid input gives exactly the results it gave before the caps.
 */
export { compactIssue, keepIssue, MAX_ISSUES, Overflow, overflowIssue, trimIssues } from '../limits.ts'

/** Bytes from UNH to the end of the current segment. */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024
/** Segments UNH..UNT; tiny segments cost more per byte than the byte limit assumes. */
export const MAX_MESSAGE_SEGMENTS = 100_000
