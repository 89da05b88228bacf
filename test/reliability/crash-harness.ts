/**
 * Crash-safety harness: runs `edi-gateway serve` as a child process, feeds it a steady mix of
 * traffic (JSON API ASNs, SFTP uploads into a hosted mailbox with the OpenSSH client, signed and
 * encrypted AS2 856s from the OpenSSL peer with sync signed MDNs, CLI ingests on PostgreSQL), SIGKILLs it at random moments and restarts it, `kills` times. Then one last
 * start resends what was never acknowledged (as partners do), waits until the queue is empty,
 * stops it and checks the invariants (invariants.ts) on the database.
 * Used by test/interop/crash-*.test.ts (CI size) and scripts/soak.ts (long runs).
 */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateEd25519KeyPair } from '../../src/transports/sftp/host-key.ts'
import { openDatabase } from '../../src/db/sql.ts'
import { rng } from '../fuzz/mutators.ts'
import { startGateway, type GatewayProcess } from '../helpers/gateway-process.ts'
import { as2MessageId, as2Missing, preparePeer, sendAs2, type As2Peer } from './as2-traffic.ts'
import { verify, type Verdict } from './invariants.ts'
import { apiAsn, configRoot, newLedger, sendApi, sendIngest, sendSftp, x12Asn, type Ledger, type Sent } from './traffic.ts'

export const hasSftpClient = spawnSync('sftp', ['-h'], { encoding: 'utf8' }).error === undefined

export interface CrashOptions {
  kills: number
  /** postgres: DATABASE_URL (a fresh schema is made); embedded: PGlite in a temp DATA_DIR. */
  databaseUrl?: string
  /** ms of traffic after "ready" before the kill: uniform in [min, max]. Some kills land during start-up. */
  window?: [number, number]
  seed?: number
  ingest?: boolean
  sftp?: boolean
  as2?: boolean
  log?: (line: string) => void
}

export interface CrashReport extends Verdict {
  kills: number
  killedBeforeReady: number
  seconds: number
  /** AS2 traffic ran (false: skipped, the reason is in notes). */
  as2: boolean
  notes: string[]
}

const API_KEY = `crash-${randomBytes(8).toString('hex')}`
const TOKEN = `op-${randomBytes(12).toString('hex')}`

