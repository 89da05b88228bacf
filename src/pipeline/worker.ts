/**
 * Runs pipeline stages as Postgres jobs. Jobs are claimed with SKIP LOCKED, and a transactional
 * stage runs in one database transaction together with its completion, so its effects happen
 * exactly once even when two processes share the queue or one is killed. A failure rolls back,
 * is retried with backoff, and when attempts run out becomes a `stage_failed` exception: never a
 * silent drop.
 *
 * Under a backlog a loop claims up to `batchSize` transactional jobs at once and runs them
 * together in ONE transaction: their statements share the connection's round trips (pipelined)
 * and one claim, one completion and one commit serve them all, which is most of the database's
 * cost per job. If anything in the batch fails, the batch rolls back as a whole and each job is
 * then run again on its own, exactly as if it had been claimed alone (same attempt, own
 * transaction, own retry or dead letter), so a bad job never takes others down with it.
 * Non-transactional stages (network I/O) are always claimed and run one at a time.
 */
import { hostname } from 'node:os'
import { claim, complete, completeAll, fail, LEASE_SECONDS, releaseDeadLocal, renewLease, type JobRow } from '../db/jobs.ts'
import { openException } from '../db/exceptions.ts'
import type { Q, Sql } from '../db/sql.ts'
import { serializeError } from '../lib/errors.ts'
import { newId } from '../lib/ids.ts'
import type { Logger } from '../lib/log.ts'

export interface StageHandler {
  /** Run inside one transaction with the job's completion (default). Set false for network I/O. */
  transactional?: boolean
  run(q: Q, payload: Record<string, unknown>, job: JobRow): Promise<void>
  /**
   * The set-based form: every job of this stage in a claimed batch at once, in the batch's
   * transaction (reads and writes for all of them as a few statements). Same effects as `run`
   * on each job in turn.
   */
  runMany?(q: Q, jobs: JobRow[]): Promise<void>
}

/**
 * Default batch limit, in job weight. Most of a small file's database cost is shared by its
 * batch (claim, payload read, translate-and-match reads and writes, outcome, acks' control
 * numbers, completion, commit), so a larger batch costs less per file: in the e2e bench's small
 * files (PostgreSQL, one process), 16 → 64 took statements per file from 1.24 to 0.31,
 * PostgreSQL CPU per file from 0.81–0.84 to 0.57–0.63 ms and the rate up by 15–25 %. Past 64 the
 * worker's CPU per file stopped falling. A batch's transaction runs longer in proportion (about
 * 0.1 s for 64 one-set files) and a failed batch is run again job by job, so it is not larger.
 */
export const BATCH_SIZE = 64

export interface WorkerOptions {
  sql: Sql
  handlers: Record<string, StageHandler>
  log: Logger
  /** Parallel claim loops in this process (1 on embedded PGlite). */
  concurrency?: number
  pollMs?: number
  /**
   * Most transactional jobs one loop claims and runs in one transaction (default BATCH_SIZE, 64;
   * 1 claims one job at a time), counted by job weight (a parse job weighs its payload in 16 KiB
   * units: receive.ts parseWeight, so a batch holds at most 1 MiB of payloads). Only a
   * backlog fills a batch: a claim takes what is due, up to this.
   */
  batchSize?: number
  /** Backoff base; tests shorten it. */
  backoffBaseMs?: number
  /** Seconds a claimed job's lease lasts (LEASE_SECONDS); renewed every third of it while it runs. Tests shorten it. */
  leaseSeconds?: number
  /** Called after a job completes (metrics, in-process wakeups). */
  onDone?: (job: JobRow, ms: number, outcome: 'completed' | 'retry' | 'failed' | 'lost') => void
}

