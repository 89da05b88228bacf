/**
 * Ports the SFTP transport needs from the outside, injected by main.ts. Transports never import
 * db/ or pipeline/ (layering, TEAM.md), so persistence is this one interface, implemented in
 * src/db/sftp.ts over PostgreSQL, and problems leave through `OnSftpProblem`, which main.ts
 * wires to openException().
 */
import type { ExceptionReason } from '../../exceptions/reasons.ts'

/** A host key as we remember it: algorithm, base64 blob, and OpenSSH-style SHA256 fingerprint. */
export interface KnownHostKey {
  keyType: string
  keyBase64: string
  fingerprint: string
}

export interface OutboxFileRecord {
  partnerId: string
  /** Name inside the partner's outbox/ (flat). */
  filename: string
  deliveryId?: string
  size: number
  sha256: string
}

export interface SftpStore {
  /**
   * Take or renew the named lease for `ttlMs` when it is free, expired, or already ours. Returns
   * true when `owner` holds it afterwards. Expiry is judged by the database clock, so hosts with
   * skewed clocks still agree.
   */
  tryLease(name: string, owner: string, ttlMs: number): Promise<boolean>
  releaseLease(name: string, owner: string): Promise<void>
  /** Trust-on-first-use memory for poll/push hosts that have no `hostKey` in the profile. */
  getKnownHost(partnerId: string, host: string, port: number): Promise<KnownHostKey | undefined>
  /** Records the key only if none is known yet; returns the key that is known afterwards. */
  rememberHost(
    partnerId: string,
    host: string,
    port: number,
    key: KnownHostKey
  ): Promise<KnownHostKey>
  /** `after: leave`: remote files already taken in, keyed by their remote identity. */
  isSeen(partnerId: string, source: string, externalId: string): Promise<boolean>
  markSeen(partnerId: string, source: string, externalId: string, messageId: string): Promise<void>
  /** Hosted outbox bookkeeping: placed by us, downloaded (read to the end) and removed by them. */
  recordOutboxFile(file: OutboxFileRecord): Promise<void>
  markOutboxDownloaded(partnerId: string, filename: string): Promise<void>
  markOutboxRemoved(partnerId: string, filename: string): Promise<void>
}

/** A problem for a person: becomes an exception row (file_rejected, sftp_host_key_changed ...). */
export type OnSftpProblem = (p: { partnerId: string; reason: ExceptionReason }) => Promise<void>
