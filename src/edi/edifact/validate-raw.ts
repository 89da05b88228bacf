/**
 * Element checks straight on a segment's raw text (ISO 9735-1 §9: status, representation,
 * length), the same rules as validateElements() in validate.ts but without building a string
 * per component: one charCodeAt pass tracks element/component position, length (a released
 * character counts once, the release character not at all) and numeric shape. A value string is
 * built only for an issue. Segments using the v4 repetition separator take the ordinary path.
 */
import { issue, type EdiIssue } from '../issues.ts'
import { isComposite, type CompositeDef, type ElementDef, type SimpleDef } from '../dictionary/edifact-dsl.ts'
import { latin1, type RawLike, type RawSegment } from './segment.ts'
import { validateElements, type SepView } from './validate.ts'

export function validateElementsRaw(s: RawSegment, defs: ElementDef[], out: EdiIssue[]): void {
  const { buf, start, end } = s
  const { component: C, element: E, release: R, repetition: P } = s.sep
  if (P >= 0) {
    for (let i = start; i < end; i++) if (buf[i] === P) return validateElements(s, defs, out)
  }
  let ei = 0
  if (start < end) {
    let ci = 0
    let mask = 0
    let vs = start + 1
    let len = 0
    let digits = 0
    let intDigits = -1 // digits before the decimal mark; -1 = no mark yet
    let nonNum = false
    let rel = false
    for (let i = start + 1; i <= end; i++) {
      const c = i < end ? buf[i] : E
      if (c === R && i < end) {
        // The released character is data (always a separator or `?`: never a digit).
        rel = true
        nonNum = true
        len++
        i++
        continue
      }
      if (c === C || c === E) {
        if (len > 0) {
          if (ci < 31) mask |= 1 << ci
          const d = defs[ei]
          const comp = d !== undefined && d.composite === true
          const sd = d === undefined ? undefined : comp ? (d as CompositeDef).components[ci] : ci === 0 ? (d as SimpleDef) : undefined
          // Inline fast path: the common valid value needs no call at all.
          if (sd !== undefined && (sd.codes !== undefined || (sd.type === 'n' ? nonNum || digits === 0 || intDigits === 0 || digits > sd.max || digits < sd.min : len > sd.max || len < sd.min))) {
            checkRaw(s, sd, vs, i, len, digits, intDigits, nonNum, rel, ei + 1, comp ? ci + 1 : undefined, out)
          }
        }
        if (c === C) ci++
        else {
          closeElement(s, defs[ei], ei + 1, ci + 1, mask, out)
          ei++
          ci = 0
          mask = 0
        }
        vs = i + 1
        len = 0
        digits = 0
        intDigits = -1
        nonNum = false
        rel = false
        continue
      }
      len++
      if (c >= 0x30 && c <= 0x39) digits++
      else if ((c === 0x2e || c === 0x2c) && intDigits < 0) intDigits = digits
      else if (c !== 0x2d || len !== 1) nonNum = true
    }
  }
  if (ei > defs.length) {
    out.push(issue('element_too_many', 'element', `${s.tag} has ${ei} elements, at most ${defs.length} allowed`, { segment: s.tag, position: s.pos, element: defs.length + 1 }))
  }
  for (let k = ei; k < defs.length; k++) if (defs[k].req === 'M') out.push(missing(s, k + 1, undefined, defs[k].ref))
}

function closeElement(s: RawLike, d: ElementDef | undefined, element: number, comps: number, mask: number, out: EdiIssue[]): void {
  if (!d) return
  if (mask === 0) {
    if (d.req === 'M') out.push(missing(s, element, undefined, d.ref))
    return
  }
  if (isComposite(d)) {
    if (comps > d.components.length) out.push(tooManyComponents(s, element, d.ref, comps, d.components.length))
    // Common case: every mandatory component is present (and none beyond the 31st exists).
    if (d.mandatory !== undefined && (mask & d.mandatory) === d.mandatory && d.components.length <= 31) return
    for (let k = 0; k < d.components.length; k++) {
      if ((k >= 31 || !(mask & (1 << k))) && d.components[k].req === 'M') out.push(missing(s, element, k + 1, d.components[k].ref))
    }
  } else if (comps > 1) out.push(tooManyComponents(s, element, d.ref, comps, 1))
}

