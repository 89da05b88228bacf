/**
 * Test fixtures for the SFTP suites: a plain partner-side ssh2 SFTP server over a temp folder
 * (real ssh2, real sockets, the same protocol handlers as production with an open policy), key
 * pairs, and a registry written as partners/*.yaml the way operators write it.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import { generateEd25519KeyPair } from '../../../src/transports/sftp/host-key.ts'
import type { Connection } from 'ssh2'
import { loadRegistry, formatConfigError, type Registry } from '../../../src/config/registry.ts'
import { createJail } from '../../../src/transports/sftp/jail.ts'
import { serveSftp, type SftpPolicy } from '../../../src/transports/sftp/session.ts'

export function keyPair(): { private: string; public: string } {
  return generateEd25519KeyPair()
}

export interface PartnerServer {
  port: number
  hostPublic: string
  stop(): Promise<void>
}

/** A partner's own SFTP server: one user, key auth, everything under `root` allowed. */
export async function startPartnerServer(o: {
  root: string
  user: string
  clientPublicKey: string
  hostKey?: { private: string; public: string }
  port?: number
}): Promise<PartnerServer> {
  const host = o.hostKey ?? keyPair()
  const allowed = ssh2.utils.parseKey(o.clientPublicKey)
  if (allowed instanceof Error) throw allowed
  const clients = new Set<Connection>()
  const policy: SftpPolicy = {
    jail: createJail(o.root),
    user: o.user,
    canRead: () => true,
    canWrite: (v) => v !== '/',
    canRemove: () => true,
    canMkdir: () => true,
    canRename: () => true,
    hidden: () => false,
  }
  const server = new ssh2.Server({ hostKeys: [host.private] }, (client) => {
    clients.add(client)
    client.on('close', () => clients.delete(client))
    client.on('error', () => {})
    client.on('authentication', (ctx) => {
      if (
        ctx.method === 'publickey' &&
        ctx.username === o.user &&
        ctx.key.data.equals(allowed.getPublicSSH())
      ) {
        if (!ctx.signature || allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true)
          return ctx.accept()
      }
      ctx.reject(['publickey'])
    })
    client.on('ready', () =>
      client.on('session', (accept) =>
        accept().on('sftp', (acc) => {
          const sftp = acc()
          const release = serveSftp(sftp, policy)
          sftp.on('end', () => sftp.end())
          sftp.on('close', () => void release())
        })
      )
    )
  })
  await new Promise<void>((r) => server.listen(o.port ?? 0, '127.0.0.1', () => r()))
  return {
    port: (server.address() as { port: number }).port,
    hostPublic: host.public,
    async stop() {
      for (const c of clients) c.end()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}

/** Writes partners/<id>.yaml files under `root` and loads them; fails on any config error. */
export function writeRegistry(root: string, profiles: Record<string, string>): Registry {
  mkdirSync(join(root, 'partners'), { recursive: true })
  for (const [id, yaml] of Object.entries(profiles))
    writeFileSync(join(root, 'partners', `${id}.yaml`), yaml)
  const { registry, errors } = loadRegistry(root)
  if (errors.length) throw new Error(errors.map(formatConfigError).join('\n'))
  return registry
}

export const X12_SAMPLE =
  'ISA*00*          *00*          *ZZ*ACME           *ZZ*OURCO          *240101*1200*U*00401*000000001*0*P*>~' +
  'GS*PO*ACME*OURCO*20240101*1200*1*X*004010~ST*850*0001~BEG*00*SA*PO-1**20240101~SE*3*0001~GE*1*1~IEA*1*000000001~'
