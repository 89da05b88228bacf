/**
 * The certification harness (`edi-gateway partners certify`): a new partner's samples through
 * their profile and maps with no side effects, plus negative cases generated from each good
 * sample, summed up as a scorecard per document type and rule. "Ready" means every good sample
 * passes every stage and every negative case that could be checked was caught by the rule
 * expected to catch it.
 *
 * Samples are run in document-flow order (855/ORDRSP, then 856/DESADV, then 810/INVOIC), and a
 * matched ASN's quantities count as shipped for the invoices after it, as in production.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ENGINES } from '../app/engines.ts'
import type { PartnerProfile } from '../config/partner.ts'
import type { Registry } from '../config/registry.ts'
import { sniff } from '../edi/sniff.ts'
import type { Standard } from '../edi/types.ts'
import { UserError } from '../lib/errors.ts'
import type { ResolvedMap } from '../mapping/index.ts'
import type { QtyRow } from '../matching/index.ts'
import { localAllocator, type EdiEngine } from '../pipeline/deps.ts'
import { jsonDocType } from '../pipeline/json-kind.ts'
import { listSamples, loadSampleErp } from './erp.ts'
import { generateNegatives, NEGATIVE_TITLES, type NegativeKind } from './negatives.ts'
import { runPayload, type AckResult, type Finding, type PayloadRun, type RunEnv, type TransactionRun } from './run.ts'
import { buildScorecard, type DocScore } from './scorecard.ts'

export interface CertifyOptions {
  registry: Registry
  maps: ReadonlyMap<string, ResolvedMap>
  partnerId: string
  dir: string
  /** ISO date matching runs on (default: today). */
  today?: string
  engines?: Partial<Record<Standard, EdiEngine>>
}

export interface SampleReport {
  file: string
  standard: string
  ok: boolean
  findings: Finding[]
  transactions: TransactionRun[]
  acks: AckResult[]
}

export interface NegativeReport {
  file: string
  kind: NegativeKind
  title: string
  docType: string
  controlNumber: string
  mutation?: string
  expected: string[]
  /** Segment the catching finding must name. */
  atSegment?: string
  status: 'caught' | 'not_caught' | 'not_checked' | 'not_applicable'
  /** The finding that caught it. */
  caughtBy?: Finding
  /** Everything the broken copy raised (errors), for the report. */
  findings: Finding[]
  note?: string
  ack?: { docType: string; status: string; notes: string[] }
}

/** A file in the sample directory that is not something the partner sends us, and why. */
export interface SkippedFile {
  file: string
  reason: string
}

export interface CertifyReport {
  partner: { id: string; name: string; status: string }
  dir: string
  generatedAt: string
  today: string
  erp: { file?: string; orders: number }
  ready: boolean
  /** Why not ready, one line each. */
  blockers: string[]
  samples: SampleReport[]
  /** Files that are not inbound samples (outbound fixtures, expected output, outbound doc types). */
  skipped: SkippedFile[]
  negatives: NegativeReport[]
  scorecard: DocScore[]
}

/** Document-flow rank: acks before ASNs before invoices (unknown types last). */
const RANK: Record<string, number> = { '850': 0, ORDERS: 0, purchase_order: 0, '855': 1, ORDRSP: 1, po_ack: 1, '856': 2, DESADV: 2, asn: 2, '810': 3, INVOIC: 3, invoice: 3 }

interface FlowState {
  shipped: QtyRow[]
  invoiced: QtyRow[]
  invoiceNumbers: string[]
}