function checkRaw(s: RawLike, d: SimpleDef, vs: number, ve: number, len: number, digits: number, intDigits: number, nonNum: boolean, rel: boolean, element: number, component: number | undefined, out: EdiIssue[]): void {
  let n = len
  if (d.type === 'n') {
    if (nonNum || digits === 0) {
      const v = value(s, vs, ve, rel)
      out.push(issue('element_invalid_numeric', 'element', `${s.tag} ${d.ref} must be numeric, got "${v}"`, at(s, d, v, element, component)))
      return
    }
    if (intDigits === 0) {
      const v = value(s, vs, ve, rel)
      out.push(issue('element_invalid_decimal', 'element', `${s.tag} ${d.ref} "${v}" has no digit before the decimal mark`, at(s, d, v, element, component)))
    }
    n = digits
  }
  if (n <= d.max && n >= d.min && !d.codes) return
  const v = value(s, vs, ve, rel)
  if (n > d.max) out.push(issue('element_too_long', 'element', `${s.tag} ${d.ref} is ${n} characters, at most ${d.max}`, at(s, d, v, element, component)))
  else if (n < d.min) out.push(issue('element_too_short', 'element', `${s.tag} ${d.ref} is ${n} characters, at least ${d.min}`, at(s, d, v, element, component)))
  if (d.codes && !d.codes.has(v)) out.push(issue('element_invalid_code', 'element', `${s.tag} ${d.ref} value "${v}" is not a valid code`, at(s, d, v, element, component)))
}

/** The unescaped value text[vs, ve), built only when an issue needs it. */
function value(s: RawLike, vs: number, ve: number, rel: boolean): string {
  const raw = latin1(s.buf, vs, ve)
  if (!rel) return raw
  let out = ''
  for (let i = 0; i < raw.length; i++) {
    if (raw.charCodeAt(i) === s.sep.release && i + 1 < raw.length) i++
    out += raw[i]
  }
  return out
}

function at(s: RawLike, d: SimpleDef, v: string, element: number, component: number | undefined) {
  return { segment: s.tag, position: s.pos, element, component, ref: d.ref, value: v.slice(0, 35) }
}

function missing(s: RawLike, element: number, component: number | undefined, ref: string): EdiIssue {
  return issue('element_missing', 'element', `${s.tag} mandatory element ${ref} is missing`, { segment: s.tag, position: s.pos, element, component, ref })
}

function tooManyComponents(s: RawLike, element: number, ref: string, got: number, max: number): EdiIssue {
  return issue('element_too_many_components', 'element', `${s.tag} ${ref} has ${got} components, at most ${max}`, { segment: s.tag, position: s.pos, element, ref })
}

/**
 * Element checks from the separator positions the lexer recorded (no second pass over the
 * segment's bytes except for numeric values). Value k runs from seps[k] + 1 to seps[k + 1]
 * (or the segment end); its length is the byte count minus its release characters.
 */
export function validateBySeps(s: RawLike, view: SepView, defs: ElementDef[], out: EdiIssue[]): void {
  const { seps, rels, n } = view
  const buf = s.buf
  const C = s.sep.component
  const R = s.sep.release
  let ei = 0
  if (n > 0) {
    let ci = 0
    let mask = 0
    for (let k = 0; k < n; k++) {
      if (k > 0) {
        if (buf[seps[k]] === C) ci++
        else {
          closeElement(s, defs[ei], ei + 1, ci + 1, mask, out)
          ei++
          ci = 0
          mask = 0
        }
      }
      const vs = seps[k] + 1
      const ve = k + 1 < n ? seps[k + 1] : s.end
      const nrel = rels[k + 1]
      const len = ve - vs - nrel
      if (len <= 0) continue
      if (ci < 31) mask |= 1 << ci
      const d = defs[ei]
      if (d === undefined) continue
      const comp = d.composite === true
      const sd = comp ? (d as CompositeDef).components[ci] : ci === 0 ? (d as SimpleDef) : undefined
      if (sd === undefined) continue
      if (sd.type === 'n') {
        // Numeric shape: digits, at most one decimal mark, a leading minus.
        let digits = 0
        let intDigits = -1
        let nonNum = nrel > 0
        for (let i = vs; i < ve && !nonNum; i++) {
          const c = buf[i]
          if (c >= 0x30 && c <= 0x39) digits++
          else if ((c === 0x2e || c === 0x2c) && intDigits < 0) intDigits = digits
          else if (c !== 0x2d || i !== vs || c === R) nonNum = true
        }
        if (nonNum || digits === 0 || intDigits === 0 || digits > sd.max || digits < sd.min || sd.codes !== undefined) {
          checkRaw(s, sd, vs, ve, len, digits, intDigits, nonNum, nrel > 0, ei + 1, comp ? ci + 1 : undefined, out)
        }
      } else if (len > sd.max || len < sd.min || sd.codes !== undefined) {
        checkRaw(s, sd, vs, ve, len, 0, -1, false, nrel > 0, ei + 1, comp ? ci + 1 : undefined, out)
      }
    }
    closeElement(s, defs[ei], ei + 1, ci + 1, mask, out)
    ei++
  }
  if (ei > defs.length) {
    out.push(issue('element_too_many', 'element', `${s.tag} has ${ei} elements, at most ${defs.length} allowed`, { segment: s.tag, position: s.pos, element: defs.length + 1 }))
  }
  for (let k = ei; k < defs.length; k++) if (defs[k].req === 'M') out.push(missing(s, k + 1, undefined, defs[k].ref))
}

