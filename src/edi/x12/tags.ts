/**
 * Segment tags as small integers. X12 segment identifiers are 2-3 characters from [A-Z0-9]
 * (X12.5 §3.2), so a tag read from the chunk string maps through a direct table to an id
 * without allocating a string; the id then indexes the compiled dictionaries (arrays, not maps).
 * Anything that does not fit (other characters, other lengths) has id -1 and is handled by the
 * slow path with its string.
 */

/** Char code → 0..35 for [0-9A-Z], -1 otherwise. */
const DIGIT = new Int8Array(256).fill(-1)
for (let c = 48; c <= 57; c++) DIGIT[c] = c - 48
for (let c = 65; c <= 90; c++) DIGIT[c] = c - 55

/** (c0 * 37 + c1) * 37 + c2, with c2 = 36 for a 2-character tag. */
const SLOTS = new Int16Array(37 * 37 * 37).fill(-1)
const NAMES: string[] = []
/** Ids are never recycled; a hostile file cannot grow the table beyond this. */
const MAX_IDS = 8192

function slotOf(s: string, start: number, n: number): number {
  if (n < 2 || n > 3) return -1
  const a = s.charCodeAt(start)
  const b = s.charCodeAt(start + 1)
  if (a > 255 || b > 255) return -1
  const d0 = DIGIT[a]
  const d1 = DIGIT[b]
  if (d0 < 0 || d1 < 0) return -1
  let d2 = 36
  if (n === 3) {
    const c = s.charCodeAt(start + 2)
    if (c > 255 || (d2 = DIGIT[c]) < 0) return -1
  }
  return (d0 * 37 + d1) * 37 + d2
}

/**
 * Id of the tag `s[start, end)` read from data, registering it on first sight; -1 when it is
 * not internable or the table is full (then it cannot be a dictionary tag: those are
 * registered by `tagId` before any of their transactions is validated).
 */
export function tagIdAt(s: string, start: number, end: number): number {
  const slot = slotOf(s, start, end - start)
  if (slot < 0) return -1
  const id = SLOTS[slot]
  if (id >= 0) return id
  if (NAMES.length >= MAX_IDS) return -1
  return register(slot, s.slice(start, end))
}

/** Id of a dictionary tag: always registered, whatever data filled the table before. */
export function tagId(tag: string): number {
  const slot = slotOf(tag, 0, tag.length)
  if (slot < 0) return -1
  const id = SLOTS[slot]
  return id >= 0 ? id : register(slot, tag)
}

function register(slot: number, tag: string): number {
  SLOTS[slot] = NAMES.length
  NAMES.push(tag)
  return NAMES.length - 1
}

/** The interned string of an id. */
export function tagName(id: number): string {
  return NAMES[id]
}

/** Current number of ids: arrays indexed by id are sized from it. */
export function tagCount(): number {
  return NAMES.length
}

// The envelope segments get the first ids: "is envelope" is `id >= 0 && id <= T_SE` (TA1 is not).
export const T_ISA = tagId('ISA')
export const T_IEA = tagId('IEA')
export const T_GS = tagId('GS')
export const T_GE = tagId('GE')
export const T_ST = tagId('ST')
export const T_SE = tagId('SE')
export const T_TA1 = tagId('TA1')
export const T_HL = tagId('HL')
