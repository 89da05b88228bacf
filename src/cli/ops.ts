/** `erp import`, `messages show`, `exceptions list`: operator commands on the gateway's database. */
import { extname } from 'node:path'
import { openGateway } from '../app/gateway.ts'
import { listExceptions } from '../db/exceptions.ts'
import { createTablesErp } from '../db/erp.ts'
import { parsePurchaseOrders } from '../erp/import.ts'
import { UserError } from '../lib/errors.ts'
import { createLogger } from '../lib/log.ts'
import { rematchForOrders } from '../pipeline/match.ts'
import { queuePurchaseOrders } from '../pipeline/outbound.ts'
import type { Args } from '../cli.ts'
import { readInput } from './io.ts'
import { lineage } from './lineage.ts'

const quietGateway = () => openGateway({ deliver: false, log: createLogger('error') })

export async function erpCommand(a: Args): Promise<number> {
  if (a.positional[0] !== 'import') throw new UserError('usage: edi-gateway erp import <file.csv|file.json>')
  const file = a.positional[1]
  const text = readInput(file).toString('utf8')
  const format = extname(file!).toLowerCase() === '.json' || text.trimStart().startsWith('[') || text.trimStart().startsWith('{') ? 'json' : 'csv'
  const { orders, errors } = parsePurchaseOrders(text, format)
  if (errors.length) {
    for (const e of errors.slice(0, 50)) console.error(`${file}:${e.row}: ${e.field ? `${e.field}: ` : ''}${e.message}`)
    return 2
  }
  const gw = await quietGateway()
  try {
    const unknown = [...new Set(orders.map((o) => o.supplierId).filter((s) => !gw.registry.get(s)))]
    if (unknown.length) throw new UserError(`unknown supplier partner(s): ${unknown.join(', ')}`)
    const r = await gw.db.sql.begin(async (tx) => {
      const res = await createTablesErp(tx).upsertOrders(orders)
      const rematched = await rematchForOrders(tx, orders.map((o) => o.poNumber))
      const sent = await queuePurchaseOrders({ ...gw.deps, maps: gw.maps }, tx, res.created)
      return { ...res, rematched, sent: sent.queued }
    })
    await gw.worker.drain({ timeoutMs: 60_000 })
    console.log(`imported ${orders.length} purchase order(s): ${r.inserted} new, ${r.updated} updated; ${r.rematched} held document(s) re-matched; ${r.sent.length} queued to suppliers by EDI${r.sent.length ? ` (${r.sent.join(', ')})` : ''}`)
    return 0
  } finally {
    await gw.close()
  }
}

export async function messagesCommand(a: Args): Promise<number> {
  if (a.positional[0] !== 'show' || !a.positional[1]) throw new UserError('usage: edi-gateway messages show <message-id> [--json]')
  const gw = await quietGateway()
  try {
    const l = await lineage(gw.db.sql, a.positional[1])
    if (!l) throw new UserError(`no message ${a.positional[1]}`)
    if (a.flags.json) console.log(JSON.stringify(l, null, 2))
    else {
      const p = l.payload
      console.log(`message ${p.id}  ${p.status}  ${p.transport}  partner=${p.partnerId ?? '?'}  ${p.filename ?? ''}  ${p.size} bytes  sha256=${p.sha256.slice(0, 16)}…`)
      for (const i of l.interchanges) console.log(`  interchange ${i.controlNumber} ${i.senderId} → ${i.receiverId}: ${i.status}${i.test ? ' (test)' : ''}`)
      for (const t of l.transactions) console.log(`    ${t.docType} ${t.controlNumber}: ${t.status}${(t.issues as unknown[]).length ? ` (${(t.issues as unknown[]).length} issues)` : ''}`)
      for (const d of l.documents) console.log(`      ${d.kind} ${d.id} ${d.businessKey}: ${d.status}  map=${d.mapId}@${(d.mapHash ?? '').slice(0, 8)}`)
      for (const d of l.deliveries) {
        const path = d.history.map((h) => h.status).join(' → ') || d.status
        const retries = d.attempts > 1 || (d.lastError && d.status !== 'failed') ? `  attempts=${d.attempts}` : ''
        console.log(`      → ${d.kind} ${d.docType} to ${d.destination}: ${path}${d.ackStatus ? ` ack=${d.ackStatus}` : ''}${retries}${d.lastError ? `  last error: ${d.lastError}` : ''}`)
      }
      for (const e of l.exceptions) console.log(`  ! ${e.id} ${e.code} [${e.state}] ${e.explanation}`)
    }
    return 0
  } finally {
    await gw.close()
  }
}

const EXCEPTION_STATES = ['active', 'open', 'assigned', 'resolved', 'ignored', 'any']

export async function exceptionsCommand(a: Args): Promise<number> {
  if (a.positional[0] !== 'list') throw new UserError('usage: edi-gateway exceptions list [--json] [--state active|open|assigned|resolved|ignored|any] [--queue Q]')
  // Active (open or assigned) by default, like the console's queue; `any` lists every state.
  const state = a.flags.state === undefined || a.flags.state === true ? 'active' : String(a.flags.state)
  if (!EXCEPTION_STATES.includes(state)) throw new UserError(`unknown --state "${state}": use active (open or assigned, the default), open, assigned, resolved, ignored or any`)
  const gw = await quietGateway()
  try {
    const rows = await listExceptions(gw.db.sql, {
      state: state === 'any' ? undefined : state,
      queue: typeof a.flags.queue === 'string' ? a.flags.queue : undefined,
      limit: 500,
    })
    const out = rows.map((r) => ({
      id: r.id, code: r.code, queue: r.queue, state: r.state, partner: r.partner_id,
      document: r.document_id ?? r.transaction_id ?? r.payload_id ?? r.delivery_id, explanation: r.explanation,
    }))
    if (a.flags.json) console.log(JSON.stringify(out, null, 2))
    else if (out.length === 0) console.log(state === 'any' || state === 'active' ? 'no exceptions' : `no ${state} exceptions`)
    else for (const r of out) console.log(`${r.id}  ${r.code.padEnd(24)} ${r.queue.padEnd(10)} ${r.state.padEnd(8)} ${r.partner ?? '-'}  ${r.document ?? '-'}  ${r.explanation}`)
    return 0
  } finally {
    await gw.close()
  }
}
