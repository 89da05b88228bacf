/**
 * Housekeeping the running gateway does on its own (main.ts: at start, then daily): duplicate
 * keys past their partner's window are deleted, and completed jobs past JOBS_RETENTION_DAYS.
 */
import type { Registry } from '../config/registry.ts'
import { pruneCompletedJobs } from '../db/jobs.ts'
import { pruneDuplicateKeys } from '../db/lineage.ts'
import type { Q } from '../db/sql.ts'

/** The partners' duplicate windows in days, and the widest of them for keys of partners gone. */
export function duplicateWindows(registry: Registry): { windows: Record<string, number>; fallbackDays: number } {
  const windows: Record<string, number> = {}
  for (const p of registry.partners.values()) windows[p.id] = p.duplicates.windowDays
  return { windows, fallbackDays: Math.max(30, ...Object.values(windows)) }
}

/** Returns what it did, for the log. `jobsRetentionDays` 0 keeps completed jobs. */
export async function housekeep(q: Q, registry: Registry, opts: { jobsRetentionDays: number }): Promise<{ duplicateKeysPruned: number; jobsPruned: number }> {
  const { windows, fallbackDays } = duplicateWindows(registry)
  const duplicateKeysPruned = await pruneDuplicateKeys(q, windows, fallbackDays)
  const jobsPruned = opts.jobsRetentionDays > 0 ? await pruneCompletedJobs(q, opts.jobsRetentionDays) : 0
  return { duplicateKeysPruned, jobsPruned }
}
