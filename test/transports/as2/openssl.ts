/**
 * Builds AS2 messages the way a partner would, with `openssl cms` (independent of our cms.ts):
 * payload entity → [compress] → sign (multipart/signed) → encrypt. Returns the HTTP headers and
 * body to POST and the bytes the partner expects the MIC over.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compress } from '../../../src/transports/as2/cms.ts'

export interface PartnerMessageOptions {
  payload: Buffer
  filename?: string
  contentType?: string
  from?: string
  to?: string
  messageId?: string
  /** Signer key/cert (files); omit to send unsigned. */
  sign?: { key: string; crt: string; md?: string; pss?: boolean }
  /** Recipient cert (file) and cipher (`-aes256`, `-des3`, `-aes-128-gcm`); omit to send unencrypted. */
  encrypt?: { crt: string; cipher?: string; oaep?: boolean }
  compress?: boolean
  mdn?: 'signed' | 'unsigned' | 'none'
  micalg?: string
  asyncUrl?: string
}

export interface PartnerMessage {
  headers: Record<string, string>
  body: Buffer
  micInput: Buffer
  messageId: string
}

const crlf = (s: string) => Buffer.from(s.replace(/\n/g, '\r\n'), 'latin1')

export function buildPartnerMessage(o: PartnerMessageOptions): PartnerMessage {
  const dir = mkdtempSync(join(tmpdir(), 'as2-msg-'))
  const f = (name: string, data?: Buffer) => {
    const p = join(dir, name)
    if (data) writeFileSync(p, data)
    return p
  }
  const entity = Buffer.concat([
    crlf(`Content-Type: ${o.contentType ?? 'application/edi-x12'}\nContent-Transfer-Encoding: binary\n`),
    o.filename ? crlf(`Content-Disposition: attachment; filename="${o.filename}"\n`) : Buffer.alloc(0),
    crlf('\n'),
    o.payload,
  ])
  let cur = entity
  if (o.compress) {
    cur = Buffer.concat([
      crlf('Content-Type: application/pkcs7-mime; smime-type=compressed-data; name="smime.p7z"\nContent-Transfer-Encoding: binary\n\n'),
      compress(entity),
    ])
  }
  let micInput = o.compress || o.encrypt ? entity : o.payload
  if (o.sign) {
    micInput = cur
    const args = ['cms', '-sign', '-binary', '-in', f('tosign', cur), '-signer', o.sign.crt, '-inkey', o.sign.key, '-md', o.sign.md ?? 'sha256', '-outform', 'DER', '-out', f('sig.der')]
    if (o.sign.pss) args.push('-keyopt', 'rsa_padding_mode:pss')
    execFileSync('openssl', args, { stdio: 'pipe' })
    const b = 'sig-boundary-42'
    const sig = readFileSync(f('sig.der')).toString('base64').replace(/(.{64})/g, '$1\n')
    cur = Buffer.concat([
      crlf(`Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="${b}"\n\n--${b}\n`),
      cur,
      crlf(`\n--${b}\nContent-Type: application/pkcs7-signature; name="smime.p7s"\nContent-Transfer-Encoding: base64\n\n${sig}\n--${b}--\n`),
    ])
  }
  let headers: Record<string, string>
  let body: Buffer
  if (o.encrypt) {
    const args = ['cms', '-encrypt', '-binary', '-in', f('toenc', cur), '-outform', 'DER', '-out', f('enc.der'), o.encrypt.cipher ?? '-aes256', '-recip', o.encrypt.crt]
    if (o.encrypt.oaep) args.push('-keyopt', 'rsa_padding_mode:oaep')
    execFileSync('openssl', args, { stdio: 'pipe' })
    body = readFileSync(f('enc.der'))
    headers = { 'Content-Type': 'application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"' }
  } else {
    const split = cur.indexOf('\r\n\r\n')
    headers = {}
    for (const line of cur.subarray(0, split).toString('latin1').split('\r\n')) {
      const i = line.indexOf(':')
      if (/^content-(type|disposition)$/i.test(line.slice(0, i))) headers[line.slice(0, i)] = line.slice(i + 1).trim()
    }
    body = cur.subarray(split + 4)
  }
  const messageId = o.messageId ?? `<test-${Date.now()}-${Math.random().toString(36).slice(2)}@partner>`
  Object.assign(headers, {
    'AS2-Version': '1.2',
    'AS2-From': o.from ?? 'PARTNER',
    'AS2-To': o.to ?? 'OURS',
    'Message-ID': messageId,
  })
  if ((o.mdn ?? 'signed') !== 'none') {
    headers['Disposition-Notification-To'] = o.asyncUrl ?? 'mailto:as2@partner.invalid'
    if ((o.mdn ?? 'signed') === 'signed') {
      headers['Disposition-Notification-Options'] = `signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, ${o.micalg ?? 'sha-256'}`
    }
    if (o.asyncUrl) headers['Receipt-Delivery-Option'] = o.asyncUrl
  }
  return { headers, body, micInput, messageId }
}
