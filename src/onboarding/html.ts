/**
 * The certification report as one self-contained HTML file: inline CSS, no scripts, no fonts,
 * images or links to anywhere, so it can be mailed to the partner or attached to a ticket and
 * opens offline. Every value from the samples is escaped (samples are untrusted input).
 */
import type { CertifyReport, NegativeReport } from './certify.ts'
import type { RuleStatus } from './scorecard.ts'

const esc = (s: unknown): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

const LABEL: Record<RuleStatus | NegativeReport['status'], string> = {
  pass: 'pass', fail: 'FAIL', not_checked: 'not checked', not_applicable: 'n/a', caught: 'caught', not_caught: 'NOT CAUGHT',
}

const badge = (s: keyof typeof LABEL) => `<span class="b ${esc(s)}">${esc(LABEL[s])}</span>`

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2em auto;max-width:1100px;color:#1d2330;padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #d8dce6;padding-bottom:.2em}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}th,td{border:1px solid #d8dce6;padding:.35em .55em;text-align:left;vertical-align:top}
th{background:#f2f4f8}code,pre{font:12.5px/1.4 ui-monospace,Menlo,Consolas,monospace}pre{background:#f6f7f9;padding:.6em;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
.b{display:inline-block;padding:0 .5em;border-radius:3px;font-weight:600;font-size:12px}
.pass,.caught{background:#dff3e4;color:#14592b}.fail,.not_caught{background:#fbe0e0;color:#8a1616}
.not_checked{background:#fff3cd;color:#6b5200}.not_applicable{background:#eceef2;color:#555}
.verdict{font-size:1.2em;padding:.6em 1em;border-radius:4px;margin:1em 0}.ready{background:#dff3e4}.notready{background:#fbe0e0}
ul.f{margin:.2em 0;padding-left:1.2em}small{color:#5a6275}`

export function renderHtml(r: CertifyReport): string {
  const out: string[] = []
  out.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Certification: ${esc(r.partner.id)}</title><style>${CSS}</style></head><body>`)
  out.push(`<h1>Certification of ${esc(r.partner.name)} <small>(${esc(r.partner.id)}, status ${esc(r.partner.status)})</small></h1>`)
  out.push(`<p>${r.samples.length} sample file(s) from <code>${esc(r.dir)}</code>; ERP data: ${r.erp.file ? `<code>${esc(r.erp.file)}</code> (${r.erp.orders} purchase orders)` : 'none, so the PO rules are not checked'}; matched as of ${esc(r.today)}; generated ${esc(r.generatedAt)}.</p>`)
  out.push(`<div class="verdict ${r.ready ? 'ready' : 'notready'}">${r.ready ? 'Ready: every sample passes and every negative case is caught.' : 'Not ready.'}</div>`)
  if (r.blockers.length) out.push(`<ul>${r.blockers.map((b) => `<li>${esc(b)}</li>`).join('')}</ul>`)
  if (r.skipped.length) out.push(`<p>Not samples:</p><ul>${r.skipped.map((k) => `<li><code>${esc(k.file)}</code>: ${esc(k.reason)}</li>`).join('')}</ul>`)

  out.push('<h2>Scorecard</h2>')
  for (const d of r.scorecard) {
    out.push(`<h3>${esc(d.docType)}</h3><table><tr><th>Rule</th><th>Result</th><th>Pass</th><th>Fail</th><th>Not checked</th><th>Details</th></tr>`)
    for (const rule of d.rules) {
      const details = [
        ...rule.failures.map((f) => `<li><b>${esc(f.code)}</b>${f.at ? ` at <code>${esc(f.at)}</code>` : ''} in ${esc(f.file)} #${esc(f.controlNumber)}: ${esc(f.reason)}</li>`),
        ...rule.notes.map((n) => `<li><small>${esc(n)}</small></li>`),
      ]
      out.push(`<tr><td>${esc(rule.title)}</td><td>${badge(rule.status)}</td><td>${rule.passed}</td><td>${rule.failed}</td><td>${rule.notChecked}</td><td>${details.length ? `<ul class="f">${details.join('')}</ul>` : ''}</td></tr>`)
    }
    out.push('</table>')
  }

  out.push('<h2>Samples</h2>')
  for (const s of r.samples) {
    out.push(`<h3>${esc(s.file)} ${badge(s.ok ? 'pass' : 'fail')}</h3>`)
    if (s.findings.length) out.push(`<ul class="f">${s.findings.map((f) => `<li>${esc(f.stage)} <b>${esc(f.code)}</b>${f.at ? ` at <code>${esc(f.at)}</code>` : ''}: ${esc(f.reason)}</li>`).join('')}</ul>`)
    for (const t of s.transactions) {
      out.push(`<p><b>${esc(t.docType)} #${esc(t.controlNumber)}</b> (${esc(t.standard)} ${esc(t.version)})${t.mapId ? `, map <code>${esc(t.mapId)}</code> (${esc(t.mapBy)})` : ''}</p>`)
      out.push(`<table><tr>${t.stages.map((st) => `<th>${esc(st.stage)}</th>`).join('')}</tr><tr>${t.stages.map((st) => `<td>${st.status === 'skipped' ? '<small>skipped</small>' : badge(st.status)}${st.note ? `<br><small>${esc(st.note)}</small>` : ''}</td>`).join('')}</tr></table>`)
      const fs = t.findings
      if (fs.length) out.push(`<ul class="f">${fs.map((f) => `<li>${f.severity === 'error' ? '' : '<small>warning</small> '}${esc(f.stage)} <b>${esc(f.code)}</b>${f.at ? ` at <code>${esc(f.at)}</code>` : ''}: ${esc(f.reason)}</li>`).join('')}</ul>`)
    }
    for (const a of s.acks) out.push(`<p>The ${esc(a.docType)} we would send (control ${esc(a.controlNumber)}):</p><pre>${esc(a.text.replace(/~(?!\n)/g, '~\n'))}</pre>`)
  }

  out.push('<h2>Negative cases</h2><table><tr><th>Sample</th><th>Document</th><th>Case</th><th>What was broken</th><th>Expected</th><th>Result</th><th>Caught by / found</th></tr>')
  for (const n of r.negatives) {
    const found = n.caughtBy
      ? `<b>${esc(n.caughtBy.code)}</b>${n.caughtBy.at ? ` at <code>${esc(n.caughtBy.at)}</code>` : ''}: ${esc(n.caughtBy.reason)}`
      : n.findings.length ? esc(n.findings.map((f) => f.code).join(', ')) : esc(n.note ?? '')
    const ack = n.ack ? `<br><small>our ${esc(n.ack.docType)}: ${esc(n.ack.status)}</small>` : ''
    out.push(`<tr><td>${esc(n.file)}</td><td>${esc(n.docType)} #${esc(n.controlNumber)}</td><td>${esc(n.title)}</td><td>${esc(n.mutation ?? '')}</td><td>${esc(n.expected.join(' or '))}</td><td>${badge(n.status)}</td><td>${found}${ack}</td></tr>`)
  }
  out.push('</table></body></html>')
  return out.join('\n')
}
