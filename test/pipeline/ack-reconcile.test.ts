/**
 * Acks that come back for what WE sent, through the real pipeline: a partner's CONTRL (or
 * 997/999) updates the delivery it answers to accepted / accepted_with_errors / rejected, a
 * rejection opens `ack_rejected`, a missing ack turns overdue with `ack_overdue`. An ack is never
 * acknowledged in turn (ISO 9735 CONTRL, X12 997: that would make an endless cycle).
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { listExceptions, setExceptionState } from '../../src/db/exceptions.ts'
import { insertDelivery } from '../../src/db/lineage.ts'
import { sweepOverdueAcks } from '../../src/pipeline/acks.ts'
import { pipelineSuite } from '../helpers/pipeline.ts'

const PARTNER = 'demo-edifact-supplier'
const THEM = '5412345000013:14'
const US = '5400000000003:14'

let unb = 0
/** A CONTRL interchange from the partner about our interchange `ref`; `body` is UCI.. (no UNH/UNT). */
function contrl(body: string[], opts: { ackRequested?: boolean } = {}): Buffer {
  const ref = `C${++unb}`
  const segs = [
    `UNB+UNOC:3+${THEM}+${US}+240101:1200+${ref}${opts.ackRequested ? '++++1' : ''}`,
    'UNH+1+CONTRL:D:3:UN',
    ...body,
    `UNT+${body.length + 2}+1`,
    `UNZ+1+${ref}`,
  ]
  return Buffer.from(segs.map((s) => s + "'").join(''), 'latin1')
}

