// Exception queue: filters, age, reason, the plain-language explanation and the actions
// (assign / resolve / ignore / replay) in a side panel.
import { age, api, badge, el, flash, formQuery, status, table, when } from './dom.js'

// The default queue is every active item (open or assigned): assigning does not hide an item.
let filters = new URLSearchParams({ state: 'active' })
let selected = null
const ME_KEY = 'edi-console-me'
const me = () => localStorage.getItem(ME_KEY) ?? ''

/** The API query for the filters: who = mine → assignee=<me>, unassigned → unassigned=true. */
function apiQuery() {
  const q = new URLSearchParams(filters)
  const who = q.get('who')
  q.delete('who')
  q.delete('me')
  if (who === 'mine') q.set('assignee', me() || '(nobody)')
  if (who === 'unassigned') q.set('unassigned', 'true')
  return q
}

/**
 * One row per document and reason: four `sscc_reused` of one ASN are one row marked 4×, with
 * each explanation in the side panel.
 */
function groupRows(list) {
  const groups = new Map()
  for (const x of list) {
    const k = `${x.code}|${x.documentId ?? x.payloadId ?? x.deliveryId ?? x.id}|${x.state}`
    const g = groups.get(k)
    if (g) g.members.push(x)
    else groups.set(k, { ...x, members: [x] })
  }
  return [...groups.values()]
}

export async function exceptionsView() {
  const data = await api(`/api/v1/ops/exceptions?${apiQuery()}`)
  const rows = groupRows(data.exceptions)
  if (selected && !rows.some((r) => r.id === selected)) selected = null
  const panel = el('aside', { class: 'panel card', id: 'exception-panel' }, el('p', { class: 'muted' }, 'Select an exception to see what to do.'))
  const showDetail = (x) => {
    selected = x.id
    for (const tr of document.querySelectorAll('#exceptions tbody tr')) tr.classList.toggle('selected', tr.dataset.id === x.id)
    panel.replaceChildren(...detail(x))
  }
  const body = rows.map((x) =>
    el('tr', { class: 'clickable', dataset: { id: x.id, code: x.code, count: String(x.members.length) }, onclick: () => showDetail(x) },
      el('td', {}, age(x.ageSeconds)),
      el('td', {}, x.partnerId ?? '—'),
      el('td', {}, el('code', {}, x.code), x.members.length > 1 ? el('span', { class: 'badge count' }, ` ${x.members.length}×`) : null, el('br'), el('span', { class: 'muted' }, x.queue)),
      el('td', { class: 'explanation-cell' }, x.explanation, x.members.length > 1 ? el('div', { class: 'muted' }, `and ${x.members.length - 1} more like it on this document`) : null),
      el('td', {}, badge(x.severity)),
      el('td', {}, badge(x.state), x.assignedTo ? el('div', { class: 'muted' }, `→ ${x.assignedTo}`) : null)
    )
  )
  const view = el('div', {},
    el('h1', {}, 'Exception queue'),
    filterForm(),
    el('div', { class: 'layout' },
      el('div', {}, rows.length ? table(['age', 'partner', 'reason', 'explanation', 'severity', 'state'], body) : el('p', { class: 'muted' }, 'No exceptions match these filters.')),
      panel
    )
  )
  view.querySelector('table')?.setAttribute('id', 'exceptions')
  const current = rows.find((r) => r.id === selected)
  if (current) queueMicrotask(() => showDetail(current))
  return view
}

