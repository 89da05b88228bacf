/**
 * Splits one decoded segment string into tag, elements and components, removing release
 * characters (ISO 9735-1 §7.4: the release character makes the next character literal,
 * including itself). The common case (no release character in the segment) is two `split`s.
 */
import type { Element } from '../types.ts'

/** Separators as one-character strings ('' = not used). */
export interface ServiceChars {
  component: string
  element: string
  release: string
  repetition: string
}

export interface Tokens {
  tag: string
  elements: Element[]
  repeats?: Record<number, Element[]>
}

export function tokenize(s: string, sc: ServiceChars): Tokens {
  if (sc.release === '' || s.indexOf(sc.release) < 0) return fast(s, sc)
  return slow(s, sc)
}

function fast(s: string, sc: ServiceChars): Tokens {
  const parts = s.split(sc.element)
  const tag = parts[0]
  const elements: Element[] = new Array(parts.length - 1)
  let repeats: Record<number, Element[]> | undefined
  const rep = sc.repetition
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i]
    if (rep !== '' && p.indexOf(rep) >= 0) {
      const raw = p.split(rep)
      const reps: Element[] = new Array(raw.length)
      for (let k = 0; k < raw.length; k++) reps[k] = raw[k].split(sc.component)
      elements[i - 1] = reps[0]
      ;(repeats ??= {})[i - 1] = reps
    } else {
      elements[i - 1] = p.indexOf(sc.component) < 0 ? [p] : p.split(sc.component)
    }
  }
  return repeats ? { tag, elements, repeats } : { tag, elements }
}

function slow(s: string, sc: ServiceChars): Tokens {
  const es = sc.element
  const cs = sc.component
  const rs = sc.release
  const ps = sc.repetition
  const elements: Element[] = []
  let repeats: Record<number, Element[]> | undefined
  let tag: string | undefined
  let comp = ''
  let el: string[] = []
  let reps: Element[] | undefined
  // One pass; `from` marks the start of the literal run not yet copied into `comp`.
  let from = 0
  const n = s.length
  for (let i = 0; i <= n; i++) {
    const c = i < n ? s[i] : es
    if (i < n && c === rs) {
      // A trailing lone release character has nothing to release; keep it as data.
      comp += s.slice(from, i)
      if (i + 1 < n) i++
      from = i
      continue
    }
    if (c !== es && c !== cs && (ps === '' || c !== ps || tag === undefined)) continue
    comp += s.slice(from, i)
    from = i + 1
    el.push(comp)
    comp = ''
    if (c === cs) continue
    if (c === ps) {
      ;(reps ??= []).push(el)
      el = []
      continue
    }
    // Element separator (or end of segment): close the element.
    if (tag === undefined) tag = el[0]
    else if (reps) {
      reps.push(el)
      elements.push(reps[0])
      ;(repeats ??= {})[elements.length - 1] = reps
      reps = undefined
    } else elements.push(el)
    el = []
  }
  return repeats ? { tag: tag ?? '', elements, repeats } : { tag: tag ?? '', elements }
}
