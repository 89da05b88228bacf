import { constants, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { emePkcs1v15Decode, rsadp, rsaPkcs1v15Unwrap } from '../../../src/transports/as2/rsa-pkcs1.ts'

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })

describe('RSAES-PKCS1-v1_5 unwrap (RFC 8017 §7.2.2)', () => {
  it('recovers keys encrypted by node publicEncrypt, natively and with the pure BigInt CRT path', () => {
    for (const len of [16, 24, 32]) {
      const cek = randomBytes(len)
      const ct = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, cek)
      expect(rsaPkcs1v15Unwrap(privateKey, ct, len)?.equals(cek)).toBe(true)
      expect(rsaPkcs1v15Unwrap(privateKey, ct, len, { forceJs: true })?.equals(cek)).toBe(true)
    }
  })

  it('computes the same raw RSADP result in JS as OpenSSL without padding', () => {
    const ct = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from('x'))
    expect(rsadp(privateKey, ct, { forceJs: true }).equals(rsadp(privateKey, ct))).toBe(true)
  })

  it('rejects a key of the wrong length and a ciphertext from another key', () => {
    const ct = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, randomBytes(16))
    expect(rsaPkcs1v15Unwrap(privateKey, ct, 32)).toBeUndefined()
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const foreign = publicEncrypt({ key: other.publicKey, padding: constants.RSA_PKCS1_PADDING }, randomBytes(16))
    expect(rsaPkcs1v15Unwrap(privateKey, foreign, 16)).toBeUndefined()
  })

  it('checks every padding rule', () => {
    const good = Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(10, 0x55), Buffer.from([0]), Buffer.from('key')])
    expect(emePkcs1v15Decode(good)?.toString()).toBe('key')
    const mutate = (i: number, v: number) => {
      const b = Buffer.from(good)
      b[i] = v
      return b
    }
    expect(emePkcs1v15Decode(mutate(0, 1))).toBeUndefined() // first octet not 0
    expect(emePkcs1v15Decode(mutate(1, 1))).toBeUndefined() // block type 1 (signature), not 2
    expect(emePkcs1v15Decode(mutate(5, 0))).toBeUndefined() // PS shorter than 8 octets
    expect(emePkcs1v15Decode(Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(20, 1)]))).toBeUndefined() // no separator
  })
})
