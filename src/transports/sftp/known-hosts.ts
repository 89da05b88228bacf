/**
 * Known-hosts checking for servers we connect to (poll and push), on by default. The expected key
 * is the profile's `hostKey` (an OpenSSH key line, or a file under the config root holding such
 * lines, known_hosts format accepted). Without one, the first key seen is trusted and recorded
 * in the database (trust on first use, like `StrictHostKeyChecking=accept-new`); from then on a
 * different key is refused. A refusal records the mismatch so the caller can stop polling and
 * open `sftp_host_key_changed`.
 */
import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { blobFromKeyLine, describeHostKey } from './host-key.ts'
import type { KnownHostKey, SftpStore } from './ports.ts'

export interface HostCheck {
  verify(blob: Buffer): Promise<boolean>
  /** Set when verify() refused a key that differs from the expected one. */
  mismatch?: { expected: string; actual: string }
}

function expectedFromProfile(hostKey: string, root: string): Buffer[] {
  const text = /^(ssh-|ecdsa-|sk-)/.test(hostKey.trim())
    ? hostKey
    : existsSync(isAbsolute(hostKey) ? hostKey : join(root, hostKey))
      ? readFileSync(isAbsolute(hostKey) ? hostKey : join(root, hostKey), 'utf8')
      : ''
  return text
    .split('\n')
    .map((l) => blobFromKeyLine(l))
    .filter((b): b is Buffer => b !== undefined)
}

export function createHostCheck(o: {
  partnerId: string
  host: string
  port: number
  hostKey?: string
  root: string
  store: SftpStore
}): HostCheck {
  const check: HostCheck = {
    async verify(blob) {
      const actual = describeHostKey(blob)
      let expected: KnownHostKey[]
      if (o.hostKey) {
        expected = expectedFromProfile(o.hostKey, o.root).map(describeHostKey)
        if (expected.length === 0) {
          check.mismatch = {
            expected: `unreadable hostKey ${o.hostKey}`,
            actual: actual.fingerprint,
          }
          return false
        }
      } else {
        const known =
          (await o.store.getKnownHost(o.partnerId, o.host, o.port)) ??
          (await o.store.rememberHost(o.partnerId, o.host, o.port, actual))
        expected = [known]
      }
      if (expected.some((k) => k.keyBase64 === actual.keyBase64)) return true
      check.mismatch = {
        expected: expected.map((k) => k.fingerprint).join(', '),
        actual: actual.fingerprint,
      }
      return false
    },
  }
  return check
}
