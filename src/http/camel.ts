/**
 * The operations and partner APIs answer in camelCase. Database rows come back with their column
 * names (`control_number`, `created_at`); routes shape them here, one row at a time, renaming the
 * columns only. Column values stay as stored: a JSON column (a canonical `doc`, a `match`, an
 * exception `reason`, issues) is data with its own documented schema, never rewritten.
 */

/** `control_number` → `controlNumber`, `messages_24h` → `messages24h`. */
export const camelKey = (k: string): string => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())

/** The camelCase name of a snake_case column, as a type. */
export type CamelKey<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<CamelKey<T>>}` : S

export type CamelRow<T> = { [K in keyof T as K extends string ? CamelKey<K> : K]: T[K] }

/** One row with its column names in camelCase; values (JSON columns included) are kept as they are. */
export function camelRow<T extends object>(row: T): CamelRow<T> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(row)) out[camelKey(k)] = v
  return out as CamelRow<T>
}

export const camelRows = <T extends object>(rows: readonly T[]): CamelRow<T>[] => rows.map(camelRow)
