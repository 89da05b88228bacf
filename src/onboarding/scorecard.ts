/**
 * The scorecard: per document type, one row per rule. Good-sample rules are the pipeline stages
 * (envelope, dictionary, partner, map, canonical, matching, ack); negative rules are the five
 * generated breakages, each expected to be caught. A row fails when any sample fails it (or any
 * case is not caught) and names the segment/element and the plain-language reason.
 */
import type { CertifyReport, NegativeReport, SampleReport } from './certify.ts'
import { NEGATIVE_KINDS, NEGATIVE_TITLES } from './negatives.ts'
import { STAGES, type Stage } from './run.ts'

export type RuleStatus = 'pass' | 'fail' | 'not_checked' | 'not_applicable'

export interface RuleFailure {
  file: string
  controlNumber: string
  code: string
  at?: string
  reason: string
}

export interface RuleScore {
  /** `dictionary`, `matching`, `negative:qty_tolerance` ... */
  rule: string
  title: string
  status: RuleStatus
  passed: number
  failed: number
  notChecked: number
  failures: RuleFailure[]
  /** Not-checked reasons, the ack we would send, how a negative case was caught. */
  notes: string[]
}

export interface DocScore {
  docType: string
  rules: RuleScore[]
}

export const STAGE_TITLES: Record<Stage, string> = {
  envelope: 'envelope (ISA/GS, UNB/UNG)',
  dictionary: 'syntax and dictionary',
  partner: 'partner identification',
  map: 'map selection and mapping',
  canonical: 'canonical document (schema)',
  matching: 'matching against the ERP',
  ack: 'acknowledgement we would send',
}

const statusOf = (r: Pick<RuleScore, 'passed' | 'failed' | 'notChecked'>): RuleStatus =>
  r.failed ? 'fail' : r.passed ? 'pass' : r.notChecked ? 'not_checked' : 'not_applicable'

const uniq = (xs: string[]) => [...new Set(xs)]

export function buildScorecard(samples: SampleReport[], negatives: NegativeReport[]): DocScore[] {
  const docTypes = uniq([...samples.flatMap((s) => s.transactions.map((t) => t.docType)), ...negatives.map((n) => n.docType)])
  const out: DocScore[] = docTypes.map((docType) => ({ docType, rules: [] }))
  for (const d of out) {
    for (const stage of STAGES) {
      const row: RuleScore = { rule: stage, title: STAGE_TITLES[stage], status: 'pass', passed: 0, failed: 0, notChecked: 0, failures: [], notes: [] }
      for (const s of samples) {
        for (const t of s.transactions.filter((x) => x.docType === d.docType)) {
          const st = t.stages.find((x) => x.stage === stage)
          if (!st || st.status === 'skipped') continue
          if (st.status === 'pass') row.passed++
          else if (st.status === 'not_checked') row.notChecked++
          else row.failed++
          if (st.note) row.notes.push(st.note)
          for (const f of t.findings.filter((x) => x.stage === stage)) {
            if (f.severity === 'error') row.failures.push({ file: s.file, controlNumber: t.controlNumber, code: f.code, at: f.at, reason: f.reason })
            else row.notes.push(`warning ${f.code}${f.at ? ` at ${f.at}` : ''}: ${f.reason}`)
          }
        }
      }
      row.notes = uniq(row.notes)
      row.status = statusOf(row)
      d.rules.push(row)
    }
    for (const kind of NEGATIVE_KINDS) {
      const cases = negatives.filter((n) => n.docType === d.docType && n.kind === kind)
      const row: RuleScore = { rule: `negative:${kind}`, title: `negative: ${NEGATIVE_TITLES[kind]}`, status: 'pass', passed: 0, failed: 0, notChecked: 0, failures: [], notes: [] }
      for (const n of cases) {
        if (n.status === 'caught') {
          row.passed++
          row.notes.push(`caught by ${n.caughtBy!.code}${n.caughtBy!.at ? ` at ${n.caughtBy!.at}` : ''} (${n.mutation})`)
        } else if (n.status === 'not_caught') {
          row.failed++
          const got = n.findings.map((f) => f.code)
          row.failures.push({
            file: n.file, controlNumber: n.controlNumber, code: 'not_caught', at: n.atSegment,
            reason: `${n.mutation}: expected ${n.expected.join(' or ')}, ${got.length ? `got only ${uniq(got).join(', ')}` : 'but the broken copy passed every check'}`,
          })
        } else if (n.status === 'not_checked') {
          row.notChecked++
          if (n.note) row.notes.push(n.note)
        } else if (n.note) row.notes.push(`not applicable: ${n.note}`)
      }
      row.notes = uniq(row.notes)
      row.status = statusOf(row)
      d.rules.push(row)
    }
  }
  return out
}

const MARK: Record<RuleStatus, string> = { pass: 'PASS', fail: 'FAIL', not_checked: 'not checked', not_applicable: 'n/a' }

/** The terminal table: one line per document type and rule, then the failures under it. */
export function formatTable(r: CertifyReport): string {
  const lines: string[] = []
  lines.push(`Certification of ${r.partner.id} (${r.partner.name}, status ${r.partner.status})`)
  lines.push(`samples: ${r.samples.length} from ${r.dir}; ERP data: ${r.erp.file ? `${r.erp.file} (${r.erp.orders} PO)` : 'none (PO rules not checked)'}`)
  lines.push('')
  const w = [8, 44, 12, 7]
  const row = (c: string[]) => c.map((x, i) => (i < w.length ? x.padEnd(w[i]) : x)).join(' ').trimEnd()
  lines.push(row(['DOC', 'RULE', 'RESULT', 'PASS', 'FAIL / NOT CHECKED']))
  lines.push('-'.repeat(96))
  for (const d of r.scorecard) {
    for (const rule of d.rules) {
      lines.push(row([d.docType, rule.title, MARK[rule.status], String(rule.passed), `${rule.failed} / ${rule.notChecked}`]))
      for (const f of rule.failures) lines.push(`${' '.repeat(9)}✗ ${f.file} #${f.controlNumber} ${f.code}${f.at ? ` at ${f.at}` : ''}: ${f.reason}`)
    }
  }
  lines.push('')
  for (const s of r.samples) {
    for (const a of s.acks) {
      lines.push(`${s.file}: we would send ${a.docType} ${a.controlNumber}: ${a.results.map((x) => `${x.controlNumber} ${x.status}`).join(', ') || 'interchange ack'}`)
    }
  }
  if (r.skipped.length) {
    lines.push('')
    lines.push(`not samples (${r.skipped.length}):`)
    for (const k of r.skipped) lines.push(`  ${k.file}: ${k.reason}`)
  }
  lines.push('')
  lines.push(r.ready ? `READY: ${r.partner.id} passes every sample and catches every negative case.` : `NOT READY: ${r.partner.id}`)
  for (const b of r.blockers) lines.push(`  - ${b}`)
  return lines.join('\n')
}
