/**
 * Outbound control numbers (ISA13, GS06, ST02, UNB 0020, UNH 0062) are allocated in PostgreSQL:
 * many transactions on several connection pools at once (what several gateway processes are to
 * the database) never get the same number, and the committed numbers have no gaps, because a
 * rolled-back transaction gives its number back. On the embedded backend the transactions
 * serialise on its one connection; with DATABASE_URL they really run side by side.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ENGINES } from '../../src/app/engines.ts'
import { loadConfig } from '../../src/app/gateway.ts'
import { allocateControlNumbers, allocateRanges, nextControlNumber, type ControlKind } from '../../src/db/control-numbers.ts'
import { openDatabase, type Database, type Sql, type Tx } from '../../src/db/sql.ts'
import { parseEdifact } from '../../src/edi/edifact/index.ts'
import { parseX12 } from '../../src/edi/x12/index.ts'
import { testDb, type TestDb } from '../helpers/db.ts'

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1)
const sorted = (v: number[]) => [...v].sort((a, b) => a - b)

class Rollback extends Error {}

describe('outbound control numbers in PostgreSQL', () => {
  let db: TestDb
  /** The test pool plus, on real PostgreSQL, a second pool: a second "process". */
  let pools: Sql[]
  let extra: Database | undefined
  beforeAll(async () => {
    db = await testDb()
    pools = [db.sql]
    if (!db.embedded) {
      extra = await openDatabase({ databaseUrl: db.url, schema: db.schema, dataDir: '.tmp/unused', max: 6 })
      pools.push(extra.sql)
    }
  })
  afterAll(async () => {
    await extra?.close()
    await db.close()
  })

  /**
   * `n` concurrent transactions spread over the pools, each allocating `kinds` in order with a
   * pause in between (so allocators overlap while holding the row); every `rollbackEvery`-th
   * one rolls back. Returns the numbers of the committed transactions per kind.
   */
  async function race(partnerId: string, kinds: ControlKind[], n: number, rollbackEvery = 0): Promise<Record<string, number[]>> {
    const committed: Record<string, number[]> = Object.fromEntries(kinds.map((k) => [k, []]))
    await Promise.all(range(n).map(async (i) => {
      const got: [ControlKind, number][] = []
      try {
        await pools[i % pools.length].begin(async (tx) => {
          for (const k of kinds) {
            got.push([k, await nextControlNumber(tx, partnerId, k)])
            await tx`select pg_sleep(0.002)`
          }
          if (rollbackEvery && i % rollbackEvery === 0) throw new Rollback()
        })
        for (const [k, v] of got) committed[k].push(v)
      } catch (e) {
        if (!(e instanceof Rollback)) throw e
      }
    }))
    return committed
  }

  it('hands out 1..n exactly once per kind under concurrency, independently per partner', async () => {
    const kinds: ControlKind[] = ['isa', 'gs', 'st', 'unb', 'unh']
    const [a, b] = await Promise.all([race('p-a', kinds, 30), race('p-b', ['unb', 'unh'], 20)])
    for (const k of kinds) expect(sorted(a[k]), k).toEqual(range(30))
    for (const k of ['unb', 'unh']) expect(sorted(b[k]), k).toEqual(range(20))
  })

  it('a rolled-back transaction gives its number back: the committed numbers have no gap', async () => {
    const r = await race('p-rollback', ['unb', 'unh'], 30, 3)
    // i = 3, 6, ..., 30 roll back: 20 commit, and they hold exactly 1..20.
    expect(sorted(r.unb)).toEqual(range(20))
    expect(sorted(r.unh)).toEqual(range(20))
    expect(await nextControlNumber(db.sql, 'p-rollback', 'unb')).toBe(21)
  })

  it('ranges allocated concurrently in one statement each never overlap and leave no gap', async () => {
    const sizes = range(24).map((i) => 1 + (i % 5))
    const got = await Promise.all(sizes.map((n, i) => pools[i % pools.length].begin(async (tx) => {
      const first = await allocateControlNumbers(tx, 'p-range', 'st', n)
      await tx`select pg_sleep(0.002)`
      return range(n).map((k) => first + k - 1)
    })))
    const all = sorted(got.flat())
    expect(all).toEqual(range(sizes.reduce((a, b) => a + b, 0)))
    // A single number and a range share one sequence.
    expect(await nextControlNumber(db.sql, 'p-range', 'st')).toBe(all.length + 1)
  })

  it('several kinds at once (a 997: ISA13, GS06, ST02) in one statement, concurrently, in either order asked', async () => {
    const asks = range(20).map((i) => (i % 2 ? { st: 1 + (i % 3), isa: 1, gs: 2 } : { gs: 2, isa: 1, st: 1 + (i % 3) }))
    const got = await Promise.all(asks.map((ask, i) => pools[i % pools.length].begin(async (tx) => {
      const first = await allocateRanges(tx, 'p-multi', ask)
      await tx`select pg_sleep(0.002)`
      return first
    })))
    for (const kind of ['isa', 'gs', 'st'] as const) {
      const numbers = sorted(got.flatMap((g, i) => range(asks[i][kind]).map((k) => g[kind] + k - 1)))
      expect(numbers, kind).toEqual(range(asks.reduce((n, a) => n + a[kind], 0)))
    }
    // A count of 0 allocates nothing; the maximum of each kind is its own.
    expect(await allocateRanges(db.sql, 'p-multi', { isa: 0, unb: 2 })).toEqual({ isa: 0, unb: 1 })
    await db.sql`update control_numbers set value = 99999999999998 where partner_id = 'p-multi' and kind = 'unb'`
    await db.sql`update control_numbers set value = 999999998 where partner_id = 'p-multi' and kind = 'isa'`
    expect(await allocateRanges(db.sql, 'p-multi', { isa: 2, unb: 1 })).toEqual({ isa: 1, unb: 99999999999999 })
  })

  /** The control_numbers statements `run` sends on the test pool (postgres.js `debug` hook). */
  async function allocationStatements<T>(run: () => Promise<T>): Promise<{ result: T; statements: number }> {
    const options = (db.sql as unknown as { options: { debug?: unknown } }).options
    let statements = 0
    options.debug = (_c: unknown, query: string) => void (/insert into control_numbers/.test(query) && statements++)
    try {
      return { result: await run(), statements }
    } finally {
      options.debug = false
    }
  }

  it('requests of several partners and kinds on one transaction share ONE statement, each a contiguous sub-range in request order', async () => {
    const partners = ['p-co-b', 'p-co-a', 'p-co-c']
    const kinds: ControlKind[] = ['unh', 'isa', 'st', 'gs', 'unb']
    // 30 requests: partners interleaved, each some of the kinds (in varying order), some counts 0.
    const asks = range(30).map((i) => ({
      partner: partners[i % 3],
      counts: Object.fromEntries(kinds.filter((_, k) => (i + k) % 4 !== 0).map((k, j) => [k, (i + j) % 5])) as Record<ControlKind, number>,
    }))
    for (const round of [0, 1]) {
      const { result: got, statements } = await allocationStatements(() =>
        db.sql.begin((tx) => Promise.all(asks.map((a) => allocateRanges(tx, a.partner, a.counts)))))
      expect(statements).toBe(1)
      for (const partner of partners) {
        for (const kind of kinds) {
          const mine = asks.map((a, i) => ({ n: a.counts[kind] ?? 0, first: got[i][kind] })).filter((_, i) => asks[i].partner === partner && asks[i].counts[kind] !== undefined)
          const total = mine.reduce((n, m) => n + m.n, 0)
          // A count of 0 gets 0; the others follow each other in request order, from where the
          // previous round stopped: no gap, no overlap.
          let next = round * total + 1
          for (const m of mine) {
            if (m.n === 0) {
              expect(m.first, `${partner} ${kind}`).toBe(0)
              continue
            }
            expect(m.first, `${partner} ${kind}`).toBe(next)
            next += m.n
          }
        }
      }
    }
  })

  it('the ranges of one statement wrap as a whole: a sub-range never straddles the maximum', async () => {
    await allocateRanges(db.sql, 'p-co-wrap', { isa: 1, unb: 1 })
    // ISA: 3 numbers left before the maximum, 2 + 2 asked together start again at 1 (asked one
    // after another, the first would have taken 999999997 and 999999998). UNB: 9 left, 2 + 3 fit.
    await db.sql`update control_numbers set value = 999999996 where partner_id = 'p-co-wrap' and kind = 'isa'`
    await db.sql`update control_numbers set value = 99999999999990 where partner_id = 'p-co-wrap' and kind = 'unb'`
    const ask = (tx: Tx) => Promise.all([
      allocateRanges(tx, 'p-co-wrap', { isa: 2, unb: 2 }), allocateRanges(tx, 'p-co-wrap', { isa: 2, unb: 3 }),
    ])
    expect(await db.sql.begin(ask)).toEqual([{ isa: 1, unb: 99999999999991 }, { isa: 3, unb: 99999999999993 }])
    // ISA: 4 left, 2 + 2 fit exactly. UNB: 4 left, 2 + 3 start again at 1.
    await db.sql`update control_numbers set value = 999999995 where partner_id = 'p-co-wrap' and kind = 'isa'`
    expect(await db.sql.begin(ask)).toEqual([{ isa: 999999996, unb: 1 }, { isa: 999999998, unb: 3 }])
  })

  it('when the statement fails, every request in it fails and nothing is allocated', async () => {
    const outcome = await db.sql.begin(async (tx) => {
      const settled = await Promise.allSettled([
        allocateRanges(tx, 'p-co-fail', { isa: 1 }),
        // Not a bigint: the statement fails.
        allocateRanges(tx, 'p-co-fail-2', { isa: 1e30 }),
      ])
      throw new Rollback(JSON.stringify(settled.map((s) => s.status)))
    }).catch((e: Error) => e.message)
    expect(outcome).toBe(JSON.stringify(['rejected', 'rejected']))
    expect(await nextControlNumber(db.sql, 'p-co-fail', 'isa')).toBe(1)
  })

  // Sent one after another, the requests of one transaction locked x then y while the other's
  // locked y then x: PostgreSQL found the deadlock. (The embedded database runs one transaction
  // at a time: it cannot deadlock, and runs this only for the numbers.)
  it('transactions asking for the same partners in opposite orders at once never deadlock: rows are locked partner by partner', async () => {
    const n = 12
    const got = await Promise.all(range(n).map((i) => pools[i % pools.length].begin(async (tx) => {
      const order = i % 2 ? ['p-co-y', 'p-co-x'] : ['p-co-x', 'p-co-y']
      const firsts = await Promise.all(order.map((partner) => allocateRanges(tx, partner, { isa: 1, st: 1 })))
      await tx`select pg_sleep(0.005)`
      return Object.fromEntries(order.map((partner, k) => [partner, firsts[k]]))
    })))
    for (const partner of ['p-co-x', 'p-co-y']) {
      for (const kind of ['isa', 'st'] as const) expect(sorted(got.map((g) => g[partner][kind])), `${partner} ${kind}`).toEqual(range(n))
    }
  })

  it('a range that would pass the maximum starts again at 1', async () => {
    expect(await allocateControlNumbers(db.sql, 'p-range-wrap', 'gs', 3)).toBe(1)
    await db.sql`update control_numbers set value = 999999998 where partner_id = 'p-range-wrap' and kind = 'gs'`
    expect(await allocateControlNumbers(db.sql, 'p-range-wrap', 'gs', 1)).toBe(999999999)
    expect(await allocateControlNumbers(db.sql, 'p-range-wrap', 'gs', 3)).toBe(1)
    expect(await nextControlNumber(db.sql, 'p-range-wrap', 'gs')).toBe(4)
  })

  it('ISA13 wraps from 999999999 to 1', async () => {
    expect(await nextControlNumber(db.sql, 'p-wrap', 'isa')).toBe(1)
    await db.sql`update control_numbers set value = 999999999 where partner_id = 'p-wrap' and kind = 'isa'`
    expect(await nextControlNumber(db.sql, 'p-wrap', 'isa')).toBe(1)
  })

  it('documents written concurrently carry gap-free, distinct UNB 0020/UNH 0062 and ISA13/GS06/ST02', async () => {
    const { registry } = loadConfig(process.cwd())
    const edifact = registry.get('demo-edifact-supplier')!
    const x12 = registry.get('demo-x12-supplier')!
    const n = 16
    const texts = await Promise.all(range(n).map((i) =>
      pools[i % pools.length].begin(async (tx) => {
        const e = await ENGINES.edifact.write!(edifact, 'ORDERS', [{ tag: 'BGM', elements: [['220'], [`PO${i}`], ['9']] }], (c) => allocateRanges(tx, edifact.id, c))
        await tx`select pg_sleep(0.002)`
        const x = await ENGINES.x12.write!(x12, '850', [{ tag: 'BEG', elements: [['00'], ['SA'], [`PO${i}`], [''], ['20240101']] }], (c) => allocateRanges(tx, x12.id, c))
        return { e, x }
      })
    ))
    const unb: number[] = []
    const unh: number[] = []
    const isa: number[] = []
    const gs: number[] = []
    const st: number[] = []
    for (const { e, x } of texts) {
      if (!e.ok || !x.ok) throw new Error('a writer refused plain data')
      const ic = parseEdifact(Buffer.from(e.text, 'latin1')).interchanges[0]
      unb.push(Number(ic.controlNumber))
      unh.push(Number(ic.groups[0].transactions[0].controlNumber))
      // The reference a CONTRL answers is the UNB 0020 written.
      expect(e.controlNumber).toBe(ic.controlNumber)
      const xi = parseX12(Buffer.from(x.text, 'latin1')).interchanges[0]
      isa.push(Number(xi.controlNumber))
      gs.push(Number(xi.groups[0].controlNumber))
      st.push(Number(xi.groups[0].transactions[0].controlNumber))
      // The reference a 997 answers (AK102) is the GS06 written.
      expect(x.controlNumber).toBe(xi.groups[0].controlNumber)
    }
    for (const [name, v] of Object.entries({ unb, unh, isa, gs, st })) expect(sorted(v), name).toEqual(range(n))
  })
})
