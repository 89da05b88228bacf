/**
 * A small Postgres job table claimed with FOR UPDATE SKIP LOCKED (pg-boss's states without the
 * rest): created → active → completed, or → retry (backoff) → … → failed (dead letter, which the
 * worker turns into a `stage_failed` exception). An `active` job whose lease ran out (the worker
 * was killed) is claimable again, so nothing is stuck after a crash.
 */
import type { Q } from './sql.ts'

export interface JobRow {
  id: string
  stage: string
  payload: Record<string, unknown>
  state: 'created' | 'active' | 'retry' | 'completed' | 'failed'
  attempts: number
  max_attempts: number
  run_after: Date
  dedupe_key: string | null
}

export interface EnqueueOptions {
  /** Delay before the first run, in ms. */
  delayMs?: number
  maxAttempts?: number
  /** At most one pending job per key (re-running a stage does not queue it twice). */
  dedupeKey?: string
  /** How much of a worker's batch the job takes (default 1): a parse job weighs its payload in 16 KiB units (receive.ts parseWeight). */
  weight?: number
}

/** Seconds a claimed job may stay `active` before another worker may take it over. */
export const LEASE_SECONDS = 120

export async function enqueue(
  q: Q,
  stage: string,
  payload: Record<string, unknown>,
  opts: EnqueueOptions = {}
): Promise<string | undefined> {
  const rows = (await jobInsert(q, stage, payload, opts)) as unknown as { id: string }[]
  return rows[0]?.id
}

/** `enqueue`'s statement, to run or to put after another in one statement. */
export function jobInsert(q: Q, stage: string, payload: Record<string, unknown>, opts: EnqueueOptions = {}) {
  return q`insert into jobs (stage, payload, run_after, max_attempts, dedupe_key, weight)
    values (${stage}, ${q.json(payload as never)}, now() + ${`${opts.delayMs ?? 0} milliseconds`}::interval,
            ${opts.maxAttempts ?? 5}, ${opts.dedupeKey ?? null}, ${Math.max(1, Math.ceil(opts.weight ?? 1))})
    on conflict (dedupe_key) where dedupe_key is not null and state in ('created', 'retry', 'active') do nothing
    returning id`
}

/**
 * Several jobs in ONE statement (a batch stage's follow-ups): the same rows and dedupe rule as
 * `enqueue`, one round trip and one plan for all of them.
 */
export async function enqueueMany(
  q: Q,
  stage: string,
  jobs: readonly { payload: Record<string, unknown>; dedupeKey?: string }[],
  opts: { maxAttempts?: number } = {}
): Promise<void> {
  if (jobs.length === 0) return
  await jobsFrom(q, stage, q`select p::jsonb, k
    from unnest(${jobs.map((j) => JSON.stringify(j.payload))}::text[], ${jobs.map((j) => j.dedupeKey ?? null) as string[]}::text[]) as v(p, k)`, opts)
}

/**
 * Jobs of `stage` from a query of (payload jsonb, dedupe key) rows, due now, with `enqueue`'s
 * dedupe rule: enqueueMany's statement, or a data-modifying CTE of another one (the deliver jobs
 * of insertDeliveries).
 */
export function jobsFrom(q: Q, stage: string, rows: ReturnType<Q>, opts: { maxAttempts?: number } = {}) {
  return q`insert into jobs (stage, payload, run_after, max_attempts, dedupe_key, weight)
    select ${stage}, r.payload, now(), ${opts.maxAttempts ?? 5}, r.dedupe_key, 1 from (${rows}) as r(payload, dedupe_key)
    on conflict (dedupe_key) where dedupe_key is not null and state in ('created', 'retry', 'active') do nothing`
}

/**
 * Claim runnable jobs of the given stages for `workerId`: the oldest by (run_after, id) among
 * jobs due to run and `active` jobs whose lease ran out. Each half is its own ordered, limited
 * scan of a small partial index (jobs_claim_idx, jobs_active_idx), so a claim costs the same
 * however many completed jobs the table holds; an OR of both conditions in one scan forced a
 * sequential scan over all of them.
 *
 * `limit` bounds the claim's total weight (a job weighs 1 unless enqueued heavier): the oldest
 * job is always taken, and younger ones while the running total stays within `limit`. A job of a
 * stage in `alone` (network I/O outside a transaction: each needs its whole lease to itself) is
 * never claimed together with others: when the oldest candidate is one of them, the claim is
 * that job only; otherwise such jobs are left for a later claim. Rows locked but not picked are
 * free again when the statement ends.
 */
export async function claim(q: Q, workerId: string, stages: readonly string[], limit = 1, alone: readonly string[] = [], leaseSeconds = LEASE_SECONDS): Promise<JobRow[]> {
  return q<JobRow[]>`
    with due as (
      select id, run_after, stage, weight from jobs
      where state in ('created', 'retry') and run_after <= now() and stage = any(${stages as string[]})
      order by run_after, id
      for update skip locked
      limit ${limit}
    ), expired as (
      select id, run_after, stage, weight from jobs
      where state = 'active' and locked_at < now() - ${`${leaseSeconds} seconds`}::interval
        and stage = any(${stages as string[]})
      order by run_after, id
      for update skip locked
      limit ${limit}
    ), candidates as (
      select id, stage, row_number() over w as rn, first_value(stage) over w as first_stage, sum(weight) over w as total
      from (select * from due union all select * from expired) c
      window w as (order by run_after, id)
    ), pick as (
      select id from candidates
      where rn = 1 or (total <= ${limit} and first_stage <> all(${alone as string[]}) and stage <> all(${alone as string[]}))
    )
    update jobs set state = 'active', attempts = attempts + 1, locked_by = ${workerId}, locked_at = now()
    from pick where jobs.id = pick.id
    returning jobs.id, jobs.stage, jobs.payload, jobs.state, jobs.attempts, jobs.max_attempts, jobs.run_after, jobs.dedupe_key`
}

