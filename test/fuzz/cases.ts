/**
 * Case generation: case `i` of run `seed` is a pure function of (seed, i) and the seed list, so
 * any reported case can be regenerated alone (`makeCase(seeds, seed, i)`).
 */
import { randomFillSync } from 'node:crypto'
import { mutate, rng, type Seed } from './mutators.ts'

export interface FuzzCase {
  i: number
  seed: string
  kind: Seed['kind']
  ops: string[]
  bytes: Buffer
}

/** Mix the run seed and the case number into one 32-bit PRNG seed (splitmix-style). */
export function caseSeed(seed: number, i: number): number {
  let h = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(i + 1, 0xc2b2ae35)) | 0
  h ^= h >>> 16
  h = Math.imul(h, 0x7feb352d)
  return (h ^ (h >>> 15)) | 0
}

export function makeCase(seeds: readonly Seed[], seed: number, i: number): FuzzCase {
  const s = seeds[i % seeds.length]
  const r = rng(caseSeed(seed, i))
  const { bytes, ops } = mutate(s, r)
  return { i, seed: s.name, kind: s.kind, ops, bytes }
}

/**
 * Random bytes behind a plausible header, chunk by chunk, without holding them all: what the
 * streaming readers see when a partner (or an attacker) sends hundreds of MB of garbage.
 */
export function* garbageChunks(totalBytes: number, header: Buffer, chunk = 1 << 16): Generator<Buffer> {
  yield header
  // A fresh buffer per chunk: readers may keep a pushed chunk (an unfinished segment), so a
  // reused one would change bytes they hold.
  for (let sent = 0; sent < totalBytes; sent += chunk) yield randomFillSync(Buffer.allocUnsafe(Math.min(chunk, totalBytes - sent)))
}

export const X12_HEADER = Buffer.from('ISA*00*          *00*          *ZZ*DEMOSUPPLY     *ZZ*OURCO          *250305*1430*U*00401*000000102*0*P*>~GS*SH*DEMOSUPPLY*OURCO*20250305*1430*102*X*004010~ST*856*0001~')
/** The set closed: the garbage lands in the group, outside any set (each segment a stray one). */
export const X12_GROUP_HEADER = Buffer.concat([X12_HEADER, Buffer.from('SE*2*0001~')])
/** UNB only: the garbage lands between messages (outside UNH..UNT). */
export const EDIFACT_UNB_HEADER = Buffer.from("UNA:+.? 'UNB+UNOC:3+5412345000013:14+5400000000003:14+250310:0815+DESA0001'")
export const EDIFACT_HEADER = Buffer.from("UNA:+.? 'UNB+UNOC:3+5412345000013:14+5400000000003:14+250310:0815+DESA0001'UNH+1+DESADV:D:96A:UN:EAN008'")
