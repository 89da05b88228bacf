/**
 * One segment's text → `Segment`. X12 has no release character (X12.5 §3.3), so splitting is
 * plain: elements on the element separator, components on ISA16, repetitions on ISA11 (5010).
 */
import type { Delimiters, Element, Position, Segment } from '../types.ts'

export function splitSegment(text: string, d: Delimiters, pos: Position): Segment {
  const parts = text.split(d.element)
  const tag = parts[0]
  const n = parts.length - 1
  const elements: Element[] = new Array(n)
  // One scan of the whole text decides whether any element needs a second split.
  const hasComp = text.indexOf(d.component) !== -1
  const rep = d.repetition
  const hasRep = rep !== undefined && text.indexOf(rep) !== -1
  if (!hasComp && !hasRep) {
    for (let i = 0; i < n; i++) elements[i] = [parts[i + 1]]
    return { tag, elements, pos }
  }
  let repeats: Record<number, Element[]> | undefined
  for (let i = 0; i < n; i++) {
    const raw = parts[i + 1]
    if (hasRep && raw.indexOf(rep) !== -1) {
      const reps = raw.split(rep).map((r) => (hasComp && r.indexOf(d.component) !== -1 ? r.split(d.component) : [r]))
      elements[i] = reps[0]
      repeats ??= {}
      repeats[i] = reps
    } else {
      elements[i] = hasComp && raw.indexOf(d.component) !== -1 ? raw.split(d.component) : [raw]
    }
  }
  return repeats ? { tag, elements, repeats, pos } : { tag, elements, pos }
}

/**
 * `splitSegment` for a segment known to hold no component or repetition separator, read in
 * place from the chunk string: `s[start, stop)` with its first element separator (char code
 * `sc`) at `te` (or te = stop). No intermediate text or split array.
 */
export function splitSimple(s: string, te: number, stop: number, sc: number, tag: string, pos: Position): Segment {
  let n = 0
  for (let i = te; i < stop; i++) if (s.charCodeAt(i) === sc) n++
  const elements: Element[] = new Array(n)
  let p = te
  for (let k = 0; k < n; k++) {
    const a = p + 1
    let b = a
    while (b < stop && s.charCodeAt(b) !== sc) b++
    elements[k] = [s.slice(a, b)]
    p = b
  }
  return { tag, elements, pos }
}

/** The text of element `i` (0-based), components joined back; '' when absent. */
export function elementText(seg: Segment, i: number, component = ':'): string {
  const el = seg.elements[i]
  if (el === undefined) return ''
  return el.length === 1 ? el[0] : el.join(component)
}

/** First component of element `i` (0-based); '' when absent. */
export function el0(seg: Segment, i: number): string {
  const el = seg.elements[i]
  return el === undefined ? '' : el[0]
}
