// Message tracking: search, then one message's lineage (payload → interchanges → transactions →
// documents + match → deliveries/acks/MDNs → exceptions) beside the raw bytes, with each
// transaction's span shaded and every segment an issue points at highlighted.
import { api, badge, el, formQuery, table, when } from './dom.js'

let search = new URLSearchParams()
const RAW_PREVIEW = 2 * 1024 * 1024

export async function messagesView() {
  const { messages } = await api(`/api/v1/ops/messages?${search}`)
  const form = el('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); search = formQuery(form); window.dispatchEvent(new Event('console:refresh')) } },
    ...['partner', 'type', 'status', 'po', 'control'].map((n) => el('label', {}, n === 'po' ? 'PO number' : n === 'control' ? 'control no.' : n, el('input', { name: n, value: search.get(n) ?? '' }))),
    el('label', {}, 'from', el('input', { name: 'from', type: 'date', value: search.get('from') ?? '' })),
    el('label', {}, 'to', el('input', { name: 'to', type: 'date', value: search.get('to') ?? '' })),
    el('button', { type: 'submit', class: 'primary' }, 'Search')
  )
  const rows = messages.map((m) =>
    el('tr', { class: 'clickable', dataset: { id: m.id }, onclick: () => (location.hash = `#/messages/${encodeURIComponent(m.id)}`) },
      el('td', {}, when(m.receivedAt)),
      el('td', {}, el('a', { href: `#/messages/${encodeURIComponent(m.id)}` }, m.id)),
      el('td', {}, m.partnerId ?? '—'),
      el('td', {}, m.transport, m.standard ? ` · ${m.standard}` : ''),
      el('td', {}, (m.docTypes ?? []).join(', ')),
      el('td', {}, (m.poNumbers ?? []).join(', ')),
      el('td', {}, badge(m.status)),
      el('td', {}, m.openExceptions ? el('span', { class: 'error' }, String(m.openExceptions)) : '0')
    )
  )
  return el('div', {}, el('h1', {}, 'Messages'), form,
    rows.length ? table(['received', 'message', 'partner', 'transport', 'types', 'POs', 'status', 'open exc.'], rows) : el('p', { class: 'muted' }, 'No messages match.'))
}

export async function lineageView(id) {
  const l = await api(`/api/v1/ops/messages/${encodeURIComponent(id)}`)
  const p = l.payload
  const raw = await api(`/api/v1/ops/messages/${encodeURIComponent(id)}/raw`, { raw: true })
  const bytes = new Uint8Array(await raw.arrayBuffer())
  // windows-1252 maps every byte to one character, so byte offsets from the parser stay valid.
  const text = new TextDecoder('windows-1252').decode(bytes.subarray(0, RAW_PREVIEW))
  const issues = collectIssues(l)
  const pre = rawView(text, l.transactions, issues)
  return el('div', { id: 'lineage' },
    el('h1', {}, `Message ${p.id}`),
    el('dl', { class: 'kv card' },
      el('dt', {}, 'received'), el('dd', {}, when(p.receivedAt)),
      el('dt', {}, 'partner'), el('dd', {}, p.partnerId ?? 'unknown'),
      el('dt', {}, 'transport'), el('dd', {}, `${p.transport}${p.filename ? ` · ${p.filename}` : ''}${p.externalId ? ` · ${p.externalId}` : ''}`),
      el('dt', {}, 'status'), el('dd', {}, badge(p.status), p.test ? ' test' : ''),
      el('dt', {}, 'size / sha256'), el('dd', {}, `${p.size} bytes · ${p.sha256}`),
      el('dt', {}, 'raw'), el('dd', {}, el('a', { href: '#', onclick: (e) => { e.preventDefault(); download(id, p.filename) } }, 'download'))
    ),
    el('h2', {}, `Exceptions (${l.exceptions.length})`),
    l.exceptions.length ? table(['code', 'state', 'explanation'], l.exceptions.map((x) => el('tr', {}, el('td', {}, el('code', {}, x.code)), el('td', {}, badge(x.state)), el('td', {}, x.explanation)))) : el('p', { class: 'muted' }, 'none'),
    el('h2', {}, 'Raw payload'),
    issues.length ? el('ul', { class: 'issues' }, issues.map((i) => el('li', { onclick: () => document.getElementById(`seg-${i.offset}`)?.scrollIntoView({ block: 'center' }) }, `${i.segment ?? 'segment'} at byte ${i.offset}: ${i.message}`))) : el('p', { class: 'muted' }, 'No positioned issues.'),
    pre,
    bytes.length > RAW_PREVIEW ? el('p', { class: 'muted' }, `Showing the first ${RAW_PREVIEW} of ${bytes.length} bytes.`) : null,
    el('h2', {}, `Interchanges (${l.interchanges.length})`),
    table(['control', 'sender', 'receiver', 'status', 'issues'], l.interchanges.map((i) => el('tr', {}, el('td', {}, i.controlNumber), el('td', {}, `${i.senderQual ?? ''} ${i.senderId}`), el('td', {}, `${i.receiverQual ?? ''} ${i.receiverId}`), el('td', {}, badge(i.status)), el('td', {}, String(i.issues.length))))),
    el('h2', {}, `Transactions (${l.transactions.length})`),
    table(['type', 'control', 'status', 'bytes', 'issues'], l.transactions.map((t) => el('tr', {}, el('td', {}, `${t.standard} ${t.docType} ${t.version}`), el('td', {}, t.controlNumber), el('td', {}, badge(t.status)), el('td', {}, t.spanStart == null ? '—' : `${t.spanStart}–${t.spanEnd}`), el('td', {}, t.issues.map((i) => i.message).join('; ') || '—')))),
    el('h2', {}, `Documents (${l.documents.length})`),
    ...l.documents.map(documentCard),
    el('h2', {}, `Deliveries, acks and MDNs (${l.deliveries.length})`),
    table(['kind', 'type', 'destination', 'status', 'ack', 'sent', 'history'], l.deliveries.map((d) => el('tr', {}, el('td', {}, d.kind), el('td', {}, d.docType), el('td', {}, d.destination), el('td', {}, badge(d.status)), el('td', {}, d.ackStatus ?? '—'), el('td', {}, when(d.sentAt)), el('td', { class: 'history' }, deliveryHistory(d))))),
    el('h2', {}, `Jobs (${l.jobs.length})`),
    table(['stage', 'state', 'attempts', 'error'], l.jobs.map((j) => el('tr', {}, el('td', {}, j.stage), el('td', {}, badge(j.state)), el('td', {}, `${j.attempts}/${j.maxAttempts}`), el('td', {}, j.lastError?.message ?? ''))))
  )
}

