/**
 * What is this payload? Decided from the first non-blank bytes after an optional UTF-8 BOM:
 * `ISA` → X12, `UNA`/`UNB` → EDIFACT, `{`/`[` → JSON. Anything else is not EDI we read.
 */
export type Sniffed = 'x12' | 'edifact' | 'json' | 'empty' | 'unknown'

export function sniff(buf: Uint8Array): Sniffed {
  let i = 0
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3
  // Skip leading whitespace (some partners start files with a line break).
  while (i < buf.length && (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09)) i++
  if (i >= buf.length) return 'empty'
  const head = String.fromCharCode(buf[i], buf[i + 1] ?? 0, buf[i + 2] ?? 0)
  if (head === 'ISA') return 'x12'
  if (head === 'UNA' || head === 'UNB') return 'edifact'
  if (buf[i] === 0x7b || buf[i] === 0x5b) return 'json'
  return 'unknown'
}
