/**
 * The hosted SFTP server in its own process, as main.ts would run it, for the OpenSSH interop
 * test and the benchmark: real database, real receive(). Its RSS is sampled every 10 ms so a
 * test can see whether a 100 MB upload was streamed. Talks to the parent over the fork IPC:
 *   ← { type: 'ready', port }       → { type: 'peak-reset' } ← { type: 'peak', baseline, peak, uploadPeak }
 *   → { type: 'stats' } ← { type: 'stats', stats }               → { type: 'stop' }
 * Env: DB_URL, DB_SCHEMA, DB_MAX (1 on embedded PGlite), CONFIG_ROOT, MAILBOX_ROOT, HOST_KEY_PATH.
 */
import { loadRegistry } from '../../../src/config/registry.ts'
import { createSftpStore, sftpProblemSink } from '../../../src/db/sftp.ts'
import { openDatabase } from '../../../src/db/sql.ts'
import { createLogger } from '../../../src/lib/log.ts'
import { receive } from '../../../src/pipeline/receive.ts'
import { createSftpServer } from '../../../src/transports/sftp/server.ts'

const env = process.env
let baseline = 0
let peak = 0
let uploadPeak = 0
let liveBaseline = 0
const db = await openDatabase({
  databaseUrl: env.DB_URL,
  schema: env.DB_SCHEMA,
  dataDir: env.MAILBOX_ROOT + '/.db',
  max: Number(env.DB_MAX ?? 4),
})
const { registry } = loadRegistry(env.CONFIG_ROOT!)
const server = createSftpServer({
  registry,
  onReceive: (p) => receive({ sql: db.sql }, p),
  store: createSftpStore(db.sql),
  onProblem: sftpProblemSink(db.sql),
  hostKeyPath: env.HOST_KEY_PATH!,
  mailboxRoot: env.MAILBOX_ROOT!,
  port: 0,
  host: '127.0.0.1',
  // The 'upload closed' event splits the RSS peak into the upload phase and the receive phase.
  log: createLogger('debug', {}, (line) => {
    if (line.includes('"sftp upload closed"')) {
      uploadPeak = Math.max(uploadPeak, peak)
      uploadLive = Math.max(uploadLive, live)
    }
    if (env.SFTP_LOG === '1') process.stderr.write(line + '\n')
  }),
})
const { port } = await server.start()
baseline = process.memoryUsage().rss
peak = baseline

// Node moves bytes through Buffers, and V8 lets up to ~64 MB of dead external memory pile up
// before it collects, so a raw RSS peak cannot tell streaming from buffering on a 100 MB file.
// The sampler therefore forces a full GC (the child runs with --expose-gc) and records what is
// still alive (heap + ArrayBuffers) next to RSS: a buffered upload would keep ≥ 100 MB alive.
let live = 0
let uploadLive = 0
let detail: Record<string, number> = {}
setInterval(() => {
  global.gc?.()
  const m = process.memoryUsage()
  peak = Math.max(peak, m.rss)
  live = Math.max(live, m.heapUsed + m.arrayBuffers)
  for (const [k, v] of Object.entries(m)) detail[k] = Math.max(detail[k] ?? 0, v)
}, 25).unref()

process.on('message', async (m: { type: string }) => {
  if (m.type === 'peak-reset') {
    global.gc?.()
    baseline = process.memoryUsage().rss
    peak = baseline
    uploadPeak = baseline
    const m = process.memoryUsage()
    liveBaseline = m.heapUsed + m.arrayBuffers
    live = uploadLive = liveBaseline
    detail = {}
    process.send!({ type: 'peak-reset' })
  } else if (m.type === 'peak')
    process.send!({
      type: 'peak',
      baseline,
      peak,
      uploadPeak,
      liveBaseline,
      live,
      uploadLive,
      detail,
    })
  else if (m.type === 'stats') process.send!({ type: 'stats', stats: server.stats })
  else if (m.type === 'stop') {
    await server.stop()
    await db.close()
    process.exit(0)
  }
})
process.send!({ type: 'ready', port })
