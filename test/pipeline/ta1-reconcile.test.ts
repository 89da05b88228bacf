/**
 * A partner's TA1 for an X12 interchange WE sent, through the real pipeline: TA101 names our
 * ISA13, TA104 says A / E / R, TA105 why. A TA1 answers the envelope only: R rejects the delivery,
 * A or E is recorded while the delivery still waits for the 997/999 that settles its groups (and
 * that its deadline is about). A TA1 is never itself answered (no TA1 or 997/999 goes back), and
 * an interchange that holds nothing but TA1s is a reply, not an empty or unreadable interchange.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { listExceptions } from '../../src/db/exceptions.ts'
import { insertDelivery } from '../../src/db/lineage.ts'
import { sweepOverdueAcks } from '../../src/pipeline/acks.ts'
import { pipelineSuite } from '../helpers/pipeline.ts'

const PARTNER = 'demo-x12-supplier'
let isa = 0

/** An interchange from the supplier: `ta1` segments (TA1*...) after ISA, then optional groups. */
function inbound(ta1: string[], opts: { ackRequested?: boolean; groups?: string[][]; iea01?: number } = {}): Buffer {
  const ctl = String(9000 + ++isa).padStart(9, '0')
  const groups = opts.groups ?? []
  const lines = [
    `ISA*00*          *00*          *ZZ*DEMOSUPPLY     *ZZ*OURCO          *250302*0915*U*00401*${ctl}*${opts.ackRequested ? '1' : '0'}*P*>`,
    ...ta1,
    ...groups.flat(),
    `IEA*${opts.iea01 ?? groups.length}*${ctl}`,
  ]
  return Buffer.from(lines.map((l) => `${l}~\n`).join(''), 'latin1')
}

/** A 997 group answering our GS06 `gs`, its set rejected or accepted. */
function fa997(gs: string, code: 'A' | 'R'): string[] {
  const n = String(++isa)
  return [`GS*FA*DEMOSUPPLY*OURCO*20250302*0915*${n}*X*004010`, 'ST*997*0001', `AK1*PO*${gs}`, 'AK2*850*0001', `AK5*${code}${code === 'R' ? '*5' : ''}`, `AK9*${code}*1*1*${code === 'R' ? 0 : 1}`, 'SE*6*0001', `GE*1*${n}`]
}

