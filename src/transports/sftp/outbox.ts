/**
 * Delivery into a hosted mailbox: the file appears in <mailboxRoot>/<partner>/outbox/ atomically
 * (written under a hidden temp name, then renamed), so a partner listing the folder never sees
 * half a file. The store records it; the SFTP server later records download and removal.
 * Renamed into outbox/ is `sent`; the partner reading it to its end makes the delivery
 * `acknowledged` (db/sftp.ts markOutboxDownloaded).
 */
import { createHash } from 'node:crypto'
import { rename, unlink, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { newId } from '../../lib/ids.ts'
import type { DeliveryReceipt, OutboundPayload } from '../types.ts'
import { ensureMailbox, mailboxPath, OUTBOX_TEMP_PREFIX } from './mailbox.ts'
import type { SftpStore } from './ports.ts'

/** A file name a partner's client can handle: no directories, no leading dot, no control chars. */
export function safeOutboxName(name: string): string {
  const base = basename(name.replace(/\\/g, '/'))
    .replace(/[^\w.@+=-]/g, '_')
    .replace(/^\.+/, '')
  return base || 'file.edi'
}

export async function sendToMailbox(
  o: { mailboxRoot: string; store?: SftpStore },
  p: OutboundPayload
): Promise<DeliveryReceipt> {
  const filename = safeOutboxName(p.filename)
  await ensureMailbox(o.mailboxRoot, p.partnerId)
  const dir = join(mailboxPath(o.mailboxRoot, p.partnerId), 'outbox')
  const temp = join(dir, `${OUTBOX_TEMP_PREFIX}${newId('out')}.tmp`)
  try {
    await writeFile(temp, p.bytes, { mode: 0o640 })
    // rename(2) replaces atomically; a retried delivery of the same file simply rewrites it.
    await rename(temp, join(dir, filename))
  } catch (err) {
    await unlink(temp).catch(() => {})
    return { ok: false, retryable: true, error: `mailbox write failed: ${(err as Error).message}` }
  }
  const sha256 = createHash('sha256').update(p.bytes).digest('hex')
  await o.store?.recordOutboxFile({
    partnerId: p.partnerId,
    filename,
    deliveryId: p.deliveryId,
    size: p.bytes.length,
    sha256,
  })
  return {
    ok: true,
    ref: `outbox/${filename}`,
    state: 'sent',
    detail: { mailbox: p.partnerId, size: p.bytes.length, sha256 },
  }
}
