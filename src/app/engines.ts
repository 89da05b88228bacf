/**
 * Wires the pure X12 and EDIFACT engines into the pipeline's EdiEngine port: parsing, the acks a
 * partner's profile asks for (997/999/TA1, CONTRL), and reading acks for what we sent.
 */
import type { PartnerProfile } from '../config/partner.ts'
import { buildContrl, createEdifactReader, parseEdifact, readContrl, toPlain, UnwritableValue, writeEdifact } from '../edi/edifact/index.ts'
import { issue } from '../edi/issues.ts'
import { createX12Reader, parseX12, writeX12, x12DataIssues } from '../edi/x12/index.ts'
import { fromDelimiters } from '../edi/edifact/delimiters.ts'
import type { ParsedGroup, ParsedInterchange, ParsedTransaction, PartyId, Segment } from '../edi/types.ts'
import type { AckReconciliation, EdiEngine, EdiStream, EdiStreamSink, OutboundAck } from '../pipeline/deps.ts'
import { x12Acks, x12ReadAck, x12ReadInterchangeAcks } from './x12-acks.ts'

/** Who we are to this partner on EDIFACT: the profile's `us`, else the receiver they addressed. */
function usEdifact(profile: PartnerProfile, ic: ParsedInterchange): PartyId {
  return profile.us.edifact ? { id: profile.us.edifact.id, qualifier: profile.us.edifact.qualifier ?? '' } : ic.receiver
}

/** An interchange that holds messages, all of them CONTRL. */
function onlyContrl(ic: ParsedInterchange): boolean {
  const types = ic.groups.flatMap((g) => g.transactions.map((t) => t.type))
  return types.length > 0 && types.every((t) => t === 'CONTRL')
}

/**
 * What the CONTRL of a streamed message needs once its segments are gone: UNH (S009 is echoed in
 * UCM) and, at their own index, the segments an error points at (UCS 0096 counts from UNH = 1).
 * The other places stay holes, which the CONTRL builder's forEach skips: an accepted message
 * keeps one small segment, whatever its size.
 */
function slimEdifact(tx: ParsedTransaction): ParsedTransaction {
  const segs = tx.segments
  const slim: Segment[] = []
  if (segs.length > 0) slim[0] = toPlain(segs[0])
  const at = new Set<number>()
  for (const i of tx.issues) if (i.severity === 'error' && (i.level === 'segment' || i.level === 'element') && i.position) at.add(i.position.offset)
  if (at.size > 0) {
    for (let k = 1; k < segs.length; k++) if (at.has(segs[k].pos.offset)) slim[k] = { tag: segs[k].tag, elements: [], pos: segs[k].pos }
    slim.length = segs.length
  }
  const { type, controlNumber, version, implementation, status, issues, span } = tx
  return { type, controlNumber, version, ...(implementation !== undefined ? { implementation } : {}), status, issues, segments: slim, span }
}

/** Streaming EDIFACT: messages as they close; interchanges with their groups' slim messages. */
function edifactStream(sink: EdiStreamSink): EdiStream {
  const byGroup = new Map<ParsedGroup, ParsedTransaction[]>()
  const r = createEdifactReader(
    {
      onMessage(tx, g, ic) {
        sink.transaction(tx, g, ic)
        let list = byGroup.get(g)
        if (!list) byGroup.set(g, (list = []))
        list.push(slimEdifact(tx))
      },
      onInterchange(ic) {
        const groups = ic.groups.map((g) => ({ ...g, transactions: byGroup.get(g) ?? [] }))
        byGroup.clear()
        sink.interchange({ ...ic, groups })
      },
    },
    { retain: false }
  )
  return { push: (c) => r.push(c), end: () => r.end() }
}

/**
 * Streaming X12: sets as they close (segments kept for the caller), groups and interchanges
 * rebuilt from slim sets (no segments: the 997/999 reads status, issues and stIndex only).
 */
