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
      const reps = p.split(rep).map((r) => r.split(sc.component))
      elements[i - 1] = reps[0]
      ;(repeats ??= {})[i - 1] = reps
    } else {
      elements[i - 1] = p.indexOf(sc.component) < 0 ? [p] : p.split(sc.component)
    }
  }
  return repeats ? { tag, elements, repeats } : { tag, elements }
}

function slow(s: string, sc: ServiceChars): Tokens {
  const { element: es, component: cs, release: rs, repetition: ps } = sc
  const elements: Element[] = []
  let repeats: Record<number, Element[]> | undefined
  let tag: string | undefined
  let comp = ''
  let el: string[] = []
  let reps: Element[] | undefined
  const closeElement = () => {
    el.push(comp)
    comp = ''
    if (tag === undefined) {
      tag = el[0]
    } else if (reps) {
      reps.push(el)
      elements.push(reps[0])
      ;(repeats ??= {})[elements.length - 1] = reps
      reps = undefined
    } else {
      elements.push(el)
    }
    el = []
  }
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (c === rs) {
      // A trailing lone release character has nothing to release; keep it as data.
      comp += i + 1 < s.length ? s[++i] : c
    } else if (c === es) closeElement()
    else if (c === cs) {
      el.push(comp)
      comp = ''
    } else if (ps !== '' && c === ps && tag !== undefined) {
      el.push(comp)
      comp = ''
      ;(reps ??= []).push(el)
      el = []
    } else comp += c
  }
  closeElement()
  return repeats ? { tag: tag ?? '', elements, repeats } : { tag: tag ?? '', elements }
}
