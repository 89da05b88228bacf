/**
 * Scale-out on one PostgreSQL (issue 10): two `edi-gateway serve` processes on the same schema,
 * traffic spread over both HTTP ports as a load balancer would. A trigger installed by the test
 * (not part of the product) records every claim and completion of every job with the worker id,
 * so "no double processing" is read from the database, not inferred:
 *   - every job completed exactly once, by one worker, claimed once (no retries were provoked);
 *   - both processes completed jobs (the work was shared);
 *   - one document per transaction, one per business key; one exception per dedupe key.
 * SFTP polling leases are covered by test/transports/sftp/poller.test.ts (one poller per partner).
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { postgresReachable, postgresUrl } from '../helpers/postgres.ts'
import { openDatabase, type Database } from '../../src/db/sql.ts'
import { startGateway, type GatewayProcess } from '../helpers/gateway-process.ts'
import { apiAsn, configRoot, newLedger, sendApi, type Sent } from '../reliability/traffic.ts'

const url = postgresUrl
const reachable = await postgresReachable('scale-pg')

const AUDIT = `
create table job_audit (job_id bigint not null, event text not null, worker text, at timestamptz not null default clock_timestamp());
create function job_audit_fn() returns trigger language plpgsql as $$
begin
  if new.state = 'active' and old.state is distinct from 'active' then insert into job_audit values (new.id, 'claim', new.locked_by);
  elsif new.state = 'active' and old.state = 'active' and new.locked_by is distinct from old.locked_by then insert into job_audit values (new.id, 'takeover', new.locked_by);
  elsif new.state = 'completed' and old.state <> 'completed' then insert into job_audit values (new.id, 'complete', old.locked_by);
  end if;
  return new;
end $$;
create trigger job_audit_tr after update on jobs for each row execute function job_audit_fn();`

describe.skipIf(!reachable)('two gateways on one PostgreSQL', () => {
  const schema = `scale_${randomBytes(5).toString('hex')}`
  const dir = mkdtempSync(join(tmpdir(), 'edi-scale-'))
  const root = configRoot(dir)
  const key = `scale-${randomBytes(8).toString('hex')}`
  const gws: GatewayProcess[] = []
  let db: Database
  afterAll(async () => {
    for (const g of gws) await g.stop().catch(() => {})
    await db?.sql.unsafe(`drop schema if exists "${schema}" cascade`).catch(() => {})
    await db?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('share the work: every job once, every document once, both processes busy', { timeout: 300_000 }, async () => {
    const env = (i: number) => ({
      CONFIG_DIR: root, DATABASE_URL: url, DATABASE_SCHEMA: schema, DATABASE_POOL: '4', WORKERS: '3', DATA_DIR: join(dir, `data-${i}`),
      DEMO_3PL_API_KEY: key, OPERATOR_TOKEN: `op-${randomBytes(16).toString('hex')}`, LOG_LEVEL: 'warn',
    })
    gws.push(await startGateway({ env: env(1) }))
    db = await openDatabase({ databaseUrl: url, schema, dataDir: '.tmp/unused', max: 2 })
    await db.sql.unsafe(AUDIT)
    gws.push(await startGateway({ env: env(2) }))
    const ledger = newLedger()
    const N = Number(process.env.SCALE_MESSAGES ?? 300)
    const sends: Promise<void>[] = []
    for (let i = 0; i < N; i++) {
      const body = apiAsn(`S${i}`)
      const s: Sent = { id: `scale-${i}`, via: 'api', businessKey: `asn:${body.asnNumber}`, attempts: 0, acked: false }
      ledger.sent.set(s.id, s)
      sends.push(sendApi(gws[i % 2].url, key, s, body, ledger))
      if (sends.length >= 8) await Promise.all(sends.splice(0))
    }
    await Promise.all(sends)
    expect([...ledger.sent.values()].filter((s) => !s.acked)).toEqual([])
    // Until no job is left (both gateways keep polling).
    const until = Date.now() + 180_000
    for (;;) {
      const [{ n }] = await db.sql<{ n: number }[]>`select count(*)::int as n from jobs where state in ('created', 'retry', 'active')`
      if (n === 0 || Date.now() > until) break
      await new Promise((r) => setTimeout(r, 300))
    }
    const audit = await db.sql<{ job_id: string; event: string; worker: string }[]>`select job_id, event, worker from job_audit`
    const jobs = await db.sql<{ id: string; stage: string; state: string; attempts: number }[]>`select id, stage, state, attempts from jobs`
    // A parse job per ASN (translate and match run inside it: pipeline/inline.ts), plus deliveries.
    expect(jobs.filter((j) => j.stage === 'parse')).toHaveLength(N)
    expect(jobs.filter((j) => j.state !== 'completed')).toEqual([])
    const completions = new Map<string, string[]>()
    const claims = new Map<string, number>()
    for (const a of audit) {
      if (a.event === 'complete') completions.set(a.job_id, [...(completions.get(a.job_id) ?? []), a.worker])
      if (a.event === 'claim' || a.event === 'takeover') claims.set(a.job_id, (claims.get(a.job_id) ?? 0) + 1)
    }
    for (const j of jobs) {
      expect(completions.get(j.id), `job ${j.id}`).toHaveLength(1)
      expect(claims.get(j.id), `job ${j.id} claimed more than once`).toBe(1)
    }
    // Worker ids are host:pid:suffix; both gateway pids appear.
    const pids = new Set([...completions.values()].map((w) => w[0].split(':')[1]))
    expect(pids).toEqual(new Set(gws.map((g) => String(g.pid))))
    const perPid = [...pids].map((p) => [...completions.values()].filter((w) => w[0].split(':')[1] === p).length)
    console.log(`scale-pg: ${N} ASNs over 2 gateways, ${jobs.length} jobs, completed per process ${JSON.stringify(perPid)}`)
    expect(Math.min(...perPid)).toBeGreaterThan(jobs.length * 0.1)
    const dupDocs = await db.sql`select transaction_id from documents group by transaction_id having count(*) > 1`
    expect(dupDocs).toEqual([])
    const dupKeys = await db.sql`select business_key from documents where status <> 'duplicate' group by business_key having count(*) > 1`
    expect(dupKeys).toEqual([])
    const [{ docs }] = await db.sql<{ docs: number }[]>`select count(*)::int as docs from documents`
    expect(docs).toBe(N)
    const dupEx = await db.sql`select dedupe_key from exceptions group by dedupe_key having count(*) > 1`
    expect(dupEx).toEqual([])
  })
})
