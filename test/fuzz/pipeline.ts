/**
 * Fuzz cases through the real pipeline: receive() → worker drain, wired by openGateway on the
 * test database with the repository's demo partners (outbound deliveries stay queued, as in a
 * CLI run). `judge` reads the lineage back and lists every rule the outcome breaks.
 */
import { ENGINES } from '../../src/app/engines.ts'
import type { Gateway } from '../../src/app/gateway.ts'
import type { Q } from '../../src/db/sql.ts'
import type { FuzzCase } from './cases.ts'

/**
 * Give the interchange a control number of its own (ISA13, UNB 0020), so the duplicate check
 * (a resend of the same interchange) does not swallow every case cut from the same seed file.
 */
export function uniquify(b: Buffer, n: number): Buffer {
  const out = Buffer.from(b)
  if (out.subarray(0, 3).toString() === 'ISA' && out.length >= 106) {
    const sep = out[3]
    let field = 0
    for (let i = 3; i < 106; i++) {
      if (out[i] !== sep) continue
      field++
      if (field === 13 && out[i + 10] === sep) out.write(String(n).padStart(9, '0').slice(-9), i + 1, 'latin1')
    }
    return out
  }
  const unb = out.indexOf('UNB')
  if (unb < 0 || unb > 12) return out
  const sep = out[unb + 3]
  // ISO 9735: the UNA service string advice, when present, names the segment terminator (6th char).
  const end = out.indexOf(out.subarray(0, 3).toString() === 'UNA' && out.length > 8 ? out[8] : 0x27, unb)
  let field = 0
  for (let i = unb + 3; i < (end < 0 ? out.length : end); i++) {
    if (out[i] !== sep) continue
    if (++field === 5) {
      let j = i + 1
      while (j < out.length && out[j] !== sep && j !== end) j++
      const ref = `F${String(n).padStart(8, '0')}`.slice(0, Math.max(1, j - i - 1))
      return Buffer.concat([out.subarray(0, i + 1), Buffer.from(ref), out.subarray(j)])
    }
  }
  return out
}

const ACK_TYPES = new Set(['997', '999', 'CONTRL'])

export interface Judged {
  status: string
  exceptions: string[]
  documents: number
  acks: number
  problems: string[]
}

/** Which demo partner a JSON seed speaks for (its fixture folder, when that partner exists). */
export function jsonPartner(gw: Gateway, seedName: string): string {
  const dir = /fixtures\/([^/]+)\//.exec(seedName)?.[1]
  return dir && gw.registry.get(dir) ? dir : 'demo-3pl'
}

