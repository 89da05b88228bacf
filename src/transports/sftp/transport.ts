/**
 * The outbound `sftp` Transport: by the profile's `outbound` setting, files go to the partner's
 * hosted mailbox (`sftp_mailbox`, outbox/) or are pushed to the partner's server (`sftp`, the
 * poll entry with `pushPath`). A partner with `outbound: sftp` but no pushPath, and a hosted
 * mailbox, gets its files in the mailbox.
 *
 * @example
 * const sftp = createSftpTransport({ registry, mailboxRoot, store, onProblem })
 * await sftp.send({ deliveryId, partnerId: 'acme', bytes, filename: '997_0001.x12', contentType, docType: '997' })
 */
import type { Registry } from '../../config/registry.ts'
import type { Transport } from '../types.ts'
import { sendToMailbox } from './outbox.ts'
import type { OnSftpProblem, SftpStore } from './ports.ts'
import { pushEntry, pushToPartner } from './push.ts'

export interface SftpTransportOptions {
  registry: Registry
  mailboxRoot: string
  store: SftpStore
  onProblem?: OnSftpProblem
  env?: NodeJS.ProcessEnv
  timeoutMs?: number
}

export function createSftpTransport(o: SftpTransportOptions): Transport {
  return {
    name: 'sftp',
    async send(payload) {
      const p = o.registry.get(payload.partnerId)
      if (!p) return { ok: false, retryable: false, error: `unknown partner ${payload.partnerId}` }
      if (p.outbound === 'sftp' && pushEntry(p)) return pushToPartner(o, payload)
      if (p.sftp?.mailbox) return sendToMailbox(o, payload)
      return {
        ok: false,
        retryable: false,
        error: `partner ${p.id} has neither an SFTP mailbox nor a pushPath`,
      }
    },
  }
}

/**
 * Mailbox only (`sftp_mailbox`, and warehouse destinations of type sftp): always the hosted
 * outbox of `payload.partnerId`, whatever the profile's push settings.
 */
export function createSftpMailboxTransport(o: {
  mailboxRoot: string
  store?: SftpStore
}): Transport {
  return {
    name: 'sftp_mailbox',
    async send(payload) {
      if (!/^[a-z0-9][a-z0-9-]*$/.test(payload.partnerId)) {
        return {
          ok: false,
          retryable: false,
          error: `no mailbox for partner id "${payload.partnerId}"`,
        }
      }
      return sendToMailbox(o, payload)
    },
  }
}
