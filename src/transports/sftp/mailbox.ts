/**
 * A hosted partner mailbox: <mailboxRoot>/<partner>/{inbox,outbox,archive}. Partners upload into
 * inbox/, download what we send from outbox/ (and may delete it), and can read archive/.
 *
 * Intake of one upload, when the client CLOSEs it (or renames a temp name to a final one):
 *   1. sniff the first bytes; empty or not EDI → `<name>.error.txt` next to it + exception;
 *   2. move it out of the partner's sight into <mailboxRoot>/.gateway/<partner>/incoming/ under
 *      a fresh upload id (one atomic rename: from here on the upload has a stable identity);
 *   3. onReceive() with externalId `upload:<id>`; it returns after the commit;
 *   4. move it to archive/<messageId>__<name>, and only then answer the client OK.
 * A crash after 2 leaves the file in incoming/; `recover()` at start receives it again and the
 * externalId dedupe answers with the first message id, so it is never stored twice.
 *
 * An upload the session refused (larger than `maxFileBytes`, sparse, holes) is deleted and answered
 * with `<name>.error.txt` + a `file_rejected` exception: nothing partial is ever received.
 */
import { createReadStream } from 'node:fs'
import { mkdir, open, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { Logger } from '../../lib/log.ts'
import { newId } from '../../lib/ids.ts'
import type { OnReceive, ReceiveReceipt } from '../types.ts'
import type { OnSftpProblem, SftpStore } from './ports.ts'
import { ERROR_SUFFIX, isTempName, sniffEdi } from './rules.ts'
import { createJail } from './jail.ts'
import { formatBytes, SftpRefusal, type SftpPolicy } from './session.ts'

export const MAILBOX_FOLDERS = ['inbox', 'outbox', 'archive'] as const
/** Our temp files in outbox/ while a delivery is being written; never shown to the partner. */
export const OUTBOX_TEMP_PREFIX = '.gw-'

export const mailboxPath = (root: string, partnerId: string) => join(root, partnerId)
export const stagingPath = (root: string, partnerId: string) =>
  join(root, '.gateway', partnerId, 'incoming')

export async function ensureMailbox(root: string, partnerId: string): Promise<void> {
  for (const f of MAILBOX_FOLDERS)
    await mkdir(join(mailboxPath(root, partnerId), f), { recursive: true, mode: 0o750 })
  await mkdir(stagingPath(root, partnerId), { recursive: true, mode: 0o750 })
}

export interface IntakeStats {
  uploads: number
  rejected: number
  receiveFailures: number
}

export interface IntakeDeps {
  mailboxRoot: string
  onReceive: OnReceive
  onProblem?: OnSftpProblem
  store?: SftpStore
  log: Logger
  stats: IntakeStats
}

const CONTENT_TYPE = {
  x12: 'application/edi-x12',
  edifact: 'application/edifact',
  json: 'application/json',
}

async function readHead(path: string, n = 64): Promise<Buffer> {
  const fh = await open(path, 'r')
  try {
    const buf = Buffer.alloc(n)
    const { bytesRead } = await fh.read(buf, 0, n, 0)
    return buf.subarray(0, bytesRead)
  } finally {
    await fh.close()
  }
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false
  )

export function createIntake(deps: IntakeDeps) {
  const { mailboxRoot, log } = deps

  /** Steps 3-4 for a staged file. */
  async function receiveStaged(
    partnerId: string,
    staged: string,
    uploadId: string,
    v: string,
    user?: string
  ) {
    const size = (await stat(staged)).size
    const head = await readHead(staged)
    const sniffed = sniffEdi(head, size)
    const receipt: ReceiveReceipt = await deps.onReceive({
      transport: 'sftp',
      partnerId,
      filename: basename(v),
      contentType: sniffed.ok ? CONTENT_TYPE[sniffed.standard] : undefined,
      body: createReadStream(staged, { highWaterMark: 1 << 20 }),
      externalId: `upload:${uploadId}`,
      meta: { via: 'mailbox', path: v, user, uploadId, size },
    })
    const archived = join(
      mailboxPath(mailboxRoot, partnerId),
      'archive',
      `${receipt.messageId}__${basename(v)}`
    )
    await rename(staged, archived)
    log.info('sftp upload received', {
      partnerId,
      path: v,
      messageId: receipt.messageId,
      size,
      duplicate: receipt.duplicate,
    })
    return receipt
  }

  /** An upload the session refused: delete it, leave a note and an exception, count it. */
  async function refuse(partnerId: string, v: string, real: string, reason: string) {
    deps.stats.rejected++
    await unlink(real).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err
    })
    await writeFile(
      `${real}${ERROR_SUFFIX}`,
      `${reason}.\nNothing of it was taken in. Upload the complete file again under the same name to retry.\n`
    )
    log.warn('sftp upload refused', { partnerId, path: v, reason })
    await deps.onProblem?.({
      partnerId,
      reason: { code: 'file_rejected', filename: v, detail: reason },
    })
  }

  /** Intake of a closed (or renamed-into-place) upload at virtual path `v`, real path `real`. */
  async function take(
    partnerId: string,
    user: string,
    v: string,
    real: string,
    maxFileBytes = Infinity
  ): Promise<ReceiveReceipt | undefined> {
    log.debug('sftp upload closed', { partnerId, path: v })
    const size = (await stat(real)).size
    // Writes are capped as they come; this catches a file that was already there (a lowered limit).
    if (size > maxFileBytes) {
      await refuse(partnerId, v, real, `${v} is larger than the upload limit of ${formatBytes(maxFileBytes)}: upload refused`)
      return undefined
    }
    const sniffed = sniffEdi(await readHead(real), size)
    const note = `${real}${ERROR_SUFFIX}`
    if (!sniffed.ok) {
      deps.stats.rejected++
      const text =
        `${basename(v)} was not taken in: ${sniffed.detail}.\n` +
        `Upload a complete X12 (ISA...) or EDIFACT (UNA/UNB...) interchange under the same name to retry.\n`
      await writeFile(note, text)
      log.warn('sftp upload rejected', { partnerId, path: v, code: sniffed.code })
      await deps.onProblem?.({
        partnerId,
        reason: { code: 'file_rejected', filename: v, detail: sniffed.detail },
      })
      return undefined
    }
    const uploadId = newId('up')
    const staged = join(
      stagingPath(mailboxRoot, partnerId),
      `${uploadId}__${encodeURIComponent(v)}`
    )
    await rename(real, staged)
    try {
      const receipt = await receiveStaged(partnerId, staged, uploadId, v, user)
      deps.stats.uploads++
      await unlink(note).catch(() => {})
      return receipt
    } catch (err) {
      deps.stats.receiveFailures++
      // Not durable: give the file back so the partner sees it where they put it, and fail the CLOSE.
      if ((await exists(staged)) && !(await exists(real)))
        await rename(staged, real).catch(() => {})
      log.error('sftp upload not received', { partnerId, path: v, error: (err as Error).message })
      throw err
    }
  }

  /** Re-receive uploads a crash left between steps 2 and 4 (dedupe makes it exactly-once). */
  async function recover(partnerId: string): Promise<number> {
    const dir = stagingPath(mailboxRoot, partnerId)
    let n = 0
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const m = /^(up_[A-Za-z0-9]+)__(.+)$/.exec(name)
      if (!m) continue
      await receiveStaged(partnerId, join(dir, name), m[1], decodeURIComponent(m[2]))
      n++
    }
    return n
  }

  return { take, recover, refuse }
}