export interface Worker {
  id: string
  start(): void
  stop(): Promise<void>
  /** Nudge idle loops (there is no LISTEN/NOTIFY on the embedded database). */
  wake(): void
  /** Process until no runnable job is left (CLI ingest, tests). */
  drain(opts?: { timeoutMs?: number }): Promise<void>
}

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export function createWorker(opts: WorkerOptions): Worker {
  const id = `${hostname()}:${process.pid}:${newId('w').slice(-8)}`
  const stages = Object.keys(opts.handlers)
  const pollMs = opts.pollMs ?? 500
  let running = false
  let wakers: (() => void)[] = []
  const loops: Promise<void>[] = []

  /**
   * Wake ONE idle loop: each wake-up stands for one new job, and waking every idle loop sent all
   * of them to claim it at once (all but one coming back empty, a wasted round trip each).
   */
  function wakeOne(): void {
    wakers[0]?.()
  }

  const batchSize = Math.max(1, opts.batchSize ?? BATCH_SIZE)
  const leaseSeconds = opts.leaseSeconds ?? LEASE_SECONDS

  /**
   * Keeps the lease of running jobs alive: a stage may run longer than the lease (a large file's
   * parse), and another worker must not take over a job whose worker is alive and at it (it
   * would parse the file again, and again, each time the lease ran out). Renewals go through the
   * pool, outside the stage's transaction; on the embedded database (one connection) they wait
   * for that transaction and do nothing after it (the job is no longer active), which is fine:
   * there is no other worker there.
   */
  async function withLease<T>(jobs: JobRow[], run: () => Promise<T>): Promise<T> {
    const ids = jobs.map((j) => j.id)
    const timer = setInterval(() => {
      renewLease(opts.sql, ids, id).catch((err) => opts.log.warn('lease renewal failed', { error: serializeError(err).message }))
    }, (leaseSeconds * 1000) / 3)
    try {
      return await run()
    } finally {
      clearInterval(timer)
    }
  }
  const alone = stages.filter((s) => opts.handlers[s].transactional === false)

  /** Claims and runs one batch (or one job); false when nothing was due. */
  async function runOne(): Promise<boolean> {
    const jobs = await claim(opts.sql, id, stages, batchSize, alone, leaseSeconds)
    if (jobs.length === 0) return false
    // There may be more where this came from: pass the baton to one idle loop, so a backlog
    // spreads over all loops within a few claims and an empty queue costs one claim at most.
    if (running) wakeOne()
    if (jobs.length > 1 && (await runBatch(jobs))) {
      // Its commit may have made follow-up jobs runnable (enqueued inside the transaction).
      if (running) wakeOne()
      return true
    }
    for (const job of jobs) await runAlone(job)
    return true
  }

  /**
   * All jobs (transactional ones: `claim` never batches the others) in one transaction with their
   * completion (runJobs): a stage with a set-based form (`runMany`: translate, match) takes all
   * its jobs of the batch in a few statements; the others run one after another, never
   * interleaved, as each is written for a transaction of its own. False after a rollback: the
   * caller then runs each job alone.
   */
  async function runBatch(jobs: JobRow[]): Promise<boolean> {
    const started = Date.now()
    try {
      await withLease(jobs, () => opts.sql.begin(async (tx) => {
        await runJobs(tx, jobs)
        if (!(await completeAll(tx, jobs, id))) throw new Error('job lease lost before completion')
      }))
    } catch (err) {
      opts.log.debug('batch rolled back; running its jobs one by one', { jobs: jobs.length, error: serializeError(err).message })
      return false
    }
    const ms = Date.now() - started
    for (const job of jobs) opts.onDone?.(job, ms, 'completed')
    return true
  }

  /**
   * A batch's jobs in claim order, except that the jobs of a stage with a set-based form run
   * through it together, at the place of the stage's first job (jobs claimed together never
   * depend on each other: a follow-up job becomes claimable only when its creator commits).
   */
  async function runJobs(tx: Q, jobs: JobRow[]): Promise<void> {
    const done = new Set<string>()
    for (const job of jobs) {
      const handler = opts.handlers[job.stage]
      if (handler.runMany) {
        if (done.has(job.stage)) continue
        done.add(job.stage)
        await handler.runMany(tx, jobs.filter((j) => j.stage === job.stage))
      } else {
        await handler.run(tx, job.payload, job)
      }
    }
  }

  async function runAlone(job: JobRow): Promise<void> {
    const handler = opts.handlers[job.stage]
    const started = Date.now()
    const log = opts.log.child({ job: job.id, stage: job.stage, messageId: job.payload.messageId })
    try {
      await withLease([job], async () => {
        if (handler.transactional === false) {
          await handler.run(opts.sql, job.payload, job)
          await complete(opts.sql, job, id)
        } else {
          await opts.sql.begin(async (tx) => {
            await handler.run(tx, job.payload, job)
            if (!(await complete(tx, job, id))) throw new Error('job lease lost before completion')
          })
        }
      })
      opts.onDone?.(job, Date.now() - started, 'completed')
    } catch (err) {
      const e = serializeError(err)
      const outcome = await fail(opts.sql, job, id, e as never, opts.backoffBaseMs)
      log.warn('stage failed', { attempt: job.attempts, outcome, error: e.message })
      if (outcome === 'failed') {
        await openException(
          opts.sql,
          { code: 'stage_failed', stage: job.stage, attempts: job.attempts, error: e },
          {
            payloadId: (job.payload.messageId as string) ?? null,
            transactionId: (job.payload.transactionId as string) ?? null,
            documentId: (job.payload.documentId as string) ?? null,
            deliveryId: (job.payload.deliveryId as string) ?? null,
            partnerId: (job.payload.partnerId as string) ?? null,
          },
          `stage_failed:job:${job.id}`
        )
      }
      opts.onDone?.(job, Date.now() - started, outcome)
    }
  }

  async function loop(): Promise<void> {
    while (running) {
      let worked = false
      try {
        worked = await runOne()
      } catch (err) {
        opts.log.error('worker loop error', { error: serializeError(err).message })
      }
      if (!worked && running) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(done, pollMs)
          function done() {
            clearTimeout(t)
            wakers = wakers.filter((w) => w !== done)
            resolve()
          }
          wakers.push(done)
        })
      }
    }
  }

  return {
    id,
    start() {
      if (running) return
      running = true
      // After a crash of this host's previous process, its in-flight jobs resume now, not after the lease.
      releaseDeadLocal(opts.sql, hostname(), pidAlive)
        .then((n) => {
          if (n) {
            opts.log.warn('released jobs of a dead process', { count: n })
            for (const w of [...wakers]) w()
          }
        })
        .catch((err) => opts.log.error('releasing dead jobs failed', { error: serializeError(err).message }))
      for (let i = 0; i < (opts.concurrency ?? 1); i++) loops.push(loop())
    },
    async stop() {
      running = false
      for (const w of [...wakers]) w()
      await Promise.all(loops.splice(0))
    },
    wake() {
      wakeOne()
    },
    async drain({ timeoutMs = 60_000 } = {}) {
      const until = Date.now() + timeoutMs
      while (Date.now() < until) {
        if (await runOne()) continue
        // Nothing runnable now; stop unless a retry is due soon.
        const [r] = await opts.sql<{ n: number }[]>`select count(*)::int as n from jobs
          where stage = any(${stages}) and state in ('created', 'retry') and run_after <= now() + interval '2 seconds'`
        if (r.n === 0) return
        await new Promise((res) => setTimeout(res, 50))
      }
    },
  }
}
