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

/**
 * `count` consecutive numbers in ONE statement (the row created at the first use, or moved on):
 * returns the first of them. A range that would pass the maximum starts again at 1. The row lock
 * the upsert takes serialises allocators until the caller commits, so a range is never handed
 * out twice, and a rollback gives it back.
 */
export async function allocateControlNumbers(q: Q, partnerId: string, kind: ControlKind, count: number): Promise<number> {
  const n = Math.max(1, Math.floor(count))
  const [row] = await q<{ value: string }[]>`
    insert into control_numbers as c (partner_id, kind, value) values (${partnerId}, ${kind}, ${n})
    on conflict (partner_id, kind) do update
      set value = case when c.value + ${n}::bigint > ${MAX[kind].toString()}::bigint then ${n}::bigint else c.value + ${n}::bigint end
    returning value`
  return Number(row.value) - n + 1
}
