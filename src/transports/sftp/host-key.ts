/**
 * Our server's host key: generated once in OpenSSH format (ed25519) and kept, so partners'
 * known_hosts entries stay valid across restarts. ssh2 refuses PKCS#8 (`BEGIN PRIVATE KEY`)
 * host keys (notes/INFRA.md), so we never write that format.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import ssh2 from 'ssh2'
import type { KnownHostKey } from './ports.ts'

/**
 * A fresh ed25519 pair in OpenSSH format. ssh2's generator drops a leading zero byte of the
 * public key (about 1 key in 128 across public and private halves), and it cannot parse what it
 * wrote then; such a key would be a dead host key on first start. Generate until ssh2 reads both
 * halves back.
 */
export function generateEd25519KeyPair(comment?: string): { private: string; public: string } {
  for (;;) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', comment ? { comment } : undefined)
    const priv = ssh2.utils.parseKey(pair.private)
    const pub = ssh2.utils.parseKey(pair.public)
    if (priv instanceof Error || pub instanceof Error) continue
    if (priv.getPublicSSH().length !== 51) continue // 4+11 type, 4+32 key
    return { private: pair.private, public: pair.public }
  }
}

export function loadOrCreateHostKey(path: string): Buffer {
  if (!existsSync(path)) {
    const pair = generateEd25519KeyPair('edi-gateway host key')
    mkdirSync(dirname(path), { recursive: true })
    // wx: if another process created it in between, keep theirs (both then read the same file).
    try {
      writeFileSync(path, pair.private, { mode: 0o600, flag: 'wx' })
      writeFileSync(`${path}.pub`, pair.public + '\n', { mode: 0o644 })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
  }
  const key = readFileSync(path)
  const parsed = ssh2.utils.parseKey(key)
  if (parsed instanceof Error) throw new Error(`host key ${path}: ${parsed.message}`)
  return key
}

/** `SHA256:<base64 without padding>` as `ssh-keygen -lf` prints it. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`
}

/** The key type is the first SSH string inside the public key blob (RFC 4253 §6.6). */
export function describeHostKey(blob: Buffer): KnownHostKey {
  const len = blob.length >= 4 ? blob.readUInt32BE(0) : 0
  const keyType = len > 0 && len < 64 ? blob.subarray(4, 4 + len).toString('latin1') : 'unknown'
  return { keyType, keyBase64: blob.toString('base64'), fingerprint: fingerprint(blob) }
}

/** Public key blob from an OpenSSH line (`ssh-ed25519 AAAA... comment`, known_hosts style too). */
export function blobFromKeyLine(line: string): Buffer | undefined {
  const parts = line.trim().split(/\s+/)
  for (const p of parts) {
    if (/^AAAA[0-9A-Za-z+/]+=*$/.test(p)) return Buffer.from(p, 'base64')
  }
  return undefined
}
