/**
 * The real OpenSSH client (`sftp -b`, key auth) against our hosted mailbox server running in its
 * own process on the real database: upload → payload row (transport sftp, same sha256) + parse
 * job; outbox download and removal tracked; jail (traversal, absolute paths, symlinks, the other
 * partner's folder); wrong key refused; temp name + rename counted once; empty and non-EDI files
 * answered with <name>.error.txt and an exception; a 100 MB upload streamed (server RSS sampled).
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Registry } from '../../src/config/registry.ts'
import { createSftpStore } from '../../src/db/sftp.ts'
import { sha256 } from '../../src/lib/ids.ts'
import { createSftpTransport } from '../../src/transports/sftp/transport.ts'
import { testDb, type TestDb } from '../helpers/db.ts'
import { startServerChild, type ServerChild } from '../transports/sftp/child.ts'
import { keyPair, writeRegistry, X12_SAMPLE } from '../transports/sftp/helpers.ts'

const hasSftp = spawnSync('sftp', ['-h'], { encoding: 'utf8' }).error === undefined
if (!hasSftp)
  console.warn(
    'sftp-openssh: skipped, the OpenSSH `sftp` client is not installed (apt-get install openssh-client)'
  )

let db: TestDb
let tmp: string
let child: ServerChild
let registry: Registry
const keys: Record<string, string> = {}

function mailboxProfile(id: string, publicKey: string) {
  return `id: ${id}\nname: ${id}\nstatus: live\noutbound: sftp_mailbox\nsftp:\n  mailbox:\n    authorizedKeys:\n      - '${publicKey}'\n`
}

/** Runs one `sftp -b` batch as `user`; the exit code is non-zero when any command fails. */
function sftp(user: string, commands: string[], key = keys[user]) {
  const batch = join(tmp, `batch-${Math.random().toString(36).slice(2)}`)
  writeFileSync(batch, commands.join('\n') + '\n')
  const r = spawnSync(
    'sftp',
    [
      '-b',
      batch,
      '-i',
      key,
      '-P',
      String(child.port),
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'LogLevel=ERROR',
      `${user}@127.0.0.1`,
    ],
    { cwd: tmp, encoding: 'utf8', timeout: 120_000 }
  )
  return { code: r.status, out: r.stdout, err: r.stderr }
}

const mailbox = (partner: string, ...p: string[]) => join(tmp, 'mailboxes', partner, ...p)

async function payloads(partnerId: string) {
  return db.sql<
    { id: string; filename: string; sha256: string; size: string; transport: string }[]
  >`
    select id, filename, sha256, size, transport from payloads where partner_id = ${partnerId} order by received_at, id`
}

