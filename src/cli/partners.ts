/**
 * `edi-gateway partners validate | list [--json] | schema`.
 * validate: every profile and map loads, identities are unique, referenced maps and certs exist,
 * every document has a map, and every map used by a partner has a fixture with expected JSON.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { loadConfig } from '../app/gateway.ts'
import { mapVersion } from '../app/mapper.ts'
import { loadEnv } from '../config/env.ts'
import { isDecimalString } from '../config/decimal-input.ts'
import { PartnerProfile } from '../config/partner.ts'
import { formatConfigError, withPositions, type ConfigError } from '../config/registry.ts'
import { selectMap, writeMapSchema } from '../mapping/index.ts'
import { UserError } from '../lib/errors.ts'
import type { Args } from '../cli.ts'

export function validateOnboarding(configDir: string): ConfigError[] {
  const { registry, maps } = loadConfig(configDir)
  const errors: ConfigError[] = []
  for (const p of registry.partners.values()) {
    const file = `partners/${p.id}.yaml`
    const fixtureDir = join(configDir, 'fixtures', p.id)
    const fixtures = existsSync(fixtureDir) ? readdirSync(fixtureDir) : []
    p.documents.forEach((d, i) => {
      if (d.standard === 'json' && d.direction === 'out') return
      const sel = selectMap(maps, p, { direction: d.direction, standard: d.standard, version: mapVersion(d.standard, d.version), docType: d.docType })
      if (!sel.ok) {
        errors.push({ file, path: `documents.${i}`, message: `no map for ${d.direction} ${d.standard} ${d.version} ${d.docType} (looked for ${sel.tried.join(', ')})` })
        return
      }
      // Fixtures are needed to go live, not to test: a `testing` partner can try AS2/SFTP
      // connectivity before its mapping is done (certify --write-fixtures makes them later).
      if (d.direction === 'in' && p.status === 'live' && !fixtures.some((f) => f.endsWith('.expected.json'))) {
        errors.push({ file, path: `documents.${i}`, message: `map ${sel.map.id} has no fixture with expected JSON under fixtures/${p.id}/ (required for status: live; partners certify <id> <samples> --write-fixtures makes them)` })
      }
    })
  }
  return withPositions(configDir, errors)
}

/**
 * The loader takes a YAML number where a decimal string is meant (config/decimal-input.ts), so
 * the editor schema should not flag `overPct: 5`: decimal-pattern strings also allow numbers
 * (JSON Schema applies `pattern` to strings only).
 */
function numbersForDecimals<T>(node: T): T {
  if (Array.isArray(node)) return node.map(numbersForDecimals) as T
  if (!node || typeof node !== 'object') return node
  const o = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, numbersForDecimals(v)])) as Record<string, unknown>
  if (o.type === 'string' && typeof o.pattern === 'string' && isDecimalString(z.string().regex(new RegExp(o.pattern)))) o.type = ['string', 'number']
  return o as T
}

export async function partnersCommand(a: Args): Promise<number> {
  const env = loadEnv()
  const sub = a.positional[0]
  if (sub === 'validate') {
    const errors = validateOnboarding(env.configDir)
    if (errors.length) {
      for (const e of errors) console.error(formatConfigError(e))
      return 1
    }
    const { registry, maps } = loadConfig(env.configDir)
    console.log(`ok: ${registry.partners.size} partner(s), ${maps.size} map(s)`)
    return 0
  }
  if (sub === 'list') {
    const { registry } = loadConfig(env.configDir)
    const rows = [...registry.partners.values()].map((p) => ({
      id: p.id,
      name: p.name,
      status: p.status,
      identities: { x12: p.identities.x12, gs: p.identities.gs, edifact: p.identities.edifact, as2: p.identities.as2 },
      transports: [
        ...(p.as2 || p.identities.as2.length ? ['as2'] : []),
        ...(p.sftp?.mailbox ? ['sftp_mailbox'] : []),
        ...(p.sftp?.poll.length ? ['sftp_poll'] : []),
        ...(p.identities.apiKeys.length ? ['api'] : []),
      ],
      outbound: p.outbound,
    }))
    if (a.flags.json) console.log(JSON.stringify(rows, null, 2))
    else for (const r of rows) console.log(`${r.id.padEnd(24)} ${r.status.padEnd(8)} ${r.transports.join(',').padEnd(24)} ${r.name}`)
    return 0
  }
  if (sub === 'schema') {
    const file = join(env.configDir, 'partners', '_schema.json')
    writeFileSync(file, `${JSON.stringify(numbersForDecimals(z.toJSONSchema(PartnerProfile, { io: 'input' })), null, 2)}\n`)
    const mapsFile = writeMapSchema(join(env.configDir, 'maps'))
    console.log(`wrote ${file}\nwrote ${mapsFile}`)
    return 0
  }
  if (sub === 'certify') return (await import('./certify.ts')).certifyCommand(a)
  if (sub === 'new') return (await import('./partners-new.ts')).newPartnerCommand(a)
  throw new UserError('usage: edi-gateway partners validate | list [--json] | schema | new <id> | certify <partner> <dir> (edi-gateway partners --help)')
}