function x12Stream(sink: EdiStreamSink): EdiStream {
  let groups: ParsedGroup[] = []
  let txs: ParsedTransaction[] = []
  const r = createX12Reader(
    {
      onTransaction(tx, g, ic) {
        sink.transaction(tx, g, ic)
        txs.push({ ...tx, segments: [] } as ParsedTransaction)
      },
      onGroup(g) {
        groups.push({ ...g, transactions: txs })
        txs = []
      },
      onInterchange(ic) {
        sink.interchange({ ...ic, groups })
        groups = []
      },
    },
    { keepSegments: true, keepTransactions: false }
  )
  return { push: (c) => r.push(c), end: () => r.end() }
}

export const edifactEngine: EdiEngine = {
  parse: (buf) => parseEdifact(buf),
  stream: edifactStream,
  async acks(_result, ic, profile, allocate): Promise<OutboundAck[]> {
    const policy = profile.edifact?.contrl ?? 'requested'
    if (policy === 'never' || (policy === 'requested' && !ic.ackRequested)) return []
    // A CONTRL is never answered by a CONTRL (ISO 9735-1), whatever the profile or UNB 0031 say:
    // two gateways acknowledging acknowledgements would never stop.
    if (onlyContrl(ic)) return []
    const reference = String((await allocate({ unb: 1 })).unb)
    const out = buildContrl(ic, {
      reference,
      sender: usEdifact(profile, ic),
      // The partner as the profile knows it: a broken UNB must not decide where the CONTRL goes.
      receiver: profile.identities.edifact[0] ? { id: profile.identities.edifact[0].id, qualifier: profile.identities.edifact[0].qualifier ?? '' } : ic.sender,
      now: new Date(),
      delimiters: profile.edifact?.separators,
    })
    return [{ docType: 'CONTRL', text: out.bytes.toString('latin1'), controlNumber: reference }]
  },
  async write(profile, docType, body, allocate) {
    const cfg = profile.edifact
    const them = profile.identities.edifact[0]
    const us = profile.us.edifact
    if (!cfg || !them || !us) throw new Error(`partner ${profile.id} has no EDIFACT identities (identities.edifact, us.edifact, edifact)`)
    const [syntaxId, syntaxVersion = '3'] = cfg.syntax.split(':')
    const iso = new Date().toISOString()
    const write = (unb: string, unh: string) =>
      writeEdifact(
        {
          syntax: { id: syntaxId, version: syntaxVersion },
          sender: { id: us.id, qualifier: us.qualifier ?? '' },
          receiver: { id: them.id, qualifier: them.qualifier ?? '' },
          date: syntaxVersion === '4' ? iso.slice(0, 10).replace(/-/g, '') : iso.slice(2, 10).replace(/-/g, ''),
          time: iso.slice(11, 16).replace(':', ''),
          controlNumber: unb,
          ackRequested: cfg.contrl !== 'never',
          test: profile.status === 'testing',
          messages: [{ ref: unh, type: docType, version: cfg.version, segments: body }],
        },
        { delimiters: cfg.separators, lineBreak: '\n' }
      )
    // EDIFACT releases every service character; only separators configured without a release
    // character (a space, as in UNA) cannot carry one in data. Tried before numbers are taken (no
    // gap in UNB 0020), and only then: with a release character nothing is unwritable.
    if (fromDelimiters(cfg.separators).release < 0) {
      try {
        write('1', '1')
      } catch (err) {
        if (!(err instanceof UnwritableValue)) throw err
        return { ok: false, issues: [issue('element_invalid_character', 'element', err.message, { value: err.value })] }
      }
    }
    const n = await allocate({ unb: 1, unh: 1 })
    const [unb, unh] = [String(n.unb), String(n.unh)]
    // CONTRL UCI 0020 answers the UNB reference.
    return { ok: true, text: write(unb, unh).toString('latin1'), controlNumber: unb, references: { interchange: unb, message: unh } }
  },
  readAck(tx): AckReconciliation | undefined {
    if (tx.type !== 'CONTRL') return undefined
    const r = readContrl(tx)
    // UCI 0083 = 4 rejects the interchange and everything in it, whatever a UCM line says.
    const icRejected = r.interchange === 'rejected'
    const icNote = r.error ? [`interchange error ${r.error}`] : []
    return {
      ack: 'CONTRL',
      reference: r.interchangeRef,
      results: r.messages.length
        ? r.messages.map((m) => ({
            controlNumber: m.ref,
            status: icRejected || m.status === 'rejected' ? 'rejected' : m.errors.length ? 'accepted_with_errors' : 'accepted',
            notes: [
              ...(icRejected ? icNote : []),
              ...m.errors.map((e) => `segment ${e.segment}${e.element ? ` element ${e.element}` : ''}: error ${e.code}`),
            ],
          }))
        : [{ controlNumber: r.interchangeRef, status: icRejected ? 'rejected' : 'accepted', notes: r.error ? [`error ${r.error}`] : [] }],
    }
  },
}

