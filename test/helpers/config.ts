/**
 * A temporary config root (partners/, maps/, certs/) for tests that need a changed profile:
 * maps and certs come from the repository, profiles are the given YAML texts.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export function tempConfigDir(profiles: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'edigw-cfg-'))
  mkdirSync(join(dir, 'partners'))
  symlinkSync(resolve('maps'), join(dir, 'maps'))
  cpSync('certs', join(dir, 'certs'), { recursive: true })
  for (const [id, yaml] of Object.entries(profiles)) writeFileSync(join(dir, 'partners', `${id}.yaml`), yaml)
  return dir
}

/** A repository profile with a regex replacement applied (e.g. a different warehouse block). */
export function repoProfile(id: string, pattern: RegExp, replacement: string): string {
  return readFileSync(`partners/${id}.yaml`, 'utf8').replace(pattern, replacement)
}
