/**
 * The statements `run` sends on a pool (begin and commit included), as postgres.js sends them:
 * its `debug` hook, which bench/scale-worker.ts counts the same way.
 */
import type { Sql } from '../../src/db/sql.ts'

export async function statementsOf(sql: Sql, run: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = []
  const options = (sql as unknown as { options: { debug?: unknown } }).options
  options.debug = (_connection: unknown, query: string) => void sent.push(query.replace(/\s+/g, ' '))
  try {
    await run()
  } finally {
    options.debug = false
  }
  return sent
}
