/**
 * The hosted server driven by a real ssh2 client (the OpenSSH client has its own interop suite):
 * host key kept across restarts, password auth, folder rules, sub-folders, a failed receive
 * giving the file back, and crash recovery of staged uploads, on a real database.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import type { SFTPWrapper } from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Registry } from '../../../src/config/registry.ts'
import { createSftpStore, sftpProblemSink } from '../../../src/db/sftp.ts'
import { receive } from '../../../src/pipeline/receive.ts'
import { fingerprint } from '../../../src/transports/sftp/host-key.ts'
import { stagingPath } from '../../../src/transports/sftp/mailbox.ts'
import { createSftpServer } from '../../../src/transports/sftp/server.ts'
import { createSftpMailboxTransport } from '../../../src/transports/sftp/transport.ts'
import type { InboundPayload, OnReceive } from '../../../src/transports/types.ts'
import { testDb, type TestDb } from '../../helpers/db.ts'
import { keyPair, writeRegistry, X12_SAMPLE } from './helpers.ts'

let db: TestDb
let tmp: string
let registry: Registry
const key = keyPair()
const env = { ACME_SFTP_PASSWORD: 'correct horse battery staple' }

async function connect(port: number, auth: { password?: string; privateKey?: string }) {
  const conn = new ssh2.Client()
  let hostKey = ''
  const sftp = await new Promise<SFTPWrapper>((resolve, reject) => {
    conn.on('error', reject)
    conn.on('ready', () => conn.sftp((err, s) => (err ? reject(err) : resolve(s))))
    conn.connect({
      host: '127.0.0.1',
      port,
      username: 'acme-user',
      ...auth,
      tryKeyboard: false,
      hostVerifier: (k: Buffer) => ((hostKey = fingerprint(k)), true),
    } as ssh2.ConnectConfig)
  })
  const call = <T = void>(fn: (cb: (err: Error | null | undefined, v?: T) => void) => void) =>
    new Promise<T>((res, rej) => fn((e, v) => (e ? rej(e) : res(v as T))))
  return { sftp, call, hostKey, close: () => conn.end() }
}

function start(onReceive: OnReceive = (p: InboundPayload) => receive({ sql: db.sql }, p)) {
  return createSftpServer({
    registry,
    onReceive,
    store: createSftpStore(db.sql),
    onProblem: sftpProblemSink(db.sql),
    hostKeyPath: join(tmp, 'keys', 'host_ed25519'),
    mailboxRoot: join(tmp, 'mb'),
    port: 0,
    host: '127.0.0.1',
    env,
  })
}

beforeAll(async () => {
  db = await testDb()
  tmp = mkdtempSync(join(tmpdir(), 'sftp-server-'))
  registry = writeRegistry(join(tmp, 'cfg'), {
    acme: `id: acme\nname: ACME\nstatus: live\nsftp:\n  mailbox:\n    user: acme-user\n    password: env:ACME_SFTP_PASSWORD\n    authorizedKeys: [keys/acme.pub]\n`,
  })
  mkdirSync(join(tmp, 'cfg', 'keys'))
  writeFileSync(join(tmp, 'cfg', 'keys', 'acme.pub'), `# ACME ops team\n${key.public}\n`)
})

afterAll(async () => {
  await db?.close()
  rmSync(tmp, { recursive: true, force: true })
})

describe('hosted sftp server', () => {
  it('generates its host key once (mode 600) and presents the same key after a restart', async () => {
    const a = start()
    const { port } = await a.start()
    const c1 = await connect(port, { privateKey: key.private })
    c1.close()
    await a.stop()
    expect(statSync(join(tmp, 'keys', 'host_ed25519')).mode & 0o777).toBe(0o600)
    const b = start()
    const again = await connect((await b.start()).port, { privateKey: key.private })
    again.close()
    await b.stop()
    expect(again.hostKey).toBe(c1.hostKey)
  })

  it('accepts the configured password and key file, refuses a wrong password and counts it', async () => {
    const s = start()
    const { port } = await s.start()
    const ok = await connect(port, { password: env.ACME_SFTP_PASSWORD })
    ok.close()
    await expect(connect(port, { password: 'wrong' })).rejects.toThrow(/authentication/i)
    await expect(connect(port, { privateKey: keyPair().private })).rejects.toThrow(
      /authentication/i
    )
    expect(s.stats.authFailures).toBeGreaterThanOrEqual(2)
    expect(s.stats.logins).toBe(1)
    await s.stop()
  })

  it('shows only inbox/outbox/archive, writes only in inbox (sub-folders too), setstat and rmdir work', async () => {
    const s = start()
    const { port } = await s.start()
    const c = await connect(port, { privateKey: key.private })
    const top = await c.call<ssh2.FileEntryWithStats[]>((cb) => c.sftp.readdir('/', cb))
    expect(
      top
        .map((e) => e.filename)
        .filter((n) => !n.startsWith('.'))
        .sort()
    ).toEqual(['archive', 'inbox', 'outbox'])
    expect((await c.call<ssh2.Stats>((cb) => c.sftp.stat('/inbox', cb))).isDirectory()).toBe(true)
    await expect(
      c.call((cb) => c.sftp.writeFile('/archive/x.edi', X12_SAMPLE, cb))
    ).rejects.toThrow(/denied/i)
    await expect(c.call((cb) => c.sftp.writeFile('/x.edi', X12_SAMPLE, cb))).rejects.toThrow(
      /denied/i
    )
    await expect(c.call((cb) => c.sftp.mkdir('/outbox/sub', cb))).rejects.toThrow(/denied/i)
    await c.call((cb) => c.sftp.mkdir('/inbox/sub', cb))
    await c.call((cb) => c.sftp.writeFile('/inbox/sub/.tmp-upload', X12_SAMPLE, cb))
    await c.call((cb) =>
      c.sftp.setstat('/inbox/sub/.tmp-upload', { atime: 1_700_000_000, mtime: 1_700_000_000 }, cb)
    )
    expect(
      (await c.call<ssh2.Stats>((cb) => c.sftp.lstat('/inbox/sub/.tmp-upload', cb))).mtime
    ).toBe(1_700_000_000)
    await c.call((cb) => c.sftp.rename('/inbox/sub/.tmp-upload', '/inbox/sub/po.edi', cb))
    await c.call((cb) => c.sftp.rmdir('/inbox/sub', cb))
    c.close()
    await s.stop()
    const rows = await db.sql<
      { filename: string; meta: { path: string } }[]
    >`select filename, meta from payloads where partner_id = 'acme'`
    expect(rows.map((r) => [r.filename, r.meta.path])).toEqual([['po.edi', '/inbox/sub/po.edi']])
  })

  it('answers CLOSE with a failure and leaves the file in inbox when receive() fails', async () => {
    const s = start(async () => {
      throw new Error('database unavailable')
    })
    const { port } = await s.start()
    const c = await connect(port, { privateKey: key.private })
    // The partner reads our text; the database's own error stays in the server log.
    await expect(
      c.call((cb) => c.sftp.writeFile('/inbox/down.edi', X12_SAMPLE, cb))
    ).rejects.toThrow(/^\/inbox\/down\.edi was not taken in: .*try again later$/)
    c.close()
    await s.stop()
    expect(readdirSync(join(tmp, 'mb', 'acme', 'inbox'))).toContain('down.edi')
    expect(s.stats.receiveFailures).toBe(1)
    rmSync(join(tmp, 'mb', 'acme', 'inbox', 'down.edi'))
  })

  it('recovers uploads a crash left staged, exactly once even when receive() had committed', async () => {
    const staging = stagingPath(join(tmp, 'mb'), 'acme')
    const committed = X12_SAMPLE.replace(/000000001/g, '000000501')
    const notYet = X12_SAMPLE.replace(/000000001/g, '000000502')
    writeFileSync(join(staging, `up_crash1__${encodeURIComponent('/inbox/a.edi')}`), committed)
    writeFileSync(join(staging, `up_crash2__${encodeURIComponent('/inbox/b.edi')}`), notYet)
    // The first one reached the database before the crash, the second did not.
    await receive(
      { sql: db.sql },
      {
        transport: 'sftp',
        partnerId: 'acme',
        filename: 'a.edi',
        body: Buffer.from(committed),
        externalId: 'upload:up_crash1',
      }
    )
    const s = start()
    await s.start()
    await s.stop()
    const rows = await db.sql<{ id: string; filename: string }[]>`select id, filename from payloads
      where partner_id = 'acme' and external_id in ('upload:up_crash1', 'upload:up_crash2') order by filename`
    expect(rows.map((r) => r.filename)).toEqual(['a.edi', 'b.edi'])
    expect(readdirSync(staging)).toEqual([])
    for (const r of rows)
      expect(existsSync(join(tmp, 'mb', 'acme', 'archive', `${r.id}__${r.filename}`))).toBe(true)
  })

  it('the mailbox transport refuses partner ids that are not mailbox names', async () => {
    const t = createSftpMailboxTransport({ mailboxRoot: join(tmp, 'mb') })
    const base = {
      deliveryId: 'd',
      bytes: Buffer.from('x'),
      filename: 'a.x12',
      contentType: 'text/plain',
      docType: '997',
    }
    for (const partnerId of ['', '../acme', 'acme/../../etc', '.gateway'])
      expect(await t.send({ ...base, partnerId })).toMatchObject({ ok: false, retryable: false })
    expect(await t.send({ ...base, partnerId: 'acme', filename: '../../evil.x12' })).toMatchObject({
      ok: true,
      ref: 'outbox/evil.x12',
    })
  })
})
