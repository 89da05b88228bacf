/**
 * Senders for the crash and scale harnesses. Each keeps a ledger of what it sent and what the
 * gateway acknowledged, the way a real partner would know it: HTTP 202 + transactionId (API),
 * `sftp -b` exit 0 (the hosted mailbox answers CLOSE only after receive() committed), `ingest`
 * exit code + messageId (CLI), a signed MDN that verify-mdn.sh accepts (AS2, as2-traffic.ts). An
 * unacknowledged message is resent later under the same identity (Idempotency-Key, file name,
 * AS2 Message-ID and control numbers), as a partner's retry would.
 */
import { spawn } from 'node:child_process'
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../helpers/gateway-process.ts'

export interface Sent {
  id: string
  via: 'api' | 'sftp' | 'ingest' | 'as2'
  /** The business key the document must end up under (asn:<number>). */
  businessKey: string
  attempts: number
  acked: boolean
  /** Gateway message id from the acknowledgement (API, ingest). */
  messageId?: string
  /** Where the bytes are (sftp, ingest, as2). */
  file?: string
  /** AS2 Message-ID, the same on every resend (as2). */
  as2MessageId?: string
  /** When the attempt that was first acknowledged started (as2: tells a resend of a stored message from a first store). */
  ackAttemptAt?: Date
}

export interface Ledger {
  sent: Map<string, Sent>
  /** Sends that failed (connection refused/reset, non-zero exit) and may be retried. */
  failures: number
  /** AS2 answers that were 2xx but whose MDN failed verify-mdn.sh (a gateway bug, not a crash). */
  badMdns: string[]
}

export const newLedger = (): Ledger => ({ sent: new Map(), failures: 0, badMdns: [] })

/**
 * A config root for gateway children: the repository's partners, maps and certs, with the X12
 * partner's hosted mailbox opened to a test key and the 3PL's API rate limit lifted (load tests
 * would otherwise measure the limiter, which test/http covers). With `as2PartnerCert`, the X12
 * supplier's AS2 station is the test peer: its profile's `as2.cert` becomes that certificate
 * (copied to certs/crash-as2-peer/), so the peer's 856s take the same parse/translate/match path
 * as the SFTP ones. (A second profile would have to claim the same X12 ids, which the registry
 * refuses.)
 */
export function configRoot(dir: string, o: { sftpPublicKey?: string; as2PartnerCert?: string } = {}): string {
  const root = join(dir, 'config')
  mkdirSync(join(root, 'partners'), { recursive: true })
  for (const f of readdirSync(join(repoRoot, 'partners'))) {
    let text = readFileSync(join(repoRoot, 'partners', f), 'utf8')
    if (f === 'demo-x12-supplier.yaml' && o.sftpPublicKey) text = text.replace(/authorizedKeys: \[[^\]]*\]/, `authorizedKeys: ['${o.sftpPublicKey}']`)
    if (f === 'demo-x12-supplier.yaml' && o.as2PartnerCert) {
      const before = text
      text = text.replace(/^(\s+cert:) certs\/demo-x12-supplier\/as2\.pem$/m, '$1 certs/crash-as2-peer/as2.crt')
      if (text === before) throw new Error('configRoot: demo-x12-supplier.yaml has no as2.cert line to replace')
    }
    if (f === 'demo-3pl.yaml') text = text.replace(/rateLimitPerMinute: \d+/, 'rateLimitPerMinute: 1000000')
    writeFileSync(join(root, 'partners', f), text)
  }
  symlinkSync(join(repoRoot, 'maps'), join(root, 'maps'))
  // certs/ is per-entry links to the repository's, so the peer's certificate can sit beside them.
  mkdirSync(join(root, 'certs'))
  for (const f of readdirSync(join(repoRoot, 'certs'))) symlinkSync(join(repoRoot, 'certs', f), join(root, 'certs', f))
  if (o.as2PartnerCert) {
    mkdirSync(join(root, 'certs', 'crash-as2-peer'))
    copyFileSync(o.as2PartnerCert, join(root, 'certs', 'crash-as2-peer', 'as2.crt'))
  }
  return root
}

