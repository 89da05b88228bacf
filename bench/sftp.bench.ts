/**
 * SFTP upload-to-durable throughput: the real OpenSSH client (`sftp -b`, key auth, one session
 * per figure) uploads into a hosted mailbox served in this process; the clock stops when the
 * client exits, and the client exits only after every CLOSE was answered, which the server does
 * after receive() committed the bytes to the database. So each figure includes the SSH transfer,
 * the disk write, the sniff, the database insert of every 1 MiB chunk and the parse enqueue.
 * Database: DATABASE_URL (own schema, dropped after) or embedded PGlite in bench/out.
 */
import { spawn, spawnSync } from 'node:child_process'
import {
  chmodSync,
  closeSync,
  mkdirSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { generateEd25519KeyPair } from '../src/transports/sftp/host-key.ts'
import { loadRegistry } from '../src/config/registry.ts'
import { migrate } from '../src/db/migrate.ts'
import { createSftpStore, sftpProblemSink } from '../src/db/sftp.ts'
import { openDatabase } from '../src/db/sql.ts'
import { receive } from '../src/pipeline/receive.ts'
import { createSftpServer } from '../src/transports/sftp/server.ts'
import { medianOf } from './harness.ts'
import type { BenchContext, Figure } from './harness.ts'

const group = 'SFTP upload to durable (OpenSSH sftp -b → hosted mailbox → receive())'

/** A syntactically plausible X12 850 of about `bytes` bytes (deterministic). */
function x12(n: number, bytes: number): Buffer {
  const ctl = String(n).padStart(9, '0')
  const head = `ISA*00*          *00*          *ZZ*BENCH          *ZZ*OURCO          *260101*1200*U*00401*${ctl}*0*P*>~GS*PO*BENCH*OURCO*20260101*1200*${n}*X*004010~ST*850*0001~BEG*00*SA*PO-${n}**20260101~`
  const line = (i: number) => `PO1*${i}*10*EA*9.99**BP*ITEM-${String(i).padStart(8, '0')}~`
  let body = ''
  for (let i = 1; head.length + body.length < bytes - 40; i++) body += line(i)
  return Buffer.from(`${head}${body}SE*3*0001~GE*1*${n}~IEA*1*${ctl}~`)
}

export async function run(ctx: BenchContext): Promise<Figure[]> {
  if (spawnSync('sftp', ['-h']).error) {
    return [
      { group, name: 'skipped', value: NaN, unit: '', note: 'OpenSSH sftp client not installed' },
    ]
  }
  const dir = join(ctx.dir, 'sftp')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(join(dir, 'cfg', 'partners'), { recursive: true })
  const key = generateEd25519KeyPair()
  writeFileSync(join(dir, 'client.key'), key.private)
  chmodSync(join(dir, 'client.key'), 0o600)
  writeFileSync(
    join(dir, 'cfg', 'partners', 'bench.yaml'),
    `id: bench\nname: Bench\nstatus: live\nsftp:\n  mailbox:\n    authorizedKeys: ['${key.public}']\n`
  )

  const schema = `bench_sftp_${process.pid}`
  const db = await openDatabase({
    databaseUrl: process.env.DATABASE_URL,
    dataDir: join(dir, 'db'),
    schema,
  })
  await migrate(db.sql)
  const server = createSftpServer({
    registry: loadRegistry(join(dir, 'cfg')).registry,
    onReceive: (p) => receive({ sql: db.sql }, p),
    store: createSftpStore(db.sql),
    onProblem: sftpProblemSink(db.sql),
    hostKeyPath: join(dir, 'host_key'),
    mailboxRoot: join(dir, 'mailboxes'),
    port: 0,
    host: '127.0.0.1',
  })
  const { port } = await server.start()

  /** One `sftp -b` session (async: the server runs in this process); returns wall seconds. */
  const session = async (commands: string[]): Promise<number> => {
    const batch = join(dir, 'batch')
    writeFileSync(batch, commands.join('\n') + '\n')
    const t0 = performance.now()
    const child = spawn(
      'sftp',
      [
        '-b',
        batch,
        '-i',
        join(dir, 'client.key'),
        '-P',
        String(port),
        '-o',
        'StrictHostKeyChecking=no',
        '-o',
        'UserKnownHostsFile=/dev/null',
        '-o',
        'LogLevel=ERROR',
        'bench@127.0.0.1',
      ],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] }
    )
    let err = ''
    child.stderr.on('data', (d: Buffer) => (err += d))
    const code = await new Promise<number | null>((r) => child.on('close', r))
    const s = (performance.now() - t0) / 1000
    if (code !== 0) throw new Error(`sftp failed (${code}): ${err}`)
    return s
  }

  try {
    const bigMb = ctx.quick ? 20 : 100
    const big = join(dir, 'big.edi')
    const fd = openSync(big, 'w')
    const block = x12(1, 1 << 20)
    for (let i = 0; i < bigMb; i++) writeSync(fd, block)
    closeSync(fd)
    let run = 0
    const bigRate = await medianOf(
      ctx.runs,
      async () => bigMb / (await session([`put big.edi inbox/big-${run++}.edi`]))
    )

    const smallCount = ctx.quick ? 100 : 1000
    mkdirSync(join(dir, 'small'))
    let smallBytes = 0
    for (let i = 0; i < smallCount; i++) {
      const b = x12(i + 2, 2048)
      smallBytes += b.length
      writeFileSync(join(dir, 'small', `po-${i}.edi`), b)
    }
    let secs = 0
    const filesRate = await medianOf(ctx.runs, async () => {
      const r = run++
      secs = await session(
        Array.from(
          { length: smallCount },
          (_, i) => `put small/po-${i}.edi inbox/r${r}-po-${i}.edi`
        )
      )
      return smallCount / secs
    })
    const [{ n }] = await db.sql<
      { n: number }[]
    >`select count(*)::int as n from payloads where transport = 'sftp'`
    const expected = ctx.runs * (1 + smallCount)
    if (n !== expected) throw new Error(`expected ${expected} durable payloads, found ${n}`)
    const note = `${db.kind === 'postgres' ? 'PostgreSQL' : 'embedded PGlite'}; OpenSSH client, one session`
    return [
      { group, name: `one ${bigMb} MB file`, value: bigRate, unit: 'MB/s', note },
      {
        group,
        name: `${smallCount} files of ~2 KB, one session`,
        value: filesRate,
        unit: 'files/s',
        note,
      },
      {
        group,
        name: `${smallCount} files of ~2 KB, one session (bytes)`,
        value: (smallBytes / 2 ** 20) * (filesRate / smallCount),
        unit: 'MB/s',
        note,
      },
    ]
  } finally {
    await server.stop()
    if (db.kind === 'postgres')
      await db.sql.unsafe(`drop schema if exists "${schema}" cascade`).catch(() => {})
    await db.close()
  }
}
