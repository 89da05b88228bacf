/**
 * An invoice that only its ASN would clear waits for the other files of its partner that are
 * still being parsed, instead of being held as invoiced over shipped (README, "An invoice waits
 * for its partner's other files"): what qualifies, the look-up of unparsed files, and the
 * recheck that holds it once they are parsed. The match stage (match.ts) decides with these.
 */
import type { CanonicalDoc } from '../canonical/index.ts'
import type { Q } from '../db/sql.ts'
import { holds, type MatchResult } from '../matching/result.ts'
import type { DocRow } from './match.ts'

/** What an ASN not seen yet explains: an invoice held for these alone may be waiting for it. */
const AWAITS_SHIPMENT = new Set(['invoice_qty_over_shipped'])

/** An invoice held only for what an ASN not seen yet would clear. */
export function waitsForShipment(kind: CanonicalDoc['kind'], result: MatchResult): boolean {
  if (kind !== 'invoice') return false
  const holding = result.reasons.filter(holds)
  return holding.length > 0 && holding.every((h) => AWAITS_SHIPMENT.has(h.code))
}

/**
 * How long an invoice waits for the other files of its partner (until WAIT_BEHIND_MS after it
 * was received), and how often it looks again (WAIT_RECHECK_MS) when no ASN it waits for comes.
 */
export const WAIT_BEHIND_MS = 15 * 60_000
export const WAIT_RECHECK_MS = 30_000

/**
 * The payloads (of those given) whose partner has another payload not parsed yet, received at
 * most WAIT_BEHIND_MS before it or any time after, while less than WAIT_BEHIND_MS have passed
 * since it arrived. A supplier's ASN file and invoice file picked up together (one SFTP poll,
 * which takes files in name order, so `810…` before `856…`; a backlog after an outage) are
 * parsed side by side; the invoice's transaction cannot see the ASN until it commits, and
 * without this it was held as invoiced over shipped, with an exception and an `invoice_held`
 * event, to be matched again a moment later. A payload whose partner is not known at receipt
 * (a CLI ingest without --partner) neither waits nor is waited for, and neither is a payload
 * whose parse was dead-lettered (it stays `received`, but no parse of it will come): only one
 * with a parse job queued, retrying or running counts. One probe of payloads_unparsed_idx
 * (migration 0940) per payload, and of jobs_dedupe_uq per unparsed payload it finds.
 */
export async function payloadsBehind(q: Q, payloadIds: readonly string[]): Promise<Set<string>> {
  if (payloadIds.length === 0) return new Set()
  const rows = await q<{ id: string }[]>`select me.id from payloads me
    where me.id = any(${[...new Set(payloadIds)]}::text[])
      and me.partner_id is not null
      and now() < me.received_at + ${`${WAIT_BEHIND_MS} milliseconds`}::interval
      and exists (select 1 from payloads p
        where p.partner_id = me.partner_id and p.status = 'received' and p.id <> me.id
          and p.received_at >= me.received_at - ${`${WAIT_BEHIND_MS} milliseconds`}::interval
          and exists (select 1 from jobs j where j.dedupe_key = 'parse:' || p.id and j.state in ('created', 'retry', 'active')))`
  return new Set(rows.map((r) => r.id))
}

/**
 * A match job for each waiting invoice, due in WAIT_RECHECK_MS: it waits again while another
 * file of the partner is still unparsed (until WAIT_BEHIND_MS after the invoice arrived), else
 * it is matched as usual. At most one recheck per invoice is pending: its key alternates between
 * `match-recheck:<id>:0` and `:1`, so the recheck that waits again (its own job still active,
 * holding one key) queues the next under the other, and no recheck is queued while one is
 * pending (a re-match by the ASN, a PO update or the console while the invoice waits). The
 * ASN's own re-match (`match:<id>`) is another key, never held back by a recheck.
 */
export function recheckLater(q: Q, rows: readonly DocRow[]): Promise<unknown> {
  return q`insert into jobs (stage, payload, run_after, dedupe_key)
    select 'match', jsonb_build_object('messageId', v.payload_id, 'documentId', v.id, 'partnerId', v.partner_id),
      now() + ${`${WAIT_RECHECK_MS} milliseconds`}::interval,
      case when exists (select 1 from jobs j where j.dedupe_key = 'match-recheck:' || v.id || ':0' and j.state in ('created', 'retry', 'active'))
        then 'match-recheck:' || v.id || ':1' else 'match-recheck:' || v.id || ':0' end
    from unnest(${rows.map((r) => r.id)}::text[], ${rows.map((r) => r.payload_id)}::text[], ${rows.map((r) => r.partner_id)}::text[]) as v(id, payload_id, partner_id)
    where not exists (select 1 from jobs j
      where j.dedupe_key in ('match-recheck:' || v.id || ':0', 'match-recheck:' || v.id || ':1') and j.state in ('created', 'retry'))
    on conflict (dedupe_key) where dedupe_key is not null and state in ('created', 'retry', 'active') do nothing`.execute()
}
