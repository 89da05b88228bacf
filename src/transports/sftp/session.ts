/**
 * SFTP v3 request handlers (draft-ietf-secsh-filexfer-02) over a jailed directory: every request
 * the OpenSSH client sends (REALPATH, STAT, LSTAT, FSTAT, OPEN, READ, WRITE, CLOSE, OPENDIR,
 * READDIR, RENAME, REMOVE, MKDIR, RMDIR, SETSTAT, FSETSTAT). What a client may do where, and what
 * happens when an upload is closed or renamed, is the `SftpPolicy` the caller passes in; this
 * file only speaks the protocol. Writes go straight to disk at their offset, so memory per
 * upload is bounded by the client's outstanding requests, never by the file size.
 *
 * Limits: open handles per connection (`HandleBudget`, shared by all its channels); uploads up to
 * `policy.maxFileBytes`, checked on every WRITE; no sparse files (a write may start at most
 * `SPARSE_WINDOW` past the bytes written so far, which leaves room for pipelining clients that send
 * out of order, and a file still holding a hole at CLOSE is refused). A refused upload answers
 * every later WRITE and its CLOSE with the same FAILURE and goes to `policy.onRefused`, never to
 * `onUploaded`. Error texts are ours, naming paths as the client sees them: a file-system message
 * would show the server's directories.
 */
import { constants as FS } from 'node:fs'
import {
  type FileHandle,
  lstat,
  mkdir,
  open,
  readdir,
  rename,
  rmdir,
  stat,
  unlink,
  utimes,
} from 'node:fs/promises'
import type { Stats } from 'node:fs'
import type { Attributes, FileEntry, SFTPWrapper } from 'ssh2'
import ssh2 from 'ssh2'
import { silentLogger, type Logger } from '../../lib/log.ts'
import { JailError, toVirtual, type Jail } from './jail.ts'
import { DEFAULT_SFTP_LIMITS } from './limits.ts'
import { WrittenRanges } from './ranges.ts'

const { STATUS_CODE, OPEN_MODE } = ssh2.utils.sftp

/** Decisions and hooks per mailbox. Virtual paths are absolute and normalised (`/inbox/a.edi`). */
export interface SftpPolicy {
  jail: Jail
  /** Shown as owner in `ls -l`. */
  user: string
  canRead(v: string): boolean
  canWrite(v: string): boolean
  canRemove(v: string): boolean
  canMkdir(v: string): boolean
  canRename(from: string, to: string): boolean
  /** Names the client never sees or touches (our temp files). */
  hidden(v: string): boolean
  /** A written file was closed. Throwing answers the CLOSE with FAILURE and the message. */
  onUploaded?(v: string, real: string): Promise<void>
  /** A rename succeeded on disk; the reply waits for this (temp name → final name intake). */
  onRenamed?(from: string, to: string, real: string): Promise<void>
  /** A file was read to its last byte and closed; the CLOSE reply waits for it. */
  onDownloaded?(v: string): Promise<void>
  /** A file was removed; the REMOVE reply waits for it. */
  onRemoved?(v: string): Promise<void>
  /** Largest upload in bytes (unset: no limit). */
  maxFileBytes?: number
  /**
   * An upload was refused (too large, sparse, holes left); `reason` is the text the client got.
   * Called at CLOSE, or when the connection drops with the handle open; never with onUploaded.
   */
  onRefused?(v: string, real: string, reason: string): Promise<void>
}

/** A refusal whose message is written for the client (it names virtual paths only). */
export class SftpRefusal extends Error {
  readonly status: number
  constructor(message: string, status: number = STATUS_CODE.FAILURE) {
    super(message)
    this.status = status
  }
}

/** Open handles of one connection, shared by its SFTP channels. */
export interface HandleBudget {
  open: number
  max: number
}

/** How far past the bytes written so far a WRITE may start (pipelined, out-of-order clients). */
export const SPARSE_WINDOW = 16 * 1024 * 1024
/** Separate written ranges an upload may hold before it counts as sparse. */
const MAX_RANGES = 1024

