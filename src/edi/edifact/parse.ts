/**
 * Whole-buffer parse: the streaming reader fed once, with every message retained. Never throws
 * on input: anything unreadable becomes `unreadable: true` plus a file-level issue.
 */
import { issue } from '../issues.ts'
import type { ParsedInterchange, ParseResult } from '../types.ts'
import { createEdifactReader, type EdifactReaderOptions } from './reader.ts'

/**
 * @example
 * const result = parseEdifact(readFileSync('orders.edi'))
 * for (const ich of result.interchanges)
 *   for (const g of ich.groups) for (const tx of g.transactions) console.log(tx.type, tx.status)
 */
export function parseEdifact(input: Buffer | Uint8Array, opts: Omit<EdifactReaderOptions, 'retain'> = {}): ParseResult {
  const interchanges: ParsedInterchange[] = []
  try {
    const r = createEdifactReader({ onInterchange: (x) => interchanges.push(x) }, { ...opts, retain: true })
    r.push(input as Buffer)
    const out = r.end()
    return { standard: 'edifact', interchanges, issues: out.issues, unreadable: out.unreadable }
  } catch (err) {
    // A defect in the parser must not take the pipeline down with the partner's file: report it
    // as unreadable (the message names the defect for the bug report).
    return {
      standard: 'edifact',
      interchanges,
      issues: [issue('envelope_unreadable', 'file', `parser defect: ${(err as Error).message}`)],
      unreadable: true,
    }
  }
}
