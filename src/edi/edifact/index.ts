/**
 * UN/EDIFACT engine: pure functions over bytes (ISO 9735 syntax 1-4). No I/O here: the pipeline
 * reads files and sockets and hands us Buffers.
 */
export { parseEdifact } from './parse.ts'
export { createEdifactReader } from './reader.ts'
export type { EdifactReader, EdifactReaderEvents, EdifactReaderOptions, EdifactReaderResult } from './reader.ts'
export { summarizeEdifact } from './summary.ts'
export { buildContrl, readContrl, reconcileContrl } from './ack.ts'
export type { ContrlOptions, ContrlOutput, ContrlReport, AckAction } from './ack.ts'
export { writeEdifact, writeEdifactText, writeSegments, formatSegment, escapeValue, UnwritableValue } from './write.ts'
export type { EdifactInterchangeInput, EdifactMessageInput, SegmentLike, WriteOptions } from './write.ts'
export { validateMessage } from './validate.ts'
export { RawSegment, toPlain } from './segment.ts'
export { fromDelimiters, toDelimiters } from './delimiters.ts'