export async function judge(q: Q, messageId: string): Promise<Judged> {
  const problems: string[] = []
  const [p] = await q<{ status: string; standard: string | null }[]>`select status, standard from payloads where id = ${messageId}`
  const ex = await q<{ code: string; transaction_id: string | null }[]>`select code, transaction_id from exceptions where payload_id = ${messageId}`
  const txs = await q<{ id: string; status: string; interchange_id: string | null; doc_type: string; issues: { code: string; level: string }[] }[]>`
    select id, status, interchange_id, doc_type, issues from transactions where payload_id = ${messageId}`
  const ics = await q<{ id: string; seq: number; status: string; partner_id: string | null }[]>`select id, seq, status, partner_id from interchanges where payload_id = ${messageId}`
  const docs = await q<{ id: string }[]>`select id from documents where payload_id = ${messageId}`
  const pending = await q<{ stage: string; state: string }[]>`select stage, state from jobs
    where payload->>'messageId' = ${messageId} and stage in ('parse', 'translate', 'match') and state <> 'completed'`
  const acks = await q<{ parent_id: string; doc_type: string; bytes: Buffer }[]>`select parent_id, doc_type, bytes from deliveries
    where kind = 'ack' and parent_id = any(${ics.map((i) => i.id)})`
  if (p.status === 'received') problems.push('payload never parsed')
  for (const j of pending) problems.push(`job ${j.stage} left ${j.state}`)
  for (const e of ex) if (e.code === 'stage_failed') problems.push('stage_failed: a stage crashed')
  if (['rejected', 'partially_rejected', 'duplicate'].includes(p.status) && ex.length === 0) problems.push(`payload ${p.status} without an exception`)
  for (const t of txs) {
    if (t.status === 'rejected' && !ex.some((e) => e.code === 'message_invalid' && e.transaction_id === t.id)) problems.push(`rejected transaction ${t.id} without message_invalid`)
  }
  const reconciled = txs.length > 0 && txs.every((t) => t.status === 'reconciled')
  if (ex.length === 0 && docs.length === 0 && !reconciled) problems.push(`outcome ${p.status} has neither an exception nor a document`)
  for (const ic of ics) {
    // An identified, non-duplicate interchange of the demo X12/EDIFACT partner earns an ack (997 / CONTRL always).
    if (!ic.partner_id || ic.status !== 'parsed') continue
    // Acks are not acknowledged (X12 997/TA1, ISO 9735 CONTRL): an interchange of acks only earns none.
    const mineTx = txs.filter((t) => t.interchange_id === ic.id)
    const types = mineTx.map((t) => t.doc_type)
    if (types.length > 0 && types.every((t) => ACK_TYPES.has(t))) continue
    const std = p.standard === 'edifact' ? 'edifact' : 'x12'
    if (types.length === 0 && (await onlyInterchangeAcks(q, messageId, std, ic.seq))) continue
    const mine = acks.filter((a) => a.parent_id === ic.id)
    if (mine.length === 0) {
      problems.push(`interchange ${ic.id} of ${ic.partner_id} got no 997/999/CONTRL`)
      continue
    }
    // A set outside any GS..GE has no AK1 to sit under: only the TA1 can report it (TA104 E/R).
    const rejected = mineTx.filter((t) => t.status === 'rejected')
    const outside = rejected.filter((t) => t.issues.some((i) => i.code === 'transaction_outside_group' && i.level === 'transaction'))
    let reports = false
    let reportsInterchange = false
    for (const a of mine) {
      const back = ENGINES[std].parse(a.bytes)
      if (back.unreadable) problems.push(`${a.doc_type} delivery is unreadable`)
      for (const ic2 of back.interchanges) {
        if (ENGINES[std].readInterchangeAcks?.(ic2).some((r) => r.results.some((x) => x.status !== 'accepted'))) reportsInterchange = true
        for (const g of ic2.groups)
          for (const t of g.transactions) if (ENGINES[std].readAck(t)?.results.some((r) => r.status !== 'accepted')) reports = true
      }
    }
    const kinds = mine.map((a) => a.doc_type).join('+')
    if (rejected.length > outside.length && !reports) problems.push(`a rejected transaction is not reported by ${kinds}`)
    if (outside.length && !reportsInterchange) problems.push(`a rejected transaction outside any group is not reported by a TA1 with TA104 E or R (${kinds})`)
  }
  return { status: p.status, exceptions: ex.map((e) => e.code), documents: docs.length, acks: acks.length, problems }
}

/** The interchange (by seq) of the stored payload holds acks in its envelope only (X12: TA1s, no group). */
async function onlyInterchangeAcks(q: Q, messageId: string, std: 'x12' | 'edifact', seq: number): Promise<boolean> {
  const chunks = await q<{ data: Buffer }[]>`select data from payload_chunks where payload_id = ${messageId} order by seq`
  const ic = ENGINES[std].parse(Buffer.concat(chunks.map((c) => c.data))).interchanges[seq]
  return ic !== undefined && ic.groups.length === 0 && (ENGINES[std].readInterchangeAcks?.(ic).length ?? 0) > 0
}

export async function runThroughPipeline(gw: Gateway, c: FuzzCase): Promise<string> {
  const json = c.kind === 'json'
  const r = await gw.receive({
    transport: 'cli',
    body: json ? c.bytes : uniquify(c.bytes, c.i),
    filename: `fuzz-${c.i}.${json ? 'json' : 'edi'}`,
    ...(json ? { partnerId: jsonPartner(gw, c.seed), contentType: 'application/json' } : {}),
  })
  await gw.worker.drain({ timeoutMs: 60_000 })
  return r.messageId
}
