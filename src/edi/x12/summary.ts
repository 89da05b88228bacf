/**
 * Envelope-level triage for very large files (`parse --summary`): segment boundaries come from
 * native `Buffer.indexOf` on the terminator byte; only the envelope segments (ISA/GS/ST/SE/GE/
 * IEA) have their elements read. Counts and control numbers are checked as in X12.5; nothing
 * else is validated, nothing is decoded, memory stays at one chunk plus one partial segment.
 */
import type { ParseSummary } from '../types.ts'
import { scanIsa } from './isa.ts'

export interface X12Summarizer {
  push(chunk: Buffer): void
  end(): ParseSummary
}

export function createX12Summarizer(): X12Summarizer {
  const sum: ParseSummary = { standard: 'x12', bytes: 0, interchanges: 0, groups: 0, transactions: 0, segments: 0, byType: {}, issues: 0, unreadable: true }
  let pending: Buffer | null = null
  let started = false
  let inside = false
  let sep = 42
  let term = 126
  let isa13 = ''
  let groupsInIc = 0
  let gs06: string | null = null
  let txInGroup = 0
  let st02: string | null = null
  let txSegs = 0
  let garbage = false

  /** Element `k` (1-based) of the segment at [p, e): bytes between separators, CR stripped. */
  function field(buf: Buffer, p: number, e: number, k: number): string {
    let a = p
    for (let i = 0; i < k; i++) {
      a = buf.indexOf(sep, a) + 1
      if (a === 0 || a > e) return ''
    }
    let b = buf.indexOf(sep, a)
    if (b < 0 || b > e) b = e
    if (b > a && buf[b - 1] === 13) b--
    return buf.toString('latin1', a, b)
  }

  function closeTx(): void {
    if (st02 !== null) sum.issues++ // SE missing
    st02 = null
  }
  function closeGroup(): void {
    closeTx()
    if (gs06 !== null) sum.issues++ // GE missing
    gs06 = null
  }

  function process(buf: Buffer, final: boolean): void {
    const n = buf.length
    let p = 0
    if (!started) {
      if (n < 3 && !final) return void (pending = buf)
      started = true
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) p = 3
    }
    while (p < n) {
      const c = buf[p]
      if (c === 10 || c === 13 || c === 32 || c === 9) {
        p++
        continue
      }
      if (!inside || (c === 73 && buf[p + 1] === 83 && buf[p + 2] === 65 && buf[p + 3] !== undefined && buf[p + 3] === sep)) {
        const q = buf.indexOf('ISA', p, 'latin1')
        if (q < 0) {
          // Bytes outside any interchange: one issue per run, however the run is chunked.
          if (final || n - p > 2 || !'ISA'.startsWith(buf.toString('latin1', p, n))) garbage = true
          p = final ? n : Math.max(p, n - 2)
          break
        }
        if (q > p) garbage = true
        if (inside) {
          sum.issues++ // IEA missing before the next ISA
          closeGroup()
        }
        const scan = scanIsa(buf.toString('latin1', q, Math.min(n, q + 600)), 0, final || n - q > 600)
        if (scan.kind === 'need_more') {
          p = q
          break
        }
        if (garbage) sum.issues++
        garbage = false
        if (scan.kind === 'invalid') {
          sum.issues++
          p = q + 3
          continue
        }
        sep = scan.delimiters.element.charCodeAt(0)
        term = scan.delimiters.segment.charCodeAt(0)
        isa13 = scan.fields[12]
        sum.interchanges++
        sum.segments++
        sum.unreadable = false
        groupsInIc = 0
        inside = true
        p = q + scan.end
        continue
      }
      let e = buf.indexOf(term, p)
      if (e < 0) {
        if (!final) break
        e = n
      }
      sum.segments++
      txSegs++
      const c1 = buf[p + 1]
      if (buf[p + 2] === sep) {
        if (c === 83 && c1 === 84) {
          closeTx()
          sum.transactions++
          txInGroup++
          const type = field(buf, p, e, 1)
          sum.byType[type] = (sum.byType[type] ?? 0) + 1
          st02 = field(buf, p, e, 2)
          txSegs = 1
        } else if (c === 83 && c1 === 69) {
          if (st02 === null || field(buf, p, e, 1) !== String(txSegs) || field(buf, p, e, 2) !== st02) sum.issues++
          st02 = null
        } else if (c === 71 && c1 === 83) {
          closeGroup()
          sum.groups++
          groupsInIc++
          txInGroup = 0
          gs06 = field(buf, p, e, 6)
        } else if (c === 71 && c1 === 69) {
          closeTx()
          if (gs06 === null || field(buf, p, e, 1) !== String(txInGroup) || field(buf, p, e, 2) !== gs06) sum.issues++
          gs06 = null
        }
      } else if (c === 73 && c1 === 69 && buf[p + 2] === 65 && buf[p + 3] === sep) {
        closeGroup()
        if (field(buf, p, e, 1) !== String(groupsInIc) || field(buf, p, e, 2) !== isa13) sum.issues++
        inside = false
      }
      p = e + 1
    }
    if (p > n) p = n
    sum.bytes += p
    pending = p < n ? buf.subarray(p) : null
  }

  return {
    push(chunk: Buffer): void {
      if (chunk.length === 0) return
      const buf = pending ? Buffer.concat([pending, chunk]) : chunk
      pending = null
      process(buf, false)
    },
    end(): ParseSummary {
      process(pending ?? Buffer.alloc(0), true)
      if (garbage) sum.issues++
      if (inside) {
        closeGroup()
        sum.issues++ // IEA missing at end of file
      }
      return sum
    },
  }
}

/**
 * @example
 * summarizeX12(readFileSync('big.edi')) // { interchanges: 1, transactions: 120000, ... }
 */
export function summarizeX12(input: Buffer | Iterable<Buffer>): ParseSummary {
  const s = createX12Summarizer()
  if (Buffer.isBuffer(input)) s.push(input)
  else for (const chunk of input) s.push(chunk)
  return s.end()
}
