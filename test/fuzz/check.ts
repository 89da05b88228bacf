/**
 * One fuzz case through the engines, the way the parse and translate stages use them:
 * sniff → ENGINES[x].parse → ENGINES[x].acks per interchange (with a local control-number
 * allocator) → the map engine for every transaction that was not rejected; JSON goes through
 * JSON.parse + the mapper. Nothing may throw. Invariants that must hold for any input:
 *   - an unreadable result says why (file-level issues);
 *   - a rejected transaction carries at least one error issue;
 *   - every ack we build is itself valid EDI for our own reader (no echoed garbage that breaks
 *     the 997/999/CONTRL syntax, X12.5 / ISO 9735), and reports a rejection when there was one:
 *     a 997/999/CONTRL for a set in a group, the TA1 (TA104 E/R) for an X12 set outside any group;
 *   - a TA1-only interchange earns no ack at all.
 */
import { ENGINES } from '../../src/app/engines.ts'
import { createMapper } from '../../src/app/mapper.ts'
import { loadConfig } from '../../src/app/gateway.ts'
import type { PartnerProfile } from '../../src/config/partner.ts'
import type { EdiIssue } from '../../src/edi/issues.ts'
import type { ParseResult, Standard } from '../../src/edi/types.ts'
import { sniff } from '../../src/edi/sniff.ts'
import { localAllocator, type Mapper } from '../../src/pipeline/deps.ts'
import { jsonDocType } from '../../src/pipeline/json-kind.ts'

export interface CaseOutcome {
  kind: ReturnType<typeof sniff>
  /** rejected: unreadable / empty / not EDI; issues: read with issues; clean: nothing to report. */
  outcome: 'rejected' | 'issues' | 'clean'
  acks: number
  transactions: number
  rejectedTransactions: number
}

export interface Engines {
  profiles: { x12: PartnerProfile[]; edifact: PartnerProfile; json: PartnerProfile }
  mapper: Mapper
}

/** The demo partners from the repository config; a 999 variant of the X12 one. */
export function loadEngines(root: string): Engines {
  const { registry, maps } = loadConfig(root)
  const x12 = registry.get('demo-x12-supplier')!
  const edifact = registry.get('demo-edifact-supplier')!
  const json = registry.get('demo-3pl')!
  const x999: PartnerProfile = { ...x12, x12: { ...x12.x12!, ack: '999', ta1: 'always' } }
  return { profiles: { x12: [x12, x999], edifact, json }, mapper: createMapper(maps) }
}

export class Violation extends Error {}

/**
 * Which issues of an ack read back by our own parser are violations. Every value an ack copies
 * from the input (AK1/AK2 control numbers, AK3/IK3 segment ids, AK4/IK4 bad values, TA1; CONTRL
 * UCI/UCM references) must fit the ack's dictionary even when the input's value did not (an
 * empty GS06, a 1-letter segment tag): any error is one. An X12 997/999/TA1 must read back with
 * no issue at all, warnings included (X12.5: the engine fits every echo, ack-values.ts). The one
 * exception: the addressing of a reply to a broken envelope (a blank ISA06 / UNB sender gives a
 * blank receiver), at interchange level.
 */
function ackViolation(i: EdiIssue, kind: Standard, brokenEnvelope: boolean): boolean {
  if (brokenEnvelope && i.level === 'interchange') return false
  return i.severity === 'error' || kind === 'x12'
}

function must(cond: unknown, what: string): asserts cond {
  if (!cond) throw new Violation(what)
}


function countTx(r: ParseResult) {
  let n = 0
  let rejected = 0
  for (const ic of r.interchanges)
    for (const g of ic.groups)
      for (const t of g.transactions) {
        n++
        if (t.status === 'rejected') rejected++
      }
  return { n, rejected }
}

