/**
 * Issue 16 for the channels other than AS2 (delivery-states.test.ts) and API pull
 * (test/http/outbox.test.ts): every delivery goes pending → queued → sent → acknowledged, or
 * failed, and the lineage the CLI prints shows each step. Real parts only: the deliver stage on
 * the worker, a local HTTP server as the webhook receiver, our hosted SFTP server collected from
 * with the OpenSSH `sftp` client, a partner's own SFTP server for pushes, a real database.
 */
import { execFile, spawnSync } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lineage } from '../../src/cli/lineage.ts'
import type { Registry } from '../../src/config/registry.ts'
import type { JobRow } from '../../src/db/jobs.ts'
import { enqueue } from '../../src/db/jobs.ts'
import { insertDelivery, insertInterchange } from '../../src/db/lineage.ts'
import { createSftpStore, sftpProblemSink } from '../../src/db/sftp.ts'
import { newId } from '../../src/lib/ids.ts'
import { silentLogger } from '../../src/lib/log.ts'
import { reconcileAck } from '../../src/pipeline/acks.ts'
import { deliverStage } from '../../src/pipeline/deliver.ts'
import type { PipelineDeps } from '../../src/pipeline/deps.ts'
import { receive } from '../../src/pipeline/receive.ts'
import { createWorker, type Worker } from '../../src/pipeline/worker.ts'
import { createSftpServer, type SftpServer } from '../../src/transports/sftp/server.ts'
import { createSftpMailboxTransport, createSftpTransport } from '../../src/transports/sftp/transport.ts'
import { testDb, type TestDb } from '../helpers/db.ts'
import { keyPair, startPartnerServer, writeRegistry, X12_SAMPLE, type PartnerServer } from '../transports/sftp/helpers.ts'

const hasSftp = spawnSync('sftp', ['-h'], { encoding: 'utf8' }).error === undefined

let db: TestDb
let tmp: string
let registry: Registry
let worker: Worker
let deps: PipelineDeps
let hooks: Server
let hookUrl: string
let partnerServer: PartnerServer
let hosted: SftpServer
let hostedPort: number
let message: string
let interchange: string
const pushKey = keyPair()
const mailboxKey = keyPair()
const hits: Record<string, number> = {}

interface Step { status: string; attempts?: number; error?: string }
interface Shown { id: string; status: string; attempts: number; lastError: string | null; history: Step[] }

/** The delivery as `edi-gateway messages show` reads it (src/cli/lineage.ts). */
async function shown(id: string): Promise<Shown> {
  const l = await lineage(db.sql, message)
  const d = l!.deliveries.find((x) => (x as unknown as Shown).id === id)
  expect(d, `delivery ${id} in the lineage of ${message}`).toBeDefined()
  return d as unknown as Shown
}
const path = (d: Shown) => d.history.map((s) => s.status)

async function newDelivery(partnerId: string, destination: string, o: { kind?: 'ack' | 'document' | 'warehouse'; filename?: string; bytes?: string } = {}) {
  return insertDelivery(db.sql, {
    partnerId, kind: o.kind ?? 'warehouse', docType: o.kind === 'document' ? '850' : 'asn_webhook', parentTable: 'interchanges', parentId: interchange,
    destination, bytes: Buffer.from(o.bytes ?? JSON.stringify({ asn: partnerId })), filename: o.filename ?? `${partnerId}.json`,
    contentType: 'application/json', standard: o.kind === 'document' ? 'x12' : null,
    ...(o.kind === 'document' ? { controlNumber: '4711', references: { interchange: '000004711', group: '4711', message: '0001' }, ackDeadline: new Date(Date.now() + 3_600_000) } : {}),
  })
}

/** Through the worker: the deliver job with 3 attempts, retried with backoff until done. */
async function deliver(id: string) {
  await enqueue(db.sql, 'deliver', { deliveryId: id }, { dedupeKey: `deliver:${id}`, maxAttempts: 3 })
  await worker.drain({ timeoutMs: 60_000 })
  return shown(id)
}

function openssh(user: string, key: string, commands: string[]): Promise<{ code: number; err: string }> {
  const batch = join(tmp, `batch-${newId('b')}`)
  writeFileSync(batch, commands.join('\n') + '\n')
  // Not spawnSync: the server answering it runs in this process.
  return new Promise((resolve) => {
    execFile('sftp', ['-b', batch, '-i', key, '-P', String(hostedPort), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
      '-o', 'IdentitiesOnly=yes', '-o', 'LogLevel=ERROR', `${user}@127.0.0.1`], { cwd: tmp, timeout: 60_000 },
    (err, _out, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, err: String(stderr) }))
  })
}

