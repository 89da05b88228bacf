/**
 * Outbound control numbers per partnership (ISA13, GS06, ST02, UNB 0020, UNH 0062). The
 * UPDATE ... RETURNING row lock serialises allocators, and because it runs inside the caller's
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
  await q`insert into control_numbers (partner_id, kind, value) values (${partnerId}, ${kind}, 0)
    on conflict do nothing`
  const [row] = await q<{ value: string }[]>`
    update control_numbers set value = case when value >= ${MAX[kind].toString()}::bigint then 1 else value + 1 end
    where partner_id = ${partnerId} and kind = ${kind}
    returning value`
  return Number(row.value)
}