describe('TA1 for our X12 interchanges', () => {
  const suite = pipelineSuite()
  beforeEach(async () => {
    await suite.db.sql`delete from exceptions`
    await suite.db.sql`delete from deliveries`
  })

  /** An 850 we sent in ISA13 `ic` (GS06 = ic without padding), waiting for its acks. */
  const sent = (ic: number, opts: { standard?: 'x12' | 'edifact'; deadline?: Date } = {}) => insertDelivery(suite.db.sql, {
    partnerId: PARTNER, kind: 'document', docType: '850', parentTable: 'erp_purchase_orders', parentId: `po-${ic}-${opts.standard ?? 'x12'}`,
    destination: 'sftp_mailbox', controlNumber: String(ic), standard: opts.standard ?? 'x12',
    references: { interchange: String(ic).padStart(9, '0'), group: String(ic), message: '0001' },
    ackStatus: 'pending', ackDeadline: opts.deadline ?? new Date(Date.now() + 3_600_000), status: 'sent',
  })
  const delivery = async (id: string) =>
    (await suite.db.sql<{ ack_status: string; receipt: Record<string, unknown> | null }[]>`select ack_status, receipt from deliveries where id = ${id}`)[0]
  const acksSent = async () => (await suite.db.sql<{ doc_type: string }[]>`select doc_type from deliveries where kind = 'ack'`).map((r) => r.doc_type)
  const payload = async (id: string) => (await suite.db.sql<{ status: string }[]>`select status from payloads where id = ${id}`)[0].status

  it('TA104 A: recorded, the delivery still waits for its 997; the TA1-only interchange is parsed, not empty, and never answered', async () => {
    const id = await sent(801)
    // ISA14 = 1 and a profile with `ta1: auto`: still no TA1 for a TA1 (acks are not acknowledged).
    const msg = await suite.p.ingest({ transport: 'cli', body: inbound(['TA1*000000801*250301*1200*A*000'], { ackRequested: true }) })
    expect(await delivery(id)).toMatchObject({ ack_status: 'pending', receipt: { ta1: { ackPayloadId: msg, results: [{ controlNumber: '000000801', status: 'accepted' }] } } })
    expect(await payload(msg)).toBe('parsed')
    expect(await listExceptions(suite.db.sql, {})).toEqual([])
    expect(await acksSent()).toEqual([])
    expect(await suite.db.sql`select id from transactions where payload_id = ${msg}`).toHaveLength(0)
  })

  it('TA104 E: recorded as accepted with errors, still waiting for the 997, no exception', async () => {
    const id = await sent(802)
    await suite.p.ingest({ transport: 'cli', body: inbound(['TA1*000000802*250301*1200*E*014']) })
    expect(await delivery(id)).toMatchObject({ ack_status: 'pending', receipt: { ta1: { results: [{ status: 'accepted_with_errors' }] } } })
    expect(await listExceptions(suite.db.sql, {})).toEqual([])
  })

  it('TA104 R: rejected, ack_rejected names the TA105 note code and its meaning', async () => {
    const id = await sent(803)
    await suite.p.ingest({ transport: 'cli', body: inbound(['TA1*000000803*250301*1200*R*024']) })
    expect((await delivery(id)).ack_status).toBe('rejected')
    const exc = await listExceptions(suite.db.sql, { code: 'ack_rejected' })
    expect(exc).toHaveLength(1)
    expect(exc[0]).toMatchObject({ partner_id: PARTNER, delivery_id: id, reason: { ack: 'TA1', controlNumber: '000000803' } })
    expect((exc[0].reason as { notes: string[] }).notes).toEqual(['000000803: TA104 R, TA105 024: invalid interchange content (e.g. an invalid GS segment)'])
    expect(exc[0].explanation).toContain('TA105 024: invalid interchange content')
  })

  it('a TA1 for an ISA13 we never sent opens ack_unmatched on the payload', async () => {
    const x12 = await sent(805)
    // Same number, other standard: an EDIFACT interchange is never what a TA1 answers.
    const edifact = await sent(804, { standard: 'edifact' })
    const msg = await suite.p.ingest({ transport: 'cli', body: inbound(['TA1*000000804*250301*1200*A*000']) })
    expect((await delivery(x12)).ack_status).toBe('pending')
    expect((await delivery(edifact)).ack_status).toBe('pending')
    const exc = await listExceptions(suite.db.sql, { code: 'ack_unmatched' })
    expect(exc).toHaveLength(1)
    expect(exc[0]).toMatchObject({
      partner_id: PARTNER, payload_id: msg, transaction_id: null, delivery_id: null,
      reason: { code: 'ack_unmatched', partnerId: PARTNER, ack: 'TA1', standard: 'x12', reference: '000000804', messages: [] },
    })
    expect(exc[0].explanation).toMatch(/sent a TA1 for X12 interchange 000000804, which we never sent them/)
  })

  it('a group-level 997 verdict stands against a later TA1 A or E; a TA1 R still rejects', async () => {
    const a = await sent(806)
    await suite.p.ingest({ transport: 'cli', body: inbound([], { groups: [fa997('806', 'R')] }) })
    expect((await delivery(a)).ack_status).toBe('rejected')
    await suite.p.ingest({ transport: 'cli', body: inbound(['TA1*000000806*250301*1200*A*000']) })
    expect(await delivery(a)).toMatchObject({ ack_status: 'rejected', receipt: { ack: '997', ta1: { results: [{ status: 'accepted' }] } } })

    const b = await sent(807)
    await suite.p.ingest({ transport: 'cli', body: inbound([], { groups: [fa997('807', 'A')] }) })
    await suite.p.ingest({ transport: 'cli', body: inbound(['TA1*000000807*250301*1200*E*021']) })
    expect((await delivery(b)).ack_status).toBe('accepted')
    await suite.p.ingest({ transport: 'cli', body: inbound(['TA1*000000807*250301*1200*R*022']) })
    expect((await delivery(b)).ack_status).toBe('rejected')
  })

  it('a 997 after a TA1 A settles the group; TA1s before the GS of a 997 interchange both reconcile', async () => {
    const a = await sent(808)
    await suite.p.ingest({ transport: 'cli', body: inbound(['TA1*000000808*250301*1200*A*000']) })
    expect((await delivery(a)).ack_status).toBe('pending')
    await suite.p.ingest({ transport: 'cli', body: inbound([], { groups: [fa997('808', 'R')] }) })
    expect(await delivery(a)).toMatchObject({ ack_status: 'rejected', receipt: { ack: '997', ta1: { results: [{ status: 'accepted' }] } } })

    const b = await sent(809)
    const c = await sent(810)
    const msg = await suite.p.ingest({ transport: 'cli', body: inbound(['TA1*000000809*250301*1200*E*014'], { groups: [fa997('810', 'A')] }) })
    expect(await delivery(b)).toMatchObject({ ack_status: 'pending', receipt: { ta1: { results: [{ status: 'accepted_with_errors' }] } } })
    expect((await delivery(c)).ack_status).toBe('accepted')
    expect(await payload(msg)).toBe('parsed')
  })

  it('a 997 that accepts the groups does not undo a TA1 that rejected the interchange', async () => {
    const id = await sent(812)
    await suite.p.ingest({ transport: 'cli', body: inbound(['TA1*000000812*250301*1200*R*024']) })
    await suite.p.ingest({ transport: 'cli', body: inbound([], { groups: [fa997('812', 'A')] }) })
    expect(await delivery(id)).toMatchObject({ ack_status: 'rejected', receipt: { ack: '997', ta1: { results: [{ status: 'rejected' }] } } })
  })

  it('a late TA1 A leaves ack_overdue open (the 997 is still missing), a late TA1 R closes it; a TA1-only interchange with an envelope error is still read', async () => {
    const late = await sent(811, { deadline: new Date(Date.now() - 60_000) })
    expect(await sweepOverdueAcks(suite.db.sql)).toBe(1)
    // IEA01 says 1 group, there are none: an envelope error, but the TA1 is there to read.
    const msg = await suite.p.ingest({ transport: 'cli', body: inbound(['TA1*000000811*250301*1200*A*000'], { iea01: 1 }) })
    expect((await delivery(late)).ack_status).toBe('overdue')
    expect((await listExceptions(suite.db.sql, { code: 'ack_overdue' }))[0].state).toBe('open')
    expect(await payload(msg)).toBe('parsed')
    expect(await acksSent()).toEqual([])
    const rejecting = await suite.p.ingest({ transport: 'cli', body: inbound(['TA1*000000811*250301*1200*R*022']) })
    expect((await delivery(late)).ack_status).toBe('rejected')
    const [closed] = await listExceptions(suite.db.sql, { code: 'ack_overdue' })
    expect(closed.state).toBe('resolved')
    expect(closed.note).toBe(`resolved automatically: the partner's TA1 for 000000811 arrived (payload ${rejecting}), verdict rejected`)
    expect((await listExceptions(suite.db.sql, { state: 'open' })).map((e) => e.code)).toEqual(['ack_rejected'])
  })
})
