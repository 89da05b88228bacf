/**
 * What must hold after any number of crashes, once the gateway has restarted and drained:
 *   1. every acknowledged message is stored and fully processed exactly once (one payload per
 *      API idempotency key and per AS2 Message-ID, however often it was resent; one non-duplicate
 *      document per business key, for AS2 made from that very payload; nothing left mid-way);
 *   2. nothing unacknowledged is half-processed (every stored payload reached the same end state);
 *   3. no job is stuck (created/retry/active) except deliveries that cannot succeed in the test;
 *   4. exception and outbox counts add up (every rejected/held row has its exception, every
 *      exception points at an existing row, every ack/delivery at an existing parent).
 * Returns the list of violations (empty = all good) and a few counts for the report.
 */
import type { Q } from '../../src/db/sql.ts'
import type { Ledger, Sent } from './traffic.ts'

export interface Verdict {
  problems: string[]
  counts: Record<string, number>
}

const first = (rows: { n: number }[]) => rows[0].n

export async function verify(q: Q, ledger: Ledger, opts: { stuckAllowedStages?: string[] } = {}): Promise<Verdict> {
  const problems: string[] = []
  const allowed = opts.stuckAllowedStages ?? []
  // 1. acknowledged → stored, finished, exactly once.
  const docs = await q<{ business_key: string; status: string; payload_id: string }[]>`select business_key, status, payload_id from documents`
  const byKey = new Map<string, { status: string; payload_id: string }[]>()
  for (const d of docs) byKey.set(d.business_key, [...(byKey.get(d.business_key) ?? []), d])
  let acked = 0
  for (const s of ledger.sent.values()) {
    const live = (byKey.get(s.businessKey) ?? []).filter((d) => d.status !== 'duplicate')
    if (live.length > 1) problems.push(`${s.via} ${s.id}: ${live.length} documents for ${s.businessKey} (processed twice)`)
    if (s.via === 'as2' && !s.acked) {
      // Unacknowledged AS2 sends may or may not be stored, but never twice under one Message-ID.
      const rows = await q<{ id: string }[]>`select id from payloads where transport = 'as2' and external_id = ${s.as2MessageId!}`
      if (rows.length > 1) problems.push(`as2 ${s.id}: ${rows.length} payload rows for one Message-ID`)
    }
    if (!s.acked) continue
    acked++
    if (s.via === 'api') {
      const rows = await q<{ id: string }[]>`select id from payloads where external_id = ${s.id}`
      if (rows.length !== 1) problems.push(`api ${s.id}: ${rows.length} payload rows for one idempotency key`)
      else if (rows[0].id !== s.messageId) problems.push(`api ${s.id}: acknowledged as ${s.messageId}, stored as ${rows[0].id}`)
    }
    if (s.via === 'as2') await checkAs2(q, s, live, problems)
    if (s.messageId) {
      const [p] = await q<{ status: string }[]>`select status from payloads where id = ${s.messageId}`
      if (!p) problems.push(`${s.via} ${s.id}: acknowledged message ${s.messageId} is not stored`)
    }
    if (live.length !== 1) problems.push(`${s.via} ${s.id}: acknowledged but ${live.length} documents for ${s.businessKey}`)
  }
  // 2. Nothing half-processed, acknowledged or not.
  const stuckPayloads = first(await q<{ n: number }[]>`select count(*)::int as n from payloads where status = 'received'`)
  if (stuckPayloads) problems.push(`${stuckPayloads} payload(s) never parsed`)
  for (const r of await q<{ status: string; c: number }[]>`select status, count(*)::int as c from transactions where status = 'parsed' group by status`) problems.push(`${r.c} transaction(s) left ${r.status}`)
  for (const r of await q<{ status: string; c: number }[]>`select status, count(*)::int as c from documents where status = 'translated' group by status`) problems.push(`${r.c} document(s) left ${r.status} (never matched)`)
  const orphanDocs = await q<{ id: string }[]>`select d.id from documents d left join transactions t on t.id = d.transaction_id where d.transaction_id is not null and t.id is null`
  if (orphanDocs.length) problems.push(`${orphanDocs.length} document(s) without their transaction`)
  const parsedNoRows = await q<{ id: string }[]>`select p.id from payloads p where p.status in ('parsed', 'partially_rejected')
    and not exists (select 1 from transactions t where t.payload_id = p.id)`
  if (parsedNoRows.length) problems.push(`${parsedNoRows.length} parsed payload(s) without transactions`)
  // 3. No job stuck.
  const stuck = await q<{ stage: string; state: string; c: number }[]>`select stage, state, count(*)::int as c from jobs
    where state in ('created', 'retry', 'active') group by stage, state order by stage, state`
  for (const j of stuck) if (!allowed.includes(j.stage)) problems.push(`${j.c} ${j.stage} job(s) stuck ${j.state}`)
  const failedJobs = await q<{ stage: string; c: number }[]>`select stage, count(*)::int as c from jobs where state = 'failed' group by stage`
  const stageFailed = await q<{ c: number }[]>`select count(*)::int as c from exceptions where code = 'stage_failed'`
  // 4. Counts add up: every dead-lettered job has its exception; rejected rows have theirs.
  const dead = failedJobs.reduce((a, j) => a + j.c, 0)
  if (dead !== stageFailed[0].c) problems.push(`${dead} failed job(s) but ${stageFailed[0].c} stage_failed exception(s)`)
  for (const j of failedJobs) if (!allowed.includes(j.stage)) problems.push(`${j.c} ${j.stage} job(s) dead-lettered`)
  const rejectedNoReason = await q<{ id: string }[]>`select p.id from payloads p where p.status in ('rejected', 'duplicate', 'partially_rejected')
    and not exists (select 1 from exceptions e where e.payload_id = p.id)`
  if (rejectedNoReason.length) problems.push(`${rejectedNoReason.length} rejected payload(s) without an exception`)
  const heldNoReason = await q<{ id: string }[]>`select d.id from documents d where d.status = 'held'
    and not exists (select 1 from exceptions e where e.document_id = d.id and e.state in ('open', 'assigned'))`
  if (heldNoReason.length) problems.push(`${heldNoReason.length} held document(s) without an open exception`)
  const danglingEx = await q<{ id: string }[]>`select e.id from exceptions e where e.payload_id is not null
    and not exists (select 1 from payloads p where p.id = e.payload_id)`
  if (danglingEx.length) problems.push(`${danglingEx.length} exception(s) pointing at no payload`)
  const dupExceptions = await q<{ k: string; c: number }[]>`select dedupe_key as k, count(*)::int as c from exceptions group by dedupe_key having count(*) > 1`
  if (dupExceptions.length) problems.push(`${dupExceptions.length} exception dedupe key(s) opened twice`)
  const danglingDeliveries = await q<{ id: string }[]>`select d.id from deliveries d where d.parent_table = 'interchanges'
    and not exists (select 1 from interchanges i where i.id = d.parent_id)`
  if (danglingDeliveries.length) problems.push(`${danglingDeliveries.length} ack(s) without their interchange`)
  // `queued` between retries of the deliver stage too (AS2 and API pull wait on others once queued).
  const deliverJobs = await q<{ id: string }[]>`select d.id from deliveries d
    where (d.status = 'pending' or (d.status = 'queued' and d.destination not in ('as2', 'api')))
    and not exists (select 1 from jobs j where j.stage = 'deliver' and j.payload->>'deliveryId' = d.id)`
  if (deliverJobs.length) problems.push(`${deliverJobs.length} pending/queued deliveries without a deliver job (outbox lost)`)
  for (const b of ledger.badMdns) problems.push(`as2 MDN failed verify-mdn.sh: ${b}`)
  const by = (via: string) => [...ledger.sent.values()].filter((s) => s.via === via && s.acked).length
  const as2 = [...ledger.sent.values()].filter((s) => s.via === 'as2')
  const counts = {
    sent: ledger.sent.size,
    acked,
    ackedApi: by('api'),
    ackedSftp: by('sftp'),
    ackedIngest: by('ingest'),
    ackedAs2: by('as2'),
    as2Attempts: as2.reduce((a, s) => a + s.attempts, 0),
    // Acknowledged on a resend although an earlier attempt had already stored it (MDN lost to a kill).
    as2StoredBeforeAck: as2Stored(await q<{ external_id: string; received_at: Date }[]>`select external_id, received_at from payloads where transport = 'as2'`, as2),
    sendFailures: ledger.failures,
    payloads: first(await q<{ n: number }[]>`select count(*)::int as n from payloads`),
    documents: docs.length,
    duplicates: docs.filter((d) => d.status === 'duplicate').length,
    exceptions: first(await q<{ n: number }[]>`select count(*)::int as n from exceptions`),
    deliveries: first(await q<{ n: number }[]>`select count(*)::int as n from deliveries`),
    jobs: first(await q<{ n: number }[]>`select count(*)::int as n from jobs`),
  }
  return { problems, counts }
}

