/**
 * RSAES-PKCS1-v1_5 decryption (RFC 8017 §7.2.2) for CMS key transport. Most AS2 partners still
 * wrap the content key this way, but Node 20 refuses `privateDecrypt` with RSA_PKCS1_PADDING
 * (CVE-2023-46809, Marvin attack) unless its OpenSSL does implicit rejection. So we do it
 * ourselves: the RSA decryption primitive RSADP (§5.1.2), then the EME-PKCS1-v1_5 decoding
 * (§7.2.2 step 3) with a padding check that does not exit early.
 *
 * RSADP runs natively through `privateDecrypt` with RSA_NO_PADDING (a raw modular exponentiation,
 * which Node still allows), and falls back to pure BigInt arithmetic with the key's CRT
 * parameters when that is unavailable. Callers treat a padding failure like RFC 3218 §2.3.2
 * advises: continue with a random key, so the partner only ever sees "decryption failed".
 */
import { constants, privateDecrypt, type KeyObject } from 'node:crypto'

const b64uToBig = (s: string): bigint => BigInt('0x' + (Buffer.from(s, 'base64url').toString('hex') || '0'))

function bigToBytes(x: bigint, len: number): Buffer {
  const hex = x.toString(16).padStart(len * 2, '0')
  return Buffer.from(hex.length > len * 2 ? hex.slice(-len * 2) : hex, 'hex')
}

/** x^e mod m by left-to-right square-and-multiply. */
function modPow(x: bigint, e: bigint, m: bigint): bigint {
  let r = 1n
  x %= m
  for (let i = BigInt(e.toString(2).length - 1); i >= 0n; i--) {
    r = (r * r) % m
    if ((e >> i) & 1n) r = (r * x) % m
  }
  return r
}

/**
 * RSADP with the CRT representation (RFC 8017 §5.1.2, case b): m1 = c^dP mod p,
 * m2 = c^dQ mod q, h = qInv·(m1 − m2) mod p, m = m2 + q·h. Pure JS, from the JWK export.
 */
export function rsadpJs(key: KeyObject, ciphertext: Buffer): Buffer {
  const jwk = key.export({ format: 'jwk' })
  const n = b64uToBig(jwk.n as string)
  const k = Buffer.from(jwk.n as string, 'base64url').length
  const c = BigInt('0x' + (ciphertext.toString('hex') || '0'))
  if (c >= n) throw new RangeError('ciphertext representative out of range')
  const p = b64uToBig(jwk.p as string)
  const q = b64uToBig(jwk.q as string)
  const m1 = modPow(c, b64uToBig(jwk.dp as string), p)
  const m2 = modPow(c, b64uToBig(jwk.dq as string), q)
  const h = (((m1 - m2) % p) + p) % p * b64uToBig(jwk.qi as string) % p
  return bigToBytes(m2 + q * h, k)
}

/** RSADP through OpenSSL without padding (fast path); BigInt CRT when that is refused. */
export function rsadp(key: KeyObject, ciphertext: Buffer, opts: { forceJs?: boolean } = {}): Buffer {
  if (!opts.forceJs) {
    try {
      return privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, ciphertext)
    } catch {
      // fall through to the pure-JS primitive
    }
  }
  return rsadpJs(key, ciphertext)
}

/**
 * EME-PKCS1-v1_5 decoding of EM = 0x00 ‖ 0x02 ‖ PS (≥ 8 non-zero octets) ‖ 0x00 ‖ M.
 * Every octet is visited and the verdict is accumulated in integers, so the time taken does not
 * depend on where the padding is wrong. Returns undefined for any padding error, or when
 * `expectedLen` is given and M has another length (a CMS content key has a known length).
 */
export function emePkcs1v15Decode(em: Buffer, expectedLen?: number): Buffer | undefined {
  let bad = em[0] | (em[1] ^ 0x02)
  let sep = 0 // index of the first zero octet after the type byte; 0 = none yet
  for (let i = 2; i < em.length; i++) {
    const isZero = ((em[i] - 1) >>> 31) & 1 // 1 when em[i] === 0
    const first = isZero & (sep === 0 ? 1 : 0)
    sep = sep | (-first & i)
  }
  bad |= sep === 0 ? 1 : 0
  bad |= sep < 10 ? 1 : 0 // PS must be at least 8 octets long
  const mLen = em.length - sep - 1
  if (expectedLen !== undefined) bad |= mLen === expectedLen ? 0 : 1
  return bad === 0 ? Buffer.from(em.subarray(sep + 1)) : undefined
}

/** Unwrap a PKCS#1 v1.5 wrapped key, or undefined when the padding is not valid. */
export function rsaPkcs1v15Unwrap(
  key: KeyObject,
  encryptedKey: Buffer,
  expectedLen?: number,
  opts: { forceJs?: boolean } = {}
): Buffer | undefined {
  let em: Buffer
  try {
    em = rsadp(key, encryptedKey, opts)
  } catch {
    return undefined
  }
  return emePkcs1v15Decode(em, expectedLen)
}
