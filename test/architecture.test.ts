/**
 * Dependency direction (DESIGN 2.2): imports point from wiring towards pure code, never back.
 * Reads every src/**.ts import specifier and checks it against the table below.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const SRC = resolve('src')

/** layer → layers it may import (its own layer is always allowed). */
const ALLOWED: Record<string, string[]> = {
  lib: [],
  edi: ['lib'],
  canonical: ['lib'],
  mapping: ['lib', 'edi', 'canonical'],
  exceptions: ['lib', 'edi', 'canonical'],
  config: ['lib', 'edi', 'canonical', 'mapping'],
  erp: ['lib', 'canonical', 'config'],
  matching: ['lib', 'canonical', 'exceptions', 'config', 'erp'],
  db: ['lib', 'edi', 'canonical', 'exceptions', 'config', 'erp'],
  transports: ['lib', 'edi', 'canonical', 'config', 'exceptions'],
  pipeline: ['lib', 'edi', 'canonical', 'mapping', 'exceptions', 'config', 'erp', 'matching', 'db', 'transports'],
  http: ['lib', 'edi', 'canonical', 'mapping', 'exceptions', 'config', 'erp', 'matching', 'db', 'pipeline', 'transports'],
  onboarding: ['lib', 'edi', 'canonical', 'mapping', 'exceptions', 'config', 'erp', 'matching', 'pipeline', 'app'],
  app: ['*'],
  cli: ['*'],
  'main.ts': ['*'],
  'cli.ts': ['*'],
}
/** `src/edi` is pure: no filesystem or network. */
const FORBIDDEN_BUILTINS: Record<string, RegExp> = { edi: /^node:(fs|net|http|https|child_process)/, canonical: /^node:/, matching: /^node:(fs|net|http|https|child_process)/ }
/** Port files (interfaces only) that the database layer may implement. */
const PORT_FILE = /src\/transports\/(.+\/)?(types|ports?|store)\.ts$/
/** Transports get an injected receive; they never reach into the pipeline or the database. */
const TRANSPORT_FORBIDDEN = ['pipeline', 'db']

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : []
  })
}

const layerOf = (file: string): string => {
  const rel = relative(SRC, file).split('/')
  return rel.length === 1 ? rel[0] : rel[0]
}

describe('architecture', () => {
  const violations: string[] = []
  for (const file of files(SRC)) {
    const layer = layerOf(file)
    const allowed = ALLOWED[layer]
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
      const spec = m[1] ?? m[2]
      const where = `${relative(SRC, file)} imports ${spec}`
      if (spec.startsWith('.')) {
        const target = layerOf(resolve(dirname(file), spec))
        if (target === layer || !allowed || allowed.includes('*')) continue
        if (layer === 'db' && target === 'transports' && PORT_FILE.test(resolve(dirname(file), spec))) continue
        if (!allowed.includes(target)) violations.push(`${where} (${layer} → ${target} not allowed)`)
        if (layer === 'transports' && TRANSPORT_FORBIDDEN.includes(target)) violations.push(`${where} (transports must not import ${target})`)
      } else if (FORBIDDEN_BUILTINS[layer]?.test(spec)) {
        violations.push(`${where} (${layer} must stay pure)`)
      }
    }
  }

  it('every layer imports only what it may', () => {
    expect(violations).toEqual([])
  })

  it('has a rule for every top-level folder', () => {
    const tops = new Set(files(SRC).map(layerOf))
    expect([...tops].filter((t) => !(t in ALLOWED))).toEqual([])
  })
})
