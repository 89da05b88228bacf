/**
 * The parse stage reads payloads through the engines' streaming port (EdiEngine.stream), which
 * hands out each set with its segments and then the interchange with slim sets (no segments) for
 * the acks. It must read exactly what the whole-file parse read: the same sets with the same
 * status, issues and stored segments, and the same 997/999/TA1/CONTRL, whatever the chunking.
 * Checked on the fixtures, the shared corpus when present, and seeded fuzz mutations of them
 * (broken envelopes, bad elements: CONTRL UCS/UCD positions come from the slim sets).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { ENGINES } from '../../src/app/engines.ts'
import { PartnerProfile } from '../../src/config/partner.ts'
import type { ParsedInterchange, ParsedTransaction, ParseResult } from '../../src/edi/types.ts'
import type { EdiEngine } from '../../src/pipeline/deps.ts'
import { makeCase } from '../fuzz/cases.ts'
import { rng } from '../fuzz/mutators.ts'
import { loadSeeds } from '../fuzz/seeds.ts'

// Both sides named by the profile, as for a partner the pipeline identified (garbage in a
// mutated ISA06/ISA08 never reaches an ack).
const ids = {
  identities: { x12: [{ qualifier: 'ZZ', id: 'PARTNER' }], edifact: [{ id: '5412345000013', qualifier: '14' }] },
  us: { x12: { qualifier: 'ZZ', id: 'OURCO' }, gs: 'OURCO', edifact: { id: '5400000000003', qualifier: '14' } },
}
const PROFILES = [
  PartnerProfile.parse({ id: 'p997', name: 'p', status: 'testing', ...ids, x12: { ack: '997', ta1: 'always' }, edifact: { contrl: 'always' } }),
  PartnerProfile.parse({ id: 'p999', name: 'p', status: 'testing', ...ids, x12: { ack: '999', ta1: 'auto' }, edifact: { contrl: 'requested' } }),
]

/** What a set is, as stored (segments through JSON, like the jsonb column) and as acked. */
const setView = (tx: ParsedTransaction) => JSON.stringify({ ...tx, segments: tx.segments })

async function acksOf(engine: EdiEngine, result: ParseResult, ic: ParsedInterchange): Promise<string[]> {
  const out: string[] = []
  for (const profile of PROFILES) {
    let n = 0
    for (const a of await engine.acks(result, ic, profile, async (c) => Object.fromEntries(Object.keys(c).map((k) => [k, ++n])) as never)) out.push(`${a.docType}:${a.text}`)
  }
  return out
}

async function whole(engine: EdiEngine, bytes: Buffer) {
  const result = engine.parse(bytes)
  // In file order: EDIFACT puts a message in the implicit group of its type, so the groups'
  // order is not the order in which the streaming reader (and the parse stage) meets them.
  const sets = result.interchanges
    .flatMap((ic) => ic.groups.flatMap((g) => g.transactions))
    .sort((x, y) => x.span.start - y.span.start)
    .map(setView)
  const acks: string[] = []
  for (const ic of result.interchanges) acks.push(...(await acksOf(engine, result, ic)))
  return { unreadable: result.unreadable, interchanges: result.interchanges.length, sets, acks }
}

async function streamed(engine: EdiEngine, bytes: Buffer, chunkSeed: number) {
  const sets: string[] = []
  const ics: ParsedInterchange[] = []
  const reader = engine.stream({ transaction: (tx) => void sets.push(setView(tx)), interchange: (ic) => void ics.push(ic) })
  // Chunks of 1 byte to 64 KiB: boundaries fall inside tags, separators and the ISA.
  const r = rng(chunkSeed)
  for (let at = 0; at < bytes.length; ) {
    const n = 1 + Math.floor(r() ** 3 * 65536)
    reader.push(Buffer.from(bytes.subarray(at, at + n)))
    at += n
  }
  const end = reader.end()
  const acks: string[] = []
  for (const ic of ics) acks.push(...(await acksOf(engine, { standard: ic.standard, interchanges: [ic], issues: [], unreadable: false }, ic)))
  return { unreadable: end.unreadable, interchanges: ics.length, sets, acks }
}

describe('streaming parse = whole-file parse (sets, stored segments, acks)', () => {
  const { seeds } = loadSeeds()
  const edi = seeds.filter((s) => s.kind === 'x12' || s.kind === 'edifact')
  beforeAll(() => {
    // Acks carry today's date and time: the same instant for both reads.
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-03-01T10:20:00Z'))
  })
  afterAll(() => void vi.useRealTimers())

  it(`every seed file (${edi.length})`, async () => {
    expect(edi.length).toBeGreaterThanOrEqual(6)
    for (const [i, s] of edi.entries()) {
      const engine = ENGINES[s.kind as 'x12' | 'edifact']
      const a = await whole(engine, s.bytes)
      expect(a.sets.length + a.acks.length, s.name).toBeGreaterThan(0)
      expect(await streamed(engine, s.bytes, i), s.name).toEqual(a)
    }
  })

  it('1,500 seeded mutations of them (broken envelopes, bad segments and elements)', async () => {
    let withErrors = 0
    for (let i = 0; i < 1500; i++) {
      const c = makeCase(edi, 20261206, i)
      const engine = ENGINES[c.kind as 'x12' | 'edifact']
      const a = await whole(engine, c.bytes)
      if (a.sets.some((s) => s.includes('"severity":"error"'))) withErrors++
      expect(await streamed(engine, c.bytes, i), `case ${i} (${c.seed}: ${c.ops.join(', ')})`).toEqual(a)
    }
    // The mutations did reach the error paths (UCS/UCD, AK3/AK4 need positions from slim sets).
    expect(withErrors).toBeGreaterThan(300)
  }, 120_000)
})
