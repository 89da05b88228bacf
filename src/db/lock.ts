/**
 * Lock file for the embedded database: PGlite does not lock its data directory, and two
 * processes on one directory lose committed rows. O_EXCL create; a lock left by a dead process
 * (kill -9) is taken over after checking that its pid is gone.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { GatewayError } from '../lib/errors.ts'

export interface Lock {
  path: string
  release(): void
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export function acquireLock(path: string): Lock {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx')
      writeSync(fd, `${process.pid}\n`)
      closeSync(fd)
      let released = false
      const release = () => {
        if (released) return
        released = true
        try {
          if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path)
        } catch {
          /* already gone */
        }
      }
      process.once('exit', release)
      return { path, release }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const pid = Number.parseInt(readFileSync(path, 'utf8'), 10)
      if (Number.isFinite(pid) && pid !== process.pid && alive(pid)) {
        throw new GatewayError(
          'db_locked',
          `the embedded database is in use by process ${pid} (lock ${path}); stop it, or set DATABASE_URL to share a PostgreSQL database`,
          { retryable: false }
        )
      }
      // Stale lock from a crashed process: remove and retry once.
      try {
        unlinkSync(path)
      } catch {
        /* raced with another taker */
      }
    }
  }
  throw new GatewayError('db_locked', `could not take the lock ${path}`, { retryable: false })
}