/**
 * Jobs left `active` by a process of this host that no longer exists (kill -9, OOM, power cut of
 * a container) go back to `retry` at once instead of waiting out the lease. Worker ids are
 * `host:pid:…`; a pid that is alive (or reused) keeps its jobs, so the lease still decides then.
 * Other hosts' jobs are never touched here: only their lease can free them.
 */
export async function releaseDeadLocal(q: Q, host: string, alive: (pid: number) => boolean): Promise<number> {
  const owners = await q<{ locked_by: string }[]>`select distinct locked_by from jobs
    where state = 'active' and locked_by like ${`${host.replace(/[\\%_]/g, '\\$&')}:%`}`
  let released = 0
  for (const { locked_by } of owners) {
    const pid = Number(locked_by.slice(host.length + 1).split(':')[0])
    if (!Number.isInteger(pid) || pid <= 0 || alive(pid)) continue
    const r = await q`update jobs set state = 'retry', run_after = now(), locked_by = null
      where state = 'active' and locked_by = ${locked_by}`
    released += r.count
  }
  return released
}

/**
 * Renews the lease of jobs this worker still runs (locked_at = now()). Sent on its own
 * connection, outside the stage's transaction, so other workers see it at once: a stage that
 * runs longer than the lease (a large file's parse) is not taken over while its worker lives.
 */
export async function renewLease(q: Q, ids: readonly string[], workerId: string): Promise<void> {
  await q`update jobs set locked_at = now()
    from unnest(${ids as string[]}::bigint[]) as mine(id)
    where jobs.id = mine.id and jobs.state = 'active' and jobs.locked_by = ${workerId}`
}

/** Completes the job only if this worker still holds it (a lease takeover wins otherwise). */
export async function complete(q: Q, job: JobRow, workerId: string): Promise<boolean> {
  const r = await q`update jobs set state = 'completed', completed_at = now(), locked_by = null
    where id = ${job.id} and state = 'active' and locked_by = ${workerId}`
  return r.count === 1
}

/**
 * Completes several jobs in one statement; true only if this worker still held every one of
 * them (the caller's transaction must then roll back: a job taken over is not ours to finish).
 */
export async function completeAll(q: Q, jobs: readonly JobRow[], workerId: string): Promise<boolean> {
  // Joined to the ids (one primary-key lookup each): with `id = any(…) and state = 'active'` the
  // planner could AND in a scan of all of jobs_active_idx, which holds an entry for every job
  // ever claimed until vacuum removes it.
  const r = await q`update jobs set state = 'completed', completed_at = now(), locked_by = null
    from unnest(${jobs.map((j) => j.id)}::bigint[]) as mine(id)
    where jobs.id = mine.id and jobs.state = 'active' and jobs.locked_by = ${workerId}`
  return r.count === jobs.length
}

/** Exponential backoff: 1 s, 2 s, 4 s … capped at 10 minutes (scaled by `baseMs` in tests). */
export function backoffMs(attempt: number, baseMs = 1000): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempt - 1), 600_000)
}

/** Record a failure: schedule a retry, or mark the job failed when attempts are used up. */
export async function fail(
  q: Q,
  job: JobRow,
  workerId: string,
  error: Record<string, unknown>,
  baseMs = 1000
): Promise<'retry' | 'failed' | 'lost'> {
  const exhausted = job.attempts >= job.max_attempts
  const rows = await q<{ state: string }[]>`
    update jobs set
      state = ${exhausted ? 'failed' : 'retry'},
      last_error = ${q.json(error as never)},
      run_after = now() + ${`${backoffMs(job.attempts, baseMs)} milliseconds`}::interval,
      locked_by = null,
      completed_at = ${exhausted ? new Date() : null}
    where id = ${job.id} and state = 'active' and locked_by = ${workerId}
    returning state`
  return rows.length ? (rows[0].state as 'retry' | 'failed') : 'lost'
}

export async function queueStats(q: Q): Promise<{ stage: string; state: string; count: number; oldest: Date | null }[]> {
  return q`select stage, state, count(*)::int as count, min(created_at) as oldest
    from jobs where state in ('created', 'retry', 'active', 'failed') group by stage, state order by stage, state`
}

/**
 * Deletes completed jobs older than `days` (housekeeping); returns how many went. It walks the
 * table by primary key, `batch` rows per statement (a range of the key: no statement reads more
 * than that, whatever the table holds, and no row is read twice), from the oldest job up to the
 * first one created after the cutoff: a job completes after it is created, so none past it is
 * old enough. Jobs waiting, running or dead-lettered (`failed`, named by their stage_failed
 * exception) are never touched. Two processes pruning at once delete disjoint rows or skip.
 */
export async function pruneCompletedJobs(q: Q, days: number, batch = 5000): Promise<number> {
  let total = 0
  let after = '0'
  for (;;) {
    const [r] = await q<{ last: string | null; deleted: number; reached: boolean | null }[]>`
      with cutoff as (select now() - make_interval(days => ${days}) as t),
      page as (select id, state, created_at, completed_at from jobs where id > ${after}::int8 order by id limit ${batch}),
      gone as (delete from jobs j using page p, cutoff c
        where j.id = p.id and p.state = 'completed' and p.completed_at < c.t returning j.id)
      select (select max(id)::text from page) as last, (select count(*)::int from gone) as deleted,
        (select bool_or(p.created_at >= c.t) from page p, cutoff c) as reached`
    total += r.deleted
    if (r.last === null || r.reached) return total
    after = r.last
  }
}
