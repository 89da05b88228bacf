import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { claim, completeAll, enqueue } from '../../src/db/jobs.ts'
import { testDb, type TestDb } from '../helpers/db.ts'

/** The batch rules of claim(): total weight within the limit, the oldest job always, `alone` stages alone. */
describe('job claim in batches', () => {
  let db: TestDb
  beforeAll(async () => {
    db = await testDb()
  })
  afterAll(async () => db.close())
  beforeEach(async () => {
    await db.sql`delete from jobs`
  })

  async function add(stage: string, weight?: number): Promise<string> {
    // One statement each: run_after (now()) and id both grow, so claim order is insertion order.
    const id = await enqueue(db.sql, stage, {}, { weight })
    return String(id)
  }
  const ids = (rows: { id: string }[]) => rows.map((r) => String(r.id))

  it('takes the oldest jobs up to the limit, each once', async () => {
    const all = [await add('a'), await add('b'), await add('a'), await add('a'), await add('b'), await add('a')]
    const first = await claim(db.sql, 'w1', ['a', 'b'], 4)
    expect(ids(first)).toEqual(all.slice(0, 4))
    expect(first.every((j) => j.state === 'active' && j.attempts === 1)).toBe(true)
    // A second worker gets the rest, never one of the first batch.
    const second = await claim(db.sql, 'w2', ['a', 'b'], 4)
    expect(ids(second)).toEqual(all.slice(4))
    expect(await claim(db.sql, 'w3', ['a', 'b'], 4)).toEqual([])
    expect(await completeAll(db.sql, first, 'w1')).toBe(true)
    // Another worker's jobs are not completed under this id; the whole call reports it.
    expect(await completeAll(db.sql, [...second.slice(0, 1), ...first.slice(0, 1)], 'w2')).toBe(false)
  })

  it('counts weight: a heavy job goes alone, and lighter ones stop where the total would pass the limit', async () => {
    const heavy = await add('parse', 40)
    const light = [await add('parse'), await add('parse'), await add('parse', 2), await add('parse')]
    expect(ids(await claim(db.sql, 'w', ['parse'], 4))).toEqual([heavy])
    // 1 + 1 + 2 = 4 fits; the next light job would make 5.
    expect(ids(await claim(db.sql, 'w', ['parse'], 4))).toEqual(light.slice(0, 3))
    expect(ids(await claim(db.sql, 'w', ['parse'], 4))).toEqual(light.slice(3))
  })

  it('never batches a stage that must run alone', async () => {
    const a1 = await add('tx')
    const n1 = await add('net')
    const a2 = await add('tx')
    const n2 = await add('net')
    // Oldest is transactional: the batch skips the network jobs and leaves them queued.
    expect(ids(await claim(db.sql, 'w', ['tx', 'net'], 8, ['net']))).toEqual([a1, a2])
    // Now the oldest is a network job: it comes alone.
    expect(ids(await claim(db.sql, 'w', ['tx', 'net'], 8, ['net']))).toEqual([n1])
    expect(ids(await claim(db.sql, 'w', ['tx', 'net'], 8, ['net']))).toEqual([n2])
  })

  it('takes over jobs whose lease ran out together with due ones', async () => {
    const orphan = await add('a')
    const due = await add('a')
    await db.sql`update jobs set state = 'active', attempts = 1, locked_by = 'dead', locked_at = now() - interval '1 hour' where id = ${orphan}`
    const got = await claim(db.sql, 'w', ['a'], 4)
    expect(ids(got)).toEqual([orphan, due])
    expect(got.find((j) => String(j.id) === orphan)?.attempts).toBe(2)
  })
})
