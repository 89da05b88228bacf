/**
 * Whole-buffer parse, built on the streaming reader so both paths share every check.
 * Never throws on input: a defect inside the engine is turned into a file-level issue too,
 * because one bad file must not stop a batch.
 */
import { issue } from '../issues.ts'
import type { ParsedInterchange, ParseResult } from '../types.ts'
import { createX12Reader, type X12ReaderOptions } from './reader.ts'

/** Slice size for feeding the reader: keeps each latin1 view small and GC-friendly. */
const SLICE = 1 << 20

/**
 * @example
 * const result = parseX12(readFileSync('po.edi'))
 * for (const ic of result.interchanges) for (const g of ic.groups) for (const tx of g.transactions) tx.status
 */
export function parseX12(input: Buffer, opts: Pick<X12ReaderOptions, 'validate'> = {}): ParseResult {
  const interchanges: ParsedInterchange[] = []
  try {
    const onInterchange = (ic: ParsedInterchange) => void interchanges.push(ic)
    const reader = createX12Reader({ onInterchange }, { ...opts, keepSegments: true, keepTransactions: true })
    for (let at = 0; at < input.length; at += SLICE) reader.push(input.subarray(at, Math.min(input.length, at + SLICE)))
    const end = reader.end()
    return { standard: 'x12', interchanges, issues: end.issues, unreadable: end.unreadable }
  } catch (err) {
    return {
      standard: 'x12',
      interchanges,
      issues: [issue('envelope_unreadable', 'file', `internal parser error: ${(err as Error).message}`, {})],
      unreadable: true,
    }
  }
}