/**
 * The element definitions of one segment compiled into small integers, for elementsClean():
 * [0] element count, [1] index of the last mandatory element (-1: none), then three words per
 * element (index of its first component word, info bits, mandatory-component mask), then one
 * word per component (or one for a simple element): max length, min length, numeric, code list
 * (W_CODES with its table, or W_SLOW).
 */
export type ElementProgram = Int32Array

const P_HEAD = 2
const I_COMPOSITE = 1 << 16
const I_REQ = 1 << 17
const W_NUMERIC = 1 << 24
/** Lengths too large to pack, or a code list no table holds: the segment takes the full check. */
const W_SLOW = 1 << 25
/** A code list of short codes, table (w >>> 27) & 15 of CODE_TABLES: checked without a string. */
const W_CODES = 1 << 26

/**
 * Code lists of codes of 1 to 3 printable ASCII characters (3055, 0081, 0083: every list we
 * enforce), each as a sorted array of keys (length << 24 | bytes), shared by all programs.
 */
const CODE_TABLES: Int32Array[] = []
const TABLE_OF = new Map<ReadonlySet<string>, number>()

function codeKey(c: string): number {
  if (c.length < 1 || c.length > 3) return -1
  let k = c.length << 24
  for (let i = 0; i < c.length; i++) {
    const b = c.charCodeAt(i)
    if (b < 0x20 || b > 0x7e) return -1
    k |= b << (8 * i)
  }
  return k
}

function codeTable(codes: ReadonlySet<string>): number {
  let t = TABLE_OF.get(codes)
  if (t !== undefined) return t
  const keys = Int32Array.from(codes, codeKey).sort()
  t = keys[0] >= 0 && CODE_TABLES.length < 16 ? CODE_TABLES.push(keys) - 1 : -1
  TABLE_OF.set(codes, t)
  return t
}

/** buf[vs, ve) is a code of table t (binary search on the keys). */
function hasCode(buf: Buffer, vs: number, ve: number, t: number): boolean {
  const len = ve - vs
  if (len > 3) return false
  let k = len << 24
  for (let i = 0; i < len; i++) k |= buf[vs + i] << (8 * i)
  const keys = CODE_TABLES[t]
  let lo = 0
  let hi = keys.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const v = keys[mid]
    if (v === k) return true
    if (v < k) lo = mid + 1
    else hi = mid - 1
  }
  return false
}

function packValue(d: SimpleDef): number {
  if (d.max > 0xfff || d.min > 0xfff) return W_SLOW
  const w = d.max | (d.min << 12) | (d.type === 'n' ? W_NUMERIC : 0)
  if (d.codes === undefined) return w
  const t = codeTable(d.codes)
  return t < 0 ? W_SLOW : w | W_CODES | (t << 27)
}

/** True when the program has a value word with a code list (see wasmProgram). */
export function hasCodes(p: ElementProgram): boolean {
  for (let k = P_HEAD + 3 * p[0]; k < p.length; k++) if (p[k] & W_CODES) return true
  return false
}

/**
 * The program for the WebAssembly scanner, which checks lengths and numbers but no code lists:
 * a present value with a code list makes it report "not clean", and the validator then asks
 * elementsClean(), which does check codes (without a string: hasCode).
 */
