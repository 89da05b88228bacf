/**
 * The X12 engine's public surface. Pure functions over Buffers and plain data: no I/O.
 * parse (whole buffer or streaming), summarize (envelope triage), acknowledge (997/999/TA1),
 * read acks that partners send us, and write interchanges.
 */
export { parseX12 } from './parse.ts'
export {
  createX12Reader,
  type X12Reader,
  type X12ReaderHandlers,
  type X12ReaderOptions,
  type X12ReadResult,
  type X12Transaction,
} from './reader.ts'
export { summarizeX12, createX12Summarizer, type X12Summarizer } from './summary.ts'
export {
  buildX12Acks,
  planX12Acks,
  ta1Outcome,
  type X12AckOptions,
  type X12AckResult,
  type X12AckInterchange,
  type X12AckGroupOutcome,
} from './ack.ts'
export { readX12Ack, type X12AckReading, type X12AckTransactionOutcome } from './ack-read.ts'
export { readTa1, TA1_ACK_CODES, TA1_NOTE_CODES, type Ta1Reading } from './ta1.ts'
export {
  writeX12,
  x12DataIssues,
  type X12WriteInterchange,
  type X12WriteGroup,
  type X12WriteTransaction,
  type X12WriteSegment,
  type X12WriteSeparators,
  type X12WriteResult,
} from './write.ts'
export { transactionStatus, groupStatus, type GroupAckCode } from './status.ts'
export { x12TransactionDef, X12_SUPPORTED } from '../dictionary/x12-sets.ts'
