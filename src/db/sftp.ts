/**
 * PostgreSQL side of the SFTP transport: the SftpStore port (leases, trust-on-first-use host
 * keys, seen markers, outbox download tracking) and the problem sink that turns SFTP problems
 * into exception rows. Tables: migrations/0400_sftp.sql. A hosted outbox file read to its end
 * makes its delivery `acknowledged` (the state model: src/pipeline/deliver.ts).
 */
import type { ExceptionReason } from '../exceptions/reasons.ts'
import { newId } from '../lib/ids.ts'
import type {
  KnownHostKey,
  OnSftpProblem,
  OutboxFileRecord,
  SftpStore,
} from '../transports/sftp/ports.ts'
import { openException } from './exceptions.ts'
import type { Sql } from './sql.ts'

interface HostRow {
  key_type: string
  key_base64: string
  fingerprint: string
}
const toKey = (r: HostRow): KnownHostKey => ({
  keyType: r.key_type,
  keyBase64: r.key_base64,
  fingerprint: r.fingerprint,
})

export function createSftpStore(sql: Sql): SftpStore {
  return {
    async tryLease(name, owner, ttlMs) {
      const ttl = `${Math.max(1, Math.round(ttlMs))} milliseconds`
      // Insert, or take over when expired or already ours; the WHERE makes a live foreign lease win.
      const rows = await sql<{ owner: string }[]>`
        insert into sftp_leases (name, owner, expires_at) values (${name}, ${owner}, now() + ${ttl}::interval)
        on conflict (name) do update set owner = excluded.owner, expires_at = excluded.expires_at,
          acquired_at = case when sftp_leases.owner = excluded.owner then sftp_leases.acquired_at else now() end
        where sftp_leases.owner = excluded.owner or sftp_leases.expires_at < now()
        returning owner`
      return rows.length === 1 && rows[0].owner === owner
    },
    async releaseLease(name, owner) {
      await sql`delete from sftp_leases where name = ${name} and owner = ${owner}`
    },
    async getKnownHost(partnerId, host, port) {
      const [row] = await sql<
        HostRow[]
      >`select key_type, key_base64, fingerprint from sftp_known_hosts
        where partner_id = ${partnerId} and host = ${host} and port = ${port}`
      return row ? toKey(row) : undefined
    },
    async rememberHost(partnerId, host, port, key) {
      await sql`insert into sftp_known_hosts (partner_id, host, port, key_type, key_base64, fingerprint)
        values (${partnerId}, ${host}, ${port}, ${key.keyType}, ${key.keyBase64}, ${key.fingerprint})
        on conflict do nothing`
      // Two processes meeting the host for the first time: both end up comparing to the winner.
      const [row] = await sql<
        HostRow[]
      >`select key_type, key_base64, fingerprint from sftp_known_hosts
        where partner_id = ${partnerId} and host = ${host} and port = ${port}`
      return toKey(row)
    },
    async isSeen(partnerId, source, externalId) {
      const rows = await sql`select 1 from sftp_seen
        where partner_id = ${partnerId} and source = ${source} and external_id = ${externalId}`
      return rows.length > 0
    },
    async markSeen(partnerId, source, externalId, messageId) {
      await sql`insert into sftp_seen (partner_id, source, external_id, message_id)
        values (${partnerId}, ${source}, ${externalId}, ${messageId}) on conflict do nothing`
    },
    async recordOutboxFile(f: OutboxFileRecord) {
      await sql.begin(async (tx) => {
        // Replacing a file of the same name ends the life of the previous one.
        await tx`update sftp_outbox_files set removed_at = now()
          where partner_id = ${f.partnerId} and filename = ${f.filename} and removed_at is null`
        await tx`insert into sftp_outbox_files (id, partner_id, filename, delivery_id, size, sha256)
          values (${newId('obx')}, ${f.partnerId}, ${f.filename}, ${f.deliveryId ?? null}, ${f.size}, ${f.sha256})`
      })
    },
    async markOutboxDownloaded(partnerId, filename) {
      const rows = await sql<{ delivery_id: string | null; downloaded_at: Date }[]>`
        update sftp_outbox_files set downloaded_at = coalesce(downloaded_at, now()),
          download_count = download_count + 1
        where partner_id = ${partnerId} and filename = ${filename} and removed_at is null
        returning delivery_id, downloaded_at`
      // Read to its last byte by the partner: the delivery was collected (issue 16).
      const ids = rows.map((r) => r.delivery_id).filter((id): id is string => !!id)
      if (ids.length === 0) return
      await sql`update deliveries set
          status = case when status in ('queued', 'sent') then 'acknowledged' else status end,
          sent_at = coalesce(sent_at, now()),
          receipt = coalesce(receipt, '{}'::jsonb) || ${sql.json({ collected: 'sftp', downloadedAt: rows[0].downloaded_at.toISOString() } as never)},
          updated_at = now()
        where id = any(${ids})`
    },
    async markOutboxRemoved(partnerId, filename) {
      // A removal alone is not a collection (nothing was read): it is noted, the state stays.
      const rows = await sql<{ delivery_id: string | null }[]>`update sftp_outbox_files set removed_at = now()
        where partner_id = ${partnerId} and filename = ${filename} and removed_at is null
        returning delivery_id`
      const ids = rows.map((r) => r.delivery_id).filter((id): id is string => !!id)
      if (ids.length === 0) return
      await sql`update deliveries set receipt = coalesce(receipt, '{}'::jsonb) || ${sql.json({ removedAt: new Date().toISOString() } as never)},
          updated_at = now()
        where id = any(${ids})`
    },
  }
}

export interface OutboxFileRow {
  id: string
  partner_id: string
  filename: string
  delivery_id: string | null
  size: string
  sha256: string
  placed_at: Date
  downloaded_at: Date | null
  download_count: number
  removed_at: Date | null
}

/** Outbox history of a partner, newest first (operator views, tests). */
export async function listOutboxFiles(sql: Sql, partnerId: string): Promise<OutboxFileRow[]> {
  return sql<OutboxFileRow[]>`select * from sftp_outbox_files where partner_id = ${partnerId}
    order by placed_at desc, id desc`
}

/** SFTP problems → exception rows (idempotent through the exception dedupe key). */
export function sftpProblemSink(sql: Sql): OnSftpProblem {
  return async ({ partnerId, reason }: { partnerId: string; reason: ExceptionReason }) => {
    await openException(sql, reason, { partnerId })
  }
}
