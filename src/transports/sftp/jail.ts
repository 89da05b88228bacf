/**
 * A partner's view of the file system: virtual absolute paths (`/inbox/a.edi`) over one real
 * directory, the way OpenSSH's ChrootDirectory behaves. `..` is resolved lexically and stops at
 * `/`, absolute paths are relative to the jail, and the real path is re-checked after symlinks
 * are followed, so neither `../../etc`, `/etc/passwd` nor a planted symlink can reach outside.
 */
import { lstat, realpath } from 'node:fs/promises'
import { dirname, join, posix, sep } from 'node:path'

export class JailError extends Error {
  readonly code = 'EACCES'
}

/** Normalises a client path to a virtual absolute path ('' and '.' are the jail root). */
export function toVirtual(p: string): string {
  if (p.includes('\0')) throw new JailError('NUL in path')
  // posix.resolve('/', ...) never climbs above '/', which is exactly the chroot rule.
  return posix.resolve('/', p.replace(/\\/g, '/'))
}

export interface Jail {
  /** The real directory that is `/` for this client. */
  root: string
  /** Real path for a virtual path, verified to stay inside the jail (following symlinks). */
  real(virtual: string): Promise<string>
  /** The virtual path of a real path inside the jail (for messages); undefined outside it. */
  virtualOf(real: string): string | undefined
}

export function createJail(root: string): Jail {
  let realRoot: string | undefined
  const inside = (p: string, r: string) => p === r || p.startsWith(r + sep)
  return {
    root,
    virtualOf(real) {
      for (const r of new Set([realRoot, root])) {
        if (r === undefined) continue
        if (real === r) return '/'
        if (real.startsWith(r + sep)) return toVirtual(real.slice(r.length).split(sep).join('/'))
      }
      return undefined
    },
    async real(virtual) {
      realRoot ??= await realpath(root)
      const candidate = join(realRoot, toVirtual(virtual))
      // Follow symlinks on what exists; a file about to be created is judged by its directory.
      let resolved: string
      try {
        resolved = await realpath(candidate)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
        // A dangling symlink would let a create follow it anywhere: refuse it outright.
        if (
          await lstat(candidate).then(
            () => true,
            () => false
          )
        )
          throw new JailError(`dangling link: ${virtual}`)
        let parent: string
        try {
          parent = await realpath(dirname(candidate))
        } catch {
          return candidate // the parent does not exist either: the operation fails with ENOENT
        }
        resolved = join(parent, candidate.slice(dirname(candidate).length + 1))
      }
      if (!inside(resolved, realRoot)) throw new JailError(`path leaves the mailbox: ${virtual}`)
      return candidate
    },
  }
}
