/**
 * RSAES-PKCS1-v1_5 key unwrap (RFC 8017 §7.2.2) for CMS key transport, with implicit rejection.
 * Most AS2 partners still wrap the content key this way, but Node 20 refuses `privateDecrypt`
 * with RSA_PKCS1_PADDING (CVE-2023-46809, the Marvin attack) because its OpenSSL 3.0 does not
 * reject implicitly. So the unwrap is split in two, each constant-time (docs/as2-security.md):
 *
 *   1. RSADP (§5.1.2) in OpenSSL: `privateDecrypt` with RSA_NO_PADDING, a blinded CRT
 *      exponentiation with constant-time modexp. It is the ONLY private-key operation; there is
 *      no JavaScript fallback (a BigInt RSADP is neither blinded nor constant-time).
 *   2. EME-PKCS1-v1_5 decoding here, for a key of known length: every octet is looked at, the
 *      verdict is a bit mask, and the result is selected by mask between the recovered key and a
 *      deterministic substitute (an HMAC of the encrypted key under a secret derived from our
 *      private key). Bad padding therefore never surfaces: the caller decrypts the content with
 *      whatever key comes out, through one code path, and a wrong key fails there like any other.
 *
 * An encrypted key whose length is not the modulus length is refused before step 1: the length
 * is public, so refusing it tells an attacker nothing, and it keeps OpenSSL from ever seeing a
 * value it would refuse for another reason than its padding.
 */
import { constants, createHash, createHmac, privateDecrypt, type KeyObject } from 'node:crypto'

/** Raw RSADP: c^d mod n as k octets, through OpenSSL (blinded). Throws when c ≥ n. */
export function rsadpOpenssl(key: KeyObject, ciphertext: Buffer): Buffer {
  return privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, ciphertext)
}

export type Pkcs1Unwrap = { ok: true; cek: Buffer } | { ok: false; reason: 'length' }

/** Key-derivation key for substitute keys, one per private key (WeakMap: dropped with the key). */
const kdkCache = new WeakMap<KeyObject, Buffer>()

function kdkOf(key: KeyObject): Buffer {
  let kdk = kdkCache.get(key)
  if (!kdk) {
    // Deterministic across restarts and processes sharing the key, unknown to anyone without it.
    const der = key.export({ format: 'der', type: 'pkcs8' })
    kdk = createHash('sha256').update('edi-gateway/as2/pkcs1-implicit-rejection/v1\0').update(der).digest()
    kdkCache.set(key, kdk)
  }
  return kdk
}

/**
 * The substitute content key for `encryptedKey`: HMAC-SHA-256(kdk, len ‖ encryptedKey), expanded
 * to `len` octets. The same input always gives the same key, so repeating a query teaches nothing.
 */
export function syntheticKey(key: KeyObject, encryptedKey: Buffer, len: number): Buffer {
  const kdk = kdkOf(key)
  const out = Buffer.alloc(len)
  for (let block = 0, off = 0; off < len; block++, off += 32) {
    const h = createHmac('sha256', kdk).update(Buffer.from([block, len])).update(encryptedKey).digest()
    h.copy(out, off, 0, Math.min(32, len - off))
  }
  return out
}

/** 0xff when x === 0 else 0x00, for an octet x, without a branch. */
const zeroMask = (x: number): number => ((x - 1) >>> 8) & 0xff

/**
 * Unwrap a PKCS#1 v1.5 wrapped content key of `keyLen` octets. Returns the key, or the
 * deterministic substitute when the padding is wrong in any way (or OpenSSL refuses the value,
 * e.g. c ≥ n): callers cannot tell which, and must not try. Only a wrong length is an error.
 *
 * @param rsadp the RSA primitive; tests pass a counting wrapper around `rsadpOpenssl`
 * @example
 * const r = unwrapPkcs1v15(ourKey, ktri.encryptedKey, 32)
 * if (!r.ok) throw new CmsError('decrypt_failed', 'encrypted key length')
 * decipher = createDecipheriv('aes-256-cbc', r.cek, iv)
 */
export function unwrapPkcs1v15(key: KeyObject, encryptedKey: Buffer, keyLen: number, rsadp = rsadpOpenssl): Pkcs1Unwrap {
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0
  const k = Math.ceil(bits / 8)
  // RFC 8017 §7.2.2 step 1: "If the length of C is not k octets, output 'decryption error'".
  // Also refuse a key too short for 8 octets of PS (public facts only: k and keyLen).
  if (encryptedKey.length !== k || k < keyLen + 11) return { ok: false, reason: 'length' }
  const substitute = syntheticKey(key, encryptedKey, keyLen)
  let em: Buffer
  try {
    em = rsadp(key, encryptedKey)
  } catch {
    // OpenSSL refuses c ≥ n (public: n is public). Decode an all-zero block, which is bad padding.
    em = Buffer.alloc(k)
  }
  if (em.length !== k) em = Buffer.concat([Buffer.alloc(Math.max(0, k - em.length)), em]).subarray(-k)
  // EM = 0x00 ‖ 0x02 ‖ PS (k − keyLen − 3 non-zero octets) ‖ 0x00 ‖ M (keyLen octets).
  const sep = k - keyLen - 1
  let good = zeroMask(em[0]) & zeroMask(em[1] ^ 0x02) & zeroMask(em[sep])
  for (let i = 2; i < sep; i++) good &= ~zeroMask(em[i]) & 0xff
  const out = Buffer.alloc(keyLen)
  for (let i = 0; i < keyLen; i++) out[i] = (em[sep + 1 + i] & good) | (substitute[i] & ~good & 0xff)
  em.fill(0)
  return { ok: true, cek: out }
}
