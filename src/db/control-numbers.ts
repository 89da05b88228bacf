/**
 * Outbound control numbers per partnership (ISA13, GS06, ST02, UNB 0020, UNH 0062). The
 * upsert's row lock (INSERT ... ON CONFLICT DO UPDATE ... RETURNING, one statement) serialises allocators, and because it runs inside the caller's
 * transaction a rollback returns the number: the sequence stays gap-free, and two processes can
 * never hand out the same number.
 */
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
 * A range of consecutive numbers for each kind asked (ISA13, GS06 and ST02 of one 997 at once)
 * in ONE statement: each row created at its first use, or moved on; returns the first number of
 * each range (0 for a count of 0: nothing allocated). A range that would pass its maximum starts
 * again at 1. The row locks the upsert
 * takes (always in the same order of kinds) serialise allocators until the caller commits, so a
 * range is never handed out twice, and a rollback gives it back.
 */
export async function allocateRanges<K extends ControlKind>(q: Q, partnerId: string, counts: Readonly<Record<K, number>>): Promise<Record<K, number>> {
  const out = {} as Record<K, number>
  for (const k of Object.keys(counts) as K[]) out[k] = 0
  const kinds = ORDER.filter((k) => counts[k as K] >= 1) as K[]
  const ns = kinds.map((k) => Math.floor(counts[k]))
  if (kinds.length === 0) return out
  const rows = await q<{ kind: K; value: string }[]>`
    insert into control_numbers as c (partner_id, kind, value)
    select ${partnerId}, k, n from unnest(${kinds}::text[], ${ns}::bigint[]) with ordinality as t(k, n, o) order by o
    on conflict (partner_id, kind) do update
      set value = case when c.value + excluded.value > (select m from unnest(${kinds}::text[], ${kinds.map((k) => MAX[k].toString())}::bigint[]) as x(k, m) where x.k = c.kind)
        then excluded.value else c.value + excluded.value end
    returning kind, value`
  for (const r of rows) out[r.kind] = Number(r.value) - ns[kinds.indexOf(r.kind)] + 1
  return out
}