export type Intake = ReturnType<typeof createIntake>

const top = (v: string) => v.split('/')[1] ?? ''
const depth = (v: string) => (v === '/' ? 0 : v.split('/').length - 1)

/** What a partner may do in its own mailbox, and the intake/outbox hooks. */
export function mailboxPolicy(
  partnerId: string,
  user: string,
  deps: { mailboxRoot: string; store?: SftpStore; log: Logger; maxFileBytes?: number },
  intake: Intake
): SftpPolicy {
  const inInbox = (v: string) => top(v) === 'inbox' && depth(v) >= 2
  const outboxName = (v: string) =>
    top(v) === 'outbox' && depth(v) === 2 ? basename(v) : undefined
  // Bookkeeping must not fail the partner's operation: log and carry on.
  const track = async (what: string, p: Promise<void> | undefined) =>
    p?.catch((err: Error) =>
      deps.log.error(`sftp outbox ${what} not recorded`, { partnerId, error: err.message })
    )
  // The client gets our text, never the error's (it may name server paths or the database);
  // take() has logged the error itself.
  const intakeOf = async (v: string, real: string) => {
    try {
      await intake.take(partnerId, user, v, real, deps.maxFileBytes)
    } catch (err) {
      if (err instanceof SftpRefusal) throw err
      throw new SftpRefusal(
        `${v} was not taken in: the gateway could not store it just now, try again later`
      )
    }
  }
  return {
    jail: createJail(mailboxPath(deps.mailboxRoot, partnerId)),
    user,
    canRead: (v) => v === '/' || (MAILBOX_FOLDERS as readonly string[]).includes(top(v)),
    canWrite: inInbox,
    canRemove: (v) => inInbox(v) || outboxName(v) !== undefined,
    canMkdir: (v) => top(v) === 'inbox' && depth(v) >= 2,
    canRename: (a, b) => inInbox(a) && inInbox(b),
    hidden: (v) => basename(v).startsWith(OUTBOX_TEMP_PREFIX),
    maxFileBytes: deps.maxFileBytes,
    async onUploaded(v, real) {
      if (!isTempName(v)) await intakeOf(v, real)
    },
    async onRenamed(a, b, real) {
      // `put x.tmp` + `rename x.tmp x.edi`: the CLOSE skipped the temp name, the rename takes it in.
      if (isTempName(a) && !isTempName(b)) await intakeOf(b, real)
    },
    async onRefused(v, real, reason) {
      await intake.refuse(partnerId, v, real, reason)
    },
    async onDownloaded(v) {
      const name = outboxName(v)
      if (name) await track('download', deps.store?.markOutboxDownloaded(partnerId, name))
    },
    async onRemoved(v) {
      const name = outboxName(v)
      if (name) await track('removal', deps.store?.markOutboxRemoved(partnerId, name))
    },
  }
}