interface FileState {
  kind: 'file'
  v: string
  real: string
  fh: FileHandle
  writing: boolean
  append: boolean
  /** What the client wrote (plus what the file held when opened without truncation). */
  written: WrittenRanges
  /** Set once a WRITE was refused: the text every later WRITE and the CLOSE answer with. */
  refused?: string
  pending: Set<Promise<unknown>>
  writeError?: Error
  readUpTo: number
  size: number
}
interface DirState {
  kind: 'dir'
  v: string
  real: string
  entries?: FileEntry[]
}

const MAX_READ = 256 * 1024
const DIR_BATCH = 100

export function attrsOf(st: Stats): Attributes {
  return {
    mode: st.mode,
    uid: st.uid,
    gid: st.gid,
    size: st.size,
    atime: Math.floor(st.atimeMs / 1000),
    mtime: Math.floor(st.mtimeMs / 1000),
  }
}

/** `ls -l` style line; OpenSSH prints it as is for `ls -l`. */
function longname(name: string, st: Stats, user: string): string {
  const t = st.isDirectory() ? 'd' : '-'
  const bits = 'rwxrwxrwx'
    .split('')
    .map((c, i) => (st.mode & (0o400 >> i) ? c : '-'))
    .join('')
  const d = new Date(st.mtimeMs)
  const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' })
  const when = `${month} ${String(d.getUTCDate()).padStart(2)} ${d.toISOString().slice(11, 16)}`
  return `${t}${bits}    1 ${user.padEnd(8)} ${user.padEnd(8)} ${String(st.size).padStart(12)} ${when} ${name}`
}

/** File-system error codes → SFTP status and our own text (the system's names real paths). */
const ERRNO: Record<string, [number, string]> = {
  ENOENT: [STATUS_CODE.NO_SUCH_FILE, 'no such file'],
  ENOTDIR: [STATUS_CODE.NO_SUCH_FILE, 'not a directory'],
  EACCES: [STATUS_CODE.PERMISSION_DENIED, 'permission denied'],
  EPERM: [STATUS_CODE.PERMISSION_DENIED, 'permission denied'],
  EISDIR: [STATUS_CODE.PERMISSION_DENIED, 'is a directory'],
  ELOOP: [STATUS_CODE.PERMISSION_DENIED, 'links are not followed'],
  EEXIST: [STATUS_CODE.FAILURE, 'already exists'],
  ENOTEMPTY: [STATUS_CODE.FAILURE, 'directory not empty'],
  ENAMETOOLONG: [STATUS_CODE.FAILURE, 'name too long'],
  ENOSPC: [STATUS_CODE.FAILURE, 'the server is out of space, try again later'],
  EDQUOT: [STATUS_CODE.FAILURE, 'the server is out of space, try again later'],
}

/** `100 MiB`, or the exact byte count when it is not a whole number of MiB. */
export function formatBytes(n: number): string {
  const MiB = 1024 * 1024
  return n >= MiB && n % MiB === 0 ? `${n / MiB} MiB` : `${n} bytes`
}

