/**
 * A separate worker process for the multi-process test: connects to DATABASE_URL/DATABASE_SCHEMA,
 * processes `probe` jobs (each records which process ran it, in the job's own transaction) until
 * none is left, then exits.
 */
import { openDatabase } from '../../src/db/sql.ts'
import { silentLogger } from '../../src/lib/log.ts'
import { createWorker } from '../../src/pipeline/worker.ts'

const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, schema: process.env.DATABASE_SCHEMA, dataDir: '.tmp/unused', max: 4 })
const worker = createWorker({
  sql: db.sql,
  log: silentLogger,
  concurrency: 3,
  handlers: {
    probe: {
      async run(q, _p, job) {
        await q`insert into probe_runs (job_id, pid) values (${job.id}, ${process.pid})`
      },
    },
  },
})
// Wait for the sibling so both start together, then drain with three loops each.
await new Promise((r) => setTimeout(r, 200))
await Promise.all([worker.drain({ timeoutMs: 60_000 }), worker.drain({ timeoutMs: 60_000 }), worker.drain({ timeoutMs: 60_000 })])
await db.close()