function filterForm() {
  const form = el('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); filters = formQuery(form); window.dispatchEvent(new Event('console:refresh')) } },
    el('label', {}, 'state', el('select', { name: 'state' }, ['active', 'open', 'assigned', 'resolved', 'ignored', ''].map((s) => el('option', { value: s, selected: (filters.get('state') ?? '') === s }, s === 'active' ? 'active (open or assigned)' : s || 'any')))),
    el('label', {}, 'who', el('select', { name: 'who' }, ['', 'mine', 'unassigned'].map((s) => el('option', { value: s, selected: (filters.get('who') ?? '') === s }, s || 'anyone')))),
    el('label', {}, 'me', el('input', { name: 'me', value: me(), placeholder: 'your name', onchange: (e) => localStorage.setItem(ME_KEY, e.target.value.trim()) })),
    el('label', {}, 'queue', el('select', { name: 'queue' }, ['', 'edi', 'matching', 'warehouse', 'delivery', 'onboarding', 'operations'].map((s) => el('option', { value: s, selected: filters.get('queue') === s }, s || 'any')))),
    el('label', {}, 'code', el('input', { name: 'code', value: filters.get('code') ?? '', placeholder: 'qty_out_of_tolerance' })),
    el('label', {}, 'partner', el('input', { name: 'partner', value: filters.get('partner') ?? '' })),
    el('button', { type: 'submit', class: 'primary' }, 'Filter')
  )
  return form
}

function detail(x) {
  const note = el('textarea', { id: 'exception-note', placeholder: 'note (optional)' })
  const assignee = el('input', { id: 'exception-assignee', placeholder: 'assignee', value: x.assignedTo ?? '' })
  const closed = x.state === 'resolved' || x.state === 'ignored'
  const act = (action, body) => async () => {
    try {
      status(`${action}…`)
      // A grouped row acts on every exception in it (replay once: it re-runs the document).
      const targets = action === 'replay' ? [x] : (x.members ?? [x])
      let r
      for (const t of targets) r = await api(`/api/v1/ops/exceptions/${encodeURIComponent(t.id)}/${action}`, { method: 'POST', body })
      // A re-match reports what it came to ("still held: PO 123 not in the ERP"), never a bare "done".
      if (r.outcome) flash(`${action}: ${r.outcome.text}`)
      else flash(`${action}: done${r.released ? ' (document released)' : ''}${r.messageId ? ` (new message ${r.messageId})` : ''}`)
      window.dispatchEvent(new Event('console:refresh'))
    } catch (err) {
      status(`${action} failed: ${err.message}`)
    }
  }
  const members = x.members ?? [x]
  return [
    el('h2', {}, members.length > 1 ? `${x.code} (${members.length}×)` : x.code),
    el('p', { class: 'explanation' }, x.explanation),
    members.length > 1 ? el('ul', { class: 'group-members' }, members.slice(1).map((m) => el('li', {}, m.explanation))) : null,
    el('dl', { class: 'kv' },
      el('dt', {}, 'state'), el('dd', {}, badge(x.state)),
      el('dt', {}, 'opened'), el('dd', {}, `${when(x.createdAt)} (${age(x.ageSeconds)} ago)`),
      el('dt', {}, 'partner'), el('dd', {}, x.partnerId ?? '—'),
      el('dt', {}, 'message'), el('dd', {}, x.payloadId ? el('a', { href: `#/messages/${encodeURIComponent(x.payloadId)}` }, x.payloadId) : '—'),
      el('dt', {}, 'document'), el('dd', {}, x.documentId ?? '—'),
      el('dt', {}, 'note'), el('dd', {}, x.note ?? '—')
    ),
    el('details', {}, el('summary', {}, 'reason data'), el('pre', {}, JSON.stringify(x.reason, null, 2))),
    note,
    el('div', { class: 'actions' },
      assignee,
      el('button', { type: 'button', onclick: () => act('assign', { assignee: assignee.value.trim() || me() || 'me', note: note.value || undefined })() }, 'Assign')
    ),
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'primary', disabled: closed, onclick: () => act('resolve', { note: note.value || undefined })() }, 'Resolve'),
      el('button', { type: 'button', disabled: closed, onclick: () => act('ignore', { note: note.value || undefined })() }, 'Ignore'),
      el('button', { type: 'button', class: 'danger', onclick: act('replay') }, 'Replay')
    ),
  ]
}
