import { constants, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { syntheticKey, unwrapPkcs1v15 } from '../../../src/transports/as2/rsa-pkcs1.ts'

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })

describe('RSAES-PKCS1-v1_5 unwrap (RFC 8017 §7.2.2), implicit rejection', () => {
  it('recovers keys encrypted by node publicEncrypt', () => {
    for (const len of [16, 24, 32]) {
      const cek = randomBytes(len)
      const ct = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, cek)
      expect(unwrapPkcs1v15(privateKey, ct, len)).toEqual({ ok: true, cek })
    }
  })

  it('gives the substitute key for a key of another length and for a ciphertext from another key', () => {
    const ct = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, randomBytes(16))
    expect(unwrapPkcs1v15(privateKey, ct, 32)).toEqual({ ok: true, cek: syntheticKey(privateKey, ct, 32) })
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const foreign = publicEncrypt({ key: other.publicKey, padding: constants.RSA_PKCS1_PADDING }, randomBytes(16))
    expect(unwrapPkcs1v15(privateKey, foreign, 16)).toEqual({ ok: true, cek: syntheticKey(privateKey, foreign, 16) })
  })

  it('checks every padding rule through raw encryption of chosen blocks', () => {
    const m = Buffer.from('0123456789abcdef')
    const good = Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(256 - 3 - 16, 0x55), Buffer.from([0]), m])
    const enc = (em: Buffer) => publicEncrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, em)
    expect(unwrapPkcs1v15(privateKey, enc(good), 16)).toEqual({ ok: true, cek: m })
    const mutate = (i: number, v: number) => {
      const b = Buffer.from(good)
      b[i] = v
      return b
    }
    for (const [i, v] of [
      [0, 1], // first octet not 0
      [1, 1], // block type 1 (signature), not 2
      [5, 0], // PS shorter than 8 octets
      [200, 0], // separator too early: M would be longer than 16
      [239, 1], // no separator where a 16-octet key needs it
    ]) {
      const c = enc(mutate(i, v))
      const r = unwrapPkcs1v15(privateKey, c, 16)
      expect(r, `octet ${i} = ${v}`).toEqual({ ok: true, cek: syntheticKey(privateKey, c, 16) })
    }
  })
})
