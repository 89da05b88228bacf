/** Test helpers: flatten every issue of a ParseResult, find the first transaction. */
import type { EdiIssue } from '../../../src/edi/issues.ts'
import type { ParseResult, ParsedTransaction } from '../../../src/edi/types.ts'
import { parseX12 } from '../../../src/edi/x12/index.ts'

export function allIssues(r: ParseResult): EdiIssue[] {
  const out = [...r.issues]
  for (const ic of r.interchanges) {
    out.push(...ic.issues)
    for (const g of ic.groups) {
      out.push(...g.issues)
      for (const t of g.transactions) out.push(...t.issues)
    }
  }
  return out
}

export const codes = (r: ParseResult): string[] => allIssues(r).map((i) => i.code)

export function firstTx(r: ParseResult): ParsedTransaction {
  const tx = r.interchanges[0]?.groups[0]?.transactions[0]
  if (!tx) throw new Error('no transaction parsed')
  return tx
}

export const parse = (s: string): ParseResult => parseX12(Buffer.from(s, 'utf8'))

/** Replace the first occurrence of `from` in a segment list (keeps counts right). */
export function edit(body: string[], from: string, to: string | null): string[] {
  const i = body.findIndex((s) => s.startsWith(from))
  if (i < 0) throw new Error(`fixture has no segment starting with ${from}`)
  const out = [...body]
  if (to === null) out.splice(i, 1)
  else out[i] = to
  return out
}
