/**
 * `npm run soak`: the long crash-safety run (test/reliability/crash-harness.ts) outside vitest.
 *   node bin/run-ts.js scripts/soak.ts [--kills 500] [--embedded-kills 50] [--seed N]
 * PostgreSQL from DATABASE_URL (else the local one); the embedded run follows. Traffic: API, SFTP,
 * AS2 from the OpenSSL peer (../shared/as2-peer, or SHARED_DIR; skipped with a note when missing)
 * and, on PostgreSQL, CLI ingests. Exit 1 on any violated invariant, with the list.
 */
import { runCrashHarness } from '../test/reliability/crash-harness.ts'

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : def
}
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const seed = arg('seed', Date.now() % 1_000_000)
let failed = false
for (const [name, kills, databaseUrl] of [['postgres', arg('kills', 500), url], ['embedded', arg('embedded-kills', 50), undefined]] as const) {
  if (kills <= 0) continue
  console.log(`soak ${name}: ${kills} kills, seed ${seed}`)
  const r = await runCrashHarness({ kills, databaseUrl, seed, window: databaseUrl ? [150, 3000] : [1500, 6000], log: (l) => console.log(`  ${l}`) })
  console.log(`soak ${name}: ${r.seconds.toFixed(0)} s, AS2 ${r.as2 ? 'on' : 'off'}, ${JSON.stringify(r.counts)}`)
  for (const n of r.notes) console.log(`  note: ${n}`)
  for (const p of r.problems) console.log(`  VIOLATION: ${p}`)
  failed ||= r.problems.length > 0
}
process.exit(failed ? 1 : 0)
