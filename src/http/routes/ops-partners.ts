/**
 * Partner list with health: status, last message, ack health (pending and overdue functional
 * acks for documents we sent), open exceptions and certificate expiry. Certificates are read
 * from the profile's as2.cert and certs/<partner-id>/*.pem under the config root with
 * node:crypto X509Certificate; a file that does not parse is reported, not thrown.
 */
import { X509Certificate } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { Hono } from 'hono'
import type { PartnerProfile } from '../../config/partner.ts'
import { partnerActivity } from '../../db/queries.ts'
import type { HttpContext } from '../context.ts'

export interface CertInfo {
  file: string
  subject?: string
  notAfter?: string
  daysLeft?: number
  error?: string
}

const DAY = 86_400_000
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

export function readCertificates(root: string, p: PartnerProfile, now = Date.now()): CertInfo[] {
  const files = new Set<string>()
  if (p.as2?.cert) files.add(join(root, p.as2.cert))
  const dir = join(root, 'certs', p.id)
  if (existsSync(dir)) for (const f of readdirSync(dir)) if (/\.(pem|crt|cer)$/i.test(f)) files.add(join(dir, f))
  const out: CertInfo[] = []
  for (const abs of files) {
    const file = relative(root, abs)
    try {
      const pems = readFileSync(abs, 'latin1').match(PEM_CERT) ?? []
      if (pems.length === 0) out.push({ file, error: 'no PEM certificate in file' })
      for (const pem of pems) {
        const x = new X509Certificate(pem)
        const until = new Date(x.validTo).getTime()
        out.push({ file, subject: x.subject.replace(/\n/g, ', '), notAfter: new Date(until).toISOString(), daysLeft: Math.floor((until - now) / DAY) })
      }
    } catch (e) {
      out.push({ file, error: (e as Error).message.slice(0, 200) })
    }
  }
  return out
}

export function installOpsPartners(app: Hono, ctx: HttpContext): void {
  app.get('/api/v1/ops/partners', async (c) => {
    const activity = await partnerActivity(ctx.sql)
    const partners = [...ctx.registry.partners.values()].map((p) => {
      const a = activity.get(p.id)
      const certificates = readCertificates(ctx.registry.root, p)
      const soonest = Math.min(...certificates.map((x) => x.daysLeft ?? Infinity))
      const problems: string[] = []
      if ((a?.overdue_acks ?? 0) > 0) problems.push(`${a!.overdue_acks} overdue ack(s)`)
      if (soonest < 0) problems.push('certificate expired')
      else if (soonest < 30) problems.push(`certificate expires in ${soonest} day(s)`)
      if (certificates.some((x) => x.error)) problems.push('unreadable certificate')
      if ((a?.open_exceptions ?? 0) > 0) problems.push(`${a!.open_exceptions} open exception(s)`)
      const health = soonest < 0 || (a?.overdue_acks ?? 0) > 0 ? 'error' : problems.length ? 'warning' : 'ok'
      return {
        id: p.id,
        name: p.name,
        kind: p.kind,
        status: p.status,
        outbound: p.outbound,
        inbound: [p.as2 && 'as2', p.sftp && 'sftp', p.identities.apiKeys.length > 0 && 'api'].filter(Boolean),
        lastMessageAt: a?.last_message_at ?? null,
        messages24h: a?.messages_24h ?? 0,
        openExceptions: a?.open_exceptions ?? 0,
        pendingAcks: a?.pending_acks ?? 0,
        overdueAcks: a?.overdue_acks ?? 0,
        certificates,
        health,
        problems,
      }
    })
    return c.json({ partners })
  })
}
