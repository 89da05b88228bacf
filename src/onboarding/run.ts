/**
 * One sample through the gateway's inbound path, in memory: sniff → engine parse (envelope and
 * dictionary validation) → partner identification against the profile → map selection → inbound
 * map + canonical zod → matching against the ERP data given → the 997/999/CONTRL we would send.
 * The same functions the pipeline stages call, minus every database write (no receive(), no
 * control-number sequence: acks use a local counter).
 */
import type { CanonicalDoc } from '../canonical/index.ts'
import type { PartnerProfile } from '../config/partner.ts'
import type { Registry } from '../config/registry.ts'
import { sniff } from '../edi/sniff.ts'
import type { EdiIssue } from '../edi/issues.ts'
import type { ParsedInterchange, ParseResult, ParsedTransaction, Standard } from '../edi/types.ts'
import { explain } from '../exceptions/render.ts'
import type { ExceptionReason } from '../exceptions/reasons.ts'
import { runInbound, selectMap, splitJson, type MappingIssue, type ResolvedMap } from '../mapping/index.ts'
import { buildMatchContext, holds, matchDocument, type MatchContextInput, type MatchResult } from '../matching/index.ts'
import type { Allocate, EdiEngine } from '../pipeline/deps.ts'
import { jsonDocType } from '../pipeline/json-kind.ts'
import { mapVersion } from '../app/mapper.ts'

export const STAGES = ['envelope', 'dictionary', 'partner', 'map', 'canonical', 'matching', 'ack'] as const
export type Stage = (typeof STAGES)[number]

/** Something a stage found: a stable code, where (segment/element) and why, in plain language. */
export interface Finding {
  stage: Stage
  code: string
  severity: 'error' | 'warning'
  /** `SE01 (line 24)`, `N1[2]/01`, `IT1[1]/02` ... */
  at?: string
  reason: string
}

export interface StageOutcome {
  stage: Stage
  status: 'pass' | 'fail' | 'not_checked' | 'skipped'
  note?: string
}

export interface AckResult {
  docType: string
  controlNumber: string
  text: string
  /** What the ack says about each transaction (read back with the engine's own ack reader). */
  results: { controlNumber: string; status: string; notes: string[] }[]
}

export interface TransactionRun {
  docType: string
  standard: Standard | 'json'
  version: string
  controlNumber: string
  ok: boolean
  stages: StageOutcome[]
  findings: Finding[]
  mapId?: string
  mapBy?: string
  doc?: CanonicalDoc
  match?: MatchResult
  ack?: { docType: string; status: string; notes: string[] }
}

export interface PayloadRun {
  standard: string
  /** File-level problems (unreadable, no envelope). */
  findings: Finding[]
  transactions: TransactionRun[]
  acks: AckResult[]
  /** The parse, for generating negative cases from it. */
  parsed?: ParseResult
}

export interface RunEnv {
  registry: Registry
  maps: ReadonlyMap<string, ResolvedMap>
  engines: Partial<Record<Standard, EdiEngine>>
  profile: PartnerProfile
  /** Without ERP orders the PO rules are "not checked (no ERP data)". */
  hasErp: boolean
  /** Matching context for this sample: orders plus what earlier samples shipped/invoiced. */
  context: () => MatchContextInput
  allocate: Allocate
}

/** `SE01 (line 24)` from an EDI issue. */
export function issueAt(i: EdiIssue): string | undefined {
  if (!i.segment) return undefined
  const el = i.element ? String(i.element).padStart(2, '0') : ''
  return `${i.segment}${el}${i.position ? ` (line ${i.position.line})` : ''}`
}

const ediFinding = (stage: Stage, i: EdiIssue): Finding => ({ stage, code: i.code, severity: i.severity, at: issueAt(i), reason: i.message })

function mappingFinding(i: MappingIssue): Finding {
  switch (i.code) {
    case 'required_missing':
      return { stage: 'map', code: i.code, severity: 'error', at: i.at ? `${i.at}: ${i.source}` : i.source, reason: `${i.field} is required by ${i.rule}, but ${i.source} is absent` }
    case 'transform_failed':
      return { stage: 'map', code: i.code, severity: 'error', at: i.source, reason: `${i.field}: ${i.transform} cannot read "${i.value}": ${i.message}` }
    case 'canonical_invalid':
      return { stage: 'canonical', code: i.code, severity: 'error', at: i.source, reason: `${i.field}: ${i.message}` }
  }
}

