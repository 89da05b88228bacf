import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getException, listExceptions, openException, setExceptionState } from '../../src/db/exceptions.ts'
import type { ExceptionReason } from '../../src/exceptions/reasons.ts'
import { testDb, type TestDb } from '../helpers/db.ts'

describe('exception rows', () => {
  let db: TestDb
  beforeAll(async () => {
    db = await testDb()
  })
  afterAll(async () => db.close())

  const reason: ExceptionReason = { code: 'no_map', partnerId: 'p1', direction: 'in', standard: 'x12', version: '004010', docType: '850' }

  it('opens the same reason on the same row once, however often a stage re-runs', async () => {
    const a = await openException(db.sql, reason, { partnerId: 'p1', transactionId: 'txn_1' })
    const b = await openException(db.sql, reason, { partnerId: 'p1', transactionId: 'txn_1' })
    expect(a.created).toBe(true)
    expect(b).toEqual({ id: a.id, created: false })
    // Another row, or another reason on the same row, is another exception.
    const c = await openException(db.sql, reason, { partnerId: 'p1', transactionId: 'txn_2' })
    const d = await openException(db.sql, { ...reason, docType: '856' }, { partnerId: 'p1', transactionId: 'txn_1' })
    expect(new Set([a.id, c.id, d.id]).size).toBe(3)
  })

  it('stores queue, severity and a plain-language explanation from the reason tables', async () => {
    const { id } = await openException(db.sql, { code: 'qty_out_of_tolerance', doc: { kind: 'asn', id: 'A1' }, poNumber: 'P1', line: '3', poLineNo: '3', ordered: '100', actual: '130', tolerance: '5%', limit: '105', direction: 'over', uom: 'EA' }, { documentId: 'doc_1' })
    const row = (await getException(db.sql, id))!
    expect(row).toMatchObject({ code: 'qty_out_of_tolerance', queue: 'matching', severity: 'error', state: 'open' })
    expect(row.explanation).toMatch(/P1/)
    expect(row.explanation).toMatch(/130/)
  })

  it('assigns, resolves with a note and filters by state', async () => {
    const [first] = await listExceptions(db.sql, { code: 'no_map' })
    await setExceptionState(db.sql, first.id, 'assigned', { assignee: 'ana' })
    const done = await setExceptionState(db.sql, first.id, 'resolved', { note: 'map added' })
    expect(done).toMatchObject({ state: 'resolved', assigned_to: 'ana', note: 'map added' })
    expect(done!.resolved_at).toBeInstanceOf(Date)
    const open = await listExceptions(db.sql, { state: 'open', code: 'no_map' })
    expect(open.map((e) => e.id)).not.toContain(first.id)
  })
})
