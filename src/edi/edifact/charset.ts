/**
 * Character repertoires of UNB S001 0001 (ISO 9735-1 annex A / UNCL 0001) and how we decode
 * them. Violations are reported, never thrown: a partner who declares UNOA and sends lowercase
 * still gets the message processed, with a `charset_violation` warning.
 *
 * Decision (documented in the report): when a single-byte set (UNOA/UNOB/UNOC/UNOD/UNOE) is
 * declared but a segment's non-ASCII bytes form valid UTF-8 with at least one multi-byte
 * sequence, we decode that segment as UTF-8 and warn. Real Latin-1/Cyrillic text almost never
 * forms valid UTF-8 (a lead byte must be followed by 0x80-0xBF continuation bytes), whereas
 * mislabelled UTF-8 is common (the corpus has it under UNOC and UNOA).
 */

/** Per-byte flags, ORed over a segment by scanBytes. */
export const F_HIGH = 1 // >= 0x80
export const F_NOT_A = 2 // outside level A (UNOA)
export const F_NOT_B = 4 // outside level B (UNOB): control characters, DEL, high bytes
export const F_C1 = 8 // 0x80-0x9F: C1 controls, undefined as graphic characters in ISO 8859

const TABLE = new Uint8Array(256)
{
  const levelA = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-()/='+:?!\"%&*;<>"
  for (let b = 0; b < 256; b++) {
    let f = 0
    if (b >= 0x80) f |= F_HIGH | F_NOT_A | F_NOT_B
    if (b >= 0x80 && b <= 0x9f) f |= F_C1
    const ctl = b < 0x20 || b === 0x7f
    // IS1..IS4 (0x1C-0x1F) are the level B default separators (ISO 9735-1 §7.3), so allowed.
    if (ctl && !(b >= 0x1c && b <= 0x1f)) f |= F_NOT_B | F_NOT_A | F_C1
    if (b < 0x80 && !ctl && !levelA.includes(String.fromCharCode(b))) f |= F_NOT_A
    TABLE[b] = f
  }
}

/** ORs the flags of every byte in buf[start, end). */
export function scanBytes(buf: Uint8Array, start: number, end: number): number {
  let f = 0
  for (let i = start; i < end; i++) f |= TABLE[buf[i]]
  return f
}

/**
 * True when buf[start, end) is valid UTF-8 (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF)
 * and contains at least one multi-byte sequence.
 */
