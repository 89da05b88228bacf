/**
 * Test-only segment splitter (NOT the production parsers): enough to turn a hand-written X12 or
 * EDIFACT body into Segment[] for unit tests of the map engine. X12: `~` segments, `*`
 * elements, `>` components. EDIFACT: `'` segments, `+` elements, `:` components, `?` release.
 */
import type { Segment } from '../../src/edi/types.ts'

export function x12(text: string): Segment[] {
  return text
    .split('~')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s, index) => {
      const [tag, ...els] = s.split('*')
      return { tag, elements: els.map((e) => e.split('>')), pos: { offset: 0, index, line: 1 } }
    })
}

function splitEsc(s: string, sep: string): string[] {
  const out: string[] = []
  let cur = ''
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '?' && i + 1 < s.length) cur += s[++i] === sep ? `\u0000${sep}` : `?${s[i]}`
    else if (s[i] === sep) out.push(cur), (cur = '')
    else cur += s[i]
  }
  out.push(cur)
  return out
}

const unesc = (s: string) => s.replace(/\u0000/g, '').replace(/\?(.)/g, '$1')

export function edifact(text: string): Segment[] {
  return splitEsc(text.replace(/\r?\n/g, ''), "'")
    .map((s) => unesc(s).trim() === '' ? '' : s)
    .filter(Boolean)
    .map((s, index) => {
      const [tag, ...els] = splitEsc(s, '+')
      return {
        tag: unesc(tag),
        elements: els.map((e) => splitEsc(e, ':').map(unesc)),
        pos: { offset: 0, index, line: 1 },
      }
    })
}

/** Render segments one per line (`TAG*a*b>c`) for readable golden files and diffs. */
export function render(segs: { tag: string; elements: string[][] }[], el = '*', comp = '>'): string {
  return segs.map((s) => [s.tag, ...s.elements.map((e) => e.join(comp))].join(el)).join('\n') + '\n'
}
