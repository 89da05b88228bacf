/** File reading for the CLI: a missing or unreadable file is a user error (exit 2), in one line. */
import { readFileSync, statSync } from 'node:fs'
import { UserError } from '../lib/errors.ts'

export function readInput(file: string | undefined, what = 'file'): Buffer {
  if (!file) throw new UserError(`missing ${what} argument`)
  try {
    if (statSync(file).isDirectory()) throw new UserError(`${file} is a directory, not a file`)
    return readFileSync(file)
  } catch (err) {
    if (err instanceof UserError) throw err
    const code = (err as NodeJS.ErrnoException).code
    throw new UserError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`)
  }
}
