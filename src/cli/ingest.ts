/**
 * `edi-gateway ingest <file> [--partner ID] [--json]`: the file goes through exactly the pipeline
 * a transport would use (receive → parse → translate → match → deliver) and the outcome is
 * printed once the pipeline has finished with it.
 */
import { basename } from 'node:path'
import { openGateway } from '../app/gateway.ts'
import { UserError } from '../lib/errors.ts'
import type { Args } from '../cli.ts'
import { readInput } from './io.ts'
import { messageOutcome } from './outcome.ts'

export async function ingestCommand(a: Args): Promise<number> {
  const file = a.positional[0]
  const bytes = readInput(file)
  const flag = a.flags.partner
  if (flag === true) throw new UserError('--partner needs a partner id')
  const partner = flag || undefined
  const gw = await openGateway({ deliver: false, log: (await import('../lib/log.ts')).createLogger(process.env.LOG_LEVEL === 'debug' ? 'debug' : 'error') })
  try {
    if (partner && !gw.registry.get(partner)) {
      throw new UserError(`unknown partner "${partner}" (known: ${[...gw.registry.partners.keys()].join(', ') || 'none'})`)
    }
    const receipt = await gw.receive({ transport: 'cli', partnerId: partner, filename: basename(file!), body: bytes })
    await gw.worker.drain({ timeoutMs: 120_000 })
    const out = await messageOutcome(gw.db.sql, receipt.messageId)
    if (a.flags.json) console.log(JSON.stringify(out, null, 2))
    else {
      console.log(`message ${out.messageId}: ${out.status}`)
      for (const d of out.documents) console.log(`  ${d.kind} ${d.id}: ${d.status}`)
      for (const e of out.exceptions) console.log(`  exception ${e.id} ${e.code}: ${e.explanation}`)
    }
    return out.exceptions.length ? 1 : 0
  } finally {
    await gw.close()
  }
}
