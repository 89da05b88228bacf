/**
 * The poller against a partner's SFTP server started here (real ssh2 server over a temp folder),
 * on a real database with the real receive(): delete / move / leave, the crash window between
 * receipt and delete, the lease, a changed host key, and pushing a file back.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSftpStore, sftpProblemSink } from '../../../src/db/sftp.ts'
import { sha256 } from '../../../src/lib/ids.ts'
import { receive } from '../../../src/pipeline/receive.ts'
import { createSftpPoller } from '../../../src/transports/sftp/poll.ts'
import { createSftpTransport } from '../../../src/transports/sftp/transport.ts'
import type { InboundPayload } from '../../../src/transports/types.ts'
import { testDb, type TestDb } from '../../helpers/db.ts'
import {
  keyPair,
  startPartnerServer,
  writeRegistry,
  X12_SAMPLE,
  type PartnerServer,
} from './helpers.ts'

let db: TestDb
let tmp: string
let remote: string
let server: PartnerServer
const client = keyPair()
const env = { POLL_KEY: client.private }

function profile(id: string, after: string, extra = '') {
  return `id: ${id}
name: ${id}
status: live
outbound: sftp
sftp:
  poll:
    - host: 127.0.0.1
      port: ${server.port}
      user: gw
      key: env:POLL_KEY
      path: /${id}/out
      pattern: '*.edi'
      after: ${after}
${extra}`
}

const x12 = (n: number) => X12_SAMPLE.replace(/000000001/g, String(n).padStart(9, '0'))

async function payloadCount(partnerId: string): Promise<number> {
  const [r] = await db.sql<
    { n: number }[]
  >`select count(*)::int as n from payloads where partner_id = ${partnerId}`
  return r.n
}

function setup(
  ids: string[],
  extra: Record<string, string> = {},
  after: Record<string, string> = {}
) {
  const root = mkdtempSync(join(tmp, 'cfg-'))
  const profiles: Record<string, string> = {}
  for (const id of ids) {
    mkdirSync(join(remote, id, 'out'), { recursive: true })
    mkdirSync(join(remote, id, 'done'), { recursive: true })
    profiles[id] = profile(id, after[id] ?? 'delete', extra[id] ?? '')
  }
  const registry = writeRegistry(root, profiles)
  const store = createSftpStore(db.sql)
  const onProblem = sftpProblemSink(db.sql)
  const onReceive = (p: InboundPayload) => receive({ sql: db.sql }, p)
  const poller = createSftpPoller({
    registry,
    onReceive,
    store,
    onProblem,
    env,
    workDir: join(tmp, 'work'),
  })
  return { registry, store, onProblem, onReceive, poller, root }
}

beforeAll(async () => {
  db = await testDb()
  tmp = mkdtempSync(join(tmpdir(), 'sftp-poll-'))
  remote = join(tmp, 'remote')
  mkdirSync(remote)
  server = await startPartnerServer({ root: remote, user: 'gw', clientPublicKey: client.public })
})

afterAll(async () => {
  await server?.stop()
  await db?.close()
  rmSync(tmp, { recursive: true, force: true })
})

describe('sftp poller', () => {
  it('after: delete takes matching files in and removes them only after the receipt', async () => {
    const { poller } = setup(['p-delete'])
    const out = join(remote, 'p-delete', 'out')
    writeFileSync(join(out, 'a.edi'), x12(1))
    writeFileSync(join(out, 'b.edi'), x12(2))
    writeFileSync(join(out, 'skip.txt'), 'not matching the pattern')
    writeFileSync(join(out, 'c.edi.part'), x12(3)) // a temp name is still being written
    const [res] = await poller.pollOnce('p-delete')
    expect(res).toMatchObject({ status: 'done', received: 2, duplicates: 0 })
    expect(readdirSync(out).sort()).toEqual(['c.edi.part', 'skip.txt'])
    const rows = await db.sql<
      { filename: string; sha256: string; transport: string; external_id: string }[]
    >`
      select filename, sha256, transport, external_id from payloads where partner_id = 'p-delete' order by filename`
    expect(rows.map((r) => [r.filename, r.transport, r.sha256])).toEqual([
      ['a.edi', 'sftp', sha256(x12(1))],
      ['b.edi', 'sftp', sha256(x12(2))],
    ])
    expect(rows[0].external_id).toMatch(
      /^sftp:\/\/gw@127\.0\.0\.1:\d+\/p-delete\/out\/a\.edi@\d+@\d+$/
    )
    // The parse stage was queued in the same transaction: the pipeline has it.
    const [jobs] = await db.sql<
      { n: number }[]
    >`select count(*)::int as n from jobs j join payloads p
      on j.payload->>'messageId' = p.id where p.partner_id = 'p-delete' and j.stage = 'parse'`
    expect(jobs.n).toBe(2)
  })

  it('after: move renames into moveTo', async () => {
    const { poller } = setup(
      ['p-move'],
      { 'p-move': '      moveTo: /p-move/done\n' },
      { 'p-move': 'move' }
    )
    writeFileSync(join(remote, 'p-move', 'out', 'm.edi'), x12(4))
    const [res] = await poller.pollOnce('p-move')
    expect(res).toMatchObject({ status: 'done', received: 1 })
    expect(readdirSync(join(remote, 'p-move', 'out'))).toEqual([])
    expect(readFileSync(join(remote, 'p-move', 'done', 'm.edi'), 'utf8')).toBe(x12(4))
  })

  it('after: leave keeps the file and a seen marker stops a second download', async () => {
    const { poller } = setup(['p-leave'], {}, { 'p-leave': 'leave' })
    writeFileSync(join(remote, 'p-leave', 'out', 'l.edi'), x12(5))
    expect((await poller.pollOnce('p-leave'))[0]).toMatchObject({ received: 1, duplicates: 0 })
    expect((await poller.pollOnce('p-leave'))[0]).toMatchObject({
      status: 'done',
      received: 0,
      duplicates: 0,
    })
    expect(existsSync(join(remote, 'p-leave', 'out', 'l.edi'))).toBe(true)
    expect(await payloadCount('p-leave')).toBe(1)
  })

  it('a crash between receipt and delete does not ingest twice; the next poll finishes the delete', async () => {
    const { registry, store, onReceive } = setup(['p-crash'])
    const file = join(remote, 'p-crash', 'out', 'crash.edi')
    writeFileSync(file, x12(6))
    // The process "dies" right after receive() committed: the delete never happens.
    const crashing = createSftpPoller({
      registry,
      store,
      env,
      workDir: join(tmp, 'work'),
      onReceive: async (p) => {
        await onReceive(p)
        throw new Error('simulated crash after the commit')
      },
    })
    expect((await crashing.pollOnce('p-crash'))[0]).toMatchObject({ status: 'error', received: 0 })
    expect(existsSync(file)).toBe(true)
    expect(await payloadCount('p-crash')).toBe(1)

    const restarted = createSftpPoller({
      registry,
      store,
      env,
      onReceive,
      workDir: join(tmp, 'work'),
    })
    expect((await restarted.pollOnce('p-crash'))[0]).toMatchObject({
      status: 'done',
      received: 0,
      duplicates: 1,
    })
    expect(existsSync(file)).toBe(false)
    expect(await payloadCount('p-crash')).toBe(1)
  })

  it('one poller per entry across processes: a live lease held elsewhere skips the cycle', async () => {
    const { poller, store } = setup(['p-lease'])
    writeFileSync(join(remote, 'p-lease', 'out', 'x.edi'), x12(7))
    expect(await store.tryLease('sftp-poll:p-lease:0', 'other-process', 60_000)).toBe(true)
    expect((await poller.pollOnce('p-lease'))[0]).toMatchObject({
      status: 'lease_held',
      received: 0,
    })
    expect(await payloadCount('p-lease')).toBe(0)
    await store.releaseLease('sftp-poll:p-lease:0', 'other-process')
    expect((await poller.pollOnce('p-lease'))[0]).toMatchObject({ status: 'done', received: 1 })
  })

  it('pushes outbound files as temp name + rename', async () => {
    const { registry, store } = setup(['p-push'], { 'p-push': '      pushPath: /p-push/in\n' })
    mkdirSync(join(remote, 'p-push', 'in'))
    const sftp = createSftpTransport({ registry, store, env, mailboxRoot: join(tmp, 'mailboxes') })
    const receipt = await sftp.send({
      deliveryId: 'dlv_1',
      partnerId: 'p-push',
      bytes: Buffer.from(x12(8)),
      filename: '997_1.x12',
      contentType: 'application/edi-x12',
      docType: '997',
    })
    expect(receipt).toMatchObject({ ok: true })
    expect(readdirSync(join(remote, 'p-push', 'in'))).toEqual(['997_1.x12'])
    expect(readFileSync(join(remote, 'p-push', 'in', '997_1.x12'), 'utf8')).toBe(x12(8))
  })

  it('a changed host key stops polling that partner and opens an exception', async () => {
    const { poller } = setup(['p-hostkey'])
    writeFileSync(join(remote, 'p-hostkey', 'out', 'first.edi'), x12(9))
    // First contact: trust on first use records the key.
    expect((await poller.pollOnce('p-hostkey'))[0]).toMatchObject({ status: 'done', received: 1 })
    const [known] = await db.sql<
      { fingerprint: string }[]
    >`select fingerprint from sftp_known_hosts where partner_id = 'p-hostkey'`
    expect(known.fingerprint).toMatch(/^SHA256:/)

    // The server comes back on the same port with another key (a reinstall, or someone in between).
    const port = server.port
    await server.stop()
    server = await startPartnerServer({
      root: remote,
      user: 'gw',
      clientPublicKey: client.public,
      port,
    })
    writeFileSync(join(remote, 'p-hostkey', 'out', 'second.edi'), x12(10))
    expect((await poller.pollOnce('p-hostkey'))[0]).toMatchObject({
      status: 'host_key_changed',
      received: 0,
    })
    expect((await poller.pollOnce('p-hostkey'))[0]).toMatchObject({ status: 'stopped' })
    expect(existsSync(join(remote, 'p-hostkey', 'out', 'second.edi'))).toBe(true)
    expect(await payloadCount('p-hostkey')).toBe(1)
    const exc = await db.sql<{ code: string; reason: { expected: string; actual: string } }[]>`
      select code, reason from exceptions where partner_id = 'p-hostkey'`
    expect(exc).toHaveLength(1)
    expect(exc[0].code).toBe('sftp_host_key_changed')
    expect(exc[0].reason.expected).toBe(known.fingerprint)
    expect(exc[0].reason.actual).not.toBe(known.fingerprint)
  })

  it('a host key pinned in the profile refuses any other key from the first contact', async () => {
    const other = keyPair()
    const { poller } = setup(['p-pinned'], { 'p-pinned': `      hostKey: '${other.public}'\n` })
    writeFileSync(join(remote, 'p-pinned', 'out', 'p.edi'), x12(11))
    expect((await poller.pollOnce('p-pinned'))[0]).toMatchObject({ status: 'host_key_changed' })
    expect(await payloadCount('p-pinned')).toBe(0)
  })
})
