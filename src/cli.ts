/**
 * `edi-gateway <command>`: the command line. User mistakes are one clear line and a non-zero
 * exit code (2), never a stack trace; defects still print their stack.
 *
 *   serve                                start the gateway (default for npm start)
 *   ingest <file> [--partner ID] [--json]    run a file through the pipeline and print the outcome
 *   parse <file> [--json | --summary]    show what we read; stores nothing
 *   partners validate | list [--json] | schema
 *   erp import <file>                    open purchase orders from CSV or JSON
 *   messages show <id> [--json]          lineage and status of a message
 *   exceptions list [--json] [--state S] [--queue Q]
 */
import { GatewayError, UserError } from './lib/errors.ts'

export interface Args {
  positional: string[]
  flags: Record<string, string | true>
}

export function parseArgs(argv: string[]): Args {
  const positional: string[] = []
  const flags: Record<string, string | true> = {}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a.startsWith('--')) {
      const [k, v] = a.slice(2).split('=', 2)
      if (v !== undefined) flags[k] = v
      else if (['partner', 'state', 'queue', 'out', 'format', 'limit'].includes(k) && argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) flags[k] = argv[++i]
      else flags[k] = true
    } else positional.push(a)
  }
  return { positional, flags }
}

const USAGE = `usage: edi-gateway <command>
  serve                                      start the gateway (HTTP, AS2, SFTP, workers)
  ingest <file> [--partner ID] [--json]      run a file through the pipeline; print the outcome
  parse <file> [--json | --summary]          show envelopes, transactions, issues and acks; stores nothing
  partners validate | list [--json] | schema check profiles and maps / list partners / write JSON schemas
  partners certify <partner> <dir> [--json] [--out DIR]   certify a new partner's samples (no side effects)
  replay <message-id> [--diff]               re-run a stored message through the current maps
  erp import <file>                          import open purchase orders (CSV or JSON)
  messages show <id> [--json]                lineage and status of a message
  exceptions list [--json] [--state S] [--queue Q]`

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv)
  const [cmd = 'serve', ...rest] = args.positional
  const a: Args = { positional: rest, flags: args.flags }
  try {
    switch (cmd) {
      case 'serve':
        return await (await import('./main.ts')).serve()
      case 'ingest':
        return await (await import('./cli/ingest.ts')).ingestCommand(a)
      case 'parse':
        return await (await import('./cli/parse.ts')).parseCommand(a)
      case 'partners':
        return await (await import('./cli/partners.ts')).partnersCommand(a)
      case 'erp':
        return await (await import('./cli/ops.ts')).erpCommand(a)
      case 'messages':
        return await (await import('./cli/ops.ts')).messagesCommand(a)
      case 'exceptions':
        return await (await import('./cli/ops.ts')).exceptionsCommand(a)
      case 'replay':
        return await (await import('./cli/replay.ts')).replayCommand(a)
      case 'help':
      case '--help':
        console.log(USAGE)
        return 0
      default:
        throw new UserError(`unknown command "${cmd}"\n${USAGE}`)
    }
  } catch (err) {
    if (err instanceof UserError) {
      console.error(`edi-gateway: ${err.message}`)
      return err.exitCode
    }
    if (err instanceof GatewayError && (err.code === 'db_unreachable' || err.code === 'db_locked')) {
      console.error(`edi-gateway: ${err.message}`)
      return 2
    }
    console.error(err)
    return 1
  }
}
