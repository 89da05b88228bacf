/**
 * Pushing a file to a partner's own SFTP server (the poll entry that has `pushPath`): upload
 * under a hidden temporary name, then rename into place, so the partner's own pollers never
 * pick up half a file. Same connection rules as polling, known-hosts checking included.
 * The temp file's size, as the partner's server reports it, must be the size we wrote before it
 * is renamed into place: then the delivery is `sent`. Nothing on their server tells us when they
 * collected it; for EDI documents their 997/999/CONTRL does (pipeline/acks.ts).
 */
import { posix } from 'node:path'
import type { PartnerProfile } from '../../config/partner.ts'
import type { Registry } from '../../config/registry.ts'
import type { DeliveryReceipt, OutboundPayload } from '../types.ts'
import { safeOutboxName } from './outbox.ts'
import { connectEntry } from './poll.ts'
import type { OnSftpProblem, SftpStore } from './ports.ts'

export interface PushOptions {
  registry: Registry
  store: SftpStore
  onProblem?: OnSftpProblem
  env?: NodeJS.ProcessEnv
  timeoutMs?: number
}

export const pushEntry = (p: PartnerProfile | undefined) => p?.sftp?.poll.find((e) => e.pushPath)

export async function pushToPartner(
  o: PushOptions,
  payload: OutboundPayload
): Promise<DeliveryReceipt> {
  const profile = o.registry.get(payload.partnerId)
  const e = pushEntry(profile)
  if (!profile || !e?.pushPath) {
    return {
      ok: false,
      retryable: false,
      error: `partner ${payload.partnerId} has no sftp.poll entry with pushPath`,
    }
  }
  const name = safeOutboxName(payload.filename)
  const final = posix.join(e.pushPath, name)
  const temp = posix.join(e.pushPath, `.${name}.part`)
  let conn: Awaited<ReturnType<typeof connectEntry>>
  try {
    conn = await connectEntry(profile, e, o)
  } catch (err) {
    return {
      ok: false,
      retryable: true,
      error: `connect ${e.host}:${e.port}: ${(err as Error).message}`,
    }
  }
  if (!conn.session) {
    const m = conn.mismatch!
    await o.onProblem?.({
      partnerId: profile.id,
      reason: {
        code: 'sftp_host_key_changed',
        partnerId: profile.id,
        host: `${e.host}:${e.port}`,
        expected: m.expected,
        actual: m.actual,
      },
    })
    return {
      ok: false,
      retryable: false,
      error: `host key of ${e.host}:${e.port} changed (${m.actual})`,
    }
  }
  const s = conn.session
  try {
    await s.upload(payload.bytes, temp)
    const written = await s.size(temp)
    if (written !== payload.bytes.length) {
      throw new Error(`the server reports ${written} bytes written of ${payload.bytes.length}`)
    }
    await s.replace(temp, final)
    return {
      ok: true,
      ref: `sftp://${e.user}@${e.host}:${e.port}${final}`,
      state: 'sent',
      detail: { size: payload.bytes.length, sizeVerified: true },
    }
  } catch (err) {
    await s.remove(temp).catch(() => {})
    return {
      ok: false,
      retryable: true,
      error: `push to ${e.host}:${e.port}${final}: ${(err as Error).message}`,
    }
  } finally {
    s.close()
  }
}
