/**
 * `edi-gateway <command>`: the command line. User mistakes are one clear line and a non-zero
 * exit code (2), never a stack trace; defects still print their stack.
 *
 *   serve                                start the gateway (default for npm start)
 *   ingest <file> [--partner ID] [--json]    run a file through the pipeline and print the outcome
 *   parse <file> [--json | --summary]    show what we read; stores nothing
 *   partners validate | list [--json] | schema | new <id> | certify <partner> <dir>
 *   help [command]                       usage; --help / -h after any command: its usage (starts nothing)
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
      else if (['partner', 'state', 'queue', 'out', 'format', 'limit', 'name', 'kind', 'standard', 'version', 'in', 'transports', 'x12-id', 'edifact-id', 'as2-id', 'as2-cert'].includes(k) && argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) flags[k] = argv[++i]
      else flags[k] = true
    } else positional.push(a)
  }
  return { positional, flags }
}

/** One line per command for the whole-CLI usage; the order is the order printed. */
const SUMMARY: [string, string][] = [
  ['serve', 'start the gateway (HTTP, AS2, SFTP, workers)'],
  ['ingest <file> [--partner ID] [--json]', 'run a file through the pipeline; print the outcome'],
  ['parse <file> [--json | --summary]', 'show envelopes, transactions, issues and acks; stores nothing'],
  ['partners validate | list | schema | new | certify', 'check, list, scaffold and certify partners'],
  ['replay <message-id> [--diff]', 're-run a stored message through the current maps'],
  ['erp import <file>', 'import open purchase orders (CSV or JSON)'],
  ['messages show <id> [--json]', 'lineage and status of a message'],
  ['exceptions list [--json] [--state S] [--queue Q]', 'the exception queue'],
  ['help [command]', 'this text, or the usage of one command'],
]

const USAGE = `usage: edi-gateway <command>   (edi-gateway help <command>, or <command> --help, for its options)
${SUMMARY.map(([c, d]) => `  ${c.padEnd(50)} ${d}`).join('\n')}`

