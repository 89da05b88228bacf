/**
 * Partner API keys. Profiles hold `env:`/`file:` references (identities.apiKeys); at start each
 * reference is resolved once and only its SHA-256 digest is kept, so a heap dump or a log line
 * never shows a key. A presented key is hashed and compared against EVERY digest with
 * timingSafeEqual (no early exit), so neither the match nor its position leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { Registry } from '../config/registry.ts'
import { resolveSecret } from '../lib/secrets.ts'
import { bearer } from './auth.ts'

export interface ApiKeyIndex {
  /** Partner id for a presented key, or undefined. */
  lookup(presented: string | undefined): string | undefined
  /** Number of usable keys (references that resolved). */
  size: number
  /** References that did not resolve, by partner (reported at start, never the values). */
  unresolved: { partnerId: string; ref: string }[]
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest()

export function buildApiKeyIndex(registry: Registry, env: NodeJS.ProcessEnv = process.env): ApiKeyIndex {
  const entries: { partnerId: string; hash: Buffer }[] = []
  const unresolved: { partnerId: string; ref: string }[] = []
  for (const p of registry.partners.values()) {
    if (p.status === 'disabled') continue
    for (const ref of p.identities.apiKeys) {
      const value = resolveSecret(ref, registry.root, env)
      if (!value) unresolved.push({ partnerId: p.id, ref })
      else entries.push({ partnerId: p.id, hash: digest(value) })
    }
  }
  return {
    size: entries.length,
    unresolved,
    lookup(presented) {
      if (!presented) return undefined
      const h = digest(presented)
      let found: string | undefined
      for (const e of entries) {
        // Always compare all entries: the loop's duration does not depend on where the key sits.
        if (timingSafeEqual(h, e.hash) && found === undefined) found = e.partnerId
      }
      return found
    },
  }
}

/** `Authorization: Bearer <key>` or `x-api-key: <key>`. */
export function presentedKey(headers: { authorization?: string; apiKey?: string }): string | undefined {
  return bearer(headers.authorization) ?? (headers.apiKey?.trim() || undefined)
}
