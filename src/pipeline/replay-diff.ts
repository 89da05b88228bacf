/**
 * Replay with --diff: re-map a stored message with today's profiles and maps, in memory, and
 * compare each new canonical document with the one stored. Nothing is written.
 */
import type { CanonicalDoc } from '../canonical/index.ts'
import { getPayload, readPayload } from '../db/payloads.ts'
import { sniff } from '../edi/sniff.ts'
import { diffJson, type FieldChange } from '../lib/diff.ts'
import { UserError } from '../lib/errors.ts'
import type { PipelineDeps } from './deps.ts'

export interface DocDiff {
  transactionControl: string
  docType: string
  storedDocumentId?: string
  mapBefore?: string
  mapAfter?: string
  changes: FieldChange[]
  /** The new run could not map the document (reasons), or there was no stored document. */
  note?: string
}

export async function replayDiff(deps: PipelineDeps, messageId: string): Promise<DocDiff[]> {
  const p = await getPayload(deps.sql, messageId)
  if (!p) throw new UserError(`no message ${messageId}`)
  const bytes = await readPayload(deps.sql, messageId)
  const stored = await deps.sql<{ id: string; doc: CanonicalDoc; map_id: string; map_hash: string; control_number: string }[]>`
    select d.id, d.doc, d.map_id, d.map_hash, t.control_number from documents d join transactions t on t.id = d.transaction_id
    where d.payload_id = ${messageId} order by d.created_at, d.id`
  const out: DocDiff[] = []
  const kind = sniff(bytes)
  const inputs: { standard: 'x12' | 'edifact' | 'json'; version: string; docType: string; control: string; segments?: unknown[]; body?: unknown; partnerId: string; ic?: string; gc?: string; test: boolean }[] = []
  if (kind === 'json') {
    const txs = await deps.sql<{ control_number: string; doc_type: string; version: string; partner_id: string }[]>`
      select control_number, doc_type, version, partner_id from transactions where payload_id = ${messageId} order by created_at, id`
    const body = JSON.parse(bytes.toString('utf8'))
    for (const t of txs) {
      const profile = deps.registry.get(t.partner_id)
      if (!profile) continue
      const parts = deps.mapper.splitJson(profile, t.doc_type, t.version, body)
      const i = txs.indexOf(t)
      inputs.push({ standard: 'json', version: t.version, docType: t.doc_type, control: t.control_number, body: parts[i] ?? parts[0], partnerId: t.partner_id, test: p.test })
    }
  } else if (kind === 'x12' || kind === 'edifact') {
    const result = deps.engines[kind]!.parse(bytes)
    for (const ic of result.interchanges) {
      const profile = kind === 'x12' ? deps.registry.byX12(ic.sender.qualifier, ic.sender.id) : deps.registry.byEdifact(ic.sender.qualifier, ic.sender.id)
      if (!profile) continue
      for (const g of ic.groups)
        for (const t of g.transactions)
          if (t.status !== 'rejected')
            inputs.push({ standard: kind, version: t.version, docType: t.type, control: t.controlNumber, segments: t.segments, partnerId: profile.id, ic: ic.controlNumber, gc: g.controlNumber, test: p.test })
    }
  }
  for (const [i, input] of inputs.entries()) {
    const profile = deps.registry.get(input.partnerId)!
    const before = stored.find((s) => s.control_number === input.control) ?? stored[i]
    const r = deps.mapper.inbound(profile, input, { interchangeControl: input.ic, groupControl: input.gc, transactionControl: input.control, test: input.test })
    if (!r.ok) {
      out.push({ transactionControl: input.control, docType: input.docType, storedDocumentId: before?.id, changes: [], note: `the current maps cannot map it: ${r.reasons.map((x) => x.code).join(', ')}` })
      continue
    }
    if (!before) {
      out.push({ transactionControl: input.control, docType: input.docType, mapAfter: `${r.mapId}@${r.mapHash.slice(0, 12)}`, changes: [], note: 'no stored document to compare with' })
      continue
    }
    // Compare the business content; the map version is reported on its own line.
    const strip = (d: CanonicalDoc) => ({ ...d, provenance: { ...d.provenance, map: undefined } })
    out.push({
      transactionControl: input.control,
      docType: input.docType,
      storedDocumentId: before.id,
      mapBefore: `${before.map_id}@${(before.map_hash ?? '').slice(0, 12)}`,
      mapAfter: `${r.mapId}@${r.mapHash.slice(0, 12)}`,
      changes: diffJson(strip(before.doc), strip(r.doc)),
    })
  }
  return out
}
