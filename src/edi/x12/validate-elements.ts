/**
 * Element-level validation of one segment against its dictionary definition: usage, type,
 * length, code lists, components, repetitions and X12.6 syntax notes (P/R/E/C/L).
 * Severity policy: a problem in a Mandatory element is an `error` (the transaction is rejected);
 * in an Optional/conditional element it is a `warning` (AK501/IK501 = E, accepted with errors).
 */
import { issue, type EdiIssue, type EdiIssueCode } from '../issues.ts'
import type { Element, Segment } from '../types.ts'
import type { X12ElementDef, X12SegmentDef } from '../dictionary/x12-types.ts'
import { checkValue } from './elements.ts'
import { pad } from './isa.ts'

const MESSAGES: Partial<Record<EdiIssueCode, string>> = {
  element_missing: 'is mandatory but empty',
  element_too_short: 'is shorter than its minimum length',
  element_too_long: 'is longer than its maximum length',
  element_invalid_code: 'is not in the code list',
  element_invalid_date: 'is not a valid date',
  element_invalid_time: 'is not a valid time',
  element_invalid_numeric: 'is not a valid numeric (N) value',
  element_invalid_decimal: 'is not a valid decimal (R) value',
  element_too_many_components: 'has more components than its definition',
  element_too_many_repetitions: 'repeats more often than allowed',
}

const isEmpty = (el: Element | undefined): boolean => {
  if (el === undefined) return true
  for (let i = 0; i < el.length; i++) if (el[i] !== '') return false
  return true
}

export function validateElements(seg: Segment, def: X12SegmentDef, loop: string | undefined, out: EdiIssue[]): void {
  const defs = def.elements
  const els = seg.elements
  const n = els.length
  for (let i = 0; i < defs.length; i++) {
    const ed = defs[i]
    const el = i < n ? els[i] : undefined
    if (isEmpty(el)) {
      if (ed.usage === 'M') push(out, seg, 'element_missing', ed, i, 0, '', loop, 'error')
      continue
    }
    const reps = seg.repeats?.[i]
    if (reps !== undefined) {
      if (reps.length > ed.repeat) push(out, seg, 'element_too_many_repetitions', ed, i, 0, (el as Element).join(''), loop, sev(ed))
      for (const r of reps) checkElement(out, seg, ed, i, r, loop)
    } else checkElement(out, seg, ed, i, el as Element, loop)
  }
  for (let i = defs.length; i < n; i++) {
    if (!isEmpty(els[i])) {
      out.push(
        issue('element_too_many', 'element', `${seg.tag} has ${n} elements, its definition ${defs.length}`, {
          segment: seg.tag, position: seg.pos, element: i + 1, value: els[i].join(''), loop,
        })
      )
      break
    }
  }
  if (def.rules.length > 0) checkRules(seg, def, loop, out)
}

function sev(ed: X12ElementDef): 'error' | 'warning' {
  return ed.usage === 'M' ? 'error' : 'warning'
}

function checkElement(out: EdiIssue[], seg: Segment, ed: X12ElementDef, i: number, el: Element, loop: string | undefined): void {
  const comps = ed.components
  if (comps === undefined) {
    if (el.length > 1) push(out, seg, 'element_too_many_components', ed, i, 0, el.join(''), loop, sev(ed))
    const code = checkValue(ed, el[0])
    if (code !== null) push(out, seg, code, ed, i, 0, el[0], loop, sev(ed))
    return
  }
  if (el.length > comps.length) push(out, seg, 'element_too_many_components', ed, i, 0, el.join(''), loop, sev(ed))
  for (let j = 0; j < comps.length; j++) {
    const cd = comps[j]
    const v = j < el.length ? el[j] : ''
    if (v === '') {
      if (cd.usage === 'M') push(out, seg, 'element_missing', cd, i, j + 1, '', loop, sev(ed))
      continue
    }
    const code = checkValue(cd, v)
    if (code !== null) push(out, seg, code, cd, i, j + 1, v, loop, sev(ed))
  }
}

function push(
  out: EdiIssue[], seg: Segment, code: EdiIssueCode, ed: X12ElementDef, i: number, component: number,
  value: string, loop: string | undefined, severity: 'error' | 'warning'
): void {
  const name = `${seg.tag}${pad(i + 1)}${component ? `-${pad(component)}` : ''}`
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value
  const lengths = code === 'element_too_long' || code === 'element_too_short' ? ` (${ed.min}..${ed.max})` : ''
  out.push(
    issue(code, 'element', `${name} '${shown}' ${MESSAGES[code] ?? code}${lengths}`, {
      severity, segment: seg.tag, position: seg.pos, element: i + 1,
      ...(component ? { component } : {}), ref: ed.ref, value: shown, loop,
    })
  )
}

/** X12.6 §3.5 syntax notes; positions are 1-based element numbers. */
function checkRules(seg: Segment, def: X12SegmentDef, loop: string | undefined, out: EdiIssue[]): void {
  const has = (p: number): boolean => !isEmpty(seg.elements[p - 1])
  for (const r of def.rules) {
    const ps = r.positions
    const present = ps.filter(has)
    let missing: number[] = []
    let code: EdiIssueCode = 'element_conditional_missing'
    switch (r.kind) {
      case 'P':
        if (present.length > 0 && present.length < ps.length) missing = ps.filter((p) => !has(p))
        break
      case 'R':
        if (present.length === 0) missing = [ps[0]]
        break
      case 'C':
        if (has(ps[0])) missing = ps.slice(1).filter((p) => !has(p))
        break
      case 'L':
        if (has(ps[0]) && !ps.slice(1).some(has)) missing = [ps[1]]
        break
      case 'E':
        if (present.length > 1) {
          missing = [present[1]]
          code = 'element_exclusion_violated'
        }
        break
    }
    for (const p of missing) {
      const note = `${r.kind}${ps.map(pad).join('')}`
      const what = code === 'element_exclusion_violated' ? 'must not be used together with' : 'is required by syntax note'
      out.push(
        issue(code, 'element', `${seg.tag}${pad(p)} ${what} ${note}`, {
          segment: seg.tag, position: seg.pos, element: p, ref: def.elements[p - 1]?.ref, loop,
        })
      )
    }
  }
}
