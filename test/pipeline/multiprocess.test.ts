import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { enqueue } from '../../src/db/jobs.ts'
import { testDb, type TestDb } from '../helpers/db.ts'

function run(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('close', (code) => resolve({ code: code ?? -1, out }))
  })
}

const onPostgres = Boolean(process.env.DATABASE_URL)

describe.runIf(onPostgres)('two worker processes on one PostgreSQL', () => {
  let db: TestDb
  beforeAll(async () => {
    db = await testDb()
    await db.sql`create table probe_runs (job_id bigint, pid int)`
  })
  afterAll(async () => db.close())

  it('never run the same job twice, and share the work', async () => {
    const N = 600
    await db.sql.begin(async (tx) => {
      for (let i = 0; i < N; i++) await enqueue(tx, 'probe', { i })
    })
    const env = { DATABASE_URL: db.url, DATABASE_SCHEMA: db.schema }
    const [a, b] = await Promise.all([
      run(['bin/run-ts.js', 'test/helpers/worker-child.ts'], env),
      run(['bin/run-ts.js', 'test/helpers/worker-child.ts'], env),
    ])
    expect(a.code, a.out).toBe(0)
    expect(b.code, b.out).toBe(0)
    const [r] = await db.sql<{ runs: number; jobs: number; pids: number }[]>`
      select count(*)::int as runs, count(distinct job_id)::int as jobs, count(distinct pid)::int as pids from probe_runs`
    expect(r.runs).toBe(N)
    expect(r.jobs).toBe(N)
    expect(r.pids).toBe(2)
    const [left] = await db.sql<{ n: number }[]>`select count(*)::int as n from jobs where state <> 'completed'`
    expect(left.n).toBe(0)
  })
})

describe.runIf(!onPostgres)('embedded database: one process at a time', () => {
  it('refuses a second gateway process on the same data directory with a clear message', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'edigw-lock-'))
    const { acquireLock } = await import('../../src/db/lock.ts')
    const lock = acquireLock(join(dataDir, 'gateway.lock'))
    try {
      const r = await run(['bin/edi-gateway.js', 'exceptions', 'list'], { DATA_DIR: dataDir, DATABASE_URL: '' })
      expect(r.code).toBe(2)
      expect(r.out).toMatch(/embedded database is in use by process \d+/)
      expect(r.out).not.toMatch(/\n\s+at /) // one line, no stack trace
    } finally {
      lock.release()
    }
  })
})
