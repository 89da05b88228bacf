/**
 * `edi-gateway replay <message-id> [--diff] [--json]`. Without --diff the stored raw message is
 * processed again as a new message (linked to the original); with --diff nothing changes and
 * the field-by-field difference between stored and re-mapped documents is printed.
 */
import { openGateway } from '../app/gateway.ts'
import { UserError } from '../lib/errors.ts'
import { createLogger } from '../lib/log.ts'
import { replayMessage } from '../pipeline/replay.ts'
import { replayDiff } from '../pipeline/replay-diff.ts'
import type { Args } from '../cli.ts'
import { messageOutcome } from './outcome.ts'

export async function replayCommand(a: Args): Promise<number> {
  const id = a.positional[0]
  if (!id) throw new UserError('usage: edi-gateway replay <message-id> [--diff] [--json]')
  const gw = await openGateway({ deliver: false, log: createLogger('error') })
  try {
    if (a.flags.diff) {
      const diffs = await replayDiff(gw.deps, id)
      if (a.flags.json) console.log(JSON.stringify(diffs, null, 2))
      else {
        for (const d of diffs) {
          console.log(`${d.docType} ${d.transactionControl}${d.storedDocumentId ? ` (stored ${d.storedDocumentId})` : ''}`)
          if (d.mapBefore !== d.mapAfter) console.log(`  map: ${d.mapBefore} → ${d.mapAfter}`)
          if (d.note) console.log(`  ${d.note}`)
          if (!d.changes.length && !d.note) console.log('  no field changes')
          for (const c of d.changes) console.log(`  ${c.path}: ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`)
        }
      }
      return diffs.some((d) => d.changes.length) ? 1 : 0
    }
    const newId = await replayMessage(gw.deps, id)
    await gw.worker.drain({ timeoutMs: 120_000 })
    const out = await messageOutcome(gw.db.sql, newId)
    if (a.flags.json) console.log(JSON.stringify({ replayOf: id, ...out }, null, 2))
    else {
      console.log(`replayed ${id} as ${out.messageId}: ${out.status}`)
      for (const e of out.exceptions) console.log(`  exception ${e.id} ${e.code}: ${e.explanation}`)
    }
    return out.exceptions.length ? 1 : 0
  } finally {
    await gw.close()
  }
}
