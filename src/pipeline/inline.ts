/**
 * Translate and match in the parse stage's own transaction. A set the parse stage stores is
 * handed here with its segments still in memory; `flush` maps and matches what was handed in,
 * set-based (translateRows, matchRows), instead of a translate and a match job per set: no job
 * rows to insert, claim and complete, nothing read back. The parse job's transaction commits the
 * payload's sets, documents and match outcomes together.
 *
 * The translate and match stages (jobs) stay for everything else: re-matching when a PO arrives,
 * replays, and this path's fallback. A defect in a map or a rule must not cost the other sets of
 * the file, so flush runs in a savepoint; if it throws, the savepoint is rolled back and each of
 * its sets gets a translate job, exactly as before (retried alone, dead-lettered alone).
 */
import { enqueueMany } from '../db/jobs.ts'
import { insertTransactions, type TransactionInsert } from '../db/lineage.ts'
import type { Q, Tx } from '../db/sql.ts'
import { serializeError } from '../lib/errors.ts'
import type { PipelineDeps } from './deps.ts'
import { matchRows } from './match.ts'
import { CopyStoredMeanwhile, recordCopies, translateRows, type TxOutcomes, type TxRow } from './translate.ts'

export interface SetSink {
  /**
   * A set to translate and match: its transaction row, not yet stored, and its interchange's
   * control number and test flag (null for JSON). Translate takes the set from memory; the rows
   * are inserted together (one statement) at the flush, after matching, with their outcome.
   */
  add(tx: NewTransaction, ic: { control: string; test: boolean } | null): void
  readonly size: number
  flush(): Promise<void>
}

/**
 * Sets held before a flush is due (bounds memory: their segments, documents and match results
 * are held until it): a large file is translated and matched every this many sets, not per chunk.
 */
export const SINK_MAX_SETS = 100

export type NewTransaction = TransactionInsert & { id: string; partnerId: string; standard: TxRow['standard'] }

/** The row translate reads, from the row being stored. */
function txRowOf(t: NewTransaction, ic: { control: string; test: boolean } | null): TxRow {
  return {
    id: t.id, payload_id: t.payloadId, interchange_id: t.interchangeId, partner_id: t.partnerId, standard: t.standard,
    doc_type: t.docType, version: t.version, group_control: t.groupControl ?? null, control_number: t.controlNumber,
    status: t.status, segments: (t.segments as unknown[] | undefined) ?? null, body: t.body ?? null,
    ic_control: ic?.control ?? null, ic_test: ic?.test ?? null,
  }
}

/** `match: false`: translate only (the documents wait for their match jobs; tests). */
export function inlineSink(deps: PipelineDeps, q: Q, opts: { match?: boolean } = {}): SetSink {
  // A defect, not a partner's problem: the pass needs a savepoint, and its documents precede
  // their transaction rows (checked at commit), which only a transaction allows.
  if (typeof (q as Partial<Tx>).savepoint !== 'function') throw new Error('inlineSink needs a transaction handle')
  let rows: TxRow[] = []
  let stores: NewTransaction[] = []
  return {
    add: (tx, ic) => {
      rows.push(txRowOf(tx, ic))
      stores.push(tx)
    },
    get size() {
      return rows.length
    },
    async flush() {
      const stored = stores
      const taken = rows
      stores = []
      rows = []
      if (stored.length === 0) return
      // Translated and matched first, the transaction rows stored after, each once with its final
      // status (the documents' foreign key to them is checked at commit, migration 0920). Without
      // their segments (or JSON bodies): translate took those from memory, and storing them cost
      // more than the set's document (about 3 KB of JSON per 856 set, every value crossing JSON
      // twice). A held set keeps them, and so does every set of a pass that fails.
      const outcomes: TxOutcomes = new Map()
      // Each document is stored once, by match, with its outcome (translate only maps it and
      // looks its copies up): an insert and then an update rewrote the row and every index entry.
      const run = async (t: Q) => {
        const match = opts.match !== false
        const { fresh, copies } = await translateRows(deps, t, taken, { queueMatch: false, outcomes, unstored: match })
        if (!match) return
        await matchRows(deps, t, fresh, { outcomes })
        await recordCopies(t, copies, outcomes)
      }
      try {
        await (q as Tx).savepoint((sp) => run(sp as unknown as Q))
      } catch (err) {
        // A copy stored meanwhile by another transaction is a race the jobs settle, not a defect.
        if (err instanceof CopyStoredMeanwhile) deps.log.info('a copy of a document was stored meanwhile; the sets go to translate jobs', { sets: taken.length })
        else deps.log.warn('inline translate/match failed; the sets go to translate jobs', { sets: taken.length, error: serializeError(err).message })
        await insertTransactions(q, stored)
        await enqueueMany(q, 'translate', taken.map((t) => ({
          payload: { messageId: t.payload_id, transactionId: t.id, partnerId: t.partner_id }, dedupeKey: `translate:${t.id}`,
        })))
        deps.wake()
        return
      }
      await insertTransactions(q, stored.map((t) => {
        const o = outcomes.get(t.id)
        return { ...t, status: o?.status ?? t.status, segments: o?.keepContent ? t.segments : undefined, body: o?.keepContent ? t.body : undefined }
      }))
    },
  }
}
