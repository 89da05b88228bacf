/**
 * ssh2 Client wrapped as a small promise API for polling and pushing: connect (with a host key
 * verifier that may consult the database), list, download to a local file, upload, rename,
 * delete. Timeouts on connect and on every operation, so a hung partner server cannot hold a
 * poll lease forever.
 */
import ssh2 from 'ssh2'
import type { SFTPWrapper } from 'ssh2'

export interface SftpConnectOptions {
  host: string
  port: number
  username: string
  privateKey?: string
  password?: string
  /** Gets the raw host key blob; resolve false to refuse the connection. */
  verifyHostKey(blob: Buffer): Promise<boolean>
  timeoutMs?: number
}

export interface RemoteEntry {
  name: string
  size: number
  /** Seconds since the epoch, as SFTP v3 carries it. */
  mtime: number
  isFile: boolean
}

export interface SftpClientSession {
  list(dir: string): Promise<RemoteEntry[]>
  download(remote: string, local: string): Promise<void>
  upload(bytes: Buffer, remote: string): Promise<void>
  /** Rename, replacing the target (posix-rename@openssh.com when offered, else remove + rename). */
  replace(from: string, to: string): Promise<void>
  rename(from: string, to: string): Promise<void>
  remove(path: string): Promise<void>
  exists(path: string): Promise<boolean>
  /** The size the server reports for a file (stat). */
  size(path: string): Promise<number>
  close(): void
}

const S_IFMT = 0o170000
const S_IFREG = 0o100000

export async function connectSftp(opts: SftpConnectOptions): Promise<SftpClientSession> {
  const timeoutMs = opts.timeoutMs ?? 30_000
  const conn = new ssh2.Client()
  const sftp = await new Promise<SFTPWrapper>((resolve, reject) => {
    conn.once('error', reject)
    conn.once('ready', () => {
      conn.sftp((err, s) => (err ? reject(err) : resolve(s)))
    })
    conn.connect({
      host: opts.host,
      port: opts.port,
      username: opts.username,
      privateKey: opts.privateKey,
      password: opts.password,
      readyTimeout: timeoutMs,
      // Async form: ssh2 waits for verify(); an exception counts as a refusal.
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        opts.verifyHostKey(key).then(verify, () => verify(false))
      },
    } as ssh2.ConnectConfig)
  })
  conn.on('error', () => {})

  /** Every call gets a deadline: a partner server that stops answering must not stall us. */
  const call = <T>(
    what: string,
    fn: (cb: (err: Error | null | undefined, v?: T) => void) => void
  ) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`sftp ${what} timed out after ${timeoutMs} ms`))
        conn.end()
      }, timeoutMs)
      fn((err, v) => {
        clearTimeout(timer)
        if (err) reject(err)
        else resolve(v as T)
      })
    })

  return {
    async list(dir) {
      const items = await call<ssh2.FileEntryWithStats[]>('readdir', (cb) => sftp.readdir(dir, cb))
      return items.map((i) => ({
        name: i.filename,
        size: Number(i.attrs.size),
        mtime: Number(i.attrs.mtime),
        isFile: (i.attrs.mode & S_IFMT) === S_IFREG,
      }))
    },
    async download(remote, local) {
      // fastGet keeps several reads in flight; the deadline scales with a large file's needs.
      await new Promise<void>((resolve, reject) =>
        sftp.fastGet(remote, local, { concurrency: 32, chunkSize: 32768 }, (err) =>
          err ? reject(err) : resolve()
        )
      )
    },
    async upload(bytes, remote) {
      await call<void>('write', (cb) => sftp.writeFile(remote, bytes, cb))
    },
    async rename(from, to) {
      await call<void>('rename', (cb) => sftp.rename(from, to, cb))
    },
    async replace(from, to) {
      try {
        await call<void>('posix-rename', (cb) => sftp.ext_openssh_rename(from, to, cb))
        return
      } catch {
        // Not offered by this server: SFTP v3 RENAME refuses an existing target, so remove it first.
      }
      await call<void>('remove', (cb) => sftp.unlink(to, cb)).catch(() => {})
      await call<void>('rename', (cb) => sftp.rename(from, to, cb))
    },
    async remove(path) {
      await call<void>('remove', (cb) => sftp.unlink(path, cb))
    },
    async exists(path) {
      return call<unknown>('stat', (cb) => sftp.stat(path, cb)).then(
        () => true,
        () => false
      )
    },
    async size(path) {
      const st = await call<ssh2.Stats>('stat', (cb) => sftp.stat(path, cb))
      return Number(st.size)
    },
    close() {
      sftp.end()
      conn.end()
    },
  }
}
