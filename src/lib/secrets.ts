/**
 * Secrets in partner profiles are references, never values: `env:NAME` reads process.env.NAME,
 * `file:path` reads a file relative to the config root. Resolution happens where the secret is
 * used, so a missing variable only breaks the partner that needs it.
 */
import { readFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'

export const SECRET_REF = /^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/

export function resolveSecret(ref: string, root = process.cwd(), env = process.env): string | undefined {
  if (ref.startsWith('env:')) return env[ref.slice(4)]
  if (ref.startsWith('file:')) {
    const p = ref.slice(5)
    try {
      return readFileSync(isAbsolute(p) ? p : join(root, p), 'utf8').trim()
    } catch {
      return undefined
    }
  }
  return undefined
}