export async function certifyPartner(opts: CertifyOptions): Promise<CertifyReport> {
  const profile = opts.registry.get(opts.partnerId)
  if (!profile) throw new UserError(`unknown partner "${opts.partnerId}" (known: ${[...opts.registry.partners.keys()].join(', ') || 'none'})`)
  const erp = loadSampleErp(opts.dir)
  const files = listSamples(opts.dir)
  const today = opts.today ?? new Date().toISOString().slice(0, 10)
  const state: FlowState = { shipped: [], invoiced: [], invoiceNumbers: [] }
  const envFor = (snap: FlowState): RunEnv => ({
    registry: opts.registry,
    maps: opts.maps,
    engines: opts.engines ?? ENGINES,
    profile,
    hasErp: erp.file !== undefined,
    context: () => ({
      orders: erp.orders, shippedSoFar: snap.shipped, invoicedSoFar: snap.invoiced, earlierInvoiceNumbers: snap.invoiceNumbers,
      supplierId: profile.id, config: profile.matching, today,
    }),
    // A local counter: certification must not consume the partner's real control numbers.
    allocate: localAllocator(),
  })

  // Parse once to keep only what the partner sends us and to order the files by document flow;
  // the run below parses again per stage.
  const skipped: SkippedFile[] = []
  const ordered = files
    .map((file) => ({ file, bytes: readFileSync(join(opts.dir, file)) }))
    .map((s) => ({ ...s, types: docTypesOf(s.bytes, opts.engines ?? ENGINES) }))
    .filter((s) => {
      const reason = notASample(s.file, s.types, profile)
      if (reason) skipped.push({ file: s.file, reason })
      return !reason
    })
    .map((s) => ({ ...s, rank: s.types.length ? Math.min(...s.types.map(rankOfType)) : 9 }))
    .sort((a, b) => a.rank - b.rank || a.file.localeCompare(b.file))

  const samples: SampleReport[] = []
  const negatives: NegativeReport[] = []
  for (const s of ordered) {
    const snap: FlowState = { shipped: [...state.shipped], invoiced: [...state.invoiced], invoiceNumbers: [...state.invoiceNumbers] }
    const run = await runPayload(envFor(snap), s.bytes)
    samples.push(report(s.file, run))
    commit(state, run)
    negatives.push(...(await runNegatives(s.file, run, profile, envFor(snap))))
  }

  const blockers: string[] = []
  if (!samples.length) blockers.push(`no sample files in ${opts.dir}`)
  for (const s of samples) {
    if (!s.ok) {
      const first = [...s.findings, ...s.transactions.flatMap((t) => t.findings)].find((f) => f.severity === 'error')
      blockers.push(`${s.file}: fails${first ? ` at ${first.stage} (${first.code}${first.at ? ` at ${first.at}` : ''}): ${first.reason}` : ''}`)
    }
  }
  for (const n of negatives.filter((x) => x.status === 'not_caught')) {
    blockers.push(`${n.file} ${n.docType} ${n.controlNumber}: ${n.title} not caught (${n.mutation}); expected ${n.expected.join(' or ')}`)
  }
  return {
    partner: { id: profile.id, name: profile.name, status: profile.status },
    dir: opts.dir,
    generatedAt: new Date().toISOString(),
    today,
    erp: { file: erp.file, orders: erp.orders.length },
    ready: blockers.length === 0,
    blockers,
    samples,
    skipped,
    negatives,
    scorecard: buildScorecard(samples, negatives),
  }
}

/** The document types a file carries (X12 sets, EDIFACT messages, JSON kinds); [] when unreadable. */
function docTypesOf(bytes: Buffer, engines: Partial<Record<Standard, EdiEngine>>): string[] {
  const kind = sniff(bytes)
  if (kind === 'x12' || kind === 'edifact') {
    const parsed = engines[kind]?.parse(bytes)
    return [...new Set(parsed?.interchanges.flatMap((ic) => ic.groups.flatMap((g) => g.transactions.map((t) => t.type))) ?? [])]
  }
  if (kind === 'json') {
    try {
      const t = jsonDocType(JSON.parse(bytes.toString('utf8')))
      return t ? [t] : []
    } catch {
      return []
    }
  }
  return []
}

const rankOfType = (t: string): number => (t in RANK ? RANK[t] : 9)

