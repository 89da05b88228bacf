/**
 * SFTP v3 request handlers (draft-ietf-secsh-filexfer-02) over a jailed directory: every request
 * the OpenSSH client sends (REALPATH, STAT, LSTAT, FSTAT, OPEN, READ, WRITE, CLOSE, OPENDIR,
 * READDIR, RENAME, REMOVE, MKDIR, RMDIR, SETSTAT, FSETSTAT). What a client may do where, and what
 * happens when an upload is closed or renamed, is the `SftpPolicy` the caller passes in; this
 * file only speaks the protocol. Writes go straight to disk at their offset, so memory per
 * upload is bounded by the client's outstanding requests, never by the file size.
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
import { JailError, toVirtual, type Jail } from './jail.ts'

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
}

interface FileState {
  kind: 'file'
  v: string
  real: string
  fh: FileHandle
  writing: boolean
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

function statusOf(err: unknown): number {
  if (err instanceof JailError) return STATUS_CODE.PERMISSION_DENIED
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOENT' || code === 'ENOTDIR') return STATUS_CODE.NO_SUCH_FILE
  if (code === 'EACCES' || code === 'EPERM' || code === 'EISDIR')
    return STATUS_CODE.PERMISSION_DENIED
  return STATUS_CODE.FAILURE
}

/** Attach the handlers to one SFTP channel. Returns a function that releases open handles. */
export function serveSftp(sftp: SFTPWrapper, policy: SftpPolicy): () => Promise<void> {
  const handles = new Map<string, FileState | DirState>()
  let nextHandle = 0
  const { jail } = policy

  const newHandle = (state: FileState | DirState): Buffer => {
    const h = Buffer.alloc(4)
    h.writeUInt32BE(nextHandle++ >>> 0)
    handles.set(h.toString('hex'), state)
    return h
  }
  const fail = (id: number, err: unknown) => sftp.status(id, statusOf(err), (err as Error).message)
  const deny = (id: number) => sftp.status(id, STATUS_CODE.PERMISSION_DENIED, 'permission denied')
  /** Virtual path, refusing hidden names as if they did not exist. */
  const virtual = (p: string): string => {
    const v = toVirtual(p)
    if (policy.hidden(v)) throw Object.assign(new Error('no such file'), { code: 'ENOENT' })
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
          pending: new Set(),
          readUpTo: 0,
          size: st.size,
        })
      )
    })
  )

  sftp.on('WRITE', (id, handle, offset, data) => {
    const h = handles.get(handle.toString('hex'))
    if (!h || h.kind !== 'file' || !h.writing)
      return sftp.status(id, STATUS_CODE.FAILURE, 'bad handle')
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
      if (h.kind === 'dir') return sftp.status(id, STATUS_CODE.OK)
      // Writes are answered asynchronously; the upload is complete only when all have landed.
      await Promise.all(h.pending)
      await h.fh.close()
      if (h.writing) {
        if (h.writeError) throw h.writeError
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
        throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' })
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

  return async () => {
    for (const h of handles.values()) if (h.kind === 'file') await h.fh.close().catch(() => {})
    handles.clear()
  }
}

const posixJoin = (a: string, b: string) => (a.endsWith('/') ? a + b : `${a}/${b}`)