export function wasmProgram(p: ElementProgram): ElementProgram {
  if (!hasCodes(p)) return p
  const q = p.slice()
  for (let k = P_HEAD + 3 * q[0]; k < q.length; k++) if (q[k] & W_CODES) q[k] = W_SLOW
  return q
}

export function compileElements(defs: ElementDef[]): ElementProgram {
  let words = P_HEAD + 3 * defs.length
  for (const d of defs) words += isComposite(d) ? d.components.length : 1
  const p = new Int32Array(words)
  p[0] = defs.length
  p[1] = -1
  let at = P_HEAD + 3 * defs.length
  for (let e = 0; e < defs.length; e++) {
    const d = defs[e]
    const r = P_HEAD + 3 * e
    if (d.req === 'M') p[1] = e
    p[r] = at
    if (isComposite(d)) {
      const n = d.components.length
      // More than 31 components: the mask cannot hold them; leave such elements to the full check.
      p[r + 1] = Math.min(n, 0xffff) | I_COMPOSITE | (d.req === 'M' ? I_REQ : 0)
      p[r + 2] = n > 31 || d.mandatory === undefined ? -1 : d.mandatory
      for (let c = 0; c < n; c++) p[at++] = packValue(d.components[c])
    } else {
      p[r + 1] = 1 | (d.req === 'M' ? I_REQ : 0)
      p[r + 2] = 0
      p[at++] = packValue(d)
    }
  }
  return p
}

/** closeElement() would report nothing for element `e` with `comps` components and `mask`. */
function closeClean(p: ElementProgram, e: number, comps: number, mask: number): boolean {
  const r = P_HEAD + 3 * e
  const info = p[r + 1]
  if (mask === 0) return (info & I_REQ) === 0
  if ((info & I_COMPOSITE) === 0) return comps <= 1
  const mand = p[r + 2]
  return comps <= (info & 0xffff) && mand >= 0 && (mask & mand) === mand
}

/**
 * True when validateBySeps() would find nothing in this segment, decided from the separator
 * positions and the compiled program without touching the definitions' objects. False means
 * "maybe an issue": the caller then runs validateBySeps(), which reports exactly what it
 * always did. Every check of validateBySeps is mirrored here (status, component count,
 * length, numeric shape, element count, short code lists); other code lists take the full check.
 */
export function elementsClean(buf: Buffer, seps: Int32Array, rels: Int32Array, n: number, end: number, C: number, p: ElementProgram): boolean {
  const nEl = p[0]
  let ei = 0
  if (n > 0) {
    let ci = 0
    let mask = 0
    for (let k = 0; k < n; k++) {
      const vs = seps[k] + 1
      if (k > 0) {
        if (buf[vs - 1] === C) ci++
        else {
          if (ei < nEl && !closeClean(p, ei, ci + 1, mask)) return false
          ei++
          ci = 0
          mask = 0
        }
      }
      const ve = k + 1 < n ? seps[k + 1] : end
      const nrel = rels[k + 1]
      const len = ve - vs - nrel
      if (len <= 0) continue
      if (ci < 31) mask |= 1 << ci
      if (ei >= nEl) continue
      const r = P_HEAD + 3 * ei
      if (ci >= (p[r + 1] & 0xffff)) continue
      const w = p[p[r] + ci]
      if (w & W_SLOW) return false
      const max = w & 0xfff
      const min = (w >> 12) & 0xfff
      if (w & W_NUMERIC) {
        if (nrel > 0) return false
        let digits = 0
        let intDigits = -1
        for (let i = vs; i < ve; i++) {
          const c = buf[i]
          if (c >= 0x30 && c <= 0x39) digits++
          else if ((c === 0x2e || c === 0x2c) && intDigits < 0) intDigits = digits
          else if (c !== 0x2d || i !== vs) return false
        }
        if (digits === 0 || intDigits === 0 || digits > max || digits < min) return false
      } else if (len > max || len < min) return false
      if (w & W_CODES && (nrel > 0 || !hasCode(buf, vs, ve, (w >>> 27) & 15))) return false
    }
    if (ei < nEl && !closeClean(p, ei, ci + 1, mask)) return false
    ei++
  }
  return ei <= nEl && ei > p[1]
}
