/**
 * Element-level validation of one segment against its dictionary definition: usage, type,
 * length, code lists, components, repetitions and X12.6 syntax notes (P/R/E/C/L).
 * Severity policy: a problem in a Mandatory element is an `error` (the transaction is rejected);
 * in an Optional/conditional element it is a `warning` (AK501/IK501 = E, accepted with errors).
 */
import { issue, type EdiIssue, type EdiIssueCode } from '../issues.ts'
import type { Element, Position, Segment } from '../types.ts'
import type { X12ElementDef, X12SegmentDef } from '../dictionary/x12-types.ts'
import { checkValue, isDateSpan, isTimeSpan } from './elements.ts'
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

/** What an issue needs to know about its segment (`pos` may be built only when read). */
export interface SegRef {
  readonly tag: string
  readonly pos: Position
}

/** Element type as a small integer for the span checks (X12.6 simple data element types). */
const K_AN = 0
const K_ID = 1
const K_NUM = 2
const K_R = 3
const K_DT = 4
const K_TM = 5
const K_C = 6

/** An element definition prepared once for checks on the chunk string. */
interface ElementPlan {
  ed: X12ElementDef
  kind: number
  mandatory: boolean
  /** Code list of 1..3 latin1-character codes packed as numbers (see `packed`), when any. */
  keys: ReadonlySet<number> | undefined
}

/** A segment definition prepared once: its element plans and whether syntax notes apply. */
export interface SegmentPlan {
  def: X12SegmentDef
  els: readonly ElementPlan[]
  /** nextMand[i] = first index ≥ i of a mandatory element (els.length when none). */
  nextMand: Int32Array
  rules: boolean
  /** The syntax notes as bit masks over element presence (see RulePlan). */
  compiled: readonly RulePlan[]
  /**
   * Presence patterns (lo, hi pairs) that satisfied every note: a note's outcome depends on the
   * pattern alone, and a file repeats a few patterns (every PO1 alike), so these skip the notes.
   */
  passed: Int32Array
  passedCount: number
}

/** Patterns remembered per segment definition. */
const PASSED = 4

/**
 * A syntax note compiled to masks: element position p (1-based) is bit p-1 of `lo` for p ≤ 31,
 * bit p-32 of `hi` for 32 ≤ p ≤ 63 (later positions are never present). `head*` is the first
 * position's bit (C and L notes test it).
 */
interface RulePlan {
  rule: X12SegmentDef['rules'][number]
  lo: number
  hi: number
  headLo: number
  headHi: number
}

function bitLo(p: number): number {
  return p >= 1 && p <= 31 ? 1 << (p - 1) : 0
}
function bitHi(p: number): number {
  return p >= 32 && p <= 63 ? 1 << (p - 32) : 0
}

function compileRule(rule: X12SegmentDef['rules'][number]): RulePlan {
  let lo = 0
  let hi = 0
  for (const p of rule.positions) {
    lo |= bitLo(p)
    hi |= bitHi(p)
  }
  const head = rule.positions[0] ?? 0
  return { rule, lo, hi, headLo: bitLo(head), headHi: bitHi(head) }
}

const plans = new WeakMap<X12SegmentDef, SegmentPlan>()

/** Length and up to three latin1 characters in one number; -1 when the value does not fit. */
function packed(s: string, a: number, b: number): number {
  const n = b - a
  if (n < 1 || n > 3) return -1
  let k = n
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i)
    if (c > 255) return -1
    k = k * 256 + c
  }
  return k
}

function kindOf(t: X12ElementDef['type']): number {
  switch (t) {
    case 'AN':
      return K_AN
    case 'ID':
      return K_ID
    case 'R':
      return K_R
    case 'DT':
      return K_DT
    case 'TM':
      return K_TM
    case 'C':
      return K_C
    default:
      return K_NUM
  }
}

export function planOf(def: X12SegmentDef): SegmentPlan {
  let plan = plans.get(def)
  if (plan !== undefined) return plan
  const els = def.elements.map((ed): ElementPlan => {
    let keys: Set<number> | undefined
    if (ed.codes !== undefined) {
      keys = new Set()
      for (const c of ed.codes) {
        const k = packed(c, 0, c.length)
        if (k >= 0) keys.add(k)
      }
    }
    // Composites are checked through checkElement, whatever their `type` says.
    return { ed, kind: ed.components !== undefined ? K_C : kindOf(ed.type), mandatory: ed.usage === 'M', keys }
  })
  const nextMand = new Int32Array(els.length + 1).fill(els.length)
  for (let i = els.length - 1; i >= 0; i--) nextMand[i] = els[i].mandatory ? i : nextMand[i + 1]
  plan = { def, els, nextMand, rules: def.rules.length > 0, compiled: def.rules.map(compileRule), passed: new Int32Array(PASSED * 2), passedCount: 0 }
  plans.set(def, plan)
  return plan
}