/**
 * Why a file of the sample directory is not something the partner sends us, or undefined when
 * it is a sample. Fixture directories (fixtures/<partner>/) hold the outbound fixtures too:
 * `<case>.canonical.json` (what we map out) and `<case>.expected.*` (what we expect to write or
 * read). By content: a file whose every document type the profile lists only as `out`.
 * A type the profile does not list at all stays a sample: the run reports it (no map, partner).
 */
function notASample(file: string, types: string[], profile: PartnerProfile): string | undefined {
  if (/\.expected\.[^.]+$/i.test(file)) return 'expected output of a fixture, not a sample'
  if (/\.canonical\.json$/i.test(file)) return 'canonical input of an outbound fixture (what we send), not a sample'
  const direction = (t: string) => new Set(profile.documents.filter((d) => d.docType === t).map((d) => d.direction))
  const outOnly = types.filter((t) => {
    const dirs = direction(t)
    return dirs.has('out') && !dirs.has('in')
  })
  if (types.length && outOnly.length === types.length) {
    return `${outOnly.join(', ')} ${outOnly.length === 1 ? 'is a document' : 'are documents'} we send to ${profile.id} (documents: direction out), not one it sends us`
  }
  return undefined
}

function report(file: string, run: PayloadRun): SampleReport {
  const ok = !run.findings.some((f) => f.severity === 'error') && run.transactions.length > 0 && run.transactions.every((t) => t.ok)
  const findings = run.transactions.length ? run.findings : [...run.findings, ...(run.findings.length ? [] : [{ stage: 'envelope' as const, code: 'no_transactions', severity: 'error' as const, reason: 'the file holds no transaction' }])]
  return { file, standard: run.standard, ok, findings, transactions: run.transactions, acks: run.acks }
}

/** A matched ASN ships, a matched invoice bills: later samples see it, as the pipeline would. */
function commit(state: FlowState, run: PayloadRun): void {
  for (const t of run.transactions) {
    if (!t.ok || !t.match || !t.doc) continue
    const rows = t.match.quantities.map((q) => ({ poNumber: q.poNumber, lineNo: q.poLineNo, qty: q.qty }))
    if (t.doc.kind === 'asn') state.shipped.push(...rows)
    if (t.doc.kind === 'invoice') {
      state.invoiced.push(...rows)
      state.invoiceNumbers.push(t.doc.invoiceNumber)
    }
  }
}

async function runNegatives(file: string, good: PayloadRun, profile: PartnerProfile, env: RunEnv): Promise<NegativeReport[]> {
  if (!good.parsed) return []
  const out: NegativeReport[] = []
  for (const c of generateNegatives(good.parsed.interchanges, profile.matching.qty)) {
    const base = { file, kind: c.kind, title: NEGATIVE_TITLES[c.kind], docType: c.docType, controlNumber: c.controlNumber, findings: [] as Finding[] }
    if ('notApplicable' in c) {
      out.push({ ...base, expected: [], status: 'not_applicable', note: c.notApplicable })
      continue
    }
    const row = { ...base, mutation: c.mutation, expected: c.expect, atSegment: c.atSegment }
    const source = good.transactions.find((t) => t.docType === c.docType && t.controlNumber === c.controlNumber)
    if (!source?.ok) {
      out.push({ ...row, status: 'not_checked', note: 'the good sample itself fails; fix it first' })
      continue
    }
    if (c.needsErp && !env.hasErp) {
      out.push({ ...row, status: 'not_checked', note: 'not checked (no ERP data): add erp.json or erp.csv to the sample directory' })
      continue
    }
    const run = await runPayload(env, c.bytes)
    const findings = [...run.findings, ...run.transactions.flatMap((t) => t.findings)].filter((f) => f.severity === 'error')
    const caughtBy = findings.find((f) => c.expect.includes(f.code) && (!c.atSegment || (f.at ?? '').startsWith(c.atSegment)))
    out.push({ ...row, status: caughtBy ? 'caught' : 'not_caught', caughtBy, findings, ack: run.transactions[0]?.ack })
  }
  return out
}