describe.skipIf(!hasSftp)('OpenSSH sftp client against the hosted mailbox', () => {
  beforeAll(async () => {
    db = await testDb()
    tmp = mkdtempSync(join(tmpdir(), 'sftp-openssh-'))
    const cfg = join(tmp, 'config')
    const pub: Record<string, string> = {}
    for (const who of ['acme', 'globex', 'intruder', 'tiny']) {
      const k = keyPair()
      keys[who] = join(tmp, `${who}.key`)
      writeFileSync(keys[who], k.private)
      chmodSync(keys[who], 0o600) // OpenSSH ignores private keys others can read
      pub[who] = k.public
    }
    registry = writeRegistry(cfg, {
      acme: mailboxProfile('acme', pub.acme),
      globex: mailboxProfile('globex', pub.globex),
      tiny: mailboxProfile('tiny', pub.tiny) + '  maxFileBytes: 65536\n',
    })
    child = await startServerChild({
      DB_URL: db.url,
      DB_SCHEMA: db.schema,
      DB_MAX: db.embedded ? '1' : '4',
      CONFIG_ROOT: cfg,
      MAILBOX_ROOT: join(tmp, 'mailboxes'),
      HOST_KEY_PATH: join(tmp, 'host', 'ssh_host_ed25519_key'),
    })
  })

  afterAll(async () => {
    await child?.stop()
    await db?.close()
    if (tmp) rmSync(tmp, { recursive: true, force: true })
  })

  it('uploads an X12 file: stored with the same sha256, parse queued, file archived under its message id', async () => {
    writeFileSync(join(tmp, 'order.edi'), X12_SAMPLE)
    const r = sftp('acme', ['cd inbox', 'put order.edi', 'ls'])
    expect(r.code, r.err).toBe(0)
    const rows = await payloads('acme')
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      filename: 'order.edi',
      transport: 'sftp',
      sha256: sha256(X12_SAMPLE),
    })
    const [job] = await db.sql<
      { stage: string }[]
    >`select stage from jobs where payload->>'messageId' = ${rows[0].id}`
    expect(job.stage).toBe('parse')
    expect(readdirSync(mailbox('acme', 'inbox'))).toEqual([])
    expect(readdirSync(mailbox('acme', 'archive'))).toEqual([`${rows[0].id}__order.edi`])
    expect(statSync(join(tmp, 'host', 'ssh_host_ed25519_key')).mode & 0o777).toBe(0o600)
  })

  it('lets the partner download what we place in outbox/, and records download and removal', async () => {
    const store = createSftpStore(db.sql)
    const transport = createSftpTransport({ registry, store, mailboxRoot: join(tmp, 'mailboxes') })
    const ack = X12_SAMPLE.replace('*PO*', '*FA*')
    const sent = await transport.send({
      deliveryId: 'dlv_ack1',
      partnerId: 'acme',
      bytes: Buffer.from(ack),
      filename: '997_000000001.x12',
      contentType: 'application/edi-x12',
      docType: '997',
    })
    expect(sent).toMatchObject({ ok: true, ref: 'outbox/997_000000001.x12' })
    const r = sftp('acme', ['get outbox/997_000000001.x12 got.x12'])
    expect(r.code, r.err).toBe(0)
    expect(readFileSync(join(tmp, 'got.x12'), 'utf8')).toBe(ack)
    let [row] = await db.sql<
      { downloaded_at: Date | null; removed_at: Date | null; delivery_id: string }[]
    >`
      select downloaded_at, removed_at, delivery_id from sftp_outbox_files where partner_id = 'acme'`
    expect(row.delivery_id).toBe('dlv_ack1')
    expect(row.downloaded_at).toBeInstanceOf(Date)
    expect(row.removed_at).toBeNull()
    expect(sftp('acme', ['rm outbox/997_000000001.x12']).code).toBe(0)
    ;[row] =
      await db.sql`select downloaded_at, removed_at, delivery_id from sftp_outbox_files where partner_id = 'acme'`
    expect(row.removed_at).toBeInstanceOf(Date)
  })

  it('jails each partner: no traversal, no absolute escape, no symlink out, no other mailbox', () => {
    writeFileSync(mailbox('globex', 'outbox', 'secret.x12'), 'globex only')
    symlinkSync(mailbox('globex', 'outbox'), mailbox('acme', 'archive', 'link'))
    for (const cmd of [
      'cd ../globex',
      'cd ../../globex/outbox',
      'get ../../globex/outbox/secret.x12 x1',
      'get ../globex/outbox/secret.x12 x2',
      'get /etc/passwd x3',
      'ls /globex',
      'get archive/link/secret.x12 x4',
      'cd archive/link',
      'put ' + join(tmp, 'order.edi') + ' /',
      'put ' + join(tmp, 'order.edi') + ' archive/x.edi',
    ]) {
      const r = sftp('acme', [cmd])
      expect(r.code, `${cmd} must fail`).not.toBe(0)
    }
    for (const f of ['x1', 'x2', 'x3', 'x4']) expect(existsSync(join(tmp, f))).toBe(false)
    // `..` at the top is the mailbox itself: only its own three folders, never the other partner.
    const ls = sftp('acme', ['ls -a ..', 'ls -a /', 'ls archive'])
    expect(ls.code, ls.err).toBe(0)
    expect(ls.out).not.toMatch(/globex|secret|link/)
    expect(ls.out).toMatch(/inbox/)
    const other = sftp('globex', ['ls outbox', 'ls -a /'])
    expect(other.out).toMatch(/secret\.x12/)
    expect(other.out).not.toMatch(/order\.edi|acme/)
  })

  it('refuses a key that is not authorized, and counts the failure', async () => {
    const before = (await child.ask<{ stats: { authFailures: number } }>('stats')).stats
      .authFailures
    // A connection-level blip (reset before authentication) says nothing about the key: try again
    // once in that case; a refused key always answers "Permission denied".
    let r = sftp('acme', ['ls'], keys.intruder)
    if (!/Permission denied/.test(r.err)) r = sftp('acme', ['ls'], keys.intruder)
    expect(r.code).not.toBe(0)
    expect(r.err).toMatch(/Permission denied/)
    const after = (await child.ask<{ stats: { authFailures: number } }>('stats')).stats.authFailures
    expect(after, r.err).toBeGreaterThan(before)
    expect(sftp('nobody', ['ls'], keys.acme).code).not.toBe(0)
  })

  it('counts a temp name + rename upload once, under the final name', async () => {
    writeFileSync(join(tmp, 'inv.edi'), X12_SAMPLE.replace(/000000001/g, '000000077'))
    const r = sftp('acme', [
      'put inv.edi inbox/inv.edi.part',
      'rename inbox/inv.edi.part inbox/inv.edi',
    ])
    expect(r.code, r.err).toBe(0)
    const rows = (await payloads('acme')).filter((p) => p.filename.startsWith('inv'))
    expect(rows.map((p) => p.filename)).toEqual(['inv.edi'])
    expect(readdirSync(mailbox('acme', 'inbox'))).toEqual([])
  })

  it('answers an empty or non-EDI file with <name>.error.txt and an exception', async () => {
    writeFileSync(join(tmp, 'empty.edi'), '')
    writeFileSync(join(tmp, 'photo.edi'), 'GIF89a....')
    const before = (await payloads('acme')).length
    const r = sftp('acme', [
      'put empty.edi inbox/empty.edi',
      'put photo.edi inbox/photo.edi',
      'get inbox/empty.edi.error.txt note.txt',
    ])
    expect(r.code, r.err).toBe(0)
    expect(readFileSync(join(tmp, 'note.txt'), 'utf8')).toMatch(/empty \(0 bytes\)/)
    expect(readFileSync(mailbox('acme', 'inbox', 'photo.edi.error.txt'), 'utf8')).toMatch(
      /not an EDI interchange/
    )
    expect((await payloads('acme')).length).toBe(before)
    const exc = await db.sql<{ code: string; reason: { filename: string } }[]>`
      select code, reason from exceptions where partner_id = 'acme' order by created_at`
    expect(exc.map((e) => [e.code, e.reason.filename])).toEqual([
      ['file_rejected', '/inbox/empty.edi'],
      ['file_rejected', '/inbox/photo.edi'],
    ])
  })

  it("refuses an upload past the profile's sftp.maxFileBytes: nothing stored, the file replaced by a note", async () => {
    writeFileSync(join(tmp, 'over.edi'), X12_SAMPLE.padEnd(200 * 1024, ' '))
    writeFileSync(join(tmp, 'under.edi'), X12_SAMPLE)
    const over = sftp('tiny', ['put over.edi inbox/over.edi'])
    expect(over.code).not.toBe(0)
    const r = sftp('tiny', ['put under.edi inbox/under.edi'])
    expect(r.code, r.err).toBe(0)
    expect((await payloads('tiny')).map((p) => p.filename)).toEqual(['under.edi'])
    expect(readdirSync(mailbox('tiny', 'inbox'))).toEqual(['over.edi.error.txt'])
    expect(readFileSync(mailbox('tiny', 'inbox', 'over.edi.error.txt'), 'utf8')).toMatch(
      /larger than the upload limit of 65536 bytes/
    )
    const exc = await db.sql<{ code: string }[]>`
      select code from exceptions where partner_id = 'tiny'`
    expect(exc.map((e) => e.code)).toEqual(['file_rejected'])
  })

  it('streams a 100 MB upload to disk: server RSS grows far less than the file', async () => {
    const size = 100 * 1024 * 1024
    const file = join(tmp, 'big.edi')
    const hash = createHash('sha256')
    const fd = openSync(file, 'w')
    const head = Buffer.from(X12_SAMPLE.slice(0, 106 + 40))
    writeSync(fd, head)
    hash.update(head)
    const seg = Buffer.from('PO1*1*10*EA*9.99**BP*ITEM-0000000001*VP*V-1~\n')
    const block = Buffer.alloc(1 << 20)
    for (let i = 0; i < block.length; i++) block[i] = seg[i % seg.length]
    let written = head.length
    while (written < size) {
      const part = block.subarray(0, Math.min(block.length, size - written))
      writeSync(fd, part)
      hash.update(part)
      written += part.length
    }
    closeSync(fd)
    await child.ask('peak-reset')
    const r = sftp('acme', ['put big.edi inbox/big.edi'])
    expect(r.code, r.err).toBe(0)
    const m =
      await child.ask<
        Record<'baseline' | 'peak' | 'uploadPeak' | 'liveBaseline' | 'live' | 'uploadLive', number>
      >('peak')
    const mb = (n: number, from: number) => (n - from) / 2 ** 20
    console.log(
      `sftp 100 MB upload, server process: RSS baseline ${(m.baseline / 2 ** 20).toFixed(0)} MB, ` +
        `RSS growth ${mb(m.uploadPeak, m.baseline).toFixed(1)} MB while uploading / ${mb(m.peak, m.baseline).toFixed(1)} MB incl. receive; ` +
        `live (heap + ArrayBuffers after GC) growth ${mb(m.uploadLive, m.liveBaseline).toFixed(1)} / ${mb(m.live, m.liveBaseline).toFixed(1)} MB`
    )
    // Buffered whole, 100 MB would be alive at once; streamed, a few MB of in-flight requests.
    expect(mb(m.uploadLive, m.liveBaseline)).toBeLessThan(25)
    expect(mb(m.live, m.liveBaseline)).toBeLessThan(25)
    expect(mb(m.peak, m.baseline)).toBeLessThan(60)
    const row = (await payloads('acme')).find((p) => p.filename === 'big.edi')
    expect(row).toMatchObject({ sha256: hash.digest('hex'), size: String(size) })
  })
})