beforeAll(async () => {
  db = await testDb()
  tmp = mkdtempSync(join(tmpdir(), 'dlv-channels-'))
  message = newId('msg')
  await db.sql`insert into payloads (id, transport, partner_id, sha256, size) values (${message}, 'cli', 'hook', 'x', 1)`
  // What the deliveries answer or came from, so the message lineage shows them.
  interchange = await insertInterchange(db.sql, {
    payloadId: message, seq: 0, standard: 'x12', partnerId: 'hook', senderId: 'HOOK', receiverId: 'OURCO', controlNumber: '000000001', test: false, status: 'accepted', issues: [],
  })

  // The webhook receiver: /flaky refuses once then takes it, /down always answers 503, /gone 410.
  hooks = createServer((req, res) => {
    const p = req.url ?? ''
    hits[p] = (hits[p] ?? 0) + 1
    req.resume()
    req.on('end', () => {
      res.statusCode = p === '/flaky' ? (hits[p] === 1 ? 503 : 200) : p === '/down' ? 503 : p === '/gone' ? 410 : 200
      res.end()
    })
  })
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', () => r()))
  hookUrl = `http://127.0.0.1:${(hooks.address() as { port: number }).port}`
  process.env.DLV_CHANNELS_SECRET = 'whsec-channels'

  const remote = join(tmp, 'remote')
  mkdirSync(join(remote, 'push', 'in'), { recursive: true })
  partnerServer = await startPartnerServer({ root: remote, user: 'gw', clientPublicKey: pushKey.public })
  const hook = (name: string) => `    - { type: webhook, name: ${name}, url: '${hookUrl}/${name}', secret: 'env:DLV_CHANNELS_SECRET' }\n`
  const push = (id: string, pushPath: string) => `id: ${id}\nname: ${id}\nstatus: live\noutbound: sftp\nsftp:\n  poll:\n    - { host: 127.0.0.1, port: ${partnerServer.port}, user: gw, key: 'env:DLV_PUSH_KEY', path: /push/out, pushPath: ${pushPath} }\n`
  registry = writeRegistry(join(tmp, 'cfg'), {
    hook: `id: hook\nname: hook\nstatus: live\nwarehouse:\n  destinations:\n${hook('flaky')}${hook('down')}${hook('gone')}`,
    mbox: `id: mbox\nname: mbox\nstatus: live\noutbound: sftp_mailbox\nsftp:\n  mailbox:\n    authorizedKeys:\n      - '${mailboxKey.public}'\n`,
    push: push('push', '/push/in'),
    nowhere: push('nowhere', '/no/such/folder'),
  })
  const env = { DLV_PUSH_KEY: pushKey.private }
  writeFileSync(join(tmp, 'mbox.key'), mailboxKey.private)
  chmodSync(join(tmp, 'mbox.key'), 0o600)

  const store = createSftpStore(db.sql)
  const mailboxRoot = join(tmp, 'mailboxes')
  hosted = createSftpServer({
    registry, onReceive: (p) => receive({ sql: db.sql }, p), store, onProblem: sftpProblemSink(db.sql),
    hostKeyPath: join(tmp, 'host', 'ssh_host_ed25519_key'), mailboxRoot, port: 0, host: '127.0.0.1', env: {},
  })
  hostedPort = (await hosted.start()).port
  deps = {
    registry,
    transports: {
      sftp: createSftpTransport({ registry, mailboxRoot, store, env }),
      sftp_mailbox: createSftpMailboxTransport({ mailboxRoot, store }),
    },
  } as unknown as PipelineDeps
  worker = createWorker({
    sql: db.sql,
    handlers: { deliver: { transactional: false, run: (q, p, job) => deliverStage(deps, q, String(p.deliveryId), job) } },
    log: silentLogger,
    backoffBaseMs: 5,
  })
})

