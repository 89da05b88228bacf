/**
 * X12 acks for the pipeline: a 997 or 999 per functional group as the partner's profile says,
 * with a TA1 when ISA14=1 or the envelope is broken (or always/never by profile). Control
 * numbers are allocated in PostgreSQL before the pure builder runs, as many as it will use.
 */
import type { PartnerProfile } from '../config/partner.ts'
import { buildX12Acks, planX12Acks, readTa1, readX12Ack } from '../edi/x12/index.ts'
import type { ParseResult, ParsedInterchange, ParsedTransaction } from '../edi/types.ts'
import type { AckReconciliation, Allocate, OutboundAck } from '../pipeline/deps.ts'

export async function x12Acks(result: ParseResult, ic: ParsedInterchange, p: PartnerProfile, allocate: Allocate): Promise<OutboundAck[]> {
  const cfg = p.x12 ?? { ack: '997' as const, ta1: 'auto' as const, version: '004010' as const, separators: undefined }
  if (cfg.ack === 'none' && cfg.ta1 === 'never') return []
  // An interchange of TA1s only is an answer to ours: acks are not acknowledged (X12.5), so it
  // earns no TA1 (whatever ISA14 or the profile say) and, holding no group, no 997/999.
  if (onlyTa1(ic)) return []
  const ackType = cfg.ack === '999' ? '999' : '997'
  // Acks are not acknowledged (X12 997/999: that would be an endless cycle): a group of 997/999
  // sets earns no 997/999. A TA1 (ISA14=1, broken envelope) still answers the interchange.
  const groups = cfg.ack === 'none' ? [] : ic.groups.filter((g) => !onlyAcks(g))
  const withGroups: ParseResult = { ...result, interchanges: [groups.length === ic.groups.length ? ic : { ...ic, groups }] }
  const plan = planX12Acks(withGroups, cfg.ta1)
  if (plan.interchange === 0) return []
  // Every range the builder will use, in one allocation.
  const got = await allocate({ isa: plan.interchange, gs: plan.group, st: plan.transaction })
  const controlNumbers = { interchange: got.isa, group: got.gs || 1, transaction: got.st || 1 }
  const now = new Date().toISOString()
  const built = buildX12Acks(withGroups, {
    ackType,
    sender: p.us.x12 ?? ic.receiver,
    // The partner as its profile knows it: a damaged ISA06 must not decide where the ack goes.
    receiver: p.identities.x12[0] ?? ic.sender,
    applicationSender: p.us.gs,
    version: ackType === '999' ? '005010X231' : cfg.version,
    separators: cfg.separators,
    controlNumbers,
    date: now.slice(0, 10).replace(/-/g, ''),
    time: now.slice(11, 16).replace(':', ''),
    ta1: cfg.ta1,
  })
  return built.interchanges.map((a) => ({
    docType: a.controlNumbers.groups.length ? ackType : 'TA1',
    text: toLatin1(a.text),
    controlNumber: a.controlNumbers.interchange,
  }))
}

/** An interchange that holds TA1s and no functional group. */
function onlyTa1(ic: ParsedInterchange): boolean {
  return (ic.ta1?.length ?? 0) > 0 && ic.groups.length === 0
}

/** A group that holds sets, all of them 997/999. */
function onlyAcks(g: ParsedInterchange['groups'][number]): boolean {
  return g.transactions.length > 0 && g.transactions.every((t) => t.type === '997' || t.type === '999')
}

/**
 * The pipeline stores ack text as latin1 bytes. A character beyond U+00FF echoed from bad input
 * (AK404/IK404 copies) would lose its high byte there and could turn into a delimiter (U+017E → '~'),
 * injecting segments into our 997/999; it cannot be sent as it is anyway, so it becomes '?'.
 */
function toLatin1(text: string): string {
  return text.replace(/[^\u0000-\u00ff]/g, '?')
}

export function x12ReadAck(tx: ParsedTransaction): AckReconciliation | undefined {
  if (tx.type !== '997' && tx.type !== '999') return undefined
  const r = readX12Ack(tx)
  return {
    ack: tx.type,
    reference: r.groupControlNumber,
    results: r.transactions.length
      ? r.transactions.map((t) => ({ controlNumber: t.controlNumber, status: t.status, notes: t.notes }))
      : [{ controlNumber: r.groupControlNumber, status: r.groupStatus, notes: r.notes }],
  }
}

/** Each TA1 of the interchange: TA101 names our ISA13, TA104/TA105 say how it fared. */
export function x12ReadInterchangeAcks(ic: ParsedInterchange): AckReconciliation[] {
  return (ic.ta1 ?? []).map((seg) => {
    const r = readTa1(seg.elements)
    return { ack: 'TA1', reference: r.controlNumber, results: [{ controlNumber: r.controlNumber, status: r.status, notes: [r.text] }] }
  })
}
