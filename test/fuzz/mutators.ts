/**
 * Seeded mutators for the fuzz suite. Each one takes a seed file and a PRNG and returns new
 * bytes; the same (seed, case number) always gives the same bytes, so a failing case is
 * reproduced by its number alone. The kinds follow what partners really send wrong: cut-off
 * transfers, line noise, the wrong separators (X12.5 ISA fixed width, ISO 9735 UNA), giant
 * free-text fields, deep HL (X12 856) / CPS (EDIFACT DESADV) trees, and the wrong encoding.
 */

import { prng } from '../../bench/gen/prng.ts'

/** mulberry32 (bench/gen/prng.ts): seeded, so every mutation is reproducible. */
export const rng = prng

export type Rand = () => number
export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]
const int = (r: Rand, n: number) => Math.floor(r() * n)

export interface Seed {
  name: string
  kind: 'x12' | 'edifact' | 'json'
  bytes: Buffer
}

/** Separators as written in the seed: ISA fixed positions (X12.5), or UNA / the UNOA defaults. */
export function separatorsOf(s: Seed): { element: number; component: number; segment: number } {
  const b = s.bytes
  if (s.kind === 'x12') {
    const at = b.indexOf('ISA')
    if (at >= 0 && b.length >= at + 106) return { element: b[at + 3], component: b[at + 104], segment: b[at + 105] }
    return { element: 0x2a, component: 0x3e, segment: 0x7e }
  }
  const una = b.indexOf('UNA')
  if (una >= 0 && una < 8 && b.length >= una + 9) return { component: b[una + 3], element: b[una + 4], segment: b[una + 8] }
  return { component: 0x3a, element: 0x2b, segment: 0x27 }
}

/** Byte offsets just after each segment terminator (segment starts). */
function segmentStarts(b: Buffer, term: number): number[] {
  const out = [0]
  for (let i = 0; i < b.length; i++) if (b[i] === term) out.push(i + 1)
  return out
}

const INTERESTING = [0x00, 0x0a, 0x0d, 0x1c, 0x1d, 0x1f, 0x2a, 0x2b, 0x3a, 0x3e, 0x3f, 0x27, 0x7e, 0x7f, 0x80, 0xc3, 0xe9, 0xff]

export type Mutator = (s: Seed, r: Rand) => Buffer

/** A cut-off transfer: anywhere, often inside the envelope headers. */
const truncate: Mutator = (s, r) => s.bytes.subarray(0, r() < 0.3 ? int(r, Math.min(140, s.bytes.length)) : int(r, s.bytes.length))

/** Line noise: 1-16 bytes replaced by random or delimiter-ish values. */
const flip: Mutator = (s, r) => {
  const b = Buffer.from(s.bytes)
  const n = 1 + int(r, 16)
  for (let k = 0; k < n && b.length; k++) b[int(r, b.length)] = r() < 0.5 ? pick(r, INTERESTING) : int(r, 256)
  return b
}

/** Insert or delete a run of bytes. */
const splice: Mutator = (s, r) => {
  const at = int(r, s.bytes.length + 1)
  if (r() < 0.5) return Buffer.concat([s.bytes.subarray(0, at), s.bytes.subarray(Math.min(s.bytes.length, at + 1 + int(r, 64)))])
  const junk = Buffer.alloc(1 + int(r, 64))
  for (let i = 0; i < junk.length; i++) junk[i] = int(r, 256)
  return Buffer.concat([s.bytes.subarray(0, at), junk, s.bytes.subarray(at)])
}

/** Separators swapped globally, or some occurrences replaced by another separator. */
const separatorSwap: Mutator = (s, r) => {
  const sep = separatorsOf(s)
  const b = Buffer.from(s.bytes)
  const roles = [sep.element, sep.component, sep.segment]
  const a = pick(r, roles)
  const c = r() < 0.7 ? pick(r, roles.filter((x) => x !== a)) : pick(r, [0x7c, 0x5e, 0x0a, 0x2a, 0x27, 0x2b])
  const global = r() < 0.4
  for (let i = 0; i < b.length; i++) {
    if (b[i] === a && (global || r() < 0.1)) b[i] = c
    else if (global && b[i] === c) b[i] = a
  }
  return b
}

/** A giant element (default 1 MiB) inside a random segment: free text, an id, a quantity. */
export function hugeElement(size = 1 << 20): Mutator {
  return (s, r) => {
    const sep = separatorsOf(s)
    const starts = segmentStarts(s.bytes, sep.segment)
    const seg = starts[1 + int(r, Math.max(1, starts.length - 2))] ?? 0
    let at = s.bytes.indexOf(sep.element, seg)
    if (at < 0) at = int(r, s.bytes.length)
    const fill = Buffer.alloc(size, pick(r, ['A', '9', 'é', ' ']), 'latin1')
    return Buffer.concat([s.bytes.subarray(0, at + 1), fill, s.bytes.subarray(at + 1)])
  }
}

