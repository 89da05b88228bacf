/**
 * The parse stage's decisions per interchange and per set, as the streaming reader reports them
 * (parse.ts feeds them): which partner an interchange is from, whether it is a duplicate (its
 * control numbers claimed in duplicate_keys) or a test the profile rejects, how each set is
 * stored (rejected, duplicate, an ack of ours, or handed to the sink to be translated and
 * matched), and what is owed at the interchange's end (trailer issues, the acks).
 */
import type { PartnerProfile } from '../config/partner.ts'
import { openException } from '../db/exceptions.ts'
import { claimDuplicateKey, groupKey, insertInterchange, insertInterchangeClaiming, insertTransaction, setInterchangeIssues, transactionKey, type DuplicateHolder } from '../db/lineage.ts'
import type { PayloadRow } from '../db/payloads.ts'
import { pgSafe } from '../db/pg-safe.ts'
import type { Q } from '../db/sql.ts'
import type { ParsedGroup, ParsedInterchange, ParsedTransaction, Standard } from '../edi/types.ts'
import type { ExceptionReason } from '../exceptions/reasons.ts'
import { newId } from '../lib/ids.ts'
import { reconcileAck } from './acks.ts'
import type { PipelineDeps } from './deps.ts'
import type { SetSink } from './inline.ts'
import { owedAck, type Engine, type OwedAck } from './queue-acks.ts'

export function identify(deps: PipelineDeps, standard: Standard, ic: ParsedInterchange, groupSenders: string[]): PartnerProfile | undefined {
  if (standard === 'x12') {
    return deps.registry.byX12(ic.sender.qualifier, ic.sender.id) ?? groupSenders.map((g) => deps.registry.byGs(g)).find(Boolean)
  }
  return deps.registry.byEdifact(ic.sender.qualifier, ic.sender.id)
}

/** One interchange while it is being read: decided at its first set (or at its end if it has none). */
export interface OpenInterchange {
  id: string
  /** ISA13 / UNB 0020 and the test flag stored with the row: what translate passes to the maps. */
  control: string
  test: boolean
  profile?: PartnerProfile
  /** process: store its sets; rejected: sets counted, not stored; skip: duplicate or test-rejected. */
  mode: 'process' | 'rejected' | 'skip'
  duplicate: boolean
  /** Issues stored with the row; the interchange's trailer checks may add more at its end. */
  issuesStored: number
  group?: ParsedGroup
  /** The open group's holder when its control number is another interchange's (a resent group). */
  groupDup?: DuplicateHolder
  /** The open group's control number was claimed (at its first set that is not rejected). */
  groupClaimed?: boolean
}

/** The holder of a key when it is another interchange (a duplicate), else undefined (claimed here). */
async function claimedElsewhere(q: Q, r: Parameters<typeof claimDuplicateKey>[1]): Promise<DuplicateHolder | undefined> {
  const holder = await claimDuplicateKey(q, r)
  return holder.interchange_id === r.interchangeId ? undefined : holder
}


export type ParseState = {
  txCount: number; rejected: number; accepted: number; duplicates: number; icRejected: number; interchangeAcks: number
  interchanges: number; partnerId: string | null; anyTest: boolean; icErrors: boolean
  /** Where accepted sets go to be translated and matched. */
  sink: SetSink
  /**
   * A NUL byte in the payload so far. Only then can a value hold U+0000, which text and jsonb
   * cannot store, so only then are the sets' segments copied into storable form (pgSafe).
   */
  nul: boolean
  /**
   * The acks owed (997/999/TA1/CONTRL), queued once everything else is stored: allocating their
   * control numbers locks the partner's counter rows until commit (that is what keeps them
   * gap-free), so every other transaction queuing acks for the partner waits from that moment.
   * Queued as each interchange closed, a large file held them from its first interchange to its
   * commit, minutes in which none of the partner's other files could finish.
   */
  acks: OwedAck[]
}

