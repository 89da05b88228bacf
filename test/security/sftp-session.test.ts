/**
 * Hosted SFTP sessions against resource abuse and information leaks (hardening issue), real ssh2
 * server and client, real receive() into the test database:
 *   - open handles are capped per connection (one session used to open 2,000 files);
 *   - uploads are capped at maxFileBytes on every WRITE (a write at offset 300 MiB used to store a
 *     300 MiB payload), sparse writes and holes are refused, nothing partial becomes a payload;
 *   - error texts name the partner's own paths, never the server's data directory.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import type { SFTPWrapper } from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Registry } from '../../src/config/registry.ts'
import { createSftpStore, sftpProblemSink } from '../../src/db/sftp.ts'
import { receive } from '../../src/pipeline/receive.ts'
import { createSftpServer, type SftpServerOptions } from '../../src/transports/sftp/server.ts'
import type { OnReceive } from '../../src/transports/types.ts'
import { testDb, type TestDb } from '../helpers/db.ts'
import { keyPair, writeRegistry, X12_SAMPLE } from '../transports/sftp/helpers.ts'

let db: TestDb
let tmp: string
let registry: Registry
const key = keyPair()
const MiB = 1024 * 1024

beforeAll(async () => {
  db = await testDb()
  tmp = mkdtempSync(join(tmpdir(), 'sftp-session-'))
  registry = writeRegistry(join(tmp, 'cfg'), {
    acme: `id: acme\nname: ACME\nstatus: live\nsftp:\n  mailbox:\n    authorizedKeys: ['${key.public}']\n`,
    tiny: `id: tiny\nname: Tiny\nstatus: live\nsftp:\n  maxFileBytes: 1000\n  mailbox:\n    authorizedKeys: ['${key.public}']\n`,
  })
})

const servers: { stop(): Promise<void> }[] = []
afterAll(async () => {
  for (const s of servers) await s.stop()
  await db?.close()
  rmSync(tmp, { recursive: true, force: true })
})

const mailboxRoot = () => join(tmp, 'mb')

async function start(
  limits?: SftpServerOptions['limits'],
  onReceive: OnReceive = (p) => receive({ sql: db.sql }, p)
) {
  const s = createSftpServer({
    registry,
    onReceive,
    store: createSftpStore(db.sql),
    onProblem: sftpProblemSink(db.sql),
    hostKeyPath: join(tmp, 'host_key'),
    mailboxRoot: mailboxRoot(),
    port: 0,
    host: '127.0.0.1',
    limits,
  })
  servers.push(s)
  return { s, port: (await s.start()).port }
}

async function connect(port: number, user = 'acme') {
  const conn = new ssh2.Client()
  await new Promise<void>((resolve, reject) => {
    conn.on('error', reject)
    conn.on('ready', () => resolve())
    conn.connect({ host: '127.0.0.1', port, username: user, privateKey: key.private, hostVerifier: () => true })
  })
  const channel = () =>
    new Promise<SFTPWrapper>((res, rej) => conn.sftp((err, s) => (err ? rej(err) : res(s))))
  return { conn, sftp: await channel(), channel, close: () => conn.end() }
}

const call = <T = void>(fn: (cb: (err: Error | null | undefined, v?: T) => void) => void) =>
  new Promise<T>((res, rej) => fn((e, v) => (e ? rej(e) : res(v as T))))
const openFile = (sftp: SFTPWrapper, p: string, flags: ssh2.OpenMode) =>
  call<Buffer>((cb) => sftp.open(p, flags, cb))
const write = (sftp: SFTPWrapper, h: Buffer, data: Buffer, position: number) =>
  call((cb) => sftp.write(h, data, 0, data.length, position, cb))
const closeHandle = (sftp: SFTPWrapper, h: Buffer) => call((cb) => sftp.close(h, cb))
const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: Error) => e.message
  )
const fds = () => readdirSync('/proc/self/fd').length
const payloadsNamed = async (filename: string) =>
  (await db.sql<{ sha256: string }[]>`select sha256 from payloads where filename = ${filename}`).map((r) => r.sha256)

describe('sftp session limits', () => {
  it('caps open handles per connection (all its SFTP channels together) with a clear FAILURE', async () => {
    const { port } = await start()
    writeFileSync(join(mailboxRoot(), 'acme', 'archive', 'kept.edi'), X12_SAMPLE)
    const c = await connect(port)
    const before = fds()
    const handles: Buffer[] = []
    const errors: string[] = []
    for (let i = 0; i < 100; i++) {
      await openFile(c.sftp, '/archive/kept.edi', 'r').then(
        (h) => handles.push(h),
        (e: Error) => errors.push(e.message)
      )
    }
    expect(handles).toHaveLength(64)
    expect(errors).toHaveLength(36)
    expect(errors[0]).toMatch(/too many open files.*64/i)
    // The server process holds no more descriptors than the cap (plus a little slack).
    expect(fds() - before).toBeLessThanOrEqual(64 + 8)
    // A second channel on the same connection shares the budget.
    const second = await c.channel()
    expect(await errorOf(openFile(second, '/archive/kept.edi', 'r'))).toMatch(/too many open files/i)
    await closeHandle(c.sftp, handles.pop()!)
    handles.push(await openFile(second, '/archive/kept.edi', 'r'))
    c.close()
  })

  it('refuses a write past maxFileBytes (a sparse write at 300 MiB): nothing stored, the partial file removed', async () => {
    const { port } = await start()
    const c = await connect(port)
    const h = await openFile(c.sftp, '/inbox/huge.edi', 'w')
    await write(c.sftp, h, Buffer.from(X12_SAMPLE), 0)
    const refused = await errorOf(write(c.sftp, h, Buffer.from('~'), 300 * MiB))
    expect(refused).toMatch(/larger than the upload limit of 100 MiB/)
    expect(refused).toContain('/inbox/huge.edi')
    // Later writes on the handle and its CLOSE fail the same way.
    expect(await errorOf(write(c.sftp, h, Buffer.from('x'), X12_SAMPLE.length))).toMatch(/upload limit/)
    expect(await errorOf(closeHandle(c.sftp, h))).toMatch(/upload limit/)
    c.close()
    expect(await payloadsNamed('huge.edi')).toEqual([])
    const inbox = readdirSync(join(mailboxRoot(), 'acme', 'inbox'))
    expect(inbox).not.toContain('huge.edi')
    expect(inbox).toContain('huge.edi.error.txt')
    expect(readFileSync(join(mailboxRoot(), 'acme', 'inbox', 'huge.edi.error.txt'), 'utf8')).toMatch(
      /upload limit/
    )
  })

  it("applies the profile's sftp.maxFileBytes to sequential writes", async () => {
    const { port } = await start()
    const c = await connect(port, 'tiny')
    const h = await openFile(c.sftp, '/inbox/t.edi', 'w')
    await write(c.sftp, h, Buffer.alloc(600, 'a'), 0)
    expect(await errorOf(write(c.sftp, h, Buffer.alloc(600, 'a'), 600))).toMatch(
      /larger than the upload limit of 1000 bytes/
    )
    await errorOf(closeHandle(c.sftp, h))
    c.close()
    expect(existsSync(join(mailboxRoot(), 'tiny', 'inbox', 't.edi'))).toBe(false)
  })

  it('refuses a write that starts far past the end (sparse), even under the size cap', async () => {
    const { port } = await start()
    const c = await connect(port)
    const h = await openFile(c.sftp, '/inbox/gap.edi', 'w')
    await write(c.sftp, h, Buffer.from(X12_SAMPLE), 0)
    expect(await errorOf(write(c.sftp, h, Buffer.from('x'), 50 * MiB))).toMatch(/sparse/)
    expect(await errorOf(closeHandle(c.sftp, h))).toMatch(/sparse/)
    c.close()
    expect(await payloadsNamed('gap.edi')).toEqual([])
  })

  it('accepts writes out of order within the window, refuses a file left with a hole at CLOSE', async () => {
    const { port } = await start()
    const c = await connect(port)
    const body = Buffer.from(X12_SAMPLE.replace(/000000001/g, '000000701'))
    const h = await openFile(c.sftp, '/inbox/swapped.edi', 'w')
    await write(c.sftp, h, body.subarray(100), 100)
    await write(c.sftp, h, body.subarray(0, 100), 0)
    await closeHandle(c.sftp, h)
    expect(await payloadsNamed('swapped.edi')).toEqual([createHash('sha256').update(body).digest('hex')])

    const holed = await openFile(c.sftp, '/inbox/holed.edi', 'w')
    await write(c.sftp, holed, body.subarray(0, 100), 0)
    await write(c.sftp, holed, body.subarray(150), 150)
    expect(await errorOf(closeHandle(c.sftp, holed))).toMatch(/bytes 100-149 .*never written/)
    c.close()
    expect(await payloadsNamed('holed.edi')).toEqual([])
    expect(readdirSync(join(mailboxRoot(), 'acme', 'inbox'))).not.toContain('holed.edi')
  })
})

describe('sftp error texts', () => {
  it("never show the server's directories: paths are the partner's own view", async () => {
    const root = mailboxRoot()
    const { port } = await start(undefined, async (p) => {
      throw new Error(`disk trouble at ${join(root, '.gateway', p.partnerId ?? '', 'incoming')}: EIO`)
    })
    const c = await connect(port)
    const s = c.sftp
    await call((cb) => s.mkdir('/inbox/sub', cb))
    writeFileSync(join(root, 'acme', 'inbox', 'sub', 'f.txt'), 'x')
    const texts = [
      await errorOf(openFile(s, '/inbox/missing.edi', 'r')),
      await errorOf(call((cb) => s.stat('/outbox/missing.edi', cb))),
      await errorOf(call((cb) => s.mkdir('/inbox/sub', cb))),
      await errorOf(call((cb) => s.rmdir('/inbox/sub', cb))),
      await errorOf(call((cb) => s.rename('/inbox/nothing.tmp', '/inbox/nothing.edi', cb))),
      await errorOf(call((cb) => s.unlink('/inbox/nothing.edi', cb))),
      await errorOf(call((cb) => s.opendir('/inbox/sub/f.txt', cb))),
      await errorOf(call((cb) => s.writeFile('/inbox/po.edi', X12_SAMPLE, cb))),
    ]
    c.close()
    expect(texts.every((t) => typeof t === 'string' && t.length > 0)).toBe(true)
    for (const t of texts) {
      expect(t).not.toContain(tmp)
      expect(t).not.toContain('.gateway')
      expect(t).not.toMatch(/mailboxes|\/tmp\//)
    }
    expect(texts[0]).toMatch(/no such file.*\/inbox\/missing\.edi/i)
    expect(texts[2]).toMatch(/already exists.*\/inbox\/sub/i)
    expect(texts[3]).toMatch(/not empty.*\/inbox\/sub/i)
    expect(texts[7]).toMatch(/\/inbox\/po\.edi was not taken in/)
  })
})