/** Deep trees: thousands of HL levels each the child of the previous, or CPS packs likewise. */
const deepNesting: Mutator = (s, r) => {
  const sep = separatorsOf(s)
  const e = String.fromCharCode(sep.element)
  const t = String.fromCharCode(sep.segment)
  const depth = 500 + int(r, 4500)
  const parts: string[] = []
  if (s.kind === 'x12') {
    for (let i = 2; i < depth; i++) parts.push(`HL${e}${i}${e}${i - 1}${e}${pick(r, ['P', 'I', 'O', 'T'])}${t}`)
  } else {
    for (let i = 2; i < depth; i++) parts.push(`CPS${e}${i}${e}${i - 1}${t}PAC${e}1${t}`)
  }
  const tag = s.kind === 'x12' ? 'HL' : s.kind === 'edifact' ? 'CPS' : ''
  // JSON seeds get deep arrays instead (a parser's recursion limit).
  if (s.kind === 'json') return Buffer.from('['.repeat(depth * 4) + ']'.repeat(r() < 0.5 ? depth * 4 : depth))
  let at = s.bytes.indexOf(tag)
  if (at < 0) at = segmentStarts(s.bytes, sep.segment)[2] ?? s.bytes.length
  return Buffer.concat([s.bytes.subarray(0, at), Buffer.from(parts.join(''), 'latin1'), s.bytes.subarray(at)])
}

/** Repeat or drop whole segments (loop over max, missing mandatory segments). */
const segmentShuffle: Mutator = (s, r) => {
  const sep = separatorsOf(s)
  const starts = segmentStarts(s.bytes, sep.segment)
  const segs = starts.slice(0, -1).map((a, i) => s.bytes.subarray(a, starts[i + 1]))
  const i = int(r, segs.length || 1)
  const op = int(r, 3)
  if (op === 0) segs.splice(i, 1)
  else if (op === 1 && segs[i]) segs.splice(i, 0, ...Array.from({ length: 2 + int(r, 300) }, () => segs[i]))
  else if (segs.length > 1) {
    const j = int(r, segs.length)
    ;[segs[i], segs[j]] = [segs[j], segs[i]]
  }
  return Buffer.concat([...segs, s.bytes.subarray(starts[starts.length - 1])])
}

/** The wrong encoding: UTF-16 (with or without BOM), Latin-1 or UTF-8 letters in a UNOA file. */
const encoding: Mutator = (s, r) => {
  const text = s.bytes.toString('latin1')
  const k = int(r, 4)
  if (k === 0) return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
  if (k === 1) {
    const le = Buffer.from(text, 'utf16le')
    for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1], le[i]]
    return r() < 0.5 ? Buffer.concat([Buffer.from([0xfe, 0xff]), le]) : le
  }
  // Declare UNOA (ISO 9735 level A: upper case, digits, a few signs) and write accented letters.
  const unoa = text.replace(/UNO[A-Z]:/, 'UNOA:')
  const accented = unoa.replace(/[a-zA-Z]/g, (c) => (r() < 0.05 ? pick(r, ['é', 'ß', 'Ä', 'ø', '€', '\u0000']) : c))
  return Buffer.from(accented, k === 2 ? 'latin1' : 'utf8')
}

/** Nothing, or nothing useful. */
const empty: Mutator = (_s, r) => pick(r, [Buffer.alloc(0), Buffer.from('   \r\n'), Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('ISA'), Buffer.from('UNB'), Buffer.from('UNA:+.? \''), Buffer.from('{'), Buffer.alloc(4096)])

/** Random bytes after a valid-looking start, so the readers get past sniffing. */
const garbageTail: Mutator = (s, r) => {
  const keep = s.bytes.subarray(0, int(r, Math.min(s.bytes.length, 400)))
  const junk = Buffer.alloc(int(r, 8192))
  for (let i = 0; i < junk.length; i++) junk[i] = int(r, 256)
  return Buffer.concat([keep, junk])
}

/** Two interchanges glued together, the second damaged. */
const concat: Mutator = (s, r) => Buffer.concat([s.bytes, pick(r, [Buffer.from('\r\n'), Buffer.alloc(0)]), flip(s, r)])

export const MUTATORS: Record<string, { weight: number; fn: Mutator }> = {
  truncate: { weight: 16, fn: truncate },
  flip: { weight: 30, fn: flip },
  splice: { weight: 12, fn: splice },
  separator_swap: { weight: 12, fn: separatorSwap },
  segment_shuffle: { weight: 10, fn: segmentShuffle },
  encoding: { weight: 6, fn: encoding },
  garbage_tail: { weight: 5, fn: garbageTail },
  concat: { weight: 4, fn: concat },
  empty: { weight: 2, fn: empty },
  deep_nesting: { weight: 2, fn: deepNesting },
  // 1 MiB each: rare, so 10,000 cases stay CI-sized (about 30 of them).
  huge_element: { weight: 0.3, fn: hugeElement() },
}

const TOTAL = Object.values(MUTATORS).reduce((a, m) => a + m.weight, 0)

/** Picks a mutator by weight; 1-3 of them are stacked on one case now and then. */
export function mutate(s: Seed, r: Rand): { bytes: Buffer; ops: string[] } {
  const ops: string[] = []
  let cur = s
  const rounds = r() < 0.8 ? 1 : 2 + int(r, 2)
  for (let i = 0; i < rounds; i++) {
    let x = r() * TOTAL
    let name = 'flip'
    for (const [k, m] of Object.entries(MUTATORS)) {
      if ((x -= m.weight) <= 0) {
        name = k
        break
      }
    }
    // Never stack two 1 MiB elements.
    if (name === 'huge_element' && ops.includes(name)) name = 'flip'
    ops.push(name)
    cur = { ...cur, bytes: MUTATORS[name].fn(cur, r) }
  }
  return { bytes: cur.bytes, ops }
}
