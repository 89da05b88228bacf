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
 * The elements of a segment known to hold no component or repetition separator, read in
 * place from the chunk string: `s[te, stop)` starts at its first element separator (char code
 * `sc`), or te = stop when it has none. Same result as `splitSegment(...).elements`.
 */
export function splitSimple(s: string, te: number, stop: number, sc: number): Element[] {
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
  return elements
}

/**
 * A kept segment without component or repetition separators whose elements are split on first
 * read (most of a parse result is stored or mapped later, and building every element array up
 * front dominated `parseX12`). Readers of `tag`, `elements`, `repeats` and `pos` and
 * `JSON.stringify` see exactly what `splitSegment` would give: `elements` is read through an
 * accessor and cached (assignable like a plain property), `repeats` is never set, and `toJSON`
 * writes the same keys in the same order. Until `elements` is first read, the segment holds
 * on to the chunk string it came from.
 */
export class LazySegment implements Segment {
  tag: string
  pos: Position
  declare repeats?: Record<number, Element[]>
  #s: string
  #te: number
  #stop: number
  #sc: number
  #elements: Element[] | undefined = undefined

  constructor(tag: string, pos: Position, s: string, te: number, stop: number, sc: number) {
    this.tag = tag
    this.pos = pos
    this.#s = s
    this.#te = te
    this.#stop = stop
    this.#sc = sc
  }

  get elements(): Element[] {
    if (this.#elements === undefined) {
      this.#elements = splitSimple(this.#s, this.#te, this.#stop, this.#sc)
      this.#s = ''
    }
    return this.#elements
  }

  set elements(v: Element[]) {
    this.#elements = v
    this.#s = ''
  }

  toJSON(): Segment {
    const { tag, elements, repeats, pos } = this
    return repeats === undefined ? { tag, elements, pos } : { tag, elements, repeats, pos }
  }
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