/**
 * An acknowledged AS2 message: exactly one payload row under its Message-ID (transport as2, the
 * X12 supplier's), and the one live document for its business key was made from that payload.
 */
async function checkAs2(q: Q, s: Sent, live: { payload_id: string }[], problems: string[]): Promise<void> {
  const rows = await q<{ id: string; partner_id: string | null }[]>`select id, partner_id from payloads where transport = 'as2' and external_id = ${s.as2MessageId!}`
  if (rows.length !== 1) {
    problems.push(`as2 ${s.id}: acknowledged (verified MDN) but ${rows.length} payload rows for Message-ID ${s.as2MessageId}`)
    return
  }
  if (rows[0].partner_id !== 'demo-x12-supplier') problems.push(`as2 ${s.id}: stored for partner ${rows[0].partner_id}`)
  if (live.length === 1 && live[0].payload_id !== rows[0].id) problems.push(`as2 ${s.id}: document made from payload ${live[0].payload_id}, not from ${rows[0].id}`)
}

/** How many acknowledged AS2 messages were stored before the attempt that first got a verified MDN started. */
function as2Stored(rows: { external_id: string; received_at: Date }[], sent: Sent[]): number {
  const at = new Map(rows.map((r) => [r.external_id, new Date(r.received_at).getTime()]))
  return sent.filter((s) => s.acked && s.attempts > 1 && s.ackAttemptAt && (at.get(s.as2MessageId!) ?? Infinity) < s.ackAttemptAt.getTime()).length
}
