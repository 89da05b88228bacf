/**
 * Promise.all that waits for every promise before it throws the first rejection. Statements sent
 * together on a transaction's connection must all be finished when the caller's transaction
 * ends: with Promise.all, the others' follow-up statements (an allocation, then its insert) could
 * still be sent after the rollback, outside any transaction.
 */
export async function settleAll<T extends readonly unknown[]>(promises: readonly [...T]): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(promises)
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (failed) throw failed.reason
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> }
}
