/**
 * CMS EnvelopedData (RFC 5652 §6) and AuthEnvelopedData (RFC 5083, AES-GCM) for AS2: decrypt
 * what partners send (key transport RSA PKCS#1 v1.5 or OAEP) and encrypt what we send. Node 20
 * refuses PKCS#1 v1.5 private decryption, so that unwrap is rsa-pkcs1.ts (implicit rejection).
 */
import { constants, createCipheriv, createDecipheriv, privateDecrypt, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto'
import { asCmsError, CIPHERS, CmsError, contentOf, contentTypeOf, OID, OID_CIPHER, OID_DIGEST, sidMatches, type CertInfo, type ContentCipher, type Digest } from './cms.ts'
import { algId, ctx, encodeOid, integer, octets, octetString, oid, seq, setOf, TAG, tlv, type Node } from './der.ts'
import { unwrapPkcs1v15 } from './rsa-pkcs1.ts'

export interface Decrypted {
  content: Buffer
  cipher: ContentCipher
  keyTransport: 'rsa-pkcs1' | 'rsa-oaep'
}

/**
 * Decrypt EnvelopedData or AuthEnvelopedData (RFC 5083, AES-GCM) addressed to `cert` with `key`.
 * Key transport: RSAES-PKCS1-v1_5 or RSAES-OAEP (RFC 8017 §7). Throws CmsError.
 */
export function decryptEnvelope(der: Buffer, key: KeyObject, cert: CertInfo): Decrypted {
  try {
    return decrypt(der, key, cert)
  } catch (err) {
    // A tree of the wrong shape (a missing field, a primitive where a SEQUENCE belongs) is bad
    // input like any other: CmsError, never a TypeError.
    throw asCmsError(err, 'enveloped data')
  }
}

function decrypt(der: Buffer, key: KeyObject, cert: CertInfo): Decrypted {
  const type = contentTypeOf(der)
  const auth = type === OID.authEnvelopedData
  if (type !== OID.envelopedData && !auth) throw new CmsError('malformed', `not enveloped data (${type ?? 'unreadable'})`)
  let body: Node
  try {
    body = contentOf(der, type)
  } catch (err) {
    throw asCmsError(err, 'enveloped data')
  }
  // version, [0] originatorInfo?, recipientInfos SET, (auth)encryptedContentInfo, [1] authAttrs?, mac?
  const f = body.children.filter((n) => n.tag !== ctx(0))
  const recipients = f[1].children
  const eci = f[2]
  const algNode = eci.children[1]
  const cipher = OID_CIPHER.get(oid(algNode.children[0]))
  if (!cipher) throw new CmsError('unsupported', `content cipher ${oid(algNode.children[0])}`)
  const spec = CIPHERS[cipher]
  const ktri = recipients.filter((r) => r.tag === TAG.SEQUENCE && intValue0(r) !== 3)
  const mine = ktri.find((r) => sidMatches(r.children[1], cert)) ?? (ktri.length === 1 ? ktri[0] : undefined)
  if (!mine) throw new CmsError('no_recipient', 'the message was not encrypted for our certificate')
  const kta = oid(mine.children[2].children[0])
  const encryptedKey = mine.children[3].value
  let cek: Buffer
  let keyTransport: Decrypted['keyTransport']
  if (kta === OID.rsaOaep) {
    keyTransport = 'rsa-oaep'
    const hash = oaepHash(mine.children[2].children[1])
    // RFC 8017 §7.1.2 step 1.b: C must be exactly k octets (OpenSSL would accept shorter ones).
    if (encryptedKey.length !== Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8)) {
      throw new CmsError('decrypt_failed', 'the encrypted key is not as long as our RSA modulus')
    }
    try {
      cek = privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, encryptedKey)
    } catch {
      throw new CmsError('decrypt_failed', 'RSA-OAEP key unwrap failed')
    }
  } else if (kta === OID.rsaEncryption) {
    keyTransport = 'rsa-pkcs1'
    // Implicit rejection (rsa-pkcs1.ts): bad padding yields a deterministic substitute key that
    // goes through the same content decryption below, so the outcome and the code path do not
    // depend on the padding (RFC 3218 §2.3.2, done deterministically). Only a length that is not
    // the modulus length is refused, before any private-key operation.
    const r = unwrapPkcs1v15(key, encryptedKey, spec.keyLen)
    if (!r.ok) throw new CmsError('decrypt_failed', 'the encrypted key is not as long as our RSA modulus')
    cek = r.cek
  } else throw new CmsError('unsupported', `key transport ${kta}`)
  const encrypted = eci.children[2] ? octets(eci.children[2]) : Buffer.alloc(0)
  try {
    if (spec.gcm) {
      // GCMParameters ::= SEQUENCE { aes-nonce OCTET STRING, aes-ICVlen INTEGER DEFAULT 12 } (RFC 5084)
      const [nonce, icv] = algNode.children[1].children
      const tagLen = icv ? intValue(icv) : 12
      const authAttrs = f.find((n) => n.tag === ctx(1))
      const mac = f[f.length - 1].tag === TAG.OCTET_STRING ? f[f.length - 1].value : f[f.length - 2].value
      const d = createDecipheriv(spec.node as 'aes-128-gcm', cek, nonce.value, { authTagLength: tagLen })
      if (authAttrs) {
        const aad = Buffer.from(authAttrs.raw)
        aad[0] = TAG.SET
        d.setAAD(aad)
      }
      d.setAuthTag(mac)
      const content = Buffer.concat([d.update(encrypted), d.final()])
      return { content, cipher, keyTransport }
    }
    const d = createDecipheriv(spec.node, cek, algNode.children[1].value)
    const content = Buffer.concat([d.update(encrypted), d.final()])
    return { content, cipher, keyTransport }
  } catch {
    throw new CmsError('decrypt_failed', `content decryption (${cipher}) failed`)
  }
}

