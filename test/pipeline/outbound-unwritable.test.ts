/**
 * An outbound document whose data the partner's X12 cannot carry (a delimiter inside a value:
 * X12 has no release character) is a problem with a code, not a crash: the PO gets a
 * `document_unwritable` exception naming the segment and value, nothing is sent, and no control
 * number is spent on it (ISA13/GS06/ST02 stay gap-free). It threw before, so the job retried a
 * refusal that cannot change and ended as `stage_failed`. With `x12.replaceDelimitersWith` in
 * the profile the value is written with that character instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/app/gateway.ts'
import { ENGINES } from '../../src/app/engines.ts'
import { allocateRanges } from '../../src/db/control-numbers.ts'
import { createTablesErp } from '../../src/db/erp.ts'
import { listExceptions } from '../../src/db/exceptions.ts'
import { parseX12 } from '../../src/edi/x12/index.ts'
import { parseEdifact } from '../../src/edi/edifact/index.ts'
import { parsePurchaseOrders } from '../../src/erp/import.ts'
import { queuePurchaseOrders } from '../../src/pipeline/outbound.ts'
import { testDb, type TestDb } from '../helpers/db.ts'
import { testPipeline, type TestPipeline } from '../helpers/pipeline.ts'

const CSV = `po_number,line,supplier,buyer_part,vendor_part,gtin,quantity,uom,unit_price,currency,pack_size,ship_to,requested_date
4500077001,10,demo-x12-supplier,ABC-100,V*77,00614141000111,24,EA,12.50,USD,,0614141000012,2025-03-06
4500077002,10,demo-x12-supplier,ABC-100,V-77,00614141000111,24,EA,12.50,USD,,0614141000012,2025-03-06
`

describe('an outbound X12 document with a delimiter in its data', () => {
  let db: TestDb
  let p: TestPipeline
  beforeAll(async () => {
    db = await testDb()
    p = testPipeline(db)
  })
  afterAll(async () => db?.close())

  it('opens document_unwritable for that PO, sends the other, and spends no control number on it', async () => {
    const { orders } = parsePurchaseOrders(CSV, 'csv')
    const r = await createTablesErp(db.sql).upsertOrders(orders)
    const { maps } = loadConfig(process.cwd())
    const q = await db.sql.begin((tx) => queuePurchaseOrders({ ...p.deps, maps }, tx, r.created))
    expect(q.queued).toEqual(['4500077002'])
    expect(q.skipped.map((s) => s.poNumber)).toEqual(['4500077001'])

    const ex = await listExceptions(db.sql, { code: 'document_unwritable' })
    expect(ex).toHaveLength(1)
    expect(ex[0].reason).toMatchObject({ code: 'document_unwritable', partnerId: 'demo-x12-supplier', docType: '850', reference: '4500077001' })
    const issue = (ex[0].reason as { issues: { segment?: string; value?: string }[] }).issues[0]
    expect(issue).toMatchObject({ segment: 'PO1', value: 'V*77' })

    // Resolved without fixing the data: the next send refuses it again and the exception opens again.
    await db.sql`update exceptions set state = 'resolved', resolved_at = now() where id = ${ex[0].id}`
    const again = await db.sql.begin((tx) => queuePurchaseOrders({ ...p.deps, maps }, tx, ['4500077001']))
    expect(again.skipped.map((s) => s.poNumber)).toEqual(['4500077001'])
    const reopened = await listExceptions(db.sql, { code: 'document_unwritable' })
    expect(reopened.map((e) => [e.id, e.state])).toEqual([[ex[0].id, 'open']])

    const sent = await db.sql<{ parent_id: string; bytes: Buffer }[]>`select parent_id, bytes from deliveries where kind = 'document' and doc_type = '850'`
    expect(sent.map((d) => d.parent_id)).toEqual(['4500077002'])
    // The only 850 written took the first number of each kind: the refused one took none.
    const ic = parseX12(sent[0].bytes).interchanges[0]
    expect([ic.controlNumber, ic.groups[0].controlNumber, ic.groups[0].transactions[0].controlNumber]).toEqual(['000000001', '1', '0001'])
  })

  it('writes the delimiter as the profile\'s replacement when it names one; envelope values untouched', async () => {
    const { registry } = loadConfig(process.cwd())
    const base = registry.get('demo-x12-supplier')!
    const profile = { ...base, x12: { ...base.x12!, replaceDelimitersWith: ' ' } }
    const body = [
      { tag: 'BEG', elements: [['00'], ['SA'], ['4500077001'], [''], ['20250301']] },
      { tag: 'PO1', elements: [['10'], ['24'], ['EA'], ['12.50'], [''], ['VP'], ['V*77~1>2']] },
    ]
    const out = await db.sql.begin((tx) => ENGINES.x12.write!(profile, '850', body, (c) => allocateRanges(tx, profile.id, c)))
    expect(out.ok).toBe(true)
    if (!out.ok) return
    const tx = parseX12(Buffer.from(out.text, 'latin1')).interchanges[0].groups[0].transactions[0]
    expect(tx.status).toBe('accepted')
    expect(tx.segments.find((s) => s.tag === 'PO1')!.elements[6]).toEqual(['V 77 1 2'])
    // Without the setting, the same body is refused before any number is allocated.
    const before = await db.sql<{ kind: string; value: string }[]>`select kind, value::text from control_numbers where partner_id = ${base.id} order by kind`
    const refused = await db.sql.begin((tx) => ENGINES.x12.write!(base, '850', body, (c) => allocateRanges(tx, base.id, c)))
    expect(refused.ok).toBe(false)
    const after = await db.sql<{ kind: string; value: string }[]>`select kind, value::text from control_numbers where partner_id = ${base.id} order by kind`
    expect(after).toEqual(before)
  })
  it('EDIFACT separators without a release character (a space, as in UNA): a value holding a separator is refused before numbers are taken', async () => {
    const { registry } = loadConfig(process.cwd())
    const base = registry.get('demo-edifact-supplier')!
    const profile = { ...base, edifact: { ...base.edifact!, separators: { ...base.edifact!.separators, release: ' ' } } }
    const numbers = () => db.sql<{ kind: string; value: string }[]>`select kind, value::text from control_numbers where partner_id = ${base.id} order by kind`
    const before = await numbers()
    const refused = await db.sql.begin((tx) => ENGINES.edifact.write!(profile, 'ORDERS', [{ tag: 'BGM', elements: [['220'], ['PO+1'], ['9']] }], (c) => allocateRanges(tx, profile.id, c)))
    expect(refused.ok).toBe(false)
    if (!refused.ok) expect(refused.issues[0]).toMatchObject({ code: 'element_invalid_character', value: 'PO+1' })
    expect(await numbers()).toEqual(before)
    const plain = await db.sql.begin((tx) => ENGINES.edifact.write!(profile, 'ORDERS', [{ tag: 'BGM', elements: [['220'], ['PO-1'], ['9']] }], (c) => allocateRanges(tx, profile.id, c)))
    expect(plain.ok).toBe(true)
    if (!plain.ok) return
    // The UNA says "no release character" with a space, and the interchange reads back.
    expect(plain.text.startsWith("UNA:+.  '")).toBe(true)
    const back = parseEdifact(Buffer.from(plain.text, 'latin1'))
    expect(back.interchanges[0].groups[0].transactions[0].segments[1].elements[1]).toEqual(['PO-1'])
  })
})