export async function runCrashHarness(o: CrashOptions): Promise<CrashReport> {
  const t0 = Date.now()
  const log = o.log ?? (() => {})
  const rand = rng(o.seed ?? 424242)
  const [wMin, wMax] = o.window ?? [150, 900]
  const dir = mkdtempSync(join(tmpdir(), 'edi-crash-'))
  const notes: string[] = []
  const keys = generateEd25519KeyPair()
  const keyFile = join(dir, 'id_ed25519')
  writeFileSync(keyFile, keys.private, { mode: 0o600 })
  const useSftp = (o.sftp ?? true) && hasSftpClient
  if (!useSftp) notes.push('SFTP traffic skipped: the OpenSSH sftp client is not installed')
  const useIngest = (o.ingest ?? true) && Boolean(o.databaseUrl)
  if (!o.databaseUrl) notes.push('file ingests skipped on embedded: a second process cannot open the embedded database')
  // AS2 from the independent OpenSSL peer, acting as the demo X12 supplier's AS2 station.
  const as2Skip = (o.as2 ?? true) ? as2Missing() : 'disabled by the caller'
  if (as2Skip) notes.push(`AS2 traffic skipped: ${as2Skip}`)
  const peer: As2Peer | undefined = as2Skip ? undefined : preparePeer(dir)
  const salt = randomBytes(4).toString('hex')
  const schema = `crash_${randomBytes(5).toString('hex')}`
  const dataDir = join(dir, 'data')
  const env: Record<string, string> = {
    CONFIG_DIR: configRoot(dir, { sftpPublicKey: keys.public, as2PartnerCert: peer?.partnerCert }), DATA_DIR: dataDir, OPERATOR_TOKEN: TOKEN, DEMO_3PL_API_KEY: API_KEY,
    RETRY_BASE_MS: '200', LOG_LEVEL: 'warn', SFTP: useSftp ? 'on' : 'off', SFTP_PORT: '0',
    // Our AS2 key pair is the one the peer generated for "the server" (it encrypts to it, checks MDNs with it).
    ...(peer ? { AS2_CERT_FILE: peer.serverCert, AS2_KEY_FILE: peer.serverKey } : {}),
    ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl, DATABASE_SCHEMA: schema, DATABASE_POOL: '4', WORKERS: '2' } : {}),
  }
  const ledger: Ledger = newLedger()
  let seq = 0
  const bodies = new Map<string, unknown>()
  const newSent = (via: Sent['via']): Sent => {
    const n = ++seq
    if (via === 'api') {
      const body = apiAsn(String(n))
      const s: Sent = { id: `api-${n}`, via, businessKey: `asn:${body.asnNumber}`, attempts: 0, acked: false }
      bodies.set(s.id, body)
      ledger.sent.set(s.id, s)
      return s
    }
    const x = x12Asn(100000 + n)
    const file = join(dir, `${via}-${n}.edi`)
    writeFileSync(file, x.text)
    const s: Sent = { id: `${via}-${n}`, via, businessKey: x.businessKey, attempts: 0, acked: false, file }
    if (via === 'as2') s.as2MessageId = as2MessageId(s.id, salt)
    ledger.sent.set(s.id, s)
    return s
  }
  const unacked = (via: Sent['via']) => [...ledger.sent.values()].filter((s) => s.via === via && !s.acked)
  const pick = (via: Sent['via']) => {
    const retry = unacked(via)
    return retry.length && rand() < 0.3 ? retry[Math.floor(rand() * retry.length)] : newSent(via)
  }
  const ingestEnv = { ...env, DATABASE_POOL: '2', LOG_LEVEL: 'error' }
  let ingestRunning: Promise<void> | undefined

  async function sendApiById(url: string, s: Sent) {
    await sendApi(url, API_KEY, s, bodies.get(s.id), ledger)
  }
  async function trafficLoop(g: GatewayProcess, until: () => boolean) {
    const loops: Promise<void>[] = []
    for (let k = 0; k < 2; k++) loops.push((async () => { while (!until()) await sendApiById(g.url, pick('api')) })())
    if (useSftp && g.sftpPort) {
      loops.push((async () => { while (!until()) await sendSftp({ port: g.sftpPort!, user: 'demo-x12-supplier', keyFile, dir }, pick('sftp'), ledger) })())
    }
    // One AS2 sender: each message costs several openssl runs (~0.3-1 s), so more would only queue.
    if (peer) loops.push((async () => { while (!until()) await sendAs2(peer, g.url, pick('as2'), ledger) })())
    await Promise.all(loops)
  }

  let killedBeforeReady = 0
  let gw: GatewayProcess | undefined
  for (let k = 0; k < o.kills; k++) {
    // 1 in 8 kills lands during start-up (migrations, key loading, listeners opening).
    if (rand() < 0.125) {
      const starting = startGateway({ env, readyTimeoutMs: 90_000 }).catch(() => undefined)
      await new Promise((r) => setTimeout(r, 100 + rand() * 1200))
      const g = await Promise.race([starting, new Promise<undefined>((r) => setTimeout(() => r(undefined), 10))])
      if (g) await g.kill9()
      else {
        killedBeforeReady++
        const late = await starting
        await late?.kill9()
      }
      continue
    }
    gw = await startGateway({ env, readyTimeoutMs: 90_000 })
    if (useIngest && !ingestRunning && rand() < 0.3) {
      const s = pick('ingest')
      ingestRunning = sendIngest(ingestEnv, s, ledger).finally(() => (ingestRunning = undefined))
    }
    const stopAt = Date.now() + wMin + rand() * (wMax - wMin)
    const running = trafficLoop(gw, () => Date.now() >= stopAt)
    await new Promise((r) => setTimeout(r, Math.max(0, stopAt - Date.now())))
    await gw.kill9()
    await running
    log(`kill ${k + 1}/${o.kills}: ${ledger.sent.size} sent, ${[...ledger.sent.values()].filter((s) => s.acked).length} acked`)
  }
  await ingestRunning


  // Final run: resend everything unacknowledged, wait for an empty queue, stop politely.
  gw = await startGateway({ env, readyTimeoutMs: 90_000 })
  for (const s of unacked('api')) await sendApiById(gw.url, s)
  if (useSftp && gw.sftpPort) for (const s of unacked('sftp')) await sendSftp({ port: gw.sftpPort, user: 'demo-x12-supplier', keyFile, dir }, s, ledger)
  if (peer) for (const s of unacked('as2')) await sendAs2(peer, gw.url, s, ledger)
  // A partner whose MDN was lost in transit resends the same Message-ID although we stored it:
  // a few acknowledged ones again, which must verify (`processed`) and still be stored once.
  const resendProblems: string[] = []
  const resent = peer ? [...ledger.sent.values()].filter((s) => s.via === 'as2' && s.acked).slice(0, 5) : []
  for (const s of resent) if (!(await sendAs2(peer!, gw.url, s, ledger))) resendProblems.push(`as2 ${s.id}: resend of an acknowledged Message-ID got no verified MDN`)
  await waitIdle(gw, o.databaseUrl ? await pendingJobsProbe(o.databaseUrl, schema) : undefined)
  await gw.stop()
  const db = await openDatabase({ databaseUrl: o.databaseUrl, schema: o.databaseUrl ? schema : 'public', dataDir, max: 1 })
  let verdict: Verdict | undefined
  try {
    verdict = await verify(db.sql, ledger, { stuckAllowedStages: [] })
    verdict.problems.push(...resendProblems)
    verdict.counts.as2ResentAfterAck = resent.length
    // Kept for a post-mortem when something is wrong (dropped otherwise).
    if (verdict.problems.length) notes.push(o.databaseUrl ? `kept schema ${schema} for inspection` : `kept ${dir} for inspection`)
    return { ...verdict, kills: o.kills, killedBeforeReady, seconds: (Date.now() - t0) / 1000, as2: Boolean(peer), notes }
  } finally {
    const keep = (verdict?.problems.length ?? 1) > 0
    if (o.databaseUrl && !keep) await db.sql.unsafe(`drop schema if exists "${schema}" cascade`).catch(() => {})
    await db.close()
    if (!keep || o.databaseUrl) rmSync(dir, { recursive: true, force: true })
  }
}