const reasonSource = (r: ExceptionReason): string | undefined => (r as { source?: string }).source

/** Same identification as the parse stage: ISA sender (qualifier + id), then GS02; UNB sender. */
function identify(registry: Registry, standard: Standard, ic: ParsedInterchange): PartnerProfile | undefined {
  if (standard === 'x12') {
    return registry.byX12(ic.sender.qualifier, ic.sender.id) ?? ic.groups.map((g) => registry.byGs(g.senderId ?? '')).find(Boolean)
  }
  return registry.byEdifact(ic.sender.qualifier, ic.sender.id)
}

function partnerFindings(env: RunEnv, standard: Standard, ic: ParsedInterchange): Finding[] {
  const p = env.profile
  const who = `${ic.sender.qualifier ? `${ic.sender.qualifier}/` : ''}${ic.sender.id}`
  const senderAt = standard === 'x12' ? 'ISA05/ISA06' : 'UNB S002'
  const found = identify(env.registry, standard, ic)
  const out: Finding[] = []
  if (!found) out.push({ stage: 'partner', code: 'unknown_partner', severity: 'error', at: senderAt, reason: `sender ${who} is not an identity of any partner; add it to partners/${p.id}.yaml identities.${standard}` })
  else if (found.id !== p.id) out.push({ stage: 'partner', code: 'partner_mismatch', severity: 'error', at: senderAt, reason: `sender ${who} belongs to partner "${found.id}", not "${p.id}"` })
  if (p.status === 'disabled') out.push({ stage: 'partner', code: 'partner_disabled', severity: 'error', reason: `partner ${p.id} is disabled` })
  const us = standard === 'x12' ? p.us.x12 : p.us.edifact
  if (us && us.id.trim().toUpperCase() !== ic.receiver.id.trim().toUpperCase()) {
    out.push({ stage: 'partner', code: 'receiver_unexpected', severity: 'warning', at: standard === 'x12' ? 'ISA08' : 'UNB S003', reason: `addressed to ${ic.receiver.id}, but the profile says they know us as ${us.id}` })
  }
  if (ic.test) {
    const policy = p.status === 'testing' ? 'treat_as_test' : p.testIndicator
    out.push({
      stage: 'partner', code: 'test_indicator', severity: policy === 'reject' ? 'error' : 'warning', at: standard === 'x12' ? 'ISA15' : 'UNB 0035',
      reason: policy === 'reject' ? 'a test interchange from a live partner is rejected by the profile (testIndicator: reject)' : `test interchange: policy ${policy}`,
    })
  }
  return out
}

function docListed(p: PartnerProfile, standard: string, version: string, docType: string): boolean {
  return p.documents.some((d) => d.direction === 'in' && d.standard === standard && d.docType === docType && mapVersion(standard, d.version) === mapVersion(standard, version))
}

