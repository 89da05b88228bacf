/**
 * Crash safety on PostgreSQL (issue 10): ≥50 kill -9s of a real `edi-gateway serve` under API,
 * SFTP, AS2 (the OpenSSL peer of ../shared/as2-peer; skipped with a note when it, bash, openssl or
 * curl is missing) and CLI-ingest traffic, then the invariants of test/reliability/invariants.ts. Uses
 * DATABASE_URL, else the local PostgreSQL every machine of the project runs (INFRA.md); skips
 * with a message when none answers. Longer runs: scripts/soak.ts.
 */
import { describe, expect, it } from 'vitest'
import { postgresReachable, postgresUrl } from '../helpers/postgres.ts'
import { runCrashHarness } from '../reliability/crash-harness.ts'

const url = postgresUrl
const reachable = await postgresReachable('crash-pg')

describe.skipIf(!reachable)('crash safety on PostgreSQL', () => {
  it(`survives ${process.env.CRASH_KILLS ?? 50} kill -9s: acknowledged = stored once and processed, nothing half-done, nothing stuck`, { timeout: 900_000 }, async () => {
    const r = await runCrashHarness({ kills: Number(process.env.CRASH_KILLS ?? 50), databaseUrl: url, seed: 50, log: (l) => process.env.CRASH_VERBOSE && console.log(l) })
    console.log(`crash-pg: ${r.kills} kills (${r.killedBeforeReady} during start-up) in ${r.seconds.toFixed(0)} s; ${JSON.stringify(r.counts)}\n  ${r.notes.join('\n  ')}`)
    expect(r.problems).toEqual([])
    expect(r.counts.acked).toBeGreaterThan(r.kills)
    expect(r.counts.documents).toBeGreaterThanOrEqual(r.counts.acked)
    if (r.as2) expect(r.counts.ackedAs2).toBeGreaterThan(0)
  })
})