/** The states a delivery went through (pending → queued → sent → acknowledged), retries and the error that ended it. */
function deliveryHistory(d) {
  const steps = (d.history ?? []).map((h) => h.status)
  const last = (d.history ?? []).at(-1)
  const error = last?.error ?? (d.status === 'queued' ? d.lastError : null)
  return [steps.join(' → ') || d.status, d.attempts > 1 ? ` · ${d.attempts} attempts` : '', error ? ` · ${error}` : ''].join('')
}

function documentCard(d) {
  const lines = d.match?.lines ?? []
  return el('div', { class: 'card', dataset: { id: d.id } },
    el('strong', {}, `${d.kind} ${d.businessKey}`), ' ', badge(d.status),
    d.poNumbers.length ? el('span', {}, ' · PO ', d.poNumbers.map((po) => el('a', { href: `#/pos/${encodeURIComponent(po)}` }, po, ' '))) : null,
    lines.length ? table(['line', 'PO line', 'matched by', 'state', 'notes'], lines.map((m) => el('tr', {}, el('td', {}, m.lineNo), el('td', {}, m.poLineNo ?? '—'), el('td', {}, m.matchedBy ?? '—'), el('td', {}, badge(m.state === 'ok' ? 'ok' : 'exception')), el('td', {}, m.notes.join('; '))))) : null,
    el('details', {}, el('summary', {}, 'canonical document'), el('pre', {}, JSON.stringify(d.doc, null, 2)))
  )
}

/** Issues with a byte position, from interchanges, transactions and exception reasons. */
function collectIssues(l) {
  const out = []
  const add = (i) => { if (i && i.position && Number.isFinite(i.position.offset)) out.push({ offset: i.position.offset, segment: i.segment, message: i.message ?? i.code }) }
  for (const ic of l.interchanges) ic.issues.forEach(add)
  for (const t of l.transactions) t.issues.forEach(add)
  for (const x of l.exceptions) (x.reason?.issues ?? []).forEach(add)
  const seen = new Set()
  return out.filter((i) => !seen.has(i.offset) && seen.add(i.offset)).sort((a, b) => a.offset - b.offset)
}

/** The segment terminator: ISA106th byte for X12, UNA/"'" for EDIFACT, newline otherwise. */
function terminatorOf(text) {
  if (text.startsWith('ISA') && text.length > 105) return text[105]
  if (text.startsWith('UNA') && text.length > 8) return text[8]
  if (/^\s*UNB/.test(text)) return "'"
  return '\n'
}

function rawView(text, transactions, issues) {
  const term = terminatorOf(text)
  const wrap = term !== '\n' && !text.includes('\n')
  const marks = issues.map((i) => {
    const end = text.indexOf(term, i.offset)
    return { start: i.offset, end: end < 0 ? text.length : end + 1, issue: i }
  })
  const spans = transactions.filter((t) => t.spanStart != null).map((t) => ({ start: Number(t.spanStart), end: Number(t.spanEnd) }))
  const cuts = new Set([0, text.length])
  for (const m of [...marks, ...spans]) { cuts.add(Math.min(m.start, text.length)); cuts.add(Math.min(m.end, text.length)) }
  const points = [...cuts].sort((a, b) => a - b)
  const pre = el('pre', { class: 'raw', id: 'raw' })
  for (let k = 0; k + 1 < points.length; k++) {
    const [a, b] = [points[k], points[k + 1]]
    let chunk = text.slice(a, b)
    if (wrap) chunk = chunk.split(term).join(term + '\n')
    const mark = marks.find((m) => m.start <= a && b <= m.end)
    const inTx = spans.some((s) => s.start <= a && b <= s.end)
    let node = mark ? el('mark', { title: mark.issue.message, id: mark.start === a ? `seg-${a}` : undefined }, chunk) : document.createTextNode(chunk)
    if (inTx) node = el('span', { class: 'txspan' }, node)
    pre.append(node)
  }
  return pre
}

async function download(id, filename) {
  const res = await api(`/api/v1/ops/messages/${encodeURIComponent(id)}/raw`, { raw: true })
  const url = URL.createObjectURL(await res.blob())
  const a = el('a', { href: url, download: filename ?? `${id}.bin` })
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
