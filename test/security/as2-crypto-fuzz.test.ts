/**
 * Fuzz of the DER/CMS reader (AS2 hardening issue, item 6): a deterministic, seeded generator of
 * hostile ASN.1: long-form lengths up to 2^32, length-of-length octets past 4, indefinite lengths
 * on primitives and without end-of-contents, deep nesting (definite and indefinite), huge counts of
 * tiny elements, truncations and bit flips of real CMS messages. Every reader must give a verdict
 * (a value or its own error type, never a TypeError or a hang) within bounded time and memory.
 */
import { createPrivateKey } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { CmsError, compress, contentTypeOf, createSelfSignedCertificate, decompress, OID, parseCertificate, signDetached, verifyDetached } from '../../src/transports/as2/cms.ts'
import { DEFAULT_LIMITS, DerError, DerLimitError, encodeOid, read, seq, tlv, ctx } from '../../src/transports/as2/der.ts'
import { decryptEnvelope, encryptEnvelope } from '../../src/transports/as2/envelope.ts'
import { unwrapMessage } from '../../src/transports/as2/unwrap.ts'

const SEED = 0x5eed_a520

/** mulberry32: small, fast, deterministic. */
function rng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    bytes: (n: number) => {
      const b = Buffer.alloc(n)
      for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256)
      return b
    },
  }
}
type Rng = ReturnType<typeof rng>

const TAGS = [0x02, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x17, 0x30, 0x31, 0x24, 0xa0, 0xa1, 0xa2, 0xa3, 0x80, 0x81, 0x00, 0x1f, 0xff]

/** A length field, often a lie. */
function lengthField(r: Rng, actual: number): Buffer {
  switch (r.int(9)) {
    case 0:
      return Buffer.from([0x80]) // indefinite
    case 1:
      return Buffer.from([0x84, 0xff, 0xff, 0xff, 0xff]) // 4 GiB
    case 2:
      return Buffer.from([0x88, 0, 0, 0, 1, 0, 0, 0, 0]) // length-of-length 8
    case 3:
      return Buffer.from([0x81 + r.int(4), ...r.bytes(4)]).subarray(0, 1 + r.int(5)) // truncated long form
    case 4:
      return encodeLength(actual + 1 + r.int(1000)) // overruns
    case 5:
      return encodeLength(Math.max(0, actual - 1 - r.int(4)))
    default:
      return encodeLength(actual)
  }
}

function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  for (let x = n; x > 0; x = Math.floor(x / 256)) bytes.unshift(x & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

/** A random (mostly broken) BER element of bounded size. */
function element(r: Rng, depth: number): Buffer {
  const tag = r.pick(TAGS)
  let content: Buffer
  if (depth > 0 && (tag & 0x20 || r.int(4) === 0)) {
    const parts: Buffer[] = []
    const n = r.int(5)
    for (let i = 0; i < n; i++) parts.push(element(r, depth - 1))
    content = Buffer.concat(parts)
  } else content = r.bytes(r.int(24))
  const len = lengthField(r, content.length)
  const eoc = len.length === 1 && len[0] === 0x80 && r.int(2) === 0 ? Buffer.from([0, 0]) : Buffer.alloc(0)
  return Buffer.concat([Buffer.from([tag]), len, content, eoc])
}

/** Structures aimed at the limits: counts, depths, lengths. */
function hostile(r: Rng): Buffer {
  switch (r.int(8)) {
    case 0: {
      const count = DEFAULT_LIMITS.maxElements + 1 + r.int(2_000_000)
      return seq(Buffer.alloc(count * 2).fill(Buffer.from([5, 0])))
    }
    case 1: {
      const depth = DEFAULT_LIMITS.maxDepth + 1 + r.int(200_000)
      return Buffer.concat([Buffer.alloc(depth * 2).fill(Buffer.from([0x30, 0x80])), Buffer.alloc(depth * 2)])
    }
    case 2: {
      // Definite-length nesting: each level wraps the previous one.
      let b: Buffer = Buffer.from([5, 0])
      for (let i = 0, n = DEFAULT_LIMITS.maxDepth + 1 + r.int(100); i < n; i++) b = seq(b)
      return b
    }
    case 3:
      // Indefinite constructed OCTET STRING of many one-octet segments (BER streaming gone wild).
      return Buffer.concat([Buffer.from([0x24, 0x80]), Buffer.alloc(3 * (300_000 + r.int(100_000))).fill(Buffer.from([4, 1, 0x41])), Buffer.from([0, 0])])
    case 4:
      return Buffer.concat([Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xf0]), r.bytes(r.int(64))])
    case 5:
      // An OID with an endless arc.
      return seq(tlv(0x06, Buffer.alloc(1 + r.int(100_000), 0xff)))
    case 6:
      // ContentInfo wrappers of every CMS type around random elements.
      return seq(encodeOid(r.pick([OID.envelopedData, OID.authEnvelopedData, OID.compressedData, OID.signedData])), tlv(ctx(0), element(r, 6)))
    default:
      return element(r, 8)
  }
}

