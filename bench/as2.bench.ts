/**
 * AS2 receive throughput and time to the sync MDN: signed (SHA-256) + encrypted (AES-256-CBC,
 * RSA PKCS#1 v1.5 key transport → our unwrap path) 10 KB messages POSTed over HTTP to the
 * in-process receiver (hono on @hono/node-server, the real pipeline receive(), a real database:
 * PostgreSQL when DATABASE_URL is set, else embedded PGlite). Each response is a signed MDN.
 * Messages are built before the clock starts; the client keeps CONCURRENCY requests in flight.
 */
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { randomBytes } from 'node:crypto'
import { Agent, request } from 'node:http'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { loadRegistry } from '../src/config/registry.ts'
import { createAs2Store } from '../src/db/as2.ts'
import { migrate } from '../src/db/migrate.ts'
import { openDatabase } from '../src/db/sql.ts'
import { silentLogger } from '../src/lib/log.ts'
import { receive } from '../src/pipeline/receive.ts'
import { createSelfSignedCertificate, loadPrivateKey, parseCertificate } from '../src/transports/as2/cms.ts'
import { createAs2Routes } from '../src/transports/as2/receive.ts'
import { buildAs2Message } from '../src/transports/as2/send.ts'
import { medianOf, percentile, type BenchContext, type Figure } from './harness.ts'

const CONCURRENCY = 8
const GROUP = 'AS2 receive (signed+encrypted 10 KB, sync signed MDN)'

export async function run(ctx: BenchContext): Promise<Figure[]> {
  const dir = mkdtempSync(join(ctx.dir, 'as2-'))
  const pair = createSelfSignedCertificate({ commonName: 'BENCHGW', days: 30 })
  mkdirSync(join(dir, 'partners'))
  mkdirSync(join(dir, 'certs'))
  writeFileSync(join(dir, 'certs', 'gw.crt'), pair.certPem)
  const profile = (id: string, as2Id: string, us: string, url = '') =>
    `id: ${id}\nname: ${id}\nstatus: live\nidentities: { as2: [${as2Id}] }\nus: { as2: ${us} }\nas2:\n  cert: certs/gw.crt\n  requireSigned: true\n  requireEncrypted: true\n${url ? `  url: ${url}\n  encrypt: aes256-cbc\n  sign: sha256\n` : ''}`
  writeFileSync(join(dir, 'partners', 'bench-in.yaml'), profile('bench-in', 'BENCHSENDER', 'BENCHGW'))
  writeFileSync(join(dir, 'partners', 'bench-out.yaml'), profile('bench-out', 'BENCHGW', 'BENCHSENDER', 'http://127.0.0.1:9/as2'))
  const { registry, errors } = loadRegistry(dir)
  if (errors.length) throw new Error(JSON.stringify(errors))

  const schema = `bench_as2_${randomBytes(4).toString('hex')}`
  const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: join(dir, 'pg'), schema })
  await migrate(db.sql)
  const keys = { key: loadPrivateKey(pair.keyPem), cert: parseCertificate(pair.certPem) }
  const app = new Hono().route(
    '/',
    createAs2Routes({ registry, onReceive: (p) => receive({ sql: db.sql }, p), store: createAs2Store(db.sql), keys, ourIds: ['BENCHGW'], log: silentLogger })
  )
  const server = await new Promise<ReturnType<typeof serve>>((r) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => r(s))
  })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/as2`
  const n = ctx.quick ? 120 : 1000
  const out = registry.get('bench-out')!
  const payload = Buffer.alloc(10 * 1024, 'ISA*00*          *00*          *ZZ*BENCHSENDER    *ZZ*BENCHGW        ~\n')
  let seq = 0
  const build = (count: number) =>
    Array.from({ length: count }, () =>
      buildAs2Message({ registry, keys, defaultId: 'BENCHSENDER' }, out, {
        messageId: `<bench-${process.pid}-${seq}@BENCHSENDER>`,
        partnerId: 'bench-out',
        // Each message its own content: the same signed bytes under a new Message-ID are a replay.
        bytes: Buffer.concat([payload.subarray(0, payload.length - 12), Buffer.from(`${String(seq++).padStart(11, '0')}\n`)]),
        filename: 'bench.x12',
        contentType: 'application/edi-x12',
      })
    )
  // node:http with keep-alive: undici's fetch costs the shared event loop several ms per request.
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  const post = (m: ReturnType<typeof build>[number]) =>
    new Promise<number>((resolve, reject) => {
      const t = performance.now()
      const headers: Record<string, string | number> = Object.fromEntries(m.headers)
      headers['Content-Length'] = m.body.length
      const req = request(url, { method: 'POST', agent, headers }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('latin1')
          if (res.statusCode !== 200 || !body.includes('; processed\r\n')) reject(new Error(`bad MDN: ${res.statusCode} ${body.slice(0, 300)}`))
          else resolve(performance.now() - t)
        })
      })
      req.on('error', reject)
      req.end(m.body)
    })
  try {
    await Promise.all(build(20).map(post)) // warm-up: JIT, connections, plans
    const latencies: number[] = []
    const cpuPerMsg: number[] = []
    const rate = await medianOf(ctx.runs, async () => {
      const msgs = build(n)
      let next = 0
      const started = performance.now()
      const cpu0 = process.cpuUsage()
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < msgs.length) latencies.push(await post(msgs[next++]))
        })
      )
      const cpu = process.cpuUsage(cpu0)
      cpuPerMsg.push((cpu.user + cpu.system) / 1000 / n)
      return n / ((performance.now() - started) / 1000)
    })
    // Unloaded latency: one request at a time.
    const single: number[] = []
    for (const m of build(ctx.quick ? 40 : 200)) single.push(await post(m))
    const backend = db.kind === 'postgres' ? 'PostgreSQL' : 'embedded PGlite'
    const note = `${backend}; ${n} messages x ${ctx.runs} runs, ${CONCURRENCY} in flight`
    return [
      { group: GROUP, name: `throughput (${backend})`, value: rate, unit: 'msg/s', note: `${note}; target >= 150` },
      { group: GROUP, name: `time to sync MDN p50 at ${CONCURRENCY} in flight`, value: percentile(latencies, 50), unit: 'ms', note },
      { group: GROUP, name: `time to sync MDN p99 at ${CONCURRENCY} in flight`, value: percentile(latencies, 99), unit: 'ms', note: `${note}; target < 100` },
      {
        group: GROUP,
        name: 'gateway process CPU per message (receiver + in-process client)',
        value: percentile(cpuPerMsg, 50),
        unit: 'ms',
        note: `load-independent cost; 1000 / this = msg/s one core sustains before the database (${backend}) is counted`,
      },
      { group: GROUP, name: 'time to sync MDN p50, one at a time', value: percentile(single, 50), unit: 'ms', note: backend },
      { group: GROUP, name: 'time to sync MDN p99, one at a time', value: percentile(single, 99), unit: 'ms', note: backend },
    ]
  } finally {
    agent.destroy()
    await new Promise<void>((r) => server.close(() => r()))
    await db.sql.unsafe(`drop schema if exists "${schema}" cascade`).catch(() => {})
    await db.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
