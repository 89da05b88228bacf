/**
 * `parse --summary`: counts only, from native Buffer scans (indexOf for terminators, byte
 * compares for tags), no decoding and no per-segment objects. Released terminators (`?'`) are
 * skipped by counting the release characters in front of each hit (an even run releases
 * nothing: `??'` is a literal `?` followed by a real terminator).
 */
import type { ParseSummary } from '../types.ts'
import { DEFAULT_SERVICE, parseUna, unaUsable } from './delimiters.ts'

const U = 0x55
const N = 0x4e

export function summarizeEdifact(input: Buffer): ParseSummary {
  const out: ParseSummary = {
    standard: 'edifact',
    bytes: input.length,
    interchanges: 0,
    groups: 0,
    transactions: 0,
    segments: 0,
    byType: {},
    issues: 0,
    unreadable: false,
  }
  let svc = DEFAULT_SERVICE
  let p = 0
  if (input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf) p = 3
  const len = input.length
  let msgSegs = 0 // segments since UNH
  let ichUnits = 0 // messages (or groups) since UNB
  let ichGroups = 0
  let inMsg = false
  let inIch = false
  for (;;) {
    // Skip line breaks and blanks between segments.
    while (p < len) {
      const b = input[p]
      if (b !== 0x0a && b !== 0x0d && b !== 0x20 && b !== 0x09) break
      p++
    }
    if (p >= len) break
    if (input[p] === U && input[p + 1] === N && input[p + 2] === 0x41 && p + 9 <= len) {
      const s = parseUna(input.subarray(p + 3, p + 9))
      if (unaUsable(s)) svc = s
      p += 9
      continue
    }
    const term = svc.segment
    const rel = svc.release
    let idx = input.indexOf(term, p)
    while (idx > 0 && rel >= 0 && input[idx - 1] === rel) {
      let k = 1
      while (idx - 1 - k >= p && input[idx - 1 - k] === rel) k++
      if ((k & 1) === 0) break
      idx = input.indexOf(term, idx + 1)
    }
    const end = idx < 0 ? len : idx
    out.segments++
    msgSegs++
    if (input[p] === U && input[p + 1] === N && end - p >= 3) {
      const t = input[p + 2]
      if (t === 0x48) {
        // UNH+ref+TYPE: — the type is the first component of the second element.
        out.transactions++
        if (inMsg) out.issues++ // previous message had no UNT
        inMsg = true
        msgSegs = 1
        if (ichGroups === 0) ichUnits++
        const e1 = input.indexOf(svc.element, p + 4)
        if (e1 >= 0 && e1 < end) {
          let q = e1 + 1
          while (q < end && input[q] !== svc.component && input[q] !== svc.element) q++
          const type = input.toString('latin1', e1 + 1, q)
          out.byType[type] = (out.byType[type] ?? 0) + 1
        }
      } else if (t === 0x54) {
        if (!inMsg || readCount(input, p + 4, end, svc.element, svc.component) !== msgSegs) out.issues++
        inMsg = false
      } else if (t === 0x42) {
        out.interchanges++
        if (inIch) out.issues++
        inIch = true
        ichUnits = 0
        ichGroups = 0
      } else if (t === 0x47) {
        out.groups++
        ichGroups++
        ichUnits = ichGroups
      } else if (t === 0x5a) {
        if (!inIch || readCount(input, p + 4, end, svc.element, svc.component) !== ichUnits) out.issues++
        inIch = false
      }
    }
    if (idx < 0) break
    p = idx + 1
  }
  if (inMsg) out.issues++
  if (inIch) out.issues++
  out.unreadable = out.interchanges === 0
  return out
}

/** Decimal value of the first element after the tag (UNT 0074, UNZ 0036); -1 when not digits. */
function readCount(b: Buffer, from: number, end: number, el: number, cp: number): number {
  let n = 0
  let digits = 0
  for (let i = from; i < end; i++) {
    const c = b[i]
    if (c === el || c === cp) break
    if (c < 0x30 || c > 0x39) return -1
    n = n * 10 + (c - 0x30)
    digits++
  }
  return digits ? n : -1
}


