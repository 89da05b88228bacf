/**
 * `edi-gateway partners certify <partner> <dir> [--json] [--out DIR] [--today=YYYY-MM-DD]`:
 * the certification harness (src/onboarding) over a directory of sample files. Prints the
 * scorecard table (or the JSON report with --json); --out writes certify.json and a
 * self-contained certify.html. Exit 0 when the partner is ready, 1 when not, 2 on bad input.
 * No database is opened: certification has no side effects.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline/promises'
import { ENGINES } from '../app/engines.ts'
import { loadConfig } from '../app/gateway.ts'
import { loadEnv } from '../config/env.ts'
import { UserError } from '../lib/errors.ts'
import { certifyPartner } from '../onboarding/certify.ts'
import { planFixtures, type FixturePlan } from '../onboarding/fixtures.ts'
import { renderHtml } from '../onboarding/html.ts'
import { formatTable } from '../onboarding/scorecard.ts'
import type { Args } from '../cli.ts'

export async function certifyCommand(a: Args): Promise<number> {
  // positional[0] is the `certify` sub-command itself.
  const [, partnerId, dir] = a.positional
  if (!partnerId || !dir) throw new UserError('usage: edi-gateway partners certify <partner> <dir-of-sample-files> [--json] [--out DIR]')
  const today = typeof a.flags.today === 'string' ? a.flags.today : undefined
  if (today && !/^\d{4}-\d{2}-\d{2}$/.test(today)) throw new UserError('--today must be YYYY-MM-DD')
  const writeFixtures = a.flags['write-fixtures'] === true
  // Fixtures become the golden truth for this partner's maps: a person confirms before they are
  // written, by flag or at a prompt. Without a terminal to ask on, say so before doing any work.
  if (writeFixtures && a.flags.confirm !== true && !process.stdin.isTTY) {
    throw new UserError('--write-fixtures writes only after a person confirms: add --confirm, or run it in a terminal to answer the prompt')
  }
  const configDir = loadEnv().configDir
  const { registry, maps } = loadConfig(configDir)
  const report = await certifyPartner({ registry, maps, partnerId, dir: resolve(dir), today })
  if (typeof a.flags.out === 'string') {
    const out = resolve(a.flags.out)
    mkdirSync(out, { recursive: true })
    writeFileSync(join(out, 'certify.json'), `${JSON.stringify(report, null, 2)}\n`)
    writeFileSync(join(out, 'certify.html'), renderHtml(report))
    if (!a.flags.json) console.error(`wrote ${join(out, 'certify.json')} and ${join(out, 'certify.html')}`)
  } else if (a.flags.out === true) throw new UserError('--out needs a directory')
  console.log(a.flags.json ? JSON.stringify(report, null, 2) : formatTable(report))
  if (writeFixtures) {
    const profile = registry.get(partnerId)!
    const passed = report.samples.filter((s) => s.ok).map((s) => s.file)
    const plans = planFixtures({ root: configDir, profile, maps, engines: ENGINES, dir: resolve(dir), passed })
    const written = await writePlanned(configDir, plans, report.samples.length - passed.length, a.flags.confirm === true)
    if (written === undefined) return 1
  }
  return report.ready ? 0 : 1
}

/** Lists what would be written, asks (unless confirmed), writes. undefined when the person said no. */
async function writePlanned(root: string, plans: FixturePlan[], failed: number, confirmed: boolean): Promise<number | undefined> {
  const say = (line: string) => console.error(line)
  say('')
  say('fixtures (golden expected JSON from these samples, for the map tests):')
  const todo = plans.flatMap((p) => p.files.filter((f) => f.exists === 'no'))
  for (const p of plans) {
    if (p.skipped) say(`  ${p.sample}: none (${p.skipped})`)
    for (const f of p.files) say(`  ${f.path}${f.exists === 'same' ? ' (already there, same content)' : f.exists === 'different' ? ' (already there with other content: left alone)' : ''}`)
  }
  if (failed) say(`  (${failed} sample(s) that failed certification get no fixture)`)
  if (!todo.length) {
    say('nothing to write')
    return 0
  }
  if (!confirmed) {
    const rl = createInterface({ input: process.stdin, output: process.stderr })
    const answer = await rl.question(`Write ${todo.length} file(s)? Check the canonical JSON above is what the partner meant. [y/N] `)
    rl.close()
    if (!/^y(es)?$/i.test(answer.trim())) {
      say('nothing written')
      return undefined
    }
  }
  for (const f of todo) {
    mkdirSync(dirname(join(root, f.path)), { recursive: true })
    writeFileSync(join(root, f.path), f.text, 'latin1')
  }
  say(`wrote ${todo.length} file(s)`)
  return todo.length
}