afterAll(async () => {
  await hosted?.stop()
  await partnerServer?.stop()
  await new Promise<void>((r) => (hooks ? hooks.close(() => r()) : r()))
  await db?.close()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

const openExceptions = (deliveryId: string) =>
  db.sql<{ code: string; reason: { attempts: number; lastError: string } }[]>`select code, reason from exceptions where delivery_id = ${deliveryId}`

describe('webhook', () => {
  it('a 2xx is the receiver’s acknowledgement; a refusal before it leaves the delivery queued', async () => {
    const d = await deliver(await newDelivery('hook', 'webhook:flaky'))
    expect(d).toMatchObject({ status: 'acknowledged', attempts: 2, lastError: null })
    expect(path(d)).toEqual(['pending', 'queued', 'acknowledged'])
    expect(hits['/flaky']).toBe(2)
  })

  it('between attempts: queued, with the attempts and the last error visible', async () => {
    const id = await newDelivery('hook', 'webhook:down')
    await expect(deliverStage(deps, db.sql, id, { attempts: 1, max_attempts: 3 } as JobRow)).rejects.toThrow(/HTTP 503/)
    const d = await shown(id)
    expect(d).toMatchObject({ status: 'queued', attempts: 1, lastError: expect.stringMatching(/HTTP 503/) })
    expect(path(d)).toEqual(['pending', 'queued'])
  })

  it('failed with the last error and delivery_failed when the attempts run out', async () => {
    const id = await newDelivery('hook', 'webhook:down')
    const d = await deliver(id)
    expect(d).toMatchObject({ status: 'failed', attempts: 3, lastError: expect.stringMatching(/HTTP 503/) })
    expect(d.history.map((s) => [s.status, s.attempts])).toEqual([['pending', 0], ['queued', 1], ['failed', 3]])
    expect(d.history.at(-1)!.error).toMatch(/HTTP 503/)
    expect(await openExceptions(id)).toEqual([expect.objectContaining({ code: 'delivery_failed', reason: expect.objectContaining({ attempts: 3 }) })])
  })

  it('failed at once on a refusal that retrying cannot fix (410)', async () => {
    const d = await deliver(await newDelivery('hook', 'webhook:gone'))
    expect(d).toMatchObject({ status: 'failed', attempts: 1, lastError: expect.stringMatching(/HTTP 410/) })
    expect(path(d)).toEqual(['pending', 'queued', 'failed'])
  })
})

describe('SFTP push to the partner’s server', () => {
  it('sent once the file is renamed into place with the size checked; acknowledged when its 997 reconciles', async () => {
    const id = await newDelivery('push', 'sftp', { kind: 'document', filename: '850_4711.x12', bytes: X12_SAMPLE })
    const d = await deliver(id)
    expect(d).toMatchObject({ status: 'sent', attempts: 1 })
    expect(path(d)).toEqual(['pending', 'queued', 'sent'])
    expect(readFileSync(join(tmp, 'remote', 'push', 'in', '850_4711.x12'), 'utf8')).toBe(X12_SAMPLE)
    const [row] = await db.sql<{ receipt: Record<string, unknown>; ack_status: string }[]>`select receipt, ack_status from deliveries where id = ${id}`
    expect(row.receipt).toMatchObject({ size: X12_SAMPLE.length, sizeVerified: true })
    expect(row.ack_status).toBe('pending')
    // Nothing on their server says they took it; their 997 does. It rejects the content, which
    // is the functional verdict (ack_status); the transport state only says it got there.
    await reconcileAck(db.sql, 'push', { ack: '997', reference: '4711', results: [{ controlNumber: '0001', status: 'rejected', notes: ['bad'] }] }, { transactionId: null, payloadId: message })
    const after = await shown(id)
    expect(path(after)).toEqual(['pending', 'queued', 'sent', 'acknowledged'])
    const [acked] = await db.sql<{ ack_status: string }[]>`select ack_status from deliveries where id = ${id}`
    expect(acked.ack_status).toBe('rejected')
  })

  it('failed after the attempts when the upload keeps failing, with the last error', async () => {
    const id = await newDelivery('nowhere', 'sftp', { filename: 'lost.x12', bytes: X12_SAMPLE })
    const d = await deliver(id)
    expect(d).toMatchObject({ status: 'failed', attempts: 3, lastError: expect.stringMatching(/push to 127\.0\.0\.1/) })
    expect(path(d)).toEqual(['pending', 'queued', 'failed'])
    expect((await openExceptions(id)).map((e) => e.code)).toEqual(['delivery_failed'])
  })
})

describe.skipIf(!hasSftp)('hosted mailbox outbox, collected with OpenSSH sftp', () => {
  it('sent when the file is in outbox/, acknowledged when the partner downloads it; removal is only noted', async () => {
    const id = await newDelivery('mbox', 'sftp_mailbox', { kind: 'ack', filename: '997_000000001.x12', bytes: X12_SAMPLE })
    const d = await deliver(id)
    expect(path(d)).toEqual(['pending', 'queued', 'sent'])
    const got = await openssh('mbox', join(tmp, 'mbox.key'), ['get outbox/997_000000001.x12 got.x12'])
    expect(got.code, got.err).toBe(0)
    expect(readFileSync(join(tmp, 'got.x12'), 'utf8')).toBe(X12_SAMPLE)
    const after = await shown(id)
    expect(after.status).toBe('acknowledged')
    expect(path(after)).toEqual(['pending', 'queued', 'sent', 'acknowledged'])
    expect((await openssh('mbox', join(tmp, 'mbox.key'), ['rm outbox/997_000000001.x12'])).code).toBe(0)
    const [row] = await db.sql<{ status: string; receipt: Record<string, unknown> }[]>`select status, receipt from deliveries where id = ${id}`
    expect(row).toMatchObject({ status: 'acknowledged', receipt: expect.objectContaining({ collected: 'sftp', removedAt: expect.any(String) }) })
  })

  it('a file the partner removes without reading stays sent', async () => {
    const id = await newDelivery('mbox', 'sftp_mailbox', { kind: 'ack', filename: '997_000000002.x12', bytes: X12_SAMPLE })
    await deliver(id)
    expect((await openssh('mbox', join(tmp, 'mbox.key'), ['rm outbox/997_000000002.x12'])).code).toBe(0)
    const d = await shown(id)
    expect(path(d)).toEqual(['pending', 'queued', 'sent'])
  })
})
