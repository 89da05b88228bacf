// Partner list with health: status, last message, ack health and certificate expiry.
import { api, badge, el, table, when } from './dom.js'

export async function partnersView() {
  const { partners } = await api('/api/v1/ops/partners')
  const rows = partners.map((p) =>
    el('tr', { dataset: { id: p.id } },
      el('td', {}, el('strong', {}, p.name), el('div', { class: 'muted' }, `${p.id} · ${p.kind}`)),
      el('td', {}, badge(p.status)),
      el('td', {}, badge(p.health), p.problems.length ? el('div', { class: 'muted' }, p.problems.join('; ')) : null),
      el('td', {}, when(p.lastMessageAt), el('div', { class: 'muted' }, `${p.messages24h} in 24 h`)),
      el('td', {}, String(p.openExceptions)),
      el('td', {}, `${p.pendingAcks} pending`, el('br'), p.overdueAcks ? el('span', { class: 'error' }, `${p.overdueAcks} overdue`) : el('span', { class: 'muted' }, 'none overdue')),
      el('td', {}, p.certificates.length
        ? p.certificates.map((c) => el('div', { title: c.subject ?? c.error ?? '' }, c.error ? el('span', { class: 'error' }, `${c.file}: ${c.error}`) : `${c.file}: ${c.daysLeft} d left`))
        : el('span', { class: 'muted' }, '—')),
      el('td', {}, [...p.inbound, `→ ${p.outbound}`].join(', '))
    )
  )
  return el('div', {}, el('h1', {}, 'Partners'),
    table(['partner', 'status', 'health', 'last message', 'open exceptions', 'acks', 'certificates', 'transports'], rows))
}
