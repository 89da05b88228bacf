import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/app/gateway.ts'
import { formatConfigError, loadRegistry } from '../../src/config/registry.ts'

function configDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'edigw-cfg-'))
  mkdirSync(join(dir, 'partners'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'partners', name), text)
  return dir
}

const good = (id: string, isa = 'ACME') => `id: ${id}\nname: ${id}\nstatus: live\nidentities:\n  x12: [{ qualifier: ZZ, id: ${isa} }]\n`

describe('partner registry', () => {
  it('loads the repository demo partners and maps without errors', () => {
    const { registry, maps } = loadConfig(process.cwd())
    expect([...registry.partners.keys()].sort()).toEqual(['demo-3pl', 'demo-edifact-supplier', 'demo-json-supplier', 'demo-warehouse', 'demo-x12-supplier'])
    expect(registry.byX12('ZZ', 'DEMOSUPPLY')?.id).toBe('demo-x12-supplier')
    expect(registry.byX12(undefined, 'demosupply')?.id).toBe('demo-x12-supplier')
    expect(registry.byEdifact('14', '5412345000013')?.id).toBe('demo-edifact-supplier')
    expect(maps.size).toBeGreaterThan(10)
  })

  it('names the file and the key path of an unknown key', () => {
    const dir = configDir({ 'acme.yaml': `${good('acme')}matching:\n  qty: { overPct: '5', overPercent: '5' }\n` })
    const { errors } = loadRegistry(dir)
    expect(errors.map(formatConfigError)).toEqual(['partners/acme.yaml:7:24: matching.qty.overPercent: unknown key "overPercent"'])
  })

  it('names the file for invalid YAML, and the path for a wrong value', () => {
    const dir = configDir({ 'a.yaml': 'id: a\nname: [unclosed\n', 'b.yaml': `${good('b', 'B')}status: sleeping\n`.replace('status: live\n', '') })
    const lines = loadRegistry(dir).errors.map(formatConfigError)
    expect(lines.some((l) => /^partners\/a\.yaml:\d+:\d+: \(root\): invalid YAML/.test(l))).toBe(true)
    expect(lines.some((l) => /^partners\/b\.yaml:5:9: status: /.test(l))).toBe(true)
  })

  it('refuses inline secrets, ids that differ from the file name, and identities used twice', () => {
    const dir = configDir({
      'one.yaml': `${good('one', 'SAME')}  apiKeys: ['hunter2']\n`,
      'two.yaml': good('two', 'SAME'),
      'three.yaml': good('four', 'OTHER'),
    })
    const lines = loadRegistry(dir).errors.map(formatConfigError)
    expect(lines).toContain('partners/one.yaml:6:13: identities.apiKeys.0: secrets must be references like env:NAME or file:path, never inline values')
    expect(lines).toContain('partners/three.yaml:1:5: id: id "four" must equal the file name "three"')
    const dup = loadRegistry(configDir({ 'one.yaml': good('one', 'SAME'), 'two.yaml': good('two', 'SAME') })).errors.map(formatConfigError)
    expect(dup).toEqual(['partners/two.yaml:5:9: identities.x12.0: identity ZZ/SAME is also used by partner "one"'])
  })
})
