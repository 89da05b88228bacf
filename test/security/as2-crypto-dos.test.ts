/**
 * Hostile AS2 bodies that used to take the whole process (AS2 hardening issue, items 3 and 4):
 *   - 50 MiB of application/pkcs7-mime holding 26 million NULLs held the event loop 178 s and then
 *     ran out of heap: now the DER reader stops at its element cap, in a worker thread, and
 *     /healthz and other partners are answered meanwhile;
 *   - a 1 MB compressed body that inflates to 1 GiB: zlib stops at the cap (profile
 *     `as2.maxDecompressedMb`, default 64 MiB), and a signature around it is checked first.
 * Time is bounded generously (no measurement), memory by the process RSS peak.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { constants as zc, createDeflateRaw } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CmsError, decompress, OID } from '../../src/transports/as2/cms.ts'
import { createCmsPool, type CmsPool } from '../../src/transports/as2/cms-pool.ts'
import { algId, ctx, encodeOid, integer, octetString, seq, tlv } from '../../src/transports/as2/der.ts'
import { hasOpenssl, makeConfigRoot, opensslPair, startGateway, type Gateway } from '../transports/as2/gateway.ts'
import { buildPartnerMessage } from '../transports/as2/openssl.ts'

const MiB = 1024 * 1024
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** ContentInfo(envelopedData) whose content is one SEQUENCE of `count` NULLs (2 octets each). */
function nullFlood(count: number): Buffer {
  const nulls = Buffer.alloc(count * 2).fill(Buffer.from([0x05, 0x00]))
  return seq(encodeOid(OID.envelopedData), tlv(ctx(0), seq(nulls)))
}

/** ContentInfo(envelopedData) nesting `depth` indefinite-length SEQUENCEs. */
function depthBomb(depth: number): Buffer {
  const head = Buffer.concat([Buffer.from([0x30, 0x80]), encodeOid(OID.envelopedData), Buffer.from([0xa0, 0x80])])
  return Buffer.concat([head, Buffer.alloc(depth * 2).fill(Buffer.from([0x30, 0x80])), Buffer.alloc(depth * 2 + 8)])
}

/**
 * A real zlib bomb: a MIME entity of `mib` MiB of zeros, about 1 KiB of deflate per MiB.
 * Built from one full-flushed deflate block repeated (each is self-contained and byte-aligned),
 * with the correct Adler-32, so that a full inflate succeeds.
 */
async function zlibBomb(mib: number): Promise<{ der: Buffer; size: number }> {
  const d = createDeflateRaw({ level: 9 })
  let got: Buffer[] = []
  d.on('data', (c: Buffer) => got.push(c))
  const take = async () => {
    await new Promise<void>((r) => d.flush(zc.Z_FULL_FLUSH, () => r()))
    await new Promise((r) => setImmediate(r))
    const b = Buffer.concat(got)
    got = []
    return b
  }
  const header = Buffer.from('Content-Type: application/edi-x12\r\n\r\n')
  d.write(header)
  const first = await take()
  d.write(Buffer.alloc(MiB))
  const block = await take()
  d.destroy()
  let a = 1
  let b = 0
  for (const x of header) {
    a = (a + x) % 65521
    b = (b + a) % 65521
  }
  b = (b + ((mib * MiB) % 65521) * a) % 65521
  const adler = Buffer.alloc(4)
  adler.writeUInt32BE(((b << 16) | a) >>> 0)
  const zlib = Buffer.concat([Buffer.from([0x78, 0xda]), first, ...Array<Buffer>(mib).fill(block), Buffer.from([0x03, 0x00]), adler])
  const eci = seq(encodeOid(OID.data), tlv(ctx(0), octetString(zlib)))
  const der = seq(encodeOid(OID.compressedData), tlv(ctx(0), seq(integer(0), algId(OID.zlib, null), eci)))
  return { der, size: header.length + mib * MiB }
}

/** Peak RSS growth while `work` runs, sampled every 20 ms. */
async function peakRss<T>(work: () => Promise<T>): Promise<{ value: T; growth: number }> {
  const base = process.memoryUsage().rss
  let peak = base
  const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
  try {
    const value = await work()
    peak = Math.max(peak, process.memoryUsage().rss)
    return { value, growth: peak - base }
  } finally {
    clearInterval(t)
  }
}

