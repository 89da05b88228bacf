/**
 * Requests made on one transaction at about the same time, sent as ONE statement.
 *
 * Why: a parse batch runs up to 64 files' handlers at once in one transaction, and matching
 * queues a warehouse delivery per ASN; each of them asking for its own control numbers and
 * inserting its own delivery costs a statement apiece (parse, plan, execute, a round of row
 * locks) where one statement for all of them does the same work. The callers stay as they are,
 * each awaiting its own answer; the batching happens here.
 *
 * How: the requests on a transaction handle (`q`, a WeakMap key: nothing is kept once the
 * transaction is gone) wait until a whole turn of the event loop (setImmediate) has passed with
 * no new request, then go out together; each caller gets its own result, and when the statement
 * fails every caller's promise rejects with its error. Waiting for a quiet turn, not just the
 * next one, collects callers that yield to the event loop between requests (matching yields
 * every few documents). A batch that reaches `max` items goes out at once without waiting, which
 * bounds a statement's size.
 *
 * Only transactions coalesce: on the pool each request is its own statement (and its own
 * autocommit transaction), as unrelated callers must not share one's failure.
 *
 * Callers must await what they ask before their transaction (or savepoint) ends, failing or not:
 * a request still waiting when it ends goes out after it, on the bare connection.
 */
import { settleAll } from '../lib/settle.ts'
import type { Q } from './sql.ts'

/** Runs the items as one statement: one result per item, in their order. */
export type RunMany<I, R> = (q: Q, items: I[]) => Promise<R[]>

interface Batch<I, R> {
  items: I[]
  /** Each caller's share of `items`: from `start`, `count` of them. */
  callers: { start: number; count: number; resolve(r: R[]): void; reject(e: unknown): void }[]
  /** How many items the last look found; the batch goes out when a look finds no more. */
  seen: number
}

/** A transaction handle (postgres.js gives only those `savepoint`; the pool has `begin`). */
const inTransaction = (q: Q): boolean => typeof (q as { savepoint?: unknown }).savepoint === 'function'

/** A coalesced call, and the same without the wait for a quiet turn. */
export interface Coalesced<I, R> {
  (q: Q, items: readonly I[]): Promise<R[]>
  /**
   * The items sent at once, `max` per statement, after whatever other callers on `q` were
   * waiting to send: for a caller that holds every item of its turn and must not wait for the
   * event loop to go quiet (the acks of a batch, while their partners' counter rows are locked
   * and other claim loops' work runs in those turns).
   */
  now(q: Q, items: readonly I[]): Promise<R[]>
}

/**
 * `run`, called once per batch of the items callers pass on one transaction at about the same
 * time; each caller gets the results of its own items.
 */
export function coalescing<I, R>(run: RunMany<I, R>, max = 1000): Coalesced<I, R> {
  const open = new WeakMap<Q, Batch<I, R>>()

  const send = (q: Q, b: Batch<I, R>): void => {
    open.delete(q)
    // A synchronous throw in `run` rejects every caller as well.
    Promise.resolve()
      .then(() => run(q, b.items))
      .then(
        (results) => b.callers.forEach((c) => c.resolve(results.slice(c.start, c.start + c.count))),
        (e: unknown) => b.callers.forEach((c) => c.reject(e))
      )
  }

  const look = (q: Q, b: Batch<I, R>): void => {
    if (open.get(q) !== b) return // already sent (it reached `max`)
    if (b.items.length === b.seen) return send(q, b)
    b.seen = b.items.length
    setImmediate(look, q, b)
  }

  const coalesced = async (q: Q, items: readonly I[]): Promise<R[]> => {
    if (items.length === 0) return []
    if (!inTransaction(q)) return run(q, [...items])
    let b = open.get(q)
    if (!b) {
      b = { items: [], callers: [], seen: 0 }
      open.set(q, b)
      setImmediate(look, q, b)
    }
    const batch = b
    return new Promise<R[]>((resolve, reject) => {
      batch.callers.push({ start: batch.items.length, count: items.length, resolve, reject })
      batch.items.push(...items)
      if (batch.items.length >= max) send(q, batch)
    })
  }
  const now = async (q: Q, items: readonly I[]): Promise<R[]> => {
    const waiting = open.get(q)
    if (waiting) send(q, waiting)
    const slices: Promise<R[]>[] = []
    for (let i = 0; i < items.length; i += max) slices.push(run(q, items.slice(i, i + max)))
    return (await settleAll(slices)).flat()
  }
  return Object.assign(coalesced, { now })
}