/** Truncate, flip or splice a real message. */
function mutate(r: Rng, b: Buffer): Buffer {
  const c = Buffer.from(b)
  switch (r.int(4)) {
    case 0:
      return c.subarray(0, r.int(c.length))
    case 1:
      for (let i = 0, n = 1 + r.int(8); i < n; i++) c[r.int(c.length)] ^= 1 << r.int(8)
      return c
    case 2: {
      const i = r.int(c.length)
      c[i] = r.pick([0x80, 0x84, 0x88, 0xff, 0x00])
      return c
    }
    default: {
      const at = r.int(c.length)
      return Buffer.concat([c.subarray(0, at), element(r, 4), c.subarray(at)])
    }
  }
}

describe('DER/CMS reader fuzz (seeded)', () => {
  const ours = createSelfSignedCertificate({ commonName: 'fuzz', days: 2 })
  const cert = parseCertificate(ours.certPem)
  const key = createPrivateKey(ours.keyPem)
  const entity = Buffer.from('Content-Type: application/edi-x12\r\n\r\nISA*00*fuzz~\n')
  const seeds = [
    encryptEnvelope(entity, cert, 'aes128-cbc'),
    encryptEnvelope(entity, cert, 'aes256-gcm'),
    compress(entity),
    signDetached(entity, key, cert, 'sha256'),
  ]

  /** Run one reader; it may return or throw its own error type, nothing else. */
  const expectVerdict = (name: string, input: Buffer, f: () => unknown, allowed: (new (...a: never[]) => Error)[]) => {
    const t = Date.now()
    try {
      f()
    } catch (err) {
      if (!allowed.some((E) => err instanceof E)) {
        throw new Error(`${name} threw ${(err as Error).name}: ${(err as Error).message} on ${input.subarray(0, 32).toString('hex')}… (seed ${SEED})`)
      }
    }
    const ms = Date.now() - t
    if (ms > 3_000) throw new Error(`${name} took ${ms} ms on an input of ${input.length} octets (seed ${SEED})`)
  }

  it('gives a verdict for every hostile input within bounded time and memory', { timeout: 180_000 }, () => {
    const r = rng(SEED)
    const base = process.memoryUsage().rss
    let peak = base
    const started = Date.now()
    const inputs: Buffer[] = []
    for (let i = 0; i < 40; i++) inputs.push(hostile(r))
    for (let i = 0; i < 1500; i++) inputs.push(element(r, 6))
    for (let i = 0; i < 1500; i++) inputs.push(mutate(r, r.pick(seeds)))
    let limitErrors = 0
    for (const input of inputs) {
      expectVerdict('read', input, () => {
        try {
          read(input)
        } catch (err) {
          if (err instanceof DerLimitError) limitErrors++
          throw err
        }
      }, [DerError])
      expectVerdict('contentTypeOf', input, () => contentTypeOf(input), [])
      expectVerdict('decryptEnvelope', input, () => decryptEnvelope(input, key, cert), [CmsError])
      expectVerdict('decompress', input, () => decompress(input, 1024 * 1024), [CmsError])
      expectVerdict('verifyDetached', input, () => verifyDetached(entity, input, cert), [])
      for (const ct of ['application/pkcs7-mime; smime-type=enveloped-data', 'application/pkcs7-mime; smime-type=compressed-data']) {
        expectVerdict('unwrapMessage', input, () => {
          const v = unwrapMessage([['Content-Type', ct]], input, { key, cert, partnerCert: cert }, { maxDecompressed: 1024 * 1024 })
          if (v.ok && v.message.payload.length > 1024 * 1024) throw new Error('inflated past the cap')
        }, [])
      }
      peak = Math.max(peak, process.memoryUsage().rss)
    }
    // Hostile counts and depths hit the limits rather than the heap or the stack.
    expect(limitErrors).toBeGreaterThanOrEqual(15)
    expect(Date.now() - started).toBeLessThan(150_000)
    expect(peak - base).toBeLessThan(768 * 1024 * 1024)
  })

  it('is deterministic: the same seed builds the same inputs', () => {
    const a = rng(SEED)
    const b = rng(SEED)
    for (let i = 0; i < 50; i++) expect(element(a, 5).equals(element(b, 5))).toBe(true)
  })

  it('still reads every real message it was seeded with', () => {
    expect(decryptEnvelope(seeds[0], key, cert).content.equals(entity)).toBe(true)
    expect(decryptEnvelope(seeds[1], key, cert).content.equals(entity)).toBe(true)
    expect(decompress(seeds[2]).equals(entity)).toBe(true)
    expect(verifyDetached(entity, seeds[3], cert)).toMatchObject({ ok: true })
  })
})