/** Usage of each command (and of the partners sub-commands), printed by `--help`, `-h`, `help <command>`. */
export const COMMAND_USAGE: Record<string, string> = {
  serve: `usage: edi-gateway serve [--demo]
  --demo   also set every demo secret the demo partners use (npm run demo; values in the
           environment win): OPERATOR_TOKEN=ops-demo-token-change-me-0001 DEMO_3PL_API_KEY=3pl-demo-key
           DEMO_EDIFACT_API_KEY=edifact-demo-key DEMO_JSON_SUPPLIER_API_KEY=json-demo-key
           DEMO_SFTP_PASSWORD=sftp-demo. Never on a gateway real partners reach.
  Starts the gateway: HTTP (console /, API /api/v1, AS2 /as2, docs /docs, /healthz) on PORT,
  hosted SFTP on SFTP_PORT, the pipeline workers and the SFTP pollers. Configured by environment
  (README "Configuration"): DATABASE_URL (unset: embedded database in DATA_DIR), DATA_DIR,
  CONFIG_DIR, PORT, HOST, SFTP_PORT, SFTP=off, OPERATOR_TOKEN, DEMO_SEED=off ...
  Exit 2 when it cannot start (port in use, invalid configuration, database locked).`,
  ingest: `usage: edi-gateway ingest <file> [--partner ID] [--json]
  Runs one file through the pipeline (receive, parse, translate, match) on the gateway's database
  and prints the outcome. Deliveries stay queued for the running gateway.
  --partner ID   the sender, when the file does not say (JSON)
  --json         the outcome as JSON
  Exit 0 processed, 1 an exception was opened, 2 bad input.`,
  parse: `usage: edi-gateway parse <file> [--json | --summary]
  Shows what we read (envelopes, transactions, issues) and the 997/999/CONTRL we would send.
  Stores nothing and opens no database.
  --json      machine-readable
  --summary   counts only (fast, for large files)
  Exit 0 all accepted, 1 anything has issues, 2 not readable as EDI.`,
  partners: `usage: edi-gateway partners <validate | list | schema | new | certify>
  validate                     check every profile, map, certificate and fixture (line:column per error)
  list [--json]                the partners, their status and transports
  schema                       write partners/_schema.json and maps/_schema.json for editors
  new <id> [options]           scaffold partners/<id>.yaml (edi-gateway partners new --help)
  certify <partner> <dir>      run a partner's samples with no side effects (edi-gateway partners certify --help)`,
  'partners validate': `usage: edi-gateway partners validate
  Loads every partners/*.yaml and maps/**/*.yaml under CONFIG_DIR and prints each problem as
  file:line:column: key path: message. A live partner needs fixtures (expected JSON) for what it
  sends us; a testing partner does not. Exit 0 ok, 1 onboarding incomplete, 2 invalid files.`,
  'partners list': `usage: edi-gateway partners list [--json]
  The partners under CONFIG_DIR/partners with status and transports.`,
  'partners schema': `usage: edi-gateway partners schema
  Writes partners/_schema.json and maps/_schema.json (JSON Schema for editors) from the code.`,
  'partners new': `usage: edi-gateway partners new <id> [options]
  Scaffolds partners/<id>.yaml (status: testing) and prints the next steps. Non-interactive.
  --name NAME              display name (default: the id)
  --kind K                 supplier | customer | 3pl | warehouse (default supplier)
  --standard S             x12 | edifact | json (default x12)
  --version V              004010 | 005010 | D96A | D01B | v1 (default per standard)
  --in LIST                document types they send us, comma separated (e.g. 855,856,810)
  --out LIST               document types we send them (e.g. 850)
  --transports LIST        as2, sftp (hosted mailbox), api; comma separated (default: as2 for EDI, api for JSON)
  --x12-id QUAL:ID         their ISA sender (e.g. ZZ:ACMESUPPLY); --edifact-id [QUAL:]ID for UNB
  --as2-id ID              their AS2 id
  --as2-cert FILE          their public AS2 certificate (PEM), copied to certs/<id>/as2.pem
  --force                  overwrite an existing profile
  Exit 0 written, 2 bad input (nothing is written then).`,
  'partners certify': `usage: edi-gateway partners certify <partner> <dir> [--json] [--out DIR] [--today=YYYY-MM-DD]
                                   [--write-fixtures [--confirm]]
  Runs the files the partner sends us (the documents its profile marks inbound) with no side
  effects, plus generated negative cases, and prints a scorecard. Other files in <dir> (outbound
  fixtures, expected JSON, erp.csv / erp.json) are not samples.
  --json              the report as JSON
  --out DIR           also write certify.json and certify.html
  --write-fixtures    write fixtures/<partner>/<sample> and <sample>.expected.json (the canonical
                      document we read) for each sample that passed, after a human confirms:
  --confirm           confirm without a prompt (otherwise a y/N prompt when stdin is a terminal)
  Exit 0 ready, 1 not ready, 2 bad input.`,
  replay: `usage: edi-gateway replay <message-id> [--diff] [--json]
  Re-runs a stored message through the current maps as a new message; --diff changes nothing and
  prints the field-by-field difference instead.`,
  erp: `usage: edi-gateway erp import <file.csv|file.json>
  Imports open purchase orders (one row per PO line; CSV columns po_number,line,supplier,buyer_part,...,
  JSON fields poNumber,line,supplier,buyerPart,...), re-matches held documents and queues 850/ORDERS
  to EDI suppliers.`,
  messages: `usage: edi-gateway messages show <message-id> [--json]
  Lineage of a message: raw, interchanges, transactions, documents, deliveries, exceptions.`,
  exceptions: `usage: edi-gateway exceptions list [--json] [--state S] [--queue Q]
  The exception queue (open by default).`,
  help: `usage: edi-gateway help [command]
  The usage of the whole CLI, or of one command (also: edi-gateway <command> --help).`,
}

const isHelpFlag = (a: string) => a === '--help' || a === '-h'

/**
 * Usage for a help request, or undefined when argv asks for none. `help [cmd [sub]]`,
 * `--help`/`-h` anywhere: the usage of the most specific command named before it.
 */
export function helpFor(argv: string[]): { text: string } | { unknown: string } | undefined {
  const words = argv.filter((a) => !a.startsWith('-'))
  const asked = argv.some(isHelpFlag)
  if (words[0] !== 'help' && !asked) return undefined
  const named = words[0] === 'help' ? words.slice(1) : words
  if (!named.length) return { text: USAGE }
  if (!(named[0] in COMMAND_USAGE)) return { unknown: named[0] }
  const sub = named.length > 1 ? `${named[0]} ${named[1]}` : undefined
  return { text: (sub && COMMAND_USAGE[sub]) || COMMAND_USAGE[named[0]] }
}

export async function main(argv: string[]): Promise<number> {
  // Help first: it must never start anything (no server, no database, no data directory).
  const help = helpFor(argv)
  if (help && 'text' in help) {
    console.log(help.text)
    return 0
  }
  if (help) {
    console.error(`edi-gateway: unknown command "${help.unknown}" (edi-gateway --help lists the commands)`)
    return 2
  }
  const args = parseArgs(argv)
  const [cmd = 'serve', ...rest] = args.positional
  const a: Args = { positional: rest, flags: args.flags }
  try {
    switch (cmd) {
      case 'serve':
        return await (await import('./main.ts')).serve({ demo: a.flags.demo === true })
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
      default:
        throw new UserError(`unknown command "${cmd}" (edi-gateway --help lists the commands)`)
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
