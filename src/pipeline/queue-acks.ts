/** Our 997/999/TA1/CONTRL for an inbound interchange: a delivery row and a deliver job each. */
import type { PartnerProfile } from '../config/partner.ts'
import { allocateRanges } from '../db/control-numbers.ts'
import { insertDeliveries, type DeliveryRequest } from '../db/lineage.ts'
import type { Q } from '../db/sql.ts'
import type { ParsedInterchange, ParseResult, Standard } from '../edi/types.ts'
import type { Allocate, PipelineDeps } from './deps.ts'
import { settleAll } from '../lib/settle.ts'

export type Engine = NonNullable<PipelineDeps['engines'][Standard]>

/**
 * The acks of an interchange, rendered with their control numbers (allocated on `q`, requests
 * made at about the same time coalesced into one statement), as delivery rows with their
 * deliver jobs, for queueOwedAcks to insert.
 */
async function renderAcks(q: Q, engine: Engine, standard: Standard, ic: ParsedInterchange, profile: PartnerProfile, icId: string): Promise<DeliveryRequest[]> {
  const allocate: Allocate = (counts) => allocateRanges(q, profile.id, counts)
  // The interchange as the acks read it: its groups hold the sets without their segments.
  const result: ParseResult = { standard, interchanges: [ic], issues: [], unreadable: false }
  const acks = await engine.acks(result, ic, profile, allocate)
  return acks.map((ack) => {
    const ext = ack.docType === 'CONTRL' ? 'edi' : 'x12'
    return {
      partnerId: profile.id, kind: 'ack', docType: ack.docType, parentTable: 'interchanges', parentId: icId,
      destination: profile.outbound, bytes: Buffer.from(ack.text, 'latin1'),
      filename: `${ack.docType}-${ack.controlNumber}.${ext}`,
      contentType: ack.docType === 'CONTRL' ? 'application/edifact' : 'application/edi-x12',
      controlNumber: ack.controlNumber, deliver: { partnerId: profile.id },
    }
  })
}

/** An ack to queue, and the partner whose control numbers it takes. */
export interface OwedAck {
  partnerId: string
  /**
   * What waiting to queue it keeps in memory, counted in items: the interchange, its sets (their
   * status) and their issues.
   */
  weight: number
  render(): Promise<DeliveryRequest[]>
}

/** An ack for this interchange of the partner's, to queue later. */
export function owedAck(q: Q, engine: Engine, standard: Standard, ic: ParsedInterchange, profile: PartnerProfile, icId: string): OwedAck {
  return {
    partnerId: profile.id,
    weight: 1 + ic.issues.length + ic.groups.reduce((n, g) => n + 1 + g.issues.length + g.transactions.reduce((m, t) => m + 1 + t.issues.length, 0), 0),
    render: () => renderAcks(q, engine, standard, ic, profile, icId),
  }
}

/**
 * Queues owed acks on `q` (the transaction they were rendered for), all at once: their control
 * numbers are allocated in one statement (the requests of every ack on the transaction
 * coalesced: allocateMany), and once every ack is rendered, their deliveries are inserted in
 * another, sent at once (insertDeliveries.now). The allocation locks the partners' counter rows
 * until the commit, and a coalesced insert waits for a quiet turn of the event loop: with
 * several claim loops in a process, the other loops' parsing and matching ran in those turns
 * while the rows stayed locked (15 ms per batch of 64 small files, p50 of an instrumented bench
 * run). That statement locks the counter rows of several partners in one fixed order (partner
 * id, then kind) whatever the order asked, so two transactions never wait for each other in a
 * cycle; the sort by partner only decides which ack gets which sub-range.
 */
export async function queueOwedAcks(q: Q, acks: OwedAck[]): Promise<void> {
  const sorted = acks.splice(0).sort((a, b) => (a.partnerId < b.partnerId ? -1 : a.partnerId > b.partnerId ? 1 : 0))
  const rendered = await settleAll(sorted.map((a) => a.render()))
  await insertDeliveries.now(q, rendered.flat())
}