/** Jobs not yet finished (any stage, any run_after), read from PostgreSQL directly. */
async function pendingJobsProbe(url: string, schema: string): Promise<{ count(): Promise<number>; close(): Promise<void> }> {
  const db = await openDatabase({ databaseUrl: url, schema, dataDir: '.tmp/unused', max: 1 })
  return {
    count: async () => (await db.sql<{ n: number }[]>`select count(*)::int as n from jobs where state in ('created', 'retry', 'active')`)[0].n,
    close: () => db.close(),
  }
}

/**
 * Until the queue is empty three polls in a row (or 120 s): from the database when we can reach
 * it (PostgreSQL), else /readyz (embedded: the gateway holds the only connection).
 */
async function waitIdle(gw: GatewayProcess, probe?: { count(): Promise<number>; close(): Promise<void> }): Promise<void> {
  const until = Date.now() + 120_000
  let quiet = 0
  try {
    while (Date.now() < until && quiet < 3) {
      await new Promise((r) => setTimeout(r, 500))
      try {
        const depth = probe
          ? await probe.count()
          : ((await (await fetch(`${gw.url}/readyz`)).json()) as { queueDepth: number }).queueDepth
        quiet = depth === 0 ? quiet + 1 : 0
      } catch {
        quiet = 0
      }
    }
  } finally {
    await probe?.close()
  }
}