export async function openInterchange(
  deps: PipelineDeps, q: Q, payload: PayloadRow, standard: Standard, st: ParseState, ic: ParsedInterchange, group: ParsedGroup | undefined
): Promise<OpenInterchange> {
  const seq = st.interchanges++
  const refs = { payloadId: payload.id, partnerId: payload.partner_id }
  const senders = (group ? [...ic.groups, group] : ic.groups).map((g) => g.senderId ?? '').filter(Boolean)
  // The sender is looked up as read (a NUL in it matches no partner either way); the row is
  // made storable only when the payload had a NUL byte (pgSafe walks all it is given).
  const profile = identify(deps, standard, ic, senders)
  const parsedRow = icRow(payload.id, seq, standard, null, ic, 'parsed')
  const row = st.nul ? pgSafe(parsedRow) : parsedRow
  let reason: ExceptionReason | undefined
  if (!profile) {
    reason = { code: 'unknown_partner', standard, qualifier: row.senderQual, senderId: row.senderId }
  } else if (payload.partner_id && profile.id !== payload.partner_id) {
    // The transport authenticated one partner; the envelope claims another.
    reason = { code: 'partner_mismatch', expected: payload.partner_id, actual: profile.id }
  } else if (profile.status === 'disabled') {
    reason = { code: 'partner_disabled', partnerId: profile.id }
  }
  if (reason || !profile) {
    const id = await insertInterchange(q, { ...row, status: 'rejected' })
    await openException(q, reason!, { ...refs, transactionId: null, partnerId: profile?.id ?? payload.partner_id }, `${reason!.code}:${id}`)
    st.icRejected++
    return { id, control: row.controlNumber, test: row.test, mode: 'rejected', duplicate: false, issuesStored: row.issues.length }
  }
  st.partnerId = profile.id
  // A live partner's test interchange (ISA15=T, UNB 0035=1) is handled by policy.
  const testFlag = profile.status === 'testing' || (ic.test && profile.testIndicator === 'treat_as_test')
  st.anyTest ||= testFlag
  const status = ic.test && profile.status === 'live' && profile.testIndicator === 'reject' ? 'rejected' : 'parsed'
  // The row and the claim of its control number in one statement (duplicate_keys): a copy parsed
  // at the same moment, in another transaction or in this one, finds it held. A replay
  // (meta.replayOf) is an intentional re-run of stored bytes, not a partner's resend: no claim.
  const claim = payload.meta.replayOf ? false : { windowDays: profile.duplicates.windowDays }
  const { id, duplicateOf: dup } = await insertInterchangeClaiming(q, { ...row, partnerId: profile.id, status, test: testFlag }, claim)
  if (dup) {
    st.duplicates++
    await openException(q, { code: 'duplicate_interchange', controlNumber: row.controlNumber, firstSeenAt: new Date(dup.created_at).toISOString(), firstMessageId: dup.payload_id }, { ...refs, partnerId: profile.id }, `duplicate_interchange:${id}`)
    return { id, control: row.controlNumber, test: testFlag, profile, mode: 'skip', duplicate: true, issuesStored: row.issues.length }
  }
  if (status === 'rejected') {
    await openException(q, { code: 'test_indicator', policy: profile.testIndicator }, { ...refs, partnerId: profile.id }, `test_indicator:${id}`)
    st.icRejected++
    return { id, control: row.controlNumber, test: testFlag, profile, mode: 'skip', duplicate: false, issuesStored: row.issues.length }
  }
  return { id, control: row.controlNumber, test: testFlag, profile, mode: 'process', duplicate: false, issuesStored: row.issues.length }
}

