/**
 * Interop with the independent OpenSSL/curl AS2 peer (../shared/as2-peer): our real routes, the
 * real pipeline receive() on a real database, served over HTTP. The peer's matrix.sh must end in
 * "N passed, 0 failed", and the extra cases from its README are checked one by one.
 */
import { serve, type ServerType } from '@hono/node-server'
import { Hono } from 'hono'
import { execFile, execFileSync } from 'node:child_process'
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/lib/log.ts'
import { createWorker } from '../../src/pipeline/worker.ts'
import { createAs2Stages } from '../../src/pipeline/as2.ts'
import { hasOpenssl, makeConfigRoot, startGateway, type Gateway } from '../transports/as2/gateway.ts'

const run = promisify(execFile)
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const peerSrc = join(process.env.SHARED_DIR ?? resolve(repoRoot, '../shared'), 'as2-peer')
const hasCurl = (() => {
  try {
    execFileSync('curl', ['--version'], { stdio: 'pipe' })
    return true
  } catch {
    return false
  }
})()
const missing = !existsSync(peerSrc) ? `${peerSrc} not found` : !hasOpenssl ? 'openssl not installed' : !hasCurl ? 'curl not installed' : ''
if (missing) console.warn(`skipping AS2 peer interop: ${missing}`)

describe.skipIf(!!missing)('AS2 interop with the OpenSSL peer', () => {
  let peer: string
  let gw: Gateway
  let as2Url: string
  // The async-MDN catcher exists before the profiles: its URL is on peerpartner's as2.asyncMdnUrls.
  const got: { headers: string; body: Buffer }[] = []
  let catcher: ServerType
  let asyncUrl: string

  const send = async (args: string[], out: string) => {
    const dir = join(peer, 'out', out)
    await run('bash', [join(peer, 'send.sh'), '-q', '-u', as2Url, '-o', dir, ...args], { cwd: peer }).catch(() => undefined)
    return dir
  }
  const verify = async (dir: string, extra: string[] = []) => {
    try {
      const r = await run('bash', [join(peer, 'verify-mdn.sh'), ...extra, dir], { cwd: peer })
      return { ok: true, out: r.stdout }
    } catch (err) {
      return { ok: false, out: (err as { stdout?: string }).stdout ?? String(err) }
    }
  }
  const dispositionOf = (dir: string) => /Disposition:\s*([^\r\n]*)/i.exec(readFileSync(join(dir, 'response.body'), 'latin1'))?.[1] ?? ''

  beforeAll(async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'as2-peer-'))
    peer = join(tmp, 'as2-peer')
    cpSync(peerSrc, peer, { recursive: true })
    const writable = (p: string) => {
      chmodSync(p, statSync(p).isDirectory() ? 0o755 : statSync(p).mode | 0o200)
      if (statSync(p).isDirectory()) for (const f of readdirSync(p)) writable(join(p, f))
    }
    writable(peer)
    execFileSync('bash', [join(peer, 'gen-certs.sh')], { cwd: peer, stdio: 'pipe' })
    const cert = join(peer, 'certs', 'partner.crt')
    const app = new Hono().post('/mdn', async (c) => {
      const headers = [...c.req.raw.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\r\n')
      got.push({ headers: `HTTP/1.1 200 OK\r\n${headers}\r\n`, body: Buffer.from(await c.req.arrayBuffer()) })
      return c.text('thanks')
    })
    catcher = await new Promise((r) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => r(s))
    })
    asyncUrl = `http://127.0.0.1:${(catcher.address() as AddressInfo).port}/mdn`
    // The matrix signs one case with SHA-1 (aes128-sha1): partners refuse SHA-1 unless their
    // profile allows it, so these test profiles set as2.allowSha1 explicitly.
    const allowSha1 = '  allowSha1: true'
    const { registry } = makeConfigRoot([
      { id: 'peerpartner', as2Id: 'PEERPARTNER', us: 'OURSERVER', cert, extra: `${allowSha1}\n  asyncMdnUrls: ['${asyncUrl}']` },
      { id: 'peer-spaces', as2Id: 'PEER PARTNER 01', us: 'OURSERVER', cert, extra: allowSha1 },
      { id: 'strict-peer', as2Id: 'STRICTPEER', us: 'OURSERVER', cert, requireSigned: true, extra: allowSha1 },
    ])
    gw = await startGateway({ registry, keyFile: join(peer, 'certs', 'server.key'), certFile: join(peer, 'certs', 'server.crt'), ourIds: ['OURSERVER'] })
    as2Url = `${await gw.listen()}/as2`
  })
  afterAll(async () => {
    await gw?.close()
    await new Promise<void>((r) => (catcher ? catcher.close(() => r()) : r()))
  })

  it('passes the full option matrix (matrix.sh)', async () => {
    const r = await run('bash', [join(peer, 'matrix.sh'), '-u', as2Url, '-f', 'PEERPARTNER', '-t', 'OURSERVER', '-o', join(peer, 'out', 'matrix')], { cwd: peer }).catch(
      (e: { stdout: string }) => ({ stdout: e.stdout })
    )
    const line = r.stdout.trim().split('\n').pop() ?? ''
    console.log(`matrix.sh (PEERPARTNER): ${line}`)
    expect(r.stdout).not.toMatch(/^FAIL/m)
    expect(line).toMatch(/^\d+ passed, 0 failed$/)
    expect(Number(line.split(' ')[0])).toBeGreaterThanOrEqual(22)
  })

  it('passes the matrix for a partner that requires signing, refusing unsigned messages', async () => {
    const r = await run('bash', [join(peer, 'matrix.sh'), '-u', as2Url, '-f', 'STRICTPEER', '-t', 'OURSERVER', '--require-signed', '-o', join(peer, 'out', 'strict')], {
      cwd: peer,
    }).catch((e: { stdout: string }) => ({ stdout: e.stdout }))
    const line = r.stdout.trim().split('\n').pop() ?? ''
    console.log(`matrix.sh --require-signed (STRICTPEER): ${line}`)
    expect(r.stdout).toMatch(/^ok\s+unsigned refused \(Disposition: automatic-action\/MDN-sent-automatically; processed\/error: insufficient-message-security\)/m)
    expect(line).toMatch(/^\d+ passed, 0 failed$/)
  })

  it('handles quoted AS2 ids with spaces', async () => {
    const dir = await send(['-f', 'PEER PARTNER 01', '-t', 'OURSERVER', '--quote-ids', 'always', join(peer, 'samples', '850.x12')], 'spaces')
    expect(readFileSync(join(dir, 'request.headers'), 'latin1')).toContain('AS2-From: "PEER PARTNER 01"')
    const v = await verify(dir)
    expect(v.out).toContain('RESULT: PASS')
    const [row] = await gw.sql<{ partner_id: string }[]>`select partner_id from payloads where external_id = ${readMessageId(dir)}`
    expect(row.partner_id).toBe('peer-spaces')
  })

  it('answers --mdn unsigned with an unsigned MDN and --mdn none with a bare 200', async () => {
    const unsigned = await send(['-f', 'PEERPARTNER', '-t', 'OURSERVER', '--mdn', 'unsigned', join(peer, 'samples', '850.x12')], 'mdn-unsigned')
    expect(readFileSync(join(unsigned, 'response.headers'), 'latin1')).toMatch(/content-type: multipart\/report/i)
    const v = await verify(unsigned)
    expect(v.out).toMatch(/WARN\s+signature\s+MDN is unsigned/) // unsigned, as asked …
    expect(v.out).toContain('RESULT: PASS') // … and the MIC, ids and disposition are right
    const none = await send(['-f', 'PEERPARTNER', '-t', 'OURSERVER', '--mdn', 'none', join(peer, 'samples', '850.x12')], 'mdn-none')
    expect(readFileSync(join(none, 'http-status.txt'), 'latin1').trim()).toBe('200')
    expect(statSync(join(none, 'response.body')).size).toBe(0)
    const [row] = await gw.sql<{ n: number }[]>`select count(*)::int as n from payloads where external_id = ${readMessageId(none)}`
    expect(row.n).toBe(1)
  })

  it('accepts legacy micalg names (sha256 instead of sha-256)', async () => {
    const dir = await send(['-f', 'PEERPARTNER', '-t', 'OURSERVER', '--micalg-style', 'legacy', '--md', 'sha512', join(peer, 'samples', '850.x12')], 'legacy')
    expect(readFileSync(join(dir, 'request.headers'), 'latin1')).toContain('signed-receipt-micalg=optional, sha512')
    expect((await verify(dir)).out).toContain('RESULT: PASS')
  })

  it('answers a resent Message-ID with the original disposition and stores it once', async () => {
    const id = `<dup-${Date.now()}@peer>`
    const first = await send(['-f', 'PEERPARTNER', '-t', 'OURSERVER', '--message-id', id, join(peer, 'samples', '850.x12')], 'dup-1')
    const second = await send(['-f', 'PEERPARTNER', '-t', 'OURSERVER', '--message-id', id, join(peer, 'samples', '850.x12')], 'dup-2')
    expect((await verify(first)).out).toContain('RESULT: PASS')
    // Without --allow-warning: the resend gets `processed` again, not a warning.
    expect((await verify(second)).out).toContain('RESULT: PASS')
    const rows = await gw.sql<{ id: string }[]>`select id from payloads where external_id = ${id}`
    expect(rows).toHaveLength(1)
  })

  it('rejects a wrong AS2-To and a stranger signature with error dispositions', async () => {
    const wrongTo = await send(['-f', 'PEERPARTNER', '-t', 'SOMEONE-ELSE', join(peer, 'samples', '850.x12')], 'wrong-to')
    expect(dispositionOf(wrongTo)).toMatch(/processed\/error: unknown-trading-partner/)
    const sdir = mkdtempSync(join(tmpdir(), 'stranger-'))
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=stranger', '-keyout', join(sdir, 'k.pem'), '-out', join(sdir, 'c.pem')], { stdio: 'pipe' })
    const stranger = await send(['-f', 'PEERPARTNER', '-t', 'OURSERVER', '--peer-key', join(sdir, 'k.pem'), '--peer-cert', join(sdir, 'c.pem'), join(peer, 'samples', '850.x12')], 'stranger')
    expect(dispositionOf(stranger)).toMatch(/processed\/error: authentication-failed/)
    const [n] = await gw.sql<{ n: number }[]>`select count(*)::int as n from payloads where external_id in (${readMessageId(wrongTo)}, ${readMessageId(stranger)})`
    expect(n.n).toBe(0)
  })

  it('delivers an asynchronous MDN through the as2_mdn job', async () => {
    const dir = await send(['-f', 'PEERPARTNER', '-t', 'OURSERVER', '--async-url', asyncUrl, join(peer, 'samples', '850.x12')], 'async')
    const mid = readMessageId(dir)
    const [pending] = await gw.sql<{ mdn_status: string }[]>`select mdn_status from as2_inbound where message_id = ${mid}`
    expect(pending.mdn_status).toBe('pending')
    const worker = createWorker({
      sql: gw.sql,
      handlers: createAs2Stages({ registry: gw.registry, keys: gw.keys, defaultId: 'OURSERVER' }),
      log: silentLogger,
      backoffBaseMs: 10,
    })
    await worker.drain({ timeoutMs: 20_000 })
    expect(got).toHaveLength(1)
    mkdirSync(join(dir, 'async'), { recursive: true })
    writeFileSync(join(dir, 'async', 'headers.txt'), got[0].headers)
    writeFileSync(join(dir, 'async', 'body.bin'), got[0].body)
    const v = await verify(dir, ['--mdn', join(dir, 'async', 'body.bin'), '--mdn-headers', join(dir, 'async', 'headers.txt')])
    expect(v.out).toContain('RESULT: PASS')
    const [done] = await gw.sql<{ mdn_status: string }[]>`select mdn_status from as2_inbound where message_id = ${mid}`
    expect(done.mdn_status).toBe('delivered')
  })
})

function readMessageId(dir: string): string {
  return /^MESSAGE_ID='(.*)'$/m.exec(readFileSync(join(dir, 'send.env'), 'utf8'))?.[1] ?? ''
}