/** X12 functional identifier (GS01) per transaction set we send. */
const GS01: Record<string, string> = { '850': 'PO', '855': 'PR', '856': 'SH', '810': 'IN', '997': 'FA', '999': 'FA' }

const stamp = (d: Date) => {
  const iso = d.toISOString()
  return { ccyymmdd: iso.slice(0, 10).replace(/-/g, ''), hhmm: iso.slice(11, 16).replace(':', '') }
}

export const x12Engine: EdiEngine = {
  parse: (buf) => parseX12(buf),
  stream: x12Stream,
  acks: x12Acks,
  readAck: x12ReadAck,
  readInterchangeAcks: x12ReadInterchangeAcks,
  async write(profile, docType, body, allocate) {
    const cfg = profile.x12
    const them = profile.identities.x12[0]
    const us = profile.us.x12
    if (!cfg || !them || !us) throw new Error(`partner ${profile.id} has no X12 identities (identities.x12, us.x12, x12)`)
    const t = stamp(new Date())
    const isaVersion = cfg.version === '005010' ? '00501' : '00401'
    const write = (isa: number, gs: number, st: number) =>
      writeX12({
        sender: us,
        receiver: them,
        controlNumber: isa,
        date: t.ccyymmdd,
        time: t.hhmm,
        version: isaVersion,
        test: profile.status === 'testing',
        ackRequested: false,
        separators: { ...cfg.separators, lineBreak: '' },
        replaceInData: cfg.replaceDelimitersWith,
        groups: [{
          functionalId: GS01[docType] ?? 'ZZ', senderId: profile.us.gs ?? us.id, receiverId: profile.identities.gs[0] ?? them.id,
          date: t.ccyymmdd, time: t.hhmm, controlNumber: String(gs), version: cfg.version,
          transactions: [{ type: docType, controlNumber: String(st).padStart(4, '0'), segments: body }],
        }],
      })
    // X12 has no release character: a delimiter inside a value (a `*` in an item description)
    // cannot be sent unless the profile names a replacement. Found before numbers are taken, so
    // a refused document leaves no gap in ISA13/GS06/ST02; the caller opens an exception. What
    // the writer refuses after that is the profile's (separators, ids): thrown, as before.
    const unwritable = x12DataIssues(body, cfg.separators, isaVersion, cfg.replaceDelimitersWith)
    if (unwritable.length) return { ok: false, issues: unwritable }
    const { isa, gs, st } = await allocate({ isa: 1, gs: 1, st: 1 })
    const r = write(isa, gs, st)
    if (!r.ok) throw new Error(`X12 writer refused the document: ${r.issues.map((i) => i.message).join('; ')}`)
    // 997 AK102 answers GS06: that is the reference acks are reconciled against.
    return {
      ok: true, text: r.text, controlNumber: String(gs),
      references: { interchange: String(isa).padStart(9, '0'), group: String(gs), message: String(st).padStart(4, '0') },
    }
  },
}

export const ENGINES = { x12: x12Engine, edifact: edifactEngine }
