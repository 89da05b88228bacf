/**
 * Outbound control numbers per partnership (ISA13, GS06, ST02, UNB 0020, UNH 0062). The
 * upsert's row lock (INSERT ... ON CONFLICT DO UPDATE ... RETURNING, one statement) serialises
 * allocators, and because it runs inside the caller's transaction a rollback returns the number:
 * the sequence stays gap-free, and two processes can never hand out the same number. The
 * allocations asked on one transaction at about the same time share one such statement.
 */
import { coalescing } from './coalesce.ts'
import type { Q } from './sql.ts'

export type ControlKind = 'isa' | 'gs' | 'st' | 'unb' | 'unh'

/** X12 ISA13 is 9 digits; wrap before overflowing (X12.5: 1..999999999). */
const MAX: Record<ControlKind, bigint> = {
  isa: 999_999_999n,
  gs: 999_999_999n,
  st: 999_999_999n,
  unb: 99_999_999_999_999n,
  unh: 99_999_999_999_999n,
}

export async function nextControlNumber(q: Q, partnerId: string, kind: ControlKind): Promise<number> {
  return allocateControlNumbers(q, partnerId, kind, 1)
}

/** The order rows are locked in, the same for every allocation: two never wait for each other in a cycle. */
const ORDER: readonly ControlKind[] = ['isa', 'gs', 'st', 'unb', 'unh']

/**
 * `count` consecutive numbers of one kind in ONE statement: returns the first of them (see
 * allocateRanges).
 */
export async function allocateControlNumbers(q: Q, partnerId: string, kind: ControlKind, count: number): Promise<number> {
  return (await allocateRanges(q, partnerId, { [kind]: count } as Record<ControlKind, number>))[kind]
}

/**
 * A range of consecutive numbers for each kind asked (ISA13, GS06 and ST02 of one 997 at once):
 * each row created at its first use, or moved on; returns the first number of each range (0 for
 * a count of 0: nothing allocated). A range that would pass its maximum starts again at 1. The
 * row locks the upsert takes serialise allocators until the caller commits, so a range is never
 * handed out twice, and a rollback gives it back.
 *
 * Callers on one transaction at about the same time (a parse batch's handlers, matching's
 * warehouse 856s) share ONE statement (allocateMany, through the coalescer).
 */
export async function allocateRanges<K extends ControlKind>(q: Q, partnerId: string, counts: Readonly<Record<K, number>>): Promise<Record<K, number>> {
  const out = {} as Record<K, number>
  for (const k of Object.keys(counts) as K[]) out[k] = 0
  if (!ORDER.some((k) => counts[k as K] >= 1)) return out
  const [got] = await allocateCoalesced(q, [{ partnerId, counts }])
  return Object.assign(out, got)
}

/** One request of allocateMany: a partner and how many numbers of each kind. */
export interface RangeRequest {
  partnerId: string
  counts: Readonly<Partial<Record<ControlKind, number>>>
}

/**
 * The ranges of several requests, of one or several partners, in ONE statement: the counts are
 * summed per (partner, kind), each sum allocated as one range by one upsert, and the range split
 * among the requests in their order, so each gets a contiguous sub-range of every kind it asked
 * (the first number; kinds asked 0 or not at all are absent). The wrap rule applies to the summed
 * range: it restarts at 1 as a whole, so no sub-range straddles the maximum.
 *
 * The rows are locked in one fixed order, partner id and then ORDER of kinds, whoever asks and
 * in whatever order: two transactions never wait for each other in a cycle.
 */
export async function allocateMany(q: Q, requests: readonly RangeRequest[]): Promise<Partial<Record<ControlKind, number>>[]> {
  // Sum per (partner, kind).
  const sums = new Map<string, Map<ControlKind, number>>()
  for (const r of requests) {
    for (const k of ORDER) {
      const n = Math.floor(r.counts[k] ?? 0)
      if (n < 1) continue
      const mine = sums.get(r.partnerId) ?? new Map<ControlKind, number>()
      sums.set(r.partnerId, mine.set(k, (mine.get(k) ?? 0) + n))
    }
  }
  const rows: { partner: string; kind: ControlKind; n: number }[] = []
  for (const partner of [...sums.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (const k of ORDER) {
      const n = sums.get(partner)!.get(k)
      if (n) rows.push({ partner, kind: k, n })
    }
  }
  if (rows.length) {
    const got = await q<{ partner_id: string; kind: ControlKind; value: string }[]>`
      insert into control_numbers as c (partner_id, kind, value)
      select p, k, n from unnest(${rows.map((r) => r.partner)}::text[], ${rows.map((r) => r.kind)}::text[], ${rows.map((r) => r.n)}::bigint[])
        with ordinality as t(p, k, n, o) order by o
      on conflict (partner_id, kind) do update
        set value = case when c.value + excluded.value > (select m from unnest(${ORDER as ControlKind[]}::text[], ${ORDER.map((k) => MAX[k].toString())}::bigint[]) as x(k, m) where x.k = c.kind)
          then excluded.value else c.value + excluded.value end
      returning partner_id, kind, value`
    // The row's new value ends the summed range: from now on `sums` holds each range's next
    // number to hand out, in request order below.
    for (const r of got) {
      const mine = sums.get(r.partner_id)!
      mine.set(r.kind, Number(r.value) - mine.get(r.kind)! + 1)
    }
  }
  return requests.map((r) => {
    const out: Partial<Record<ControlKind, number>> = {}
    const next = sums.get(r.partnerId)
    for (const k of ORDER) {
      const n = Math.floor(r.counts[k] ?? 0)
      if (n < 1 || !next) continue
      out[k] = next.get(k)!
      next.set(k, out[k] + n)
    }
    return out
  })
}

const allocateCoalesced = coalescing(allocateMany)
