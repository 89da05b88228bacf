// PO workflow: Pending → Acknowledged → Fulfilment → Billing, with the ack, ASN(s) and invoice(s)
// and, per PO line, what each document's match said.
import { api, badge, el, table, when } from './dom.js'

const STAGES = [['pending', 'Pending'], ['acknowledged', 'Ack'], ['fulfilment', 'Fulfilment'], ['billing', 'Billing']]

export async function poListView() {
  const { purchaseOrders } = await api('/api/v1/ops/purchase-orders?limit=200')
  const rows = purchaseOrders.map((p) =>
    el('tr', { class: 'clickable', onclick: () => (location.hash = `#/pos/${encodeURIComponent(p.poNumber)}`) },
      el('td', {}, el('a', { href: `#/pos/${encodeURIComponent(p.poNumber)}` }, p.poNumber)),
      el('td', {}, p.supplierId), el('td', {}, badge(p.status)), el('td', {}, badge(p.stage)),
      el('td', { class: 'num' }, p.value == null ? '—' : `${p.value} ${p.currency}`), el('td', {}, p.requestedDate ?? '—'),
      el('td', {}, when(p.createdAt)),
      el('td', {}, String(p.acks)), el('td', {}, String(p.asns)), el('td', {}, String(p.invoices)),
      el('td', {}, p.openExceptions ? el('span', { class: 'error' }, String(p.openExceptions)) : '0')
    )
  )
  const form = el('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); const v = form.po.value.trim(); if (v) location.hash = `#/pos/${encodeURIComponent(v)}` } },
    el('label', {}, 'PO number', el('input', { name: 'po' })), el('button', { type: 'submit', class: 'primary' }, 'Open'))
  return el('div', {}, el('h1', {}, 'Purchase orders'), form,
    rows.length ? table(['PO', 'supplier', 'ERP status', 'stage', 'value', 'requested', 'imported', 'acks', 'ASNs', 'invoices', 'open exc.'], rows) : el('p', { class: 'muted' }, 'No purchase orders imported yet.'))
}

export async function poView(po) {
  const w = await api(`/api/v1/ops/purchase-orders/${encodeURIComponent(po)}`)
  // A stage is ticked only when a document of it exists (no Ack tick without an ack); Pending
  // only for a PO the ERP knows.
  const ticked = { pending: w.stage !== 'not_in_erp', ...w.stages }
  // One entry per document and PO line: an ASN's cartons of a line are summed by the API.
  const cell = (entries) => entries.length
    ? entries.map((e) => el('div', { title: e.notes.join('; ') }, badge(e.state === 'ok' ? 'ok' : 'exception'), e.qty ? ` ${e.qty.qty} ${e.qty.uom}` : '',
        el('span', { class: 'muted' }, ` ${e.businessKey.replace(/^[a-z_]+:/, '')}${e.items.length > 1 ? ` (${e.items.length} items)` : ''}`),
        e.notes.length ? el('div', { class: 'muted' }, e.notes.join('; ')) : null))
    : el('span', { class: 'muted' }, '—')
  const docs = (title, list) => el('div', {}, el('h2', {}, `${title} (${list.length})`),
    list.length ? table(['document', 'status', 'received', 'exceptions'], list.map((d) => el('tr', {},
      el('td', {}, el('a', { href: `#/messages/${encodeURIComponent(d.messageId)}` }, d.businessKey)),
      el('td', {}, badge(d.status)), el('td', {}, when(d.createdAt)),
      el('td', {}, d.exceptions.map((x) => el('div', {}, badge(x.state), ' ', x.explanation)))))) : el('p', { class: 'muted' }, 'none yet'))
  return el('div', { id: 'po-workflow' },
    el('h1', {}, `PO ${w.poNumber}`),
    el('div', { class: 'stages' }, STAGES.map(([s, label]) => el('span', { class: ticked[s] ? 'done' : '' }, label))),
    w.purchaseOrder ? el('p', {}, `Supplier ${w.purchaseOrder.supplierId} · ERP status `, badge(w.purchaseOrder.status), ` · ${w.purchaseOrder.currency}`) : el('p', { class: 'error' }, 'Not in the ERP (documents refer to it).'),
    el('h2', {}, 'Lines'),
    table(['line', 'ordered', 'ack', 'ASN', 'invoice'], w.lines.map((l) => el('tr', {},
      el('td', {}, l.lineNo),
      el('td', {}, l.ordered ? `${l.ordered.quantity} ${l.ordered.uom}${l.ordered.unitPrice ? ` @ ${l.ordered.unitPrice}` : ''}` : '—'),
      el('td', {}, cell(l.poAck)), el('td', {}, cell(l.asn)), el('td', {}, cell(l.invoice))))),
    docs('Acknowledgements', w.acknowledgements), docs('Shipments (ASNs)', w.shipments), docs('Invoices', w.invoices)
  )
}