function isEmpty(el: Element | undefined): boolean {
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
  if (def.rules.length > 0) {
    let lo = 0
    let hi = 0
    for (let i = 0; i < n && i < 63; i++) {
      if (isEmpty(els[i])) continue
      if (i < 31) lo |= 1 << i
      else hi |= 1 << (i - 31)
    }
    checkRules(seg, planOf(def), lo, hi, loop, out)
  }
}

/**
 * Fast path for the common segment: no component or repetition separator inside, so every
 * element is one value checked in place on the chunk string `s` ([start, end), first element
 * separator at `p`, its char code `sc`). Nothing is sliced unless an issue is reported.
 * Returns true when every char of `s[p, end)` was read and all lie in 32..126 (so, for one, the
 * span holds no line break: the lexer then needs no search of its own to count lines).
 */
export function validateSpan(
  s: string, p: number, end: number, sc: number, seg: SegRef, plan: SegmentPlan, loop: string | undefined, out: EdiIssue[]
): boolean {
  const els = plan.els
  const nd = els.length
  const rules = plan.rules
  // Presence of elements 1..63 for the syntax notes (bit layout: RulePlan).
  let lo = 0
  let hi = 0
  let i = 0
  let seen = 0
  while (p < end) {
    const a = p + 1
    // Elements are short: a char loop beats a native indexOf call per element. The same pass
    // notes whether any char falls outside 32..126 (negative `odd`), so the AN check below
    // reads the value again only then (control characters, or non-ASCII text to tell apart).
    let b = a
    let odd = 0
    while (b < end) {
      const c = s.charCodeAt(b)
      if (c === sc) break
      odd |= (c - 32) | (126 - c)
      b++
    }
    seen |= odd
    if (i >= nd) {
      if (b > a) {
        out.push(issue('element_too_many', 'element', `${seg.tag} has more elements than its definition (${nd})`, { segment: seg.tag, position: seg.pos, element: i + 1, value: s.slice(a, b), loop }))
        return false
      }
    } else {
      const ep = els[i]
      if (a === b) {
        if (ep.mandatory) push(out, seg, 'element_missing', ep.ed, i, 0, '', loop, 'error')
      } else {
        if (i < 31) lo |= 1 << i
        else if (i < 63) hi |= 1 << (i - 31)
        if (ep.kind === K_C) checkElement(out, seg, ep.ed, i, [s.slice(a, b)], loop)
        else {
          const code = ep.kind === K_AN ? (odd < 0 ? checkAnSpan(ep, s, a, b) : checkLength(ep, b - a)) : checkPlanSpan(ep, s, a, b)
          if (code !== null) push(out, seg, code, ep.ed, i, 0, s.slice(a, b), loop, ep.mandatory ? 'error' : 'warning')
        }
      }
    }
    p = b
    i++
  }
  if (i < nd) {
    const nextMand = plan.nextMand
    for (i = nextMand[i]; i < nd; i = nextMand[i + 1]) push(out, seg, 'element_missing', els[i].ed, i, 0, '', loop, 'error')
  }
  if (rules) checkRules(seg, plan, lo, hi, loop, out)
  return seen >= 0
}

function checkLength(ep: ElementPlan, len: number): EdiIssueCode | null {
  return len < ep.ed.min ? 'element_too_short' : len > ep.ed.max ? 'element_too_long' : null
}

/** AN value holding a char outside 32..126: control characters are not in the X12.6 sets. */
function checkAnSpan(ep: ElementPlan, s: string, a: number, b: number): EdiIssueCode | null {
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i)
    if (c < 32 || c === 127) return 'element_invalid_character'
  }
  return checkLength(ep, b - a)
}

/** checkValue on `s[a..b)` (a < b) without cutting a substring: most elements are valid. */
function checkPlanSpan(ep: ElementPlan, s: string, a: number, b: number): EdiIssueCode | null {
  const ed = ep.ed
  let len = b - a
  switch (ep.kind) {
    case K_AN:
      // X12.6 basic/extended character sets exclude control characters (NUL, BEL, ...).
      for (let i = a; i < b; i++) {
        const c = s.charCodeAt(i)
        if (c < 32 || c === 127) return 'element_invalid_character'
      }
      break
    case K_ID:
      if (ep.keys !== undefined) {
        const k = packed(s, a, b)
        const known = k >= 0 ? ep.keys.has(k) : (ed.codes as ReadonlySet<string>).has(s.slice(a, b))
        if (!known) return len < ed.min ? 'element_too_short' : len > ed.max ? 'element_too_long' : 'element_invalid_code'
      }
      break
    case K_DT:
      if (!isDateSpan(s, a, b)) return 'element_invalid_date'
      break
    case K_TM:
      if (!isTimeSpan(s, a, b)) return 'element_invalid_time'
      break
    default: {
      // N, N0..N4 and R: digits with an optional leading minus (and one '.' for R).
      const decimal = ep.kind === K_R
      let i = a
      let digits = 0
      let dot = false
      if (s.charCodeAt(i) === 45) i++
      for (; i < b; i++) {
        const c = s.charCodeAt(i)
        if (c >= 48 && c <= 57) digits++
        else if (c === 46 && decimal && !dot) dot = true
        else return decimal ? 'element_invalid_decimal' : 'element_invalid_numeric'
      }
      if (digits === 0) return decimal ? 'element_invalid_decimal' : 'element_invalid_numeric'
      len = digits
    }
  }
  if (len < ed.min) return 'element_too_short'
  if (len > ed.max) return 'element_too_long'
  return null
}

