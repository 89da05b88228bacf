/**
 * `edi-gateway partners certify <partner> <dir> [--json] [--out DIR] [--today=YYYY-MM-DD]`:
 * the certification harness (src/onboarding) over a directory of sample files. Prints the
 * scorecard table (or the JSON report with --json); --out writes certify.json and a
 * self-contained certify.html. Exit 0 when the partner is ready, 1 when not, 2 on bad input.
 * No database is opened: certification has no side effects.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { loadConfig } from '../app/gateway.ts'
import { loadEnv } from '../config/env.ts'
import { UserError } from '../lib/errors.ts'
import { certifyPartner } from '../onboarding/certify.ts'
import { renderHtml } from '../onboarding/html.ts'
import { formatTable } from '../onboarding/scorecard.ts'
import type { Args } from '../cli.ts'

export async function certifyCommand(a: Args): Promise<number> {
  // positional[0] is the `certify` sub-command itself.
  const [, partnerId, dir] = a.positional
  if (!partnerId || !dir) throw new UserError('usage: edi-gateway partners certify <partner> <dir-of-sample-files> [--json] [--out DIR]')
  const today = typeof a.flags.today === 'string' ? a.flags.today : undefined
  if (today && !/^\d{4}-\d{2}-\d{2}$/.test(today)) throw new UserError('--today must be YYYY-MM-DD')
  const { registry, maps } = loadConfig(loadEnv().configDir)
  const report = await certifyPartner({ registry, maps, partnerId, dir: resolve(dir), today })
  if (typeof a.flags.out === 'string') {
    const out = resolve(a.flags.out)
    mkdirSync(out, { recursive: true })
    writeFileSync(join(out, 'certify.json'), `${JSON.stringify(report, null, 2)}\n`)
    writeFileSync(join(out, 'certify.html'), renderHtml(report))
    if (!a.flags.json) console.error(`wrote ${join(out, 'certify.json')} and ${join(out, 'certify.html')}`)
  } else if (a.flags.out === true) throw new UserError('--out needs a directory')
  console.log(a.flags.json ? JSON.stringify(report, null, 2) : formatTable(report))
  return report.ready ? 0 : 1
}
