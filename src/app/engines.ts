/**
 * Wires the pure X12 and EDIFACT engines into the pipeline's EdiEngine port: parsing, the acks a
 * partner's profile asks for (997/999/TA1, CONTRL), and reading acks for what we sent.
 */
import type { PartnerProfile } from '../config/partner.ts'
import { buildContrl, parseEdifact, readContrl } from '../edi/edifact/index.ts'
import { parseX12 } from '../edi/x12/parse.ts'
import type { ParsedInterchange, PartyId } from '../edi/types.ts'
import type { AckReconciliation, EdiEngine, OutboundAck } from '../pipeline/deps.ts'
import { x12Acks, x12ReadAck } from './x12-acks.ts'

/** Who we are to this partner on EDIFACT: the profile's `us`, else the receiver they addressed. */
function usEdifact(profile: PartnerProfile, ic: ParsedInterchange): PartyId {
  return profile.us.edifact ? { id: profile.us.edifact.id, qualifier: profile.us.edifact.qualifier ?? '' } : ic.receiver
}

export const edifactEngine: EdiEngine = {
  parse: (buf) => parseEdifact(buf),
  async acks(_result, ic, profile, allocate): Promise<OutboundAck[]> {
    const policy = profile.edifact?.contrl ?? 'requested'
    if (policy === 'never' || (policy === 'requested' && !ic.ackRequested)) return []
    const reference = String(await allocate('unb'))
    const out = buildContrl(ic, {
      reference,
      sender: usEdifact(profile, ic),
      receiver: ic.sender,
      now: new Date(),
      delimiters: profile.edifact?.separators,
    })
    return [{ docType: 'CONTRL', text: out.bytes.toString('latin1'), controlNumber: reference }]
  },
  readAck(tx): AckReconciliation | undefined {
    if (tx.type !== 'CONTRL') return undefined
    const r = readContrl(tx)
    return {
      ack: 'CONTRL',
      reference: r.interchangeRef,
      results: r.messages.length
        ? r.messages.map((m) => ({
            controlNumber: m.ref,
            status: m.status === 'rejected' ? 'rejected' : m.errors.length ? 'accepted_with_errors' : 'accepted',
            notes: m.errors.map((e) => `segment ${e.segment}${e.element ? ` element ${e.element}` : ''}: error ${e.code}`),
          }))
        : [{ controlNumber: r.interchangeRef, status: r.interchange === 'rejected' ? 'rejected' : 'accepted', notes: r.error ? [`error ${r.error}`] : [] }],
    }
  },
}

export const x12Engine: EdiEngine = {
  parse: (buf) => parseX12(buf),
  acks: x12Acks,
  readAck: x12ReadAck,
}

export const ENGINES = { x12: x12Engine, edifact: edifactEngine }