/** A demo-3PL ASN (JSON API). PO numbers are not in the ERP, so it is held, which is fine here. */
export function apiAsn(n: string) {
  return {
    asnNumber: `CR-API-${n}`,
    shippedAt: '2025-03-06T16:20:00Z',
    orders: [{ poNumber: `CR-PO-${n}`, cartons: [{ lines: [{ poLine: 10, sku: 'WID-10', qty: 5, uom: 'EA' }] }] }],
  }
}

/** The demo X12 856 with its own control numbers (ISA13, GS06, ST02) and ASN number (BSN02). */
export function x12Asn(n: number): { text: string; businessKey: string } {
  const ctl = String(n).padStart(9, '0')
  const asn = `CR-X12-${n}`
  const text = readFileSync(join(repoRoot, 'fixtures/demo-x12-supplier/856-asn-20250305-01.edi'), 'latin1')
    .replace('*000000102*', `*${ctl}*`)
    .replace('IEA*1*000000102', `IEA*1*${ctl}`)
    .replace('*1430*102*X*', `*1430*${n}*X*`)
    .replace('GE*1*102~', `GE*1*${n}~`)
    .replace('ST*856*0001~', `ST*856*${String(n).padStart(9, '0')}~`)
    .replace('SE*37*0001~', `SE*37*${String(n).padStart(9, '0')}~`)
    .replace('ASN-20250305-01', asn)
  return { text, businessKey: `asn:${asn}` }
}

/** POST one API message (or its retry), 5 s timeout. */
export async function sendApi(baseUrl: string, apiKey: string, s: Sent, body: unknown, ledger: Ledger): Promise<void> {
  s.attempts++
  try {
    const r = await fetch(`${baseUrl}/api/v1/asns`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'idempotency-key': s.id },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    })
    const text = await r.text()
    if (r.status === 202) {
      s.acked = true
      s.messageId = (JSON.parse(text) as { transactionId: string }).transactionId
    } else ledger.failures++
  } catch {
    ledger.failures++
  }
}

export function run(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? repoRoot, env: { ...process.env, ...(opts.env ?? {}) }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const t = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000)
    child.on('close', (code) => {
      clearTimeout(t)
      resolve({ code, stdout, stderr })
    })
  })
}

/** `sftp -b` put into the partner's hosted inbox as <file name>; exit 0 = acknowledged. */
export async function sendSftp(o: { port: number; user: string; keyFile: string; dir: string }, s: Sent, ledger: Ledger): Promise<void> {
  s.attempts++
  const batch = join(o.dir, `batch-${s.id}-${s.attempts}`)
  writeFileSync(batch, `put ${s.file} inbox/${s.id}.edi\n`)
  const r = await run('sftp', ['-b', batch, '-i', o.keyFile, '-P', String(o.port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'IdentitiesOnly=yes', '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=5', `${o.user}@127.0.0.1`], { cwd: o.dir, timeoutMs: 20_000 })
  if (r.code === 0) s.acked = true
  else ledger.failures++
}

/** `edi-gateway ingest <file> --json` in its own process, against the same database. */
export async function sendIngest(env: Record<string, string>, s: Sent, ledger: Ledger): Promise<void> {
  s.attempts++
  const r = await run(process.execPath, ['bin/edi-gateway.js', 'ingest', s.file!, '--json'], { env, timeoutMs: 120_000 })
  try {
    const out = JSON.parse(r.stdout) as { messageId?: string }
    if ((r.code === 0 || r.code === 1) && out.messageId) {
      s.acked = true
      s.messageId = out.messageId
      return
    }
  } catch {
    /* not acknowledged */
  }
  ledger.failures++
}