export async function storeTransaction(
  deps: PipelineDeps, q: Q, payload: PayloadRow, standard: Standard, engine: Engine, st: ParseState, open: OpenInterchange,
  raw: ParsedTransaction, g: ParsedGroup
): Promise<void> {
  if (open.mode === 'rejected') {
    st.rejected++
    return
  }
  if (open.mode === 'skip' || !open.profile) return
  const profile = open.profile
  const icId = open.id
  if (open.group !== g) {
    open.group = g
    open.groupDup = undefined
    open.groupClaimed = false
  }
  const groupControl = pgSafe(g.controlNumber)
  const tx = { type: pgSafe(raw.type), controlNumber: pgSafe(raw.controlNumber), version: pgSafe(raw.version), status: raw.status, issues: pgSafe(raw.issues), span: raw.span }
  st.txCount++
  // A group's own control number may be a resend (profile duplicates.groups). It is claimed at
  // the group's first set that is not rejected, as a set's is: a group whose every set is
  // rejected did not arrive, and the partner's corrected resend under the same number is
  // processed. From the set that finds it held, the group's sets are duplicates.
  if (profile.duplicates.groups && g.explicit && tx.status !== 'rejected' && !open.groupClaimed) {
    open.groupClaimed = true
    open.groupDup = await claimedElsewhere(q, { partnerId: profile.id, key: groupKey(standard, groupControl), interchangeId: icId, payloadId: payload.id, windowDays: profile.duplicates.windowDays })
  }
  const dupTx = open.groupDup ?? (profile.duplicates.transactions && tx.status !== 'rejected'
    ? await claimedElsewhere(q, { partnerId: profile.id, key: transactionKey(standard, tx.type, tx.controlNumber), interchangeId: icId, payloadId: payload.id, windowDays: profile.duplicates.windowDays })
    : undefined)
  const base = {
    payloadId: payload.id, interchangeId: icId, partnerId: profile.id, standard, docType: tx.type, version: tx.version,
    groupControl, controlNumber: tx.controlNumber, issues: tx.issues, span: tx.span,
  }
  if (dupTx) {
    st.duplicates++
    const txId = await insertTransaction(q, { ...base, status: 'duplicate' })
    const controlNumber = open.groupDup ? `group ${groupControl}` : tx.controlNumber
    await openException(q, { code: 'duplicate_transaction', controlNumber, firstMessageId: dupTx.payload_id }, { payloadId: payload.id, transactionId: txId, partnerId: profile.id })
    return
  }
  const ack = tx.status !== 'rejected' ? engine.readAck(raw) : undefined
  const txStatus = tx.status === 'rejected' ? 'rejected' : ack ? 'reconciled' : 'parsed'
  const txId = newId('txn')
  // Segments made storable (no NUL) only now, one set at a time, and only where a NUL byte came
  // in: copying every segment of every set cost about 4 % of the worker's CPU. Otherwise mapping
  // reads the parser's segments as they are, which JSON-serialise to the same plain form.
  const segments = tx.status === 'rejected' ? undefined : st.nul ? pgSafe(raw.segments) : raw.segments
  if (tx.status === 'rejected') {
    st.rejected++
    await insertTransaction(q, { ...base, id: txId, status: txStatus, segments })
    await openException(q, { code: 'message_invalid', docType: tx.type, controlNumber: tx.controlNumber, issues: tx.issues.slice(0, 50) }, { payloadId: payload.id, transactionId: txId, partnerId: profile.id })
  } else if (ack) {
    st.accepted++
    await insertTransaction(q, { ...base, id: txId, status: txStatus, segments })
    await reconcileAck(q, profile.id, pgSafe(ack), { transactionId: txId, payloadId: payload.id })
  } else {
    st.accepted++
    // The row goes with the set into the sink, which stores the rows of a chunk (or of a batch of
    // files) in one statement when it flushes, before translating. Translate and match take the
    // set from memory (its segments are not read back).
    st.sink.add({ ...base, id: txId, status: txStatus, segments }, { control: open.control, test: open.test })
  }
}

export async function closeInterchange(
  deps: PipelineDeps, q: Q, payload: PayloadRow, standard: Standard, engine: Engine, st: ParseState, open: OpenInterchange, ic: ParsedInterchange
): Promise<void> {
  const icErrors = ic.issues.some((i) => i.severity === 'error')
  st.icErrors ||= icErrors
  // The trailer (IEA/UNZ) checks come at the end: the row gets the interchange's final issues.
  if (ic.issues.length !== open.issuesStored) await setInterchangeIssues(q, open.id, ic.issues)
  const profile = open.profile
  if (!profile || open.mode === 'rejected') return
  if (open.duplicate) {
    // policy `flag`: acknowledged as received, never processed twice; `reject`: no ack either.
    if (profile.duplicates.policy === 'flag') st.acks.push(owedAck(q, engine, standard, ic, profile, open.id))
    return
  }
  if (open.mode === 'skip') return
  // Acks in the envelope itself (X12 TA1, between ISA and the first GS) answer interchanges of
  // ours: reconciled like a 997/999/CONTRL, with no transaction row of their own.
  const icAcks = engine.readInterchangeAcks?.(ic) ?? []
  for (const ack of icAcks) await reconcileAck(q, profile.id, ack, { transactionId: null, payloadId: payload.id })
  st.interchangeAcks += icAcks.length
  // A readable envelope with nothing inside it but errors (cut off after ISA/UNB) is rejected
  // with its reason, never left as a silent 'rejected' status. A TA1-only interchange is not empty.
  if (icAcks.length === 0 && ic.groups.every((g) => g.transactions.length === 0) && icErrors) {
    const detail = `interchange ${ic.controlNumber} holds no transaction: ${ic.issues.map((i) => i.message).join('; ')}`.slice(0, 2000)
    await openException(q, { code: 'envelope_unreadable', detail }, { payloadId: payload.id, partnerId: profile.id }, `envelope_unreadable:${open.id}`)
  }
  st.acks.push(owedAck(q, engine, standard, ic, profile, open.id))
}

function icRow(payloadId: string, seq: number, standard: string, partnerId: string | null, ic: ParsedInterchange, status: string) {
  return {
    payloadId, seq, standard, partnerId, senderQual: ic.sender.qualifier, senderId: ic.sender.id,
    receiverQual: ic.receiver.qualifier, receiverId: ic.receiver.id, controlNumber: ic.controlNumber,
    test: ic.test, status, issues: ic.issues,
  }
}