/** Map, validate and match one transaction (or JSON document); `pre` are envelope/partner findings. */
function runTransaction(
  env: RunEnv,
  t: { standard: Standard | 'json'; version: string; docType: string; controlNumber: string; segments?: ParsedTransaction['segments']; json?: { json: unknown; path?: string }; issues: EdiIssue[]; rejected: boolean },
  pre: Finding[],
  meta: { interchangeControl?: string; groupControl?: string; test: boolean }
): TransactionRun {
  const findings = [...pre, ...t.issues.map((i) => ediFinding('dictionary', i))]
  const run: TransactionRun = { docType: t.docType, standard: t.standard, version: t.version, controlNumber: t.controlNumber, ok: false, stages: [], findings }
  if (!docListed(env.profile, t.standard, t.version, t.docType)) {
    findings.push({ stage: 'partner', code: 'document_not_in_profile', severity: 'error', reason: `the profile does not list inbound ${t.standard} ${t.version} ${t.docType} under documents` })
  }
  const blocked = t.rejected || pre.some((f) => f.severity === 'error')
  let mapped: CanonicalDoc | undefined
  if (!blocked) {
    const sel = selectMap(env.maps, env.profile, { direction: 'in', standard: t.standard, version: mapVersion(t.standard, t.version), docType: t.docType })
    if (!sel.ok) {
      findings.push({ stage: 'map', code: 'no_map', severity: 'error', reason: `no inbound map for ${t.standard} ${t.version} ${t.docType} (looked for ${sel.tried.join(', ')})` })
    } else {
      run.mapId = sel.map.id
      run.mapBy = sel.by
      const r = runInbound(sel.map, (t.json ?? t.segments ?? []) as never, { partnerId: env.profile.id, transactionControl: t.controlNumber, ...meta })
      if (r.ok) mapped = run.doc = r.doc
      else findings.push(...r.issues.map(mappingFinding))
    }
  }
  let matchNote: string | undefined
  if (mapped) {
    const input = env.context()
    const res = matchDocument(mapped, buildMatchContext(env.hasErp ? input : { ...input, orders: [] }))
    run.match = res
    // Without ERP data every PO rule would say po_not_found: those are not checked, not failed.
    const reasons = env.hasErp ? res.reasons : res.reasons.filter((r) => r.code !== 'po_not_found')
    if (!env.hasErp) matchNote = 'PO rules not checked (no ERP data)'
    for (const r of reasons) findings.push({ stage: 'matching', code: r.code, severity: holds(r) ? 'error' : 'warning', at: reasonSource(r), reason: explain(r) })
  }
  const has = (s: Stage) => findings.some((f) => f.stage === s && f.severity === 'error')
  const reached = (s: Stage) =>
    s === 'envelope' || s === 'dictionary' || s === 'partner' ? true : s === 'map' ? !blocked : s === 'canonical' ? Boolean(run.mapId) && !has('map') : s === 'matching' ? Boolean(mapped) : true
  for (const s of STAGES) {
    if (s === 'ack') continue
    if (has(s)) run.stages.push({ stage: s, status: 'fail' })
    else if (!reached(s)) run.stages.push({ stage: s, status: 'skipped', note: 'an earlier stage failed' })
    else if (s === 'matching' && matchNote) run.stages.push({ stage: s, status: 'not_checked', note: matchNote })
    else run.stages.push({ stage: s, status: 'pass' })
  }
  run.ok = !findings.some((f) => f.severity === 'error')
  return run
}

/** Run one payload (a sample file or a generated negative case). Pure apart from the counter. */
export async function runPayload(env: RunEnv, bytes: Buffer): Promise<PayloadRun> {
  const kind = sniff(bytes)
  if (kind === 'empty' || kind === 'unknown') {
    const reason = kind === 'empty' ? 'the file is empty' : 'the content is not X12 (ISA), EDIFACT (UNA/UNB) or JSON'
    return { standard: kind, findings: [{ stage: 'envelope', code: 'envelope_unreadable', severity: 'error', reason }], transactions: [], acks: [] }
  }
  if (kind === 'json') return runJson(env, bytes)
  const engine = env.engines[kind]
  if (!engine) return { standard: kind, findings: [{ stage: 'envelope', code: 'envelope_unreadable', severity: 'error', reason: `no ${kind} engine` }], transactions: [], acks: [] }
  const parsed = engine.parse(bytes)
  const out: PayloadRun = { standard: kind, findings: parsed.issues.map((i) => ediFinding('envelope', i)), transactions: [], acks: [], parsed }
  if (parsed.unreadable || parsed.interchanges.length === 0) {
    if (!out.findings.length) out.findings.push({ stage: 'envelope', code: 'envelope_unreadable', severity: 'error', reason: 'no complete interchange found' })
    return out
  }
  for (const ic of parsed.interchanges) {
    const icFindings = [...ic.issues.map((i) => ediFinding('envelope', i)), ...partnerFindings(env, kind, ic)]
    const acks = await ackFor(engine, parsed, ic, env)
    out.acks.push(...acks)
    for (const g of ic.groups) {
      for (const tx of g.transactions) {
        const pre = [...icFindings, ...g.issues.map((i) => ediFinding('envelope', i))]
        const run = runTransaction(
          env,
          { standard: kind, version: tx.version, docType: tx.type, controlNumber: tx.controlNumber, segments: tx.segments, issues: tx.issues, rejected: tx.status === 'rejected' },
          pre,
          { interchangeControl: ic.controlNumber, groupControl: g.controlNumber, test: ic.test || env.profile.status === 'testing' }
        )
        attachAck(run, acks, g.controlNumber)
        out.transactions.push(run)
      }
    }
  }
  return out
}