describe('DER reader and zlib caps (no gateway)', () => {
  it('decompress stops at the cap for a 1 GiB bomb and still inflates what fits', async () => {
    const bomb = await zlibBomb(1024)
    expect(bomb.der.length).toBeLessThan(1.1 * MiB)
    const { growth } = await peakRss(async () => {
      expect(() => decompress(bomb.der)).toThrow(CmsError)
      try {
        decompress(bomb.der)
      } catch (err) {
        expect((err as CmsError).code).toBe('limit_exceeded')
      }
    })
    expect(growth).toBeLessThan(512 * MiB)
    const small = await zlibBomb(3)
    expect(decompress(small.der, 4 * MiB).length).toBe(small.size)
    expect(() => decompress(small.der, 2 * MiB)).toThrow(/inflates beyond/)
  })
})

describe.skipIf(!hasOpenssl)('hostile AS2 bodies against the gateway', () => {
  let gw: Gateway
  let partner: { key: string; crt: string }
  let stranger: { key: string; crt: string }
  let ours: { key: string; crt: string }
  let n = 0

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'as2-dos-'))
    partner = opensslPair(dir, 'p')
    stranger = opensslPair(dir, 's')
    ours = opensslPair(dir, 'o', 'OURS')
    const { registry } = makeConfigRoot([
      { id: 'p', as2Id: 'P', us: 'OURS', cert: partner.crt },
      { id: 'other', as2Id: 'OTHER', us: 'OURS', cert: partner.crt },
      { id: 'tight', as2Id: 'TIGHT', us: 'OURS', cert: partner.crt, extra: '  maxDecompressedMb: 1' },
      // One partner per hostile case: as2_limit_exceeded opens once per partner and day.
      { id: 'deep', as2Id: 'DEEP', us: 'OURS', cert: partner.crt },
      { id: 'bomb', as2Id: 'BOMB', us: 'OURS', cert: partner.crt },
      { id: 'bomb2', as2Id: 'BOMB2', us: 'OURS', cert: partner.crt },
    ])
    gw = await startGateway({ registry, keyFile: ours.key, certFile: ours.crt, ourIds: ['OURS'] })
    await gw.listen()
  })
  afterAll(async () => {
    await gw?.close()
  })

  const headers = (from: string, contentType: string) => ({
    'AS2-From': from,
    'AS2-To': 'OURS',
    'Message-ID': `<dos-${Date.now()}-${++n}@${from.toLowerCase()}>`,
    'Content-Type': contentType,
    'Disposition-Notification-To': 'mailto:x@example.invalid',
  })
  const disposition = (mdn: string) => /Disposition: automatic-action\/MDN-sent-automatically; ([^\r\n]*)/.exec(mdn)?.[1]
  const post = async (h: Record<string, string>, body: Buffer) => {
    const res = await fetch(`${gw.url}/as2`, { method: 'POST', headers: h, body: new Uint8Array(body) })
    return { status: res.status, disposition: disposition(await res.text()), messageId: h['Message-ID'] }
  }
  const legit = async (from = 'OTHER') => {
    const m = buildPartnerMessage({ from, payload: Buffer.from(`ISA*00*legit ${Date.now()} ${++n}~\n`), sign: partner, encrypt: { crt: ours.crt } })
    const res = await fetch(`${gw.url}/as2`, { method: 'POST', headers: m.headers, body: new Uint8Array(m.body) })
    return disposition(await res.text())
  }
  const exceptions = (messageId: string) =>
    gw.sql<{ code: string; partner_id: string; reason: { messageId: string; detail: string } }[]>`
      select code, partner_id, reason from exceptions where code = 'as2_limit_exceeded' and reason->>'messageId' = ${messageId}`
  const stored = async (messageId: string) => (await gw.sql<{ n: number }[]>`select count(*)::int as n from payloads where external_id = ${messageId}`)[0].n

  it('answers 50 MiB of 26 million NULLs with an error MDN and an exception, while /healthz and other partners are served', async () => {
    const body = nullFlood(26 * 1024 * 1024)
    expect(body.length).toBeGreaterThan(50 * MiB)
    const started = Date.now()
    const { value, growth } = await peakRss(async () => {
      let done = false
      const hostile = post(headers('P', 'application/pkcs7-mime; smime-type=enveloped-data'), body).finally(() => (done = true))
      const health: number[] = []
      let other: string | undefined
      while (!done || health.length === 0) {
        const t = Date.now()
        const res = await fetch(`${gw.url}/healthz`)
        expect(await res.text()).toBe('ok')
        health.push(Date.now() - t)
        other ??= await legit()
        await sleep(20)
      }
      return { r: await hostile, health, other }
    })
    expect(Date.now() - started).toBeLessThan(30_000)
    expect(value.r.status).toBe(200)
    expect(value.r.disposition).toBe('processed/error: decryption-failed')
    expect(Math.max(...value.health)).toBeLessThan(5_000) // generous: it was 178 s
    expect(value.other).toBe('processed')
    expect(growth).toBeLessThan(1024 * MiB)
    const [exc] = await exceptions(value.r.messageId)
    expect(exc.partner_id).toBe('p')
    expect(exc.reason.detail).toMatch(/too many ASN\.1 elements/)
    expect(await stored(value.r.messageId)).toBe(0)
  })

  it('stops a million nested indefinite-length SEQUENCEs at the depth cap', async () => {
    const r = await post(headers('DEEP', 'application/pkcs7-mime; smime-type=enveloped-data'), depthBomb(1_000_000))
    expect(r.disposition).toBe('processed/error: decryption-failed')
    expect((await exceptions(r.messageId))[0].reason.detail).toMatch(/nesting deeper than/)
  })

  it('refuses a 1 GiB compression bomb (unsigned, and encrypted) without inflating it', async () => {
    const bomb = await zlibBomb(1024)
    const { value, growth } = await peakRss(async () => {
      const plain = await post(headers('BOMB', 'application/pkcs7-mime; smime-type=compressed-data'), bomb.der)
      const entity = Buffer.concat([Buffer.from('Content-Type: application/pkcs7-mime; smime-type=compressed-data\r\nContent-Transfer-Encoding: binary\r\n\r\n'), bomb.der])
      const dir = mkdtempSync(join(tmpdir(), 'as2-bomb-'))
      writeFileSync(join(dir, 'in'), entity)
      execFileSync('openssl', ['cms', '-encrypt', '-binary', '-in', join(dir, 'in'), '-outform', 'DER', '-out', join(dir, 'out'), '-aes256', '-recip', ours.crt], { stdio: 'pipe' })
      const encrypted = await post(headers('BOMB2', 'application/pkcs7-mime; smime-type=enveloped-data'), readFileSync(join(dir, 'out')))
      return { plain, encrypted }
    })
    for (const r of [value.plain, value.encrypted]) {
      expect(r.disposition).toBe('processed/error: unexpected-processing-error')
      expect(await stored(r.messageId)).toBe(0)
    }
    for (const r of [value.plain, value.encrypted]) expect((await exceptions(r.messageId))[0]?.reason.detail ?? '').toMatch(/inflates beyond 67108864 octets/)
    expect(growth).toBeLessThan(768 * MiB)
  })

  it('checks a signature around a compressed bomb before inflating it', async () => {
    const bomb = await zlibBomb(1024)
    const entity = Buffer.concat([Buffer.from('Content-Type: application/pkcs7-mime; smime-type=compressed-data\r\nContent-Transfer-Encoding: binary\r\n\r\n'), bomb.der])
    // Signed by a stranger: refused on the signature, never inflated (no limit exception).
    const boundary = 'b-bomb'
    const dir = mkdtempSync(join(tmpdir(), 'as2-bomb-'))
    writeFileSync(join(dir, 'in'), entity)
    execFileSync('openssl', ['cms', '-sign', '-binary', '-in', join(dir, 'in'), '-signer', stranger.crt, '-inkey', stranger.key, '-outform', 'DER', '-out', join(dir, 'sig')], { stdio: 'pipe' })
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\n`),
      entity,
      Buffer.from(`\r\n--${boundary}\r\nContent-Type: application/pkcs7-signature\r\nContent-Transfer-Encoding: base64\r\n\r\n${readFileSync(join(dir, 'sig')).toString('base64')}\r\n--${boundary}--\r\n`),
    ])
    const r = await post(headers('P', `multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="${boundary}"`), body)
    expect(r.disposition).toBe('processed/error: authentication-failed')
    expect(await exceptions(r.messageId)).toHaveLength(0)
  })

  it('takes the cap from the profile (as2.maxDecompressedMb)', async () => {
    const payload = Buffer.alloc(2 * MiB, 'ISA*00~\n')
    const tight = buildPartnerMessage({ from: 'TIGHT', payload, compress: true, sign: partner })
    const roomy = buildPartnerMessage({ from: 'P', payload, compress: true, sign: partner })
    const send = async (m: typeof tight) => {
      const res = await fetch(`${gw.url}/as2`, { method: 'POST', headers: m.headers, body: new Uint8Array(m.body) })
      return disposition(await res.text())
    }
    expect(await send(tight)).toBe('processed/error: unexpected-processing-error')
    expect(await send(roomy)).toBe('processed')
    expect(await stored(tight.messageId)).toBe(0)
    expect(await stored(roomy.messageId)).toBe(1)
  })
})

describe.skipIf(!hasOpenssl)('the CMS worker pool under pressure', () => {
  let pools: CmsPool[] = []
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()))
  })

  const gatewayWith = async (pool: CmsPool) => {
    pools.push(pool)
    const dir = mkdtempSync(join(tmpdir(), 'as2-pool-'))
    const partner = opensslPair(dir, 'p')
    const ours = opensslPair(dir, 'o', 'OURS')
    const { registry } = makeConfigRoot([{ id: 'p', as2Id: 'P', us: 'OURS', cert: partner.crt }])
    const gw = await startGateway({ registry, keyFile: ours.key, certFile: ours.crt, ourIds: ['OURS'], cms: pool })
    const send = async (body: Buffer, contentType: string) => {
      const res = await gw.app.request('/as2', {
        method: 'POST',
        headers: { 'AS2-From': 'P', 'AS2-To': 'OURS', 'Message-ID': `<pool-${Date.now()}-${Math.random()}@p>`, 'Content-Type': contentType, 'Disposition-Notification-To': 'x' },
        body: new Uint8Array(body),
      })
      return /Disposition: [^;]*; ([^\r\n]*)/.exec(await res.text())?.[1]
    }
    const legit = () => {
      const m = buildPartnerMessage({ from: 'P', payload: Buffer.from(`ISA*pool ${Math.random()}~`), sign: partner, encrypt: { crt: ours.crt } })
      return send(m.body, m.headers['Content-Type'])
    }
    return { gw, send, legit }
  }

  it('a worker that runs out of heap answers with an error and is replaced', async () => {
    const { gw, send, legit } = await gatewayWith(createCmsPool({ size: 1, maxOldGenerationSizeMb: 24 }))
    try {
      // Just under the element cap: a legal number of elements, too many for a 24 MiB heap.
      const d = await send(nullFlood(262_000), 'application/pkcs7-mime; smime-type=enveloped-data')
      expect(d).toBe('processed/error: unexpected-processing-error')
      const [exc] = await gw.sql<{ reason: { detail: string } }[]>`select reason from exceptions where code = 'as2_limit_exceeded'`
      expect(exc.reason.detail).toMatch(/ran out of its 24 MiB heap/)
      expect(await legit()).toBe('processed')
    } finally {
      await gw.close()
    }
  })

  it('a message that takes longer than the time limit is answered, and the pool goes on', async () => {
    const { gw, legit } = await gatewayWith(createCmsPool({ size: 1, timeoutMs: 1 }))
    try {
      expect(await legit()).toBe('processed/error: unexpected-processing-error')
      const [exc] = await gw.sql<{ reason: { detail: string } }[]>`select reason from exceptions where code = 'as2_limit_exceeded'`
      expect(exc.reason.detail).toMatch(/longer than 1 ms/)
    } finally {
      await gw.close()
    }
  })
})