function sev(ed: X12ElementDef): 'error' | 'warning' {
  return ed.usage === 'M' ? 'error' : 'warning'
}

function checkElement(out: EdiIssue[], seg: SegRef, ed: X12ElementDef, i: number, el: Element, loop: string | undefined): void {
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
  out: EdiIssue[], seg: SegRef, code: EdiIssueCode, ed: X12ElementDef, i: number, component: number,
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

/**
 * X12.6 §3.5 syntax notes; positions are 1-based element numbers, presence comes as the bit
 * masks `lo`/`hi` (RulePlan). A few integer operations per note: this is on the hot path.
 */
function checkRules(seg: SegRef, plan: SegmentPlan, lo: number, hi: number, loop: string | undefined, out: EdiIssue[]): void {
  const passed = plan.passed
  const known = plan.passedCount < PASSED ? plan.passedCount : PASSED
  for (let k = 0; k < known; k++) if (passed[2 * k] === lo && passed[2 * k + 1] === hi) return
  const before = out.length
  checkEveryRule(seg, plan, lo, hi, loop, out)
  if (out.length === before) {
    // Round robin over the slots once they are full.
    const k = plan.passedCount++ % PASSED
    passed[2 * k] = lo
    passed[2 * k + 1] = hi
  }
}

function checkEveryRule(seg: SegRef, plan: SegmentPlan, lo: number, hi: number, loop: string | undefined, out: EdiIssue[]): void {
  const rules = plan.compiled
  for (let r = 0; r < rules.length; r++) {
    const rp = rules[r]
    const xl = lo & rp.lo
    const xh = hi & rp.hi
    const none = xl === 0 && xh === 0
    const kind = rp.rule.kind
    if (none && kind !== 'R') continue
    const all = xl === rp.lo && xh === rp.hi
    if (all && kind !== 'E') continue
    const head = (lo & rp.headLo) !== 0 || (hi & rp.headHi) !== 0
    const ps = rp.rule.positions
    switch (kind) {
      case 'P':
        report(seg, plan.def, rp.rule, missingOf(ps, 0, lo, hi), 'element_conditional_missing', loop, out)
        break
      case 'R':
        if (none) report(seg, plan.def, rp.rule, [ps[0]], 'element_conditional_missing', loop, out)
        break
      case 'C':
        if (head) report(seg, plan.def, rp.rule, missingOf(ps, 1, lo, hi), 'element_conditional_missing', loop, out)
        break
      case 'L':
        // Only the first is present: the note wants at least one of the others.
        if (head && xl === rp.headLo && xh === rp.headHi) report(seg, plan.def, rp.rule, [ps[1]], 'element_conditional_missing', loop, out)
        break
      case 'E':
        // More than one bit set among the note's positions.
        if ((xl & (xl - 1)) !== 0 || (xh & (xh - 1)) !== 0 || (xl !== 0 && xh !== 0)) {
          report(seg, plan.def, rp.rule, [ps.filter((p) => isPresent(p, lo, hi))[1]], 'element_exclusion_violated', loop, out)
        }
        break
    }
  }
}

function isPresent(p: number, lo: number, hi: number): boolean {
  return (lo & bitLo(p)) !== 0 || (hi & bitHi(p)) !== 0
}

function missingOf(ps: readonly number[], from: number, lo: number, hi: number): number[] {
  const out: number[] = []
  for (let k = from; k < ps.length; k++) if (!isPresent(ps[k], lo, hi)) out.push(ps[k])
  return out
}

function report(
  seg: SegRef, def: X12SegmentDef, rule: X12SegmentDef['rules'][number], positions: number[], code: EdiIssueCode,
  loop: string | undefined, out: EdiIssue[]
): void {
  const note = `${rule.kind}${rule.positions.map(pad).join('')}`
  const what = code === 'element_exclusion_violated' ? 'must not be used together with' : 'is required by syntax note'
  for (const p of positions) {
    out.push(
      issue(code, 'element', `${seg.tag}${pad(p)} ${what} ${note}`, {
        segment: seg.tag, position: seg.pos, element: p, ref: def.elements[p - 1]?.ref, loop,
      })
    )
  }
}
