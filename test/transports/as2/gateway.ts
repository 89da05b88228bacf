/**
 * Test harness for AS2: a config root with partner profiles, a real database schema, the real
 * pipeline receive(), and the AS2 routes — served by @hono/node-server on a random port when a
 * network peer (openssl/curl, our own sender) needs to reach it.
 */
import { serve, type ServerType } from '@hono/node-server'
import { Hono } from 'hono'
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { loadRegistry, type Registry } from '../../../src/config/registry.ts'
import { createAs2Store } from '../../../src/db/as2.ts'
import type { Sql } from '../../../src/db/sql.ts'
import { silentLogger } from '../../../src/lib/log.ts'
import { receive } from '../../../src/pipeline/receive.ts'
import { loadOurAs2Keys, type As2KeyPair } from '../../../src/transports/as2/keys.ts'
import { buildMdn, DISPOSITION } from '../../../src/transports/as2/mdn.ts'
import type { CmsPool } from '../../../src/transports/as2/cms-pool.ts'
import { createAs2Routes } from '../../../src/transports/as2/receive.ts'
import type { As2Store } from '../../../src/transports/as2/store.ts'
import { testDb, type TestDb } from '../../helpers/db.ts'

export const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'pipe' })
    return true
  } catch {
    return false
  }
})()

/** Make a self-signed RSA pair with openssl in `dir` as `<name>.key` / `<name>.crt`. */
export function opensslPair(dir: string, name: string, cn = name): { key: string; crt: string } {
  const key = join(dir, `${name}.key`)
  const crt = join(dir, `${name}.crt`)
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '30', '-subj', `/CN=${cn}`, '-keyout', key, '-out', crt], { stdio: 'pipe' })
  return { key, crt }
}

export interface PartnerSpec {
  id: string
  as2Id: string
  cert: string
  us?: string
  requireSigned?: boolean
  requireEncrypted?: boolean
  /** Sending side. */
  url?: string
  extra?: string
}

/** A config root with one profile per spec; certificates are copied under certs/<id>/. */
export function makeConfigRoot(partners: PartnerSpec[]): { root: string; registry: Registry } {
  const root = mkdtempSync(join(tmpdir(), 'as2-cfg-'))
  mkdirSync(join(root, 'partners'))
  for (const p of partners) {
    mkdirSync(join(root, 'certs', p.id), { recursive: true })
    copyFileSync(p.cert, join(root, 'certs', p.id, 'as2.crt'))
    const yaml = [
      `id: ${p.id}`,
      `name: ${p.id}`,
      'status: live',
      `identities: { as2: [${JSON.stringify(p.as2Id)}] }`,
      p.us ? `us: { as2: ${JSON.stringify(p.us)} }` : '',
      'as2:',
      `  cert: certs/${p.id}/as2.crt`,
      `  requireSigned: ${p.requireSigned ?? false}`,
      `  requireEncrypted: ${p.requireEncrypted ?? false}`,
      p.url ? `  url: ${p.url}` : '',
      p.extra ?? '',
    ].filter(Boolean)
    writeFileSync(join(root, 'partners', `${p.id}.yaml`), yaml.join('\n') + '\n')
  }
  const { registry, errors } = loadRegistry(root)
  if (errors.length) throw new Error(errors.map((e) => `${e.file}: ${e.path}: ${e.message}`).join('\n'))
  return { root, registry }
}

export interface Gateway {
  db: TestDb
  sql: Sql
  app: Hono
  store: As2Store
  keys: As2KeyPair
  registry: Registry
  /** Set after listen(). */
  url: string
  listen(): Promise<string>
  close(): Promise<void>
}

export async function startGateway(o: { registry: Registry; keyFile: string; certFile: string; ourIds: string[]; db?: TestDb; cms?: CmsPool }): Promise<Gateway> {
  const db = o.db ?? (await testDb())
  const keys = loadOurAs2Keys(o.certFile, o.keyFile)
  const store: As2Store = createAs2Store(db.sql)
  const app = new Hono()
  app.get('/healthz', (c) => c.text('ok'))
  app.route(
    '/',
    createAs2Routes({ registry: o.registry, onReceive: (p) => receive({ sql: db.sql }, p), store, keys, ourIds: o.ourIds, log: silentLogger, cms: o.cms })
  )
  let server: ServerType | undefined
  const gw: Gateway = {
    db,
    sql: db.sql,
    app,
    store,
    keys,
    registry: o.registry,
    url: '',
    async listen() {
      await new Promise<void>((resolve) => {
        server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve())
      })
      gw.url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`
      return gw.url
    },
    async close() {
      if (server) await new Promise<void>((r) => server!.close(() => r()))
      if (!o.db) await db.close()
    },
  }
  return gw
}

/**
 * Partner endpoints that misbehave, for what we send: `/liar` answers every message with a
 * validly signed MDN carrying a wrong MIC (a negative MDN), `/silent` accepts an async request and
 * never sends the MDN. `keys()` is read per request (the signing pair may exist only later).
 */
export async function startMisbehavingPartner(keys: () => As2KeyPair): Promise<{ url: string; close(): Promise<void> }> {
  /** A processed receipt with a made-up MIC, signed with `digest`. */
  const receipt = (originalMessageId: string, from: string, digest: 'sha1' | 'sha256') => {
    const { key, cert } = keys()
    const mdn = buildMdn({
      originalMessageId, from, to: 'OURS', disposition: DISPOSITION.processed,
      mic: { value: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', alg: digest },
      sign: { key, cert, digest },
    })
    return new Response(new Uint8Array(mdn.body), { headers: mdn.headers })
  }
  const app = new Hono()
    .post('/liar', (c) => receipt(c.req.header('message-id')!, 'LIAR', 'sha256'))
    // A receipt signed with SHA-1 (the partner's profile does not allow it), MIC not checked here.
    .post('/sha1', (c) => receipt(c.req.header('message-id')!, 'SHA1', 'sha1'))
    .post('/silent', (c) => c.text('ok'))
  const server = await new Promise<ServerType>((r) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => r(s))
  })
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}