async function ackFor(engine: EdiEngine, parsed: ParseResult, ic: ParsedInterchange, env: RunEnv): Promise<AckResult[]> {
  const acks = await engine.acks(parsed, ic, env.profile, env.allocate)
  return acks.map((a) => {
    const read = engine.parse(Buffer.from(a.text, 'latin1'))
    const results = read.interchanges.flatMap((i) => i.groups.flatMap((g) => g.transactions.flatMap((t) => engine.readAck(t)?.results ?? [])))
    return { docType: a.docType, controlNumber: a.controlNumber, text: a.text, results }
  })
}

/** 997/999 answer per ST02 (AK2/IK2); CONTRL per UNH (or the whole interchange). */
function attachAck(run: TransactionRun, acks: AckResult[], groupControl: string): void {
  const fa = acks.filter((a) => a.docType !== 'TA1')
  const hit = fa.flatMap((a) => a.results.map((r) => ({ a, r }))).find(({ r }) => r.controlNumber === run.controlNumber || r.controlNumber === groupControl)
  if (!fa.length) {
    run.stages.push({ stage: 'ack', status: 'not_checked', note: 'the profile sends no functional acknowledgement for this interchange' })
    return
  }
  if (!hit) {
    run.stages.push({ stage: 'ack', status: 'fail', note: 'the acknowledgement does not mention this transaction' })
    run.findings.push({ stage: 'ack', code: 'ack_missing', severity: 'error', reason: `the ${fa[0].docType} we would send does not answer transaction ${run.controlNumber}` })
    run.ok = false
    return
  }
  run.ack = { docType: hit.a.docType, status: hit.r.status, notes: hit.r.notes }
  const bad = hit.r.status === 'rejected'
  run.stages.push({ stage: 'ack', status: bad ? 'fail' : 'pass', note: `${hit.a.docType}: ${hit.r.status}` })
  if (bad) {
    run.findings.push({ stage: 'ack', code: 'ack_rejected', severity: 'error', reason: `our ${hit.a.docType} would reject transaction ${run.controlNumber}${hit.r.notes.length ? `: ${hit.r.notes.join('; ')}` : ''}` })
    run.ok = false
  }
}

function runJson(env: RunEnv, bytes: Buffer): PayloadRun {
  let body: unknown
  try {
    body = JSON.parse(bytes.toString('utf8'))
  } catch (e) {
    return { standard: 'json', findings: [{ stage: 'envelope', code: 'envelope_unreadable', severity: 'error', reason: `invalid JSON: ${(e as Error).message}` }], transactions: [], acks: [] }
  }
  const docType = jsonDocType(body)
  if (!docType) return { standard: 'json', findings: [{ stage: 'envelope', code: 'envelope_unreadable', severity: 'error', reason: 'JSON document type not recognised' }], transactions: [], acks: [] }
  const entry = env.profile.documents.find((d) => d.direction === 'in' && d.standard === 'json' && d.docType === docType)
  const version = entry?.version ?? 'v1'
  const sel = selectMap(env.maps, env.profile, { direction: 'in', standard: 'json', version, docType })
  const parts = sel.ok ? splitJson(sel.map, body) : [{ json: body, path: '$' }]
  const out: PayloadRun = { standard: 'json', findings: [], transactions: [], acks: [] }
  parts.forEach((part, i) => {
    const run = runTransaction(env, { standard: 'json', version, docType, controlNumber: `#${i + 1}`, json: part, issues: [], rejected: false }, [], { test: env.profile.status === 'testing' })
    run.stages.push({ stage: 'ack', status: 'not_checked', note: 'JSON submissions are answered by the API status, not an EDI ack' })
    out.transactions.push(run)
  })
  return out
}