function intValue(n: Node): number {
  return n.value.reduce((a, b) => a * 256 + b, 0)
}
/** RecipientInfo CHOICE: ktri is a plain SEQUENCE with version 0 or 2. */
const intValue0 = (r: Node): number => (r.children[0]?.tag === TAG.INTEGER ? intValue(r.children[0]) : -1)

/** RSAES-OAEP-params (RFC 4055 §4.1): [0] hashAlgorithm, default sha1. */
function oaepHash(params: Node | undefined): Digest {
  const h = params?.children.find((c) => c.tag === ctx(0))
  return (h && OID_DIGEST.get(oid(h.children[0].children[0]))) || 'sha1'
}

/** EnvelopedData (CBC ciphers) or AuthEnvelopedData (GCM) for one recipient, PKCS#1 v1.5 key transport. */
export function encryptEnvelope(content: Buffer, recipient: CertInfo, cipher: ContentCipher): Buffer {
  const spec = CIPHERS[cipher]
  const cek = randomBytes(spec.keyLen)
  const iv = randomBytes(spec.ivLen)
  const encryptedKey = publicEncrypt({ key: recipient.publicKey, padding: constants.RSA_PKCS1_PADDING }, cek)
  const ktri = seq(
    integer(0),
    seq(recipient.issuer, tlv(TAG.INTEGER, recipient.serial)),
    algId(OID.rsaEncryption),
    octetString(encryptedKey)
  )
  if (spec.gcm) {
    const c = createCipheriv(spec.node as 'aes-128-gcm', cek, iv, { authTagLength: 16 })
    const enc = Buffer.concat([c.update(content), c.final()])
    const eci = seq(encodeOid(OID.data), algId(spec.oid, seq(octetString(iv), integer(16))), tlv(ctx(0, false), enc))
    const body = seq(integer(0), setOf(ktri), eci, octetString(c.getAuthTag()))
    return seq(encodeOid(OID.authEnvelopedData), tlv(ctx(0), body))
  }
  const c = createCipheriv(spec.node, cek, iv)
  const enc = Buffer.concat([c.update(content), c.final()])
  const eci = seq(encodeOid(OID.data), algId(spec.oid, octetString(iv)), tlv(ctx(0, false), enc))
  return seq(encodeOid(OID.envelopedData), tlv(ctx(0), seq(integer(0), setOf(ktri), eci)))
}

// ── compression ────────────────────────────────────────────────────────────────────────────────