export function looksUtf8(buf: Uint8Array, start: number, end: number): boolean {
  let multi = false
  let i = start
  while (i < end) {
    const b = buf[i]
    if (b < 0x80) {
      i++
      continue
    }
    let n: number
    let min: number
    if (b >= 0xc2 && b <= 0xdf) (n = 1), (min = 0x80)
    else if (b >= 0xe0 && b <= 0xef) (n = 2), (min = 0x800)
    else if (b >= 0xf0 && b <= 0xf4) (n = 3), (min = 0x10000)
    else return false
    if (i + n > end - 1) return false
    let cp = b & (0x3f >> n)
    for (let k = 1; k <= n; k++) {
      const c = buf[i + k]
      if ((c & 0xc0) !== 0x80) return false
      cp = (cp << 6) | (c & 0x3f)
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false
    multi = true
    i += n + 1
  }
  return multi
}

export interface Charset {
  /** UNB S001 0001, e.g. `UNOC`. */
  id: string
  /** 'ascii': 7-bit sets; 'single': ISO 8859-x; 'utf8': ISO 10646 in UTF-8. */
  kind: 'ascii' | 'single' | 'utf8'
  /** Flags that mean "this byte is not in the repertoire". */
  forbidden: number
  /** ISO 8859 part for TextDecoder, when kind = 'single'. */
  label?: string
}

/** UNCL 0001 syntax identifiers we know. */
const CHARSETS: Record<string, Charset> = {
  UNOA: { id: 'UNOA', kind: 'ascii', forbidden: F_NOT_A },
  UNOB: { id: 'UNOB', kind: 'ascii', forbidden: F_NOT_B },
  UNOC: { id: 'UNOC', kind: 'single', forbidden: F_C1, label: 'iso-8859-1' },
  UNOD: { id: 'UNOD', kind: 'single', forbidden: F_C1, label: 'iso-8859-2' },
  UNOE: { id: 'UNOE', kind: 'single', forbidden: F_C1, label: 'iso-8859-5' },
  UNOF: { id: 'UNOF', kind: 'single', forbidden: F_C1, label: 'iso-8859-7' },
  UNOW: { id: 'UNOW', kind: 'utf8', forbidden: 0 },
  UNOY: { id: 'UNOY', kind: 'utf8', forbidden: 0 },
}

export function charsetFor(id: string): Charset | undefined {
  return CHARSETS[id]
}

/** 256-entry decode tables for ISO 8859 parts other than 1, built once from TextDecoder. */
const tables = new Map<string, string[]>()
function tableFor(label: string): string[] {
  let t = tables.get(label)
  if (!t) {
    const dec = new TextDecoder(label)
    t = []
    for (let b = 0; b < 256; b++) t.push(dec.decode(new Uint8Array([b])))
    tables.set(label, t)
  }
  return t
}

type FastBuffer = Buffer & {
  latin1Slice(start: number, end: number): string
  utf8Slice(start: number, end: number): string
}

/**
 * Decodes buf[start, end) under `cs`. `flags` is the scanBytes result (saves a second pass);
 * `asUtf8` forces UTF-8 (the mislabelled-UTF-8 case above).
 */
export function decode(buf: Buffer, start: number, end: number, cs: Charset, flags: number, asUtf8: boolean): string {
  const fb = buf as FastBuffer
  if ((flags & F_HIGH) === 0) return fb.latin1Slice(start, end)
  if (asUtf8 || cs.kind === 'utf8') return fb.utf8Slice(start, end)
  if (cs.kind === 'single' && cs.label && cs.label !== 'iso-8859-1') {
    const t = tableFor(cs.label)
    let s = ''
    for (let i = start; i < end; i++) s += t[buf[i]]
    return s
  }
  // ISO 8859-1, and 7-bit sets carrying stray high bytes: Latin-1 keeps every byte visible.
  return fb.latin1Slice(start, end)
}

/**
 * Encodes text for a syntax identifier: UTF-8 for UNOW/UNOY, the ISO 8859 part otherwise.
 * Characters the set cannot hold become `?`... never silently: callers validate first when it
 * matters; the writer documents it.
 */
export function encodeText(text: string, id: string): Buffer {
  const cs = CHARSETS[id]
  if (cs?.kind === 'utf8') return Buffer.from(text, 'utf8')
  if (!cs?.label || cs.label === 'iso-8859-1') return Buffer.from(text, 'latin1')
  const rev = reverseFor(cs.label)
  const out = Buffer.alloc(text.length)
  for (let i = 0; i < text.length; i++) out[i] = rev.get(text[i]) ?? 0x3f
  return out
}

/** Character → byte for an ISO 8859 part, built once. */
const reverse = new Map<string, Map<string, number>>()
function reverseFor(label: string): Map<string, number> {
  let rev = reverse.get(label)
  if (!rev) {
    rev = new Map()
    for (const [b, ch] of tableFor(label).entries()) if (ch !== '\ufffd' && !rev.has(ch)) rev.set(ch, b)
    reverse.set(label, rev)
  }
  return rev
}

const BEYOND_LATIN1 = /[^\u0000-\u00ff]/
/**
 * For one syntax identifier (resolved once; the writer applies it to every value): the value
 * with every character the repertoire cannot hold replaced by `?`, applied BEFORE the writer
 * releases service characters. Encoding alone would turn such a
 * character into a byte the reader takes as structure: Latin-1 keeps only the low byte (U+012B
 * becomes `+`, U+0127 the terminator `'`), and the `?` substituted for an ISO 8859-5 miss is the
 * release character.
 */
export function repertoireOf(id: string): (value: string) => string {
  const cs = CHARSETS[id]
  if (cs?.kind === 'utf8') return (value) => value
  if (!cs?.label || cs.label === 'iso-8859-1') return (value) => (BEYOND_LATIN1.test(value) ? value.replace(/[^\u0000-\u00ff]/g, '?') : value)
  const rev = reverseFor(cs.label)
  return (value) => {
    let out = ''
    let from = 0
    for (let i = 0; i < value.length; i++) {
      if (value.charCodeAt(i) < 0x80 || rev.has(value[i])) continue
      out += value.slice(from, i) + '?'
      from = i + 1
    }
    return from === 0 ? value : out + value.slice(from)
  }
}