/** Attach the handlers to one SFTP channel. Returns a function that releases open handles. */
export function serveSftp(
  sftp: SFTPWrapper,
  policy: SftpPolicy,
  opts: { budget?: HandleBudget; log?: Logger } = {}
): () => Promise<void> {
  const handles = new Map<string, FileState | DirState>()
  let nextHandle = 0
  const { jail } = policy
  const log = opts.log ?? silentLogger
  const budget = opts.budget ?? { open: 0, max: DEFAULT_SFTP_LIMITS.maxHandles }
  const maxFileBytes = policy.maxFileBytes ?? Infinity

  /** Takes a handle slot before anything is opened; `newHandle` keeps it, a failure gives it back. */
  const reserve = () => {
    if (budget.open >= budget.max)
      throw new SftpRefusal(
        `too many open files (at most ${budget.max} per connection): close some first`
      )
    budget.open++
  }
  const unreserve = () => void (budget.open = Math.max(0, budget.open - 1))
  const newHandle = (state: FileState | DirState): Buffer => {
    const h = Buffer.alloc(4)
    h.writeUInt32BE(nextHandle++ >>> 0)
    handles.set(h.toString('hex'), state)
    return h
  }
  /** Status and client text for an error: ours as they are, file-system ones re-worded. */
  const answer = (err: unknown): [number, string] => {
    if (err instanceof SftpRefusal) return [err.status, err.message]
    if (err instanceof JailError) return [STATUS_CODE.PERMISSION_DENIED, err.message]
    const e = err as NodeJS.ErrnoException
    const known = e.code ? ERRNO[e.code] : undefined
    if (!known) {
      log.warn('sftp request failed', { error: e.message })
      return [STATUS_CODE.FAILURE, 'the server could not complete the request']
    }
    log.debug('sftp request refused', { error: e.message })
    const v = e.path ? jail.virtualOf(e.path) : undefined
    return [known[0], v ? `${known[1]}: ${v}` : known[1]]
  }
  const fail = (id: number, err: unknown) => sftp.status(id, ...answer(err))
  const deny = (id: number) => sftp.status(id, STATUS_CODE.PERMISSION_DENIED, 'permission denied')
  /** Virtual path, refusing hidden names as if they did not exist. */
  const virtual = (p: string): string => {
    const v = toVirtual(p)
    if (policy.hidden(v)) throw new SftpRefusal(`no such file: ${v}`, STATUS_CODE.NO_SUCH_FILE)
    return v
  }
  const run = (id: number, fn: () => Promise<void>) => {
    fn().catch((err) => fail(id, err))
  }

  sftp.on('REALPATH', (id, p) =>
    run(id, async () => {
      const v = virtual(p)
      sftp.name(id, [{ filename: v, longname: v, attrs: {} as Attributes }])
    })
  )
  const statLike = (id: number, p: string, fn: typeof stat) =>
    run(id, async () => {
      const v = virtual(p)
      if (!policy.canRead(v)) return deny(id)
      sftp.attrs(id, attrsOf(await fn(await jail.real(v))))
    })
  sftp.on('STAT', (id, p) => statLike(id, p, stat))
  sftp.on('LSTAT', (id, p) => statLike(id, p, lstat))

  sftp.on('OPEN', (id, p, flags) =>
    run(id, async () => {
      const v = virtual(p)
      const writing =
        (flags & (OPEN_MODE.WRITE | OPEN_MODE.APPEND | OPEN_MODE.CREAT | OPEN_MODE.TRUNC)) !== 0
      if (writing ? !policy.canWrite(v) : !policy.canRead(v)) return deny(id)
      reserve()
      try {
        const real = await jail.real(v)
        let mode = writing ? (flags & OPEN_MODE.READ ? FS.O_RDWR : FS.O_WRONLY) : FS.O_RDONLY
        if (flags & OPEN_MODE.CREAT) mode |= FS.O_CREAT
        if (flags & OPEN_MODE.TRUNC) mode |= FS.O_TRUNC
        if (flags & OPEN_MODE.EXCL) mode |= FS.O_EXCL
        if (flags & OPEN_MODE.APPEND) mode |= FS.O_APPEND
        // O_NOFOLLOW: the jail already refused links leading out; this closes the race window.
        const fh = await open(real, mode | FS.O_NOFOLLOW, 0o640)
        const st = await fh.stat()
        if (!st.isFile()) {
          await fh.close()
          unreserve()
          return deny(id)
        }
        sftp.handle(
          id,
          newHandle({
            kind: 'file',
            v,
            real,
            fh,
            writing,
            append: (flags & OPEN_MODE.APPEND) !== 0,
            written: new WrittenRanges(st.size),
            pending: new Set(),
            readUpTo: 0,
            size: st.size,
          })
        )
      } catch (err) {
        unreserve()
        throw err
      }
    })
  )

  /** Why this WRITE is refused, if it is: past the size cap, far past the end, or too scattered. */
  const refusal = (h: FileState, start: number, end: number): string | undefined => {
    if (end > maxFileBytes)
      return `${h.v} is larger than the upload limit of ${formatBytes(maxFileBytes)} (a write reaches byte ${end}): upload refused`
    if (start > h.written.end + SPARSE_WINDOW || h.written.count >= MAX_RANGES)
      return `a write at byte ${start} of ${h.v} leaves a gap after byte ${h.written.end}: sparse files are not accepted, upload refused`
    return undefined
  }

  sftp.on('WRITE', (id, handle, offset, data) => {
    const h = handles.get(handle.toString('hex'))
    if (!h || h.kind !== 'file' || !h.writing)
      return sftp.status(id, STATUS_CODE.FAILURE, 'bad handle')
    // O_APPEND writes land at the end whatever the offset says.
    const start = h.append ? h.written.end : offset
    h.refused ??= refusal(h, start, start + data.length)
    if (h.refused) return sftp.status(id, STATUS_CODE.FAILURE, h.refused)
    h.written.add(start, start + data.length)
    const p = h.fh.write(Buffer.from(data), 0, data.length, offset).then(
      () => sftp.status(id, STATUS_CODE.OK),
      (err: Error) => {
        h.writeError ??= err
        fail(id, err)
      }
    )
    h.pending.add(p)
    void p.finally(() => h.pending.delete(p))
  })

  sftp.on('READ', (id, handle, offset, length) => {
    const h = handles.get(handle.toString('hex'))
    if (!h || h.kind !== 'file') return sftp.status(id, STATUS_CODE.FAILURE, 'bad handle')
    const buf = Buffer.allocUnsafe(Math.min(length, MAX_READ))
    h.fh.read(buf, 0, buf.length, offset).then(
      ({ bytesRead }) => {
        if (bytesRead === 0) return sftp.status(id, STATUS_CODE.EOF)
        h.readUpTo = Math.max(h.readUpTo, offset + bytesRead)
        sftp.data(id, buf.subarray(0, bytesRead))
      },
      (err) => fail(id, err)
    )
  })

  sftp.on('FSTAT', (id, handle) => {
    const h = handles.get(handle.toString('hex'))
    if (!h || h.kind !== 'file') return sftp.status(id, STATUS_CODE.FAILURE, 'bad handle')
    h.fh.stat().then(
      (st) => sftp.attrs(id, attrsOf(st)),
      (err) => fail(id, err)
    )
  })

  // Times only (`put -p`); partners never change modes or owners on our disk.
  const setTimes = async (real: string, a: Attributes) => {
    if (typeof a.atime === 'number' && typeof a.mtime === 'number')
      await utimes(real, a.atime, a.mtime)
  }
  sftp.on('FSETSTAT', (id, handle, attrs) => {
    const h = handles.get(handle.toString('hex'))
    if (!h || h.kind !== 'file') return sftp.status(id, STATUS_CODE.FAILURE, 'bad handle')
    if (!h.writing) return deny(id)
    setTimes(h.real, attrs).then(
      () => sftp.status(id, STATUS_CODE.OK),
      (err) => fail(id, err)
    )
  })
  sftp.on('SETSTAT', (id, p, attrs) =>
    run(id, async () => {
      const v = virtual(p)
      if (!policy.canWrite(v)) return deny(id)
      await setTimes(await jail.real(v), attrs)
      sftp.status(id, STATUS_CODE.OK)
    })
  )

  sftp.on('CLOSE', (id, handle) =>
    run(id, async () => {
      const key = handle.toString('hex')
      const h = handles.get(key)
      if (!h) return sftp.status(id, STATUS_CODE.FAILURE, 'bad handle')
      handles.delete(key)
      unreserve()
      if (h.kind === 'dir') return sftp.status(id, STATUS_CODE.OK)
      // Writes are answered asynchronously; the upload is complete only when all have landed.
      await Promise.all(h.pending)
      await h.fh.close()
      if (h.writing) {
        if (h.writeError) throw h.writeError
        const reason = refusedAtClose(h)
        if (reason) {
          await policy.onRefused?.(h.v, h.real, reason)
          throw new SftpRefusal(reason)
        }
        await policy.onUploaded?.(h.v, h.real)
      } else if (h.size > 0 ? h.readUpTo >= h.size : true) {
        await policy.onDownloaded?.(h.v)
      }
      sftp.status(id, STATUS_CODE.OK)
    })
  )

  sftp.on('OPENDIR', (id, p) =>
    run(id, async () => {
      const v = virtual(p)
      if (!policy.canRead(v)) return deny(id)
      const real = await jail.real(v)
      if (!(await stat(real)).isDirectory())
        throw new SftpRefusal(`not a directory: ${v}`, STATUS_CODE.NO_SUCH_FILE)
      reserve()
      sftp.handle(id, newHandle({ kind: 'dir', v, real }))
    })
  )

  sftp.on('READDIR', (id, handle) =>
    run(id, async () => {
      const h = handles.get(handle.toString('hex'))
      if (!h || h.kind !== 'dir') return sftp.status(id, STATUS_CODE.FAILURE, 'bad handle')
      if (!h.entries) {
        h.entries = []
        for (const name of ['.', '..', ...(await readdir(h.real)).sort()]) {
          const v = posixJoin(h.v, name)
          if (name !== '.' && name !== '..' && policy.hidden(v)) continue
          const st = await lstat(
            name === '..' && h.v === '/' ? h.real : posixJoin(h.real, name)
          ).catch(() => undefined)
          if (!st || st.isSymbolicLink()) continue
          h.entries.push({
            filename: name,
            longname: longname(name, st, policy.user),
            attrs: attrsOf(st),
          })
        }
      }
      // Several READDIR replies for big folders keep each packet small; then EOF (draft-02 §6.7).
      const batch = h.entries.splice(0, DIR_BATCH)
      if (batch.length === 0) return sftp.status(id, STATUS_CODE.EOF)
      sftp.name(id, batch)
    })
  )

  sftp.on('REMOVE', (id, p) =>
    run(id, async () => {
      const v = virtual(p)
      if (!policy.canRemove(v)) return deny(id)
      await unlink(await jail.real(v))
      await policy.onRemoved?.(v)
      sftp.status(id, STATUS_CODE.OK)
    })
  )
  sftp.on('MKDIR', (id, p) =>
    run(id, async () => {
      const v = virtual(p)
      if (!policy.canMkdir(v)) return deny(id)
      await mkdir(await jail.real(v))
      sftp.status(id, STATUS_CODE.OK)
    })
  )
  sftp.on('RMDIR', (id, p) =>
    run(id, async () => {
      const v = virtual(p)
      if (!policy.canMkdir(v)) return deny(id)
      await rmdir(await jail.real(v))
      sftp.status(id, STATUS_CODE.OK)
    })
  )
  sftp.on('RENAME', (id, from, to) =>
    run(id, async () => {
      const a = virtual(from)
      const b = virtual(to)
      if (!policy.canRename(a, b)) return deny(id)
      const ra = await jail.real(a)
      const rb = await jail.real(b)
      // SFTP v3 RENAME must fail when the new name exists (draft-02 §6.5); no silent overwrite.
      if (
        await lstat(rb).then(
          () => true,
          () => false
        )
      ) {
        return sftp.status(id, STATUS_CODE.FAILURE, `${b} already exists`)
      }
      await rename(ra, rb)
      await policy.onRenamed?.(a, b, rb)
      sftp.status(id, STATUS_CODE.OK)
    })
  )
  // Symlinks are never created or shown: they are the classic way out of a jail.
  sftp.on('READLINK', (id) => sftp.status(id, STATUS_CODE.OP_UNSUPPORTED))
  sftp.on('SYMLINK', (id) => sftp.status(id, STATUS_CODE.OP_UNSUPPORTED))

  // The connection went away with handles open: a refused or holed upload is refused now; a
  // merely unfinished one stays as it is (it is never taken in without a CLOSE or a rename).
  return async () => {
    const open = [...handles.values()]
    budget.open = Math.max(0, budget.open - open.length)
    handles.clear()
    for (const h of open) {
      if (h.kind !== 'file') continue
      await Promise.all(h.pending)
      await h.fh.close().catch(() => {})
      const reason = h.writing ? refusedAtClose(h) : undefined
      if (reason)
        await policy.onRefused?.(h.v, h.real, reason).catch((err: Error) =>
          log.error('sftp refused upload not cleaned up', { path: h.v, error: err.message })
        )
    }
  }
}

/** The refusal a finished upload gets: one its writes already got, or a hole left in it. */
function refusedAtClose(h: FileState): string | undefined {
  if (h.refused) return h.refused
  const hole = h.written.firstHole()
  if (hole)
    return `bytes ${hole[0]}-${hole[1] - 1} of ${h.v} were never written: upload refused`
  return undefined
}

const posixJoin = (a: string, b: string) => (a.endsWith('/') ? a + b : `${a}/${b}`)
