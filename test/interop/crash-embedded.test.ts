/**
 * Crash safety on the embedded PGlite default (issue 10): fewer kill -9s than on PostgreSQL
 * (each start opens the database and replays its WAL), API, SFTP and AS2 traffic only (a second
 * process cannot open the embedded database, so no CLI ingests), same invariants.
 */
import { describe, expect, it } from 'vitest'
import { runCrashHarness } from '../reliability/crash-harness.ts'

describe('crash safety on embedded PGlite', () => {
  it(`survives ${process.env.CRASH_EMBEDDED_KILLS ?? 8} kill -9s with the same guarantees`, { timeout: 900_000 }, async () => {
    const r = await runCrashHarness({ kills: Number(process.env.CRASH_EMBEDDED_KILLS ?? 8), seed: 8, window: [1500, 4000], log: (l) => process.env.CRASH_VERBOSE && console.log(l) })
    console.log(`crash-embedded: ${r.kills} kills (${r.killedBeforeReady} during start-up) in ${r.seconds.toFixed(0)} s; ${JSON.stringify(r.counts)}\n  ${r.notes.join('\n  ')}`)
    expect(r.problems).toEqual([])
    expect(r.counts.acked).toBeGreaterThan(r.kills)
    if (r.as2) expect(r.counts.ackedAs2).toBeGreaterThan(0)
  })
})