async function checkEdi(e: Engines, kind: Standard, bytes: Buffer, variant: number): Promise<CaseOutcome> {
  const engine = ENGINES[kind]
  const r = engine.parse(bytes)
  must(r.standard === kind, `standard ${r.standard} for a ${kind} file`)
  const { n, rejected } = countTx(r)
  if (r.unreadable || r.interchanges.length === 0) {
    must(r.issues.length > 0, 'unreadable without a file-level issue')
    return { kind, outcome: 'rejected', acks: 0, transactions: n, rejectedTransactions: rejected }
  }
  let issues = r.issues.length
  for (const ic of r.interchanges) {
    issues += ic.issues.length
    for (const g of ic.groups) {
      issues += g.issues.length
      for (const t of g.transactions) {
        issues += t.issues.length
        if (t.status === 'rejected') must(t.issues.some((i) => i.severity === 'error'), `rejected ${t.type} ${t.controlNumber} without an error issue`)
      }
    }
  }
  const profile = kind === 'x12' ? e.profiles.x12[variant % 2] : e.profiles.edifact
  const allocate = localAllocator()
  let acks = 0
  for (const ic of r.interchanges) {
    const built = await engine.acks(r, ic, profile, allocate)
    // A 997/999/CONTRL answers for groups; a transaction outside any GS/UNG has no AK1 to sit under.
    // A group of 997/999 sets is not acknowledged (acks are never acked), so it reports nothing.
    const ackOnly = (g: (typeof ic.groups)[number]) => kind === 'x12' && g.transactions.length > 0 && g.transactions.every((t) => t.type === '997' || t.type === '999')
    const icRejected = ic.groups.some((g) => (kind === 'edifact' || g.explicit) && !ackOnly(g) && g.transactions.some((t) => t.status === 'rejected'))
    // ...so a rejected X12 set outside any GS..GE is reported by the TA1 alone (TA104 E or R).
    const outsideRejected = kind === 'x12' && ic.groups.some((g) => !g.explicit && g.transactions.some((t) => t.status === 'rejected'))
    // A TA1-only interchange answers ours: it earns nothing back (acks are not acknowledged).
    if (ic.groups.length === 0 && (engine.readInterchangeAcks?.(ic).length ?? 0) > 0) must(built.length === 0, `a TA1-only interchange was answered by ${built.map((a) => a.docType).join('+')}`)
    // Their envelope was broken (blank sender, garbage syntax id): our reply's address echoes it.
    const brokenEnvelope = ic.issues.some((i) => i.severity === 'error')
    let reportsRejection = false
    let reportsInterchange = false
    for (const a of built) {
      acks++
      // Our own ack must read back cleanly: anything echoed from the input stays escaped/valid.
      const back = engine.parse(Buffer.from(a.text, 'latin1'))
      must(!back.unreadable && back.interchanges.length === 1, `${a.docType} we built is unreadable: ${back.issues.map((i) => i.message).join('; ')}\n${a.text.slice(0, 400)}`)
      const ic0 = back.interchanges[0]
      const structural = [...back.issues, ...ic0.issues, ...ic0.groups.flatMap((g) => [...g.issues, ...g.transactions.flatMap((t) => t.issues)])]
        .filter((i) => ackViolation(i, kind, brokenEnvelope))
      must(structural.length === 0, `${a.docType} we built is invalid: ${structural.map((i) => i.message).join('; ')}\n${a.text.slice(0, 600)}`)
      must(ic0.groups.every((g) => g.transactions.every((t) => t.status !== 'rejected')), `${a.docType} we built is rejected by our own parser\n${a.text.slice(0, 600)}`)
      if (engine.readInterchangeAcks?.(ic0).some((r) => r.results.some((x) => x.status !== 'accepted'))) reportsInterchange = true
      for (const g of ic0.groups) {
        for (const t of g.transactions) {
          const rec = engine.readAck(t)
          if (rec?.results.some((x) => x.status !== 'accepted')) reportsRejection = true
        }
      }
    }
    const ackGroups = built.some((a) => a.docType !== 'TA1')
    if (icRejected && ackGroups) must(reportsRejection, `a transaction was rejected but the ${built.map((a) => a.docType).join('+')} reports none`)
    if (outsideRejected && profile.x12?.ta1 !== 'never') must(reportsInterchange, `a transaction outside any group was rejected but no TA1 with TA104 E/R reports it (${built.map((a) => a.docType).join('+') || 'no ack'})`)
  }
  // Translate stage: the map engine sees every transaction that was not rejected.
  for (const ic of r.interchanges)
    for (const g of ic.groups)
      for (const t of g.transactions) {
        if (t.status === 'rejected') continue
        e.mapper.inbound(profile, { standard: kind, version: t.version, docType: t.type, segments: t.segments }, { interchangeControl: ic.controlNumber, groupControl: g.controlNumber, transactionControl: t.controlNumber, test: ic.test })
      }
  return { kind, outcome: issues > 0 ? 'issues' : 'clean', acks, transactions: n, rejectedTransactions: rejected }
}

function checkJson(e: Engines, bytes: Buffer): CaseOutcome {
  const base = { kind: 'json' as const, acks: 0, transactions: 0, rejectedTransactions: 0 }
  let body: unknown
  try {
    body = JSON.parse(bytes.toString('utf8'))
  } catch {
    return { ...base, outcome: 'rejected' }
  }
  const docType = jsonDocType(body)
  if (!docType) return { ...base, outcome: 'rejected' }
  const parts = e.mapper.splitJson(e.profiles.json, docType, 'v1', body)
  let bad = 0
  for (const p of parts) if (!e.mapper.inbound(e.profiles.json, { standard: 'json', version: 'v1', docType, body: p }, { test: true }).ok) bad++
  return { ...base, transactions: parts.length, rejectedTransactions: bad, outcome: bad ? 'issues' : 'clean' }
}

export async function checkCase(e: Engines, bytes: Buffer, variant = 0): Promise<CaseOutcome> {
  const kind = sniff(bytes)
  if (kind === 'x12' || kind === 'edifact') return checkEdi(e, kind, bytes, variant)
  if (kind === 'json') return checkJson(e, bytes)
  return { kind, outcome: 'rejected', acks: 0, transactions: 0, rejectedTransactions: 0 }
}