describe('CONTRL for our EDIFACT interchanges', () => {
  const suite = pipelineSuite()
  beforeEach(async () => {
    await suite.db.sql`delete from exceptions`
  })

  /** An ORDERS interchange we sent with UNB 0020 = `ref`, waiting for its CONTRL. */
  async function sent(ref: string, deadline = new Date(Date.now() + 3_600_000)): Promise<string> {
    return insertDelivery(suite.db.sql, {
      partnerId: PARTNER, kind: 'document', docType: 'ORDERS', parentTable: 'erp_purchase_orders', parentId: `po-${ref}`,
      destination: 'api', controlNumber: ref, standard: 'edifact', references: { interchange: ref, message: '1' },
      ackStatus: 'pending', ackDeadline: deadline, status: 'queued',
    })
  }
  const ackOf = async (id: string) =>
    (await suite.db.sql<{ ack_status: string; receipt: { ack?: string; results?: { status: string }[] } | null }[]>`select ack_status, receipt from deliveries where id = ${id}`)[0]
  const ackDeliveries = async () => (await suite.db.sql<{ n: number }[]>`select count(*)::int as n from deliveries where kind = 'ack'`)[0].n

  it('UCI 7 and UCM 7: accepted, no exception, and no CONTRL sent back for the CONTRL', async () => {
    const id = await sent('501')
    const msg = await suite.p.ingest({ transport: 'cli', body: contrl([`UCI+501+${US}+${THEM}+7`, 'UCM+1+ORDERS:D:96A:UN+7']) })
    expect(await ackOf(id)).toMatchObject({ ack_status: 'accepted', receipt: { ack: 'CONTRL', results: [{ status: 'accepted' }] } })
    expect(await listExceptions(suite.db.sql, {})).toEqual([])
    const [t] = await suite.db.sql<{ status: string; doc_type: string }[]>`select status, doc_type from transactions where payload_id = ${msg}`
    expect(t).toEqual({ status: 'reconciled', doc_type: 'CONTRL' })
    // The profile says `contrl: always`, and even UNB 0031 = 1 does not make a CONTRL answer a CONTRL.
    await suite.p.ingest({ transport: 'cli', body: contrl([`UCI+501+${US}+${THEM}+7`], { ackRequested: true }) })
    expect(await ackDeliveries()).toBe(0)
  })

  it('UCM 7 with UCS/UCD errors: accepted_with_errors, no exception', async () => {
    const id = await sent('502')
    await suite.p.ingest({ transport: 'cli', body: contrl([`UCI+502+${US}+${THEM}+7`, 'UCM+1+ORDERS:D:96A:UN+7', 'UCS+4', 'UCD+12+2:1']) })
    expect((await ackOf(id)).ack_status).toBe('accepted_with_errors')
    expect(await listExceptions(suite.db.sql, {})).toEqual([])
  })

  it('UCM 4 rejects the message and opens ack_rejected with the reason', async () => {
    const id = await sent('503')
    await suite.p.ingest({ transport: 'cli', body: contrl([`UCI+503+${US}+${THEM}+7`, 'UCM+1+ORDERS:D:96A:UN+4', 'UCS+3+13']) })
    expect((await ackOf(id)).ack_status).toBe('rejected')
    const exc = await listExceptions(suite.db.sql, { code: 'ack_rejected' })
    expect(exc).toHaveLength(1)
    expect(exc[0]).toMatchObject({ partner_id: PARTNER, delivery_id: id })
    expect(exc[0].reason).toMatchObject({ ack: 'CONTRL', controlNumber: '503', notes: ['1: segment 3: error 13'] })
  })

  it('UCI 4 rejects the whole interchange, also when UCM lines say 7', async () => {
    const a = await sent('504')
    await suite.p.ingest({ transport: 'cli', body: contrl([`UCI+504+${US}+${THEM}+4+23`]) })
    expect((await ackOf(a)).ack_status).toBe('rejected')
    const b = await sent('505')
    await suite.p.ingest({ transport: 'cli', body: contrl([`UCI+505+${US}+${THEM}+4+23`, 'UCM+1+ORDERS:D:96A:UN+7']) })
    expect((await ackOf(b)).ack_status).toBe('rejected')
    expect((await listExceptions(suite.db.sql, { code: 'ack_rejected' })).map((e) => e.delivery_id).sort()).toEqual([a, b].sort())
  })

  it('no CONTRL by the deadline: overdue once, with an ack_overdue row; a late CONTRL still reconciles', async () => {
    const late = await sent('506', new Date(Date.now() - 60_000))
    const onTime = await sent('507')
    expect(await sweepOverdueAcks(suite.db.sql)).toBe(1)
    expect(await sweepOverdueAcks(suite.db.sql)).toBe(0)
    expect((await ackOf(late)).ack_status).toBe('overdue')
    expect((await ackOf(onTime)).ack_status).toBe('pending')
    const exc = await listExceptions(suite.db.sql, { code: 'ack_overdue' })
    expect(exc).toHaveLength(1)
    expect(exc[0]).toMatchObject({ partner_id: PARTNER, delivery_id: late, reason: { ack: 'ORDERS', controlNumber: '506' } })
    await suite.p.ingest({ transport: 'cli', body: contrl([`UCI+506+${US}+${THEM}+7`]) })
    expect((await ackOf(late)).ack_status).toBe('accepted')
    // The late CONTRL closes the overdue exception, as the system, saying which ack and verdict.
    const [closed] = await listExceptions(suite.db.sql, { code: 'ack_overdue' })
    expect(closed).toMatchObject({ id: exc[0].id, state: 'resolved', assigned_to: null })
    expect(closed.resolved_at).toBeInstanceOf(Date)
    expect(closed.note).toMatch(/^resolved automatically: the partner's CONTRL for 506 arrived \(transaction \S+\), verdict accepted$/)
    expect(await listExceptions(suite.db.sql, { state: 'open' })).toEqual([])
  })

  it('a late CONTRL that rejects: ack_overdue resolved with verdict rejected, ack_rejected opened', async () => {
    const late = await sent('508', new Date(Date.now() - 60_000))
    expect(await sweepOverdueAcks(suite.db.sql)).toBe(1)
    const [overdue] = await listExceptions(suite.db.sql, { code: 'ack_overdue', state: 'open' })
    expect(overdue.delivery_id).toBe(late)
    // An operator had picked it up already: assigned is closed too, the assignee kept.
    await setExceptionState(suite.db.sql, overdue.id, 'assigned', { assignee: 'ops@example.com' })
    await suite.p.ingest({ transport: 'cli', body: contrl([`UCI+508+${US}+${THEM}+4+23`]) })
    expect((await ackOf(late)).ack_status).toBe('rejected')
    const [closed] = await listExceptions(suite.db.sql, { code: 'ack_overdue' })
    expect(closed).toMatchObject({ id: overdue.id, state: 'resolved', assigned_to: 'ops@example.com' })
    expect(closed.note).toMatch(/CONTRL for 508 .*verdict rejected$/)
    const open = await listExceptions(suite.db.sql, { state: 'open' })
    expect(open.map((e) => [e.code, e.delivery_id])).toEqual([['ack_rejected', late]])
  })
})

let isa = 0
/** A 997 or 999 interchange from the X12 supplier; `body` is AK1.. (no ST/SE). */
function x12Ack(type: '997' | '999', body: string[], opts: { ackRequested?: boolean } = {}): Buffer {
  const ctl = String(8000 + ++isa).padStart(9, '0')
  const version = type === '999' ? '005010X231' : '004010'
  const lines = [
    `ISA*00*          *00*          *ZZ*DEMOSUPPLY     *ZZ*OURCO          *250302*0915*${type === '999' ? '^*00501' : 'U*00401'}*${ctl}*${opts.ackRequested ? '1' : '0'}*P*>`,
    `GS*FA*DEMOSUPPLY*OURCO*20250302*0915*${isa}*X*${version}`,
    `ST*${type}*0001${type === '999' ? `*${version}` : ''}`,
    ...body,
    `SE*${body.length + 2}*0001`,
    `GE*1*${isa}`,
    `IEA*1*${ctl}`,
  ]
  return Buffer.from(lines.map((l) => l + '~').join(''), 'latin1')
}

describe('997/999 for our X12 groups', () => {
  const suite = pipelineSuite()

  /** An 850 we sent with GS06 = `gs`, waiting for its 997. */
  const sent = (gs: string) => insertDelivery(suite.db.sql, {
    partnerId: 'demo-x12-supplier', kind: 'document', docType: '850', parentTable: 'erp_purchase_orders', parentId: `po-${gs}`,
    destination: 'sftp_mailbox', controlNumber: gs, standard: 'x12', references: { interchange: gs.padStart(9, '0'), group: gs, message: '0001' },
    ackStatus: 'pending', ackDeadline: new Date(Date.now() + 3_600_000), status: 'sent',
  })
  const ackStatus = async (id: string) => (await suite.db.sql<{ ack_status: string }[]>`select ack_status from deliveries where id = ${id}`)[0].ack_status
  const groupAcks = async () => (await suite.db.sql<{ doc_type: string }[]>`select doc_type from deliveries where kind = 'ack'`).map((r) => r.doc_type)

  it('a 997 accepting our group: accepted, and no 997 goes back for the 997', async () => {
    const id = await sent('601')
    const msg = await suite.p.ingest({ transport: 'cli', body: x12Ack('997', ['AK1*PO*601', 'AK2*850*0001', 'AK5*A', 'AK9*A*1*1*1']) })
    expect(await ackStatus(id)).toBe('accepted')
    const [t] = await suite.db.sql<{ status: string }[]>`select status from transactions where payload_id = ${msg}`
    expect(t.status).toBe('reconciled')
    expect(await groupAcks()).toEqual([])
  })

  it('a 999 rejecting our set: rejected with ack_rejected; ISA14=1 earns a TA1 but still no 999/997', async () => {
    const id = await sent('602')
    await suite.p.ingest({ transport: 'cli', body: x12Ack('999', ['AK1*PO*602*005010', 'AK2*850*0001', 'IK3*BEG*1**8', 'IK5*R*5', 'AK9*R*1*1*0'], { ackRequested: true }) })
    expect(await ackStatus(id)).toBe('rejected')
    const exc = await listExceptions(suite.db.sql, { code: 'ack_rejected' })
    expect(exc.map((e) => e.delivery_id)).toEqual([id])
    expect(await groupAcks()).toEqual(['TA1'])
  })
})

describe('an ack matches only what we sent in its standard, at its reference level', () => {
  const suite = pipelineSuite()

  const send = (partnerId: string, standard: 'x12' | 'edifact', refs: { interchange: string; group?: string; message: string }) => insertDelivery(suite.db.sql, {
    partnerId, kind: 'document', docType: standard === 'x12' ? '850' : 'ORDERS', parentTable: 'erp_purchase_orders', parentId: `po-${standard}-${refs.interchange}`,
    destination: 'api', controlNumber: refs.group ?? refs.interchange, standard, references: refs,
    ackStatus: 'pending', ackDeadline: new Date(Date.now() + 3_600_000), status: 'sent',
  })
  const ackStatus = async (id: string) => (await suite.db.sql<{ ack_status: string }[]>`select ack_status from deliveries where id = ${id}`)[0].ack_status

  it('an X12 997 for GS06 701 leaves the same partner\'s EDIFACT ORDERS with UNB 0020 701 alone', async () => {
    const orders = await send('demo-x12-supplier', 'edifact', { interchange: '701', message: '1' })
    const po850 = await send('demo-x12-supplier', 'x12', { interchange: '000000701', group: '701', message: '0001' })
    await suite.p.ingest({ transport: 'cli', body: x12Ack('997', ['AK1*PO*701', 'AK2*850*0001', 'AK5*R*5', 'AK9*R*1*1*0']) })
    expect(await ackStatus(po850)).toBe('rejected')
    expect(await ackStatus(orders)).toBe('pending')
    expect((await listExceptions(suite.db.sql, { code: 'ack_rejected' })).map((e) => e.delivery_id)).toEqual([po850])
  })

  it('a 997 for a group we never sent opens ack_unmatched (partner, standard, control numbers); nothing is reconciled', async () => {
    // Only the EDIFACT interchange 710 exists: the X12 997 for GS06 710 answers nothing of ours.
    const orders = await send('demo-x12-supplier', 'edifact', { interchange: '710', message: '1' })
    const msg = await suite.p.ingest({ transport: 'cli', body: x12Ack('997', ['AK1*PO*710', 'AK2*850*0042', 'AK5*A', 'AK9*A*1*1*1']) })
    expect(await ackStatus(orders)).toBe('pending')
    const [t] = await suite.db.sql<{ id: string }[]>`select id from transactions where payload_id = ${msg}`
    const exc = await listExceptions(suite.db.sql, { code: 'ack_unmatched' })
    expect(exc).toHaveLength(1)
    expect(exc[0]).toMatchObject({
      state: 'open', queue: 'edi', severity: 'warn', partner_id: 'demo-x12-supplier', payload_id: msg, transaction_id: t.id, delivery_id: null,
      reason: { code: 'ack_unmatched', partnerId: 'demo-x12-supplier', ack: '997', standard: 'x12', reference: '710', messages: ['0042'] },
    })
    expect(exc[0].explanation).toBe('Partner demo-x12-supplier sent a 997 for X12 group 710 (messages 0042), which we never sent them; often a misrouted or duplicate ack: check with the partner what it answers.')
    // A CONTRL for an interchange we never sent: the same, at the interchange level.
    await suite.p.ingest({ transport: 'cli', body: contrl([`UCI+711+${US}+${THEM}+7`]) })
    const [c] = await listExceptions(suite.db.sql, { code: 'ack_unmatched', partnerId: 'demo-edifact-supplier' })
    expect(c.reason).toEqual({ code: 'ack_unmatched', partnerId: 'demo-edifact-supplier', ack: 'CONTRL', standard: 'edifact', reference: '711', messages: [] })
    expect(c.explanation).toMatch(/^Partner demo-edifact-supplier sent a CONTRL for EDIFACT interchange 711, which we never sent them/)
  })

  it('an EDIFACT CONTRL for UNB 0020 702 leaves the same partner\'s X12 850 with GS06 702 alone', async () => {
    const po850 = await send('demo-edifact-supplier', 'x12', { interchange: '000000702', group: '702', message: '0001' })
    const orders = await send('demo-edifact-supplier', 'edifact', { interchange: '702', message: '1' })
    await suite.p.ingest({ transport: 'cli', body: contrl([`UCI+702+${US}+${THEM}+7`, 'UCM+1+ORDERS:D:96A:UN+7']) })
    expect(await ackStatus(orders)).toBe('accepted')
    expect(await ackStatus(po850)).toBe('pending')
  })

  it('a 997 answers GS06, never ISA13: AK1 703 does not reconcile the 850 in ISA 000000703 whose GS06 is 9703', async () => {
    const po850 = await send('demo-x12-supplier', 'x12', { interchange: '000000703', group: '9703', message: '0001' })
    await suite.p.ingest({ transport: 'cli', body: x12Ack('997', ['AK1*PO*703', 'AK9*A*1*1*1']) })
    expect(await ackStatus(po850)).toBe('pending')
    await suite.p.ingest({ transport: 'cli', body: x12Ack('997', ['AK1*PO*9703', 'AK9*A*1*1*1']) })
    expect(await ackStatus(po850)).toBe('accepted')
  })

  it('a CONTRL judges our message by its own UCM line (UNH 0062)', async () => {
    const orders = await send('demo-edifact-supplier', 'edifact', { interchange: '704', message: '2' })
    await suite.p.ingest({ transport: 'cli', body: contrl([`UCI+704+${US}+${THEM}+7`, 'UCM+1+ORDERS:D:96A:UN+4', 'UCM+2+ORDERS:D:96A:UN+7']) })
    expect(await ackStatus(orders)).toBe('accepted')
    expect((await listExceptions(suite.db.sql, { code: 'ack_rejected' })).filter((e) => e.delivery_id === orders)).toEqual([])
  })
})
