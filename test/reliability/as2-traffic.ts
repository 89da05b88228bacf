/**
 * AS2 traffic for the crash harness, sent by the independent OpenSSL/curl peer in
 * ../shared/as2-peer (nothing in it knows our code). The peer plays the demo X12 supplier's AS2
 * station: its AS2 id and signing certificate go into that profile (traffic.ts configRoot), and
 * its "server" key pair becomes ours (AS2_CERT_FILE / AS2_KEY_FILE on the gateway child), so it
 * can encrypt to us and check our MDN signatures. Every message is signed (sha256), encrypted
 * (aes256) and asks for a signed synchronous MDN (RFC 4130 §7.3).
 *
 * Acknowledged = verify-mdn.sh exits 0: HTTP 2xx, a multipart/signed MDN whose signature verifies
 * with our certificate, the right Original-Message-ID, disposition exactly `processed` and a
 * Received-Content-MIC equal to the one the peer computed itself. Anything less (curl error
 * because the gateway died, 503, no MDN) leaves the message unacknowledged, and it is resent
 * later under the SAME Message-ID, as a real AS2 partner retries (RFC 4130 §9.3 duplicates).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, cpSync, existsSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { repoRoot } from '../helpers/gateway-process.ts'
import { run, type Ledger, type Sent } from './traffic.ts'

/** AS2 ids of the demo X12 supplier profile (partners/demo-x12-supplier.yaml): the peer sends as it. */
export const PEER_AS2_ID = 'DEMOSUPPLY-AS2'
export const OUR_AS2_ID = 'OURCO-AS2'

export interface As2Peer {
  /** The writable copy of the peer (send.sh, verify-mdn.sh, certs/, out/). */
  dir: string
  /** The peer's signing certificate: goes into the partner profile. */
  partnerCert: string
  /** "Our" key pair as the peer made it: the gateway child's AS2_CERT_FILE / AS2_KEY_FILE. */
  serverCert: string
  serverKey: string
}

const works = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { stdio: 'pipe' })
  return r.error === undefined && r.status === 0
}

/** Why AS2 traffic cannot run here ('' = it can): the peer folder, bash, openssl and curl. */
export function as2Missing(): string {
  const src = peerSource()
  if (!existsSync(join(src, 'send.sh'))) return `${src} not found`
  if (!works('bash', ['-c', 'true'])) return 'bash not installed'
  if (!works('openssl', ['version'])) return 'openssl not installed'
  if (!works('curl', ['--version'])) return 'curl not installed'
  return ''
}

function peerSource(): string {
  return join(process.env.SHARED_DIR ?? resolve(repoRoot, '../shared'), 'as2-peer')
}

/**
 * Copy the peer under `dir` (../shared is read-only and not ours to write), make it writable and
 * generate its two identities there with gen-certs.sh.
 */
export function preparePeer(dir: string): As2Peer {
  const peer = join(dir, 'as2-peer')
  cpSync(peerSource(), peer, { recursive: true })
  const writable = (p: string) => {
    const st = statSync(p)
    chmodSync(p, st.isDirectory() ? 0o755 : st.mode | 0o200)
    if (st.isDirectory()) for (const f of readdirSync(p)) writable(join(p, f))
  }
  writable(peer)
  execFileSync('bash', [join(peer, 'gen-certs.sh'), '--partner-id', PEER_AS2_ID, '--server-id', OUR_AS2_ID], { cwd: peer, stdio: 'pipe' })
  const certs = join(peer, 'certs')
  return { dir: peer, partnerCert: join(certs, 'partner.crt'), serverCert: join(certs, 'server.crt'), serverKey: join(certs, 'server.key') }
}

/** A fresh AS2 Message-ID for a new message (kept for all of its resends). */
export const as2MessageId = (id: string, salt: string) => `<${id}-${salt}@crash-peer.example>`

/**
 * One AS2 send (or resend) of `s.file` with `s.as2MessageId`. Each attempt gets its own output
 * directory; the MDN is only trusted when verify-mdn.sh passes on it.
 */
export async function sendAs2(peer: As2Peer, baseUrl: string, s: Sent, ledger: Ledger): Promise<boolean> {
  s.attempts++
  const startedAt = new Date()
  const out = join(peer.dir, 'out', `${s.id}-${s.attempts}`)
  const sent = await run(
    'bash',
    [join(peer.dir, 'send.sh'), '-q', '-u', `${baseUrl}/as2`, '-f', PEER_AS2_ID, '-t', OUR_AS2_ID, '--server-cert', peer.serverCert,
      '--md', 'sha256', '--cipher', 'aes256', '--mdn', 'signed', '--message-id', s.as2MessageId!, '--filename', `${s.id}.edi`,
      '--timeout', '20', '-o', out, s.file!],
    { cwd: peer.dir, timeoutMs: 30_000 }
  )
  if (sent.code !== 0) {
    ledger.failures++
    return false
  }
  const checked = await run('bash', [join(peer.dir, 'verify-mdn.sh'), '-q', out], { cwd: peer.dir, timeoutMs: 30_000 })
  if (checked.code === 0) {
    s.ackAttemptAt ??= startedAt
    s.acked = true
    return true
  }
  // A 2xx with an MDN that does not verify is not a crash artefact: keep it for the report.
  ledger.failures++
  ledger.badMdns.push(`${s.id} attempt ${s.attempts}: ${(checked.stdout + checked.stderr).split('\n').filter((l) => /FAIL/.test(l)).join('; ')}`)
  return false
}
