/**
 * `edi-gateway partners validate` over temporary config dirs (CONFIG_DIR): a good one passes;
 * each broken one fails with `partners/<file>.yaml: <key path>: <message>` on one line, the same
 * check start-up runs (loadConfig).
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { ConfigInvalid, loadConfig } from '../../src/app/gateway.ts'
import { repoRoot, supplierYaml, tempConfig, type TempConfig } from '../onboarding/config-dir.ts'

const run = promisify(execFile)

async function validate(configDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [join(repoRoot, 'bin/edi-gateway.js'), 'partners', 'validate'], { cwd: repoRoot, env: { ...process.env, CONFIG_DIR: configDir, LOG_LEVEL: 'silent' } })
    return { code: 0, stdout: r.stdout, stderr: r.stderr }
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string }
    return { code: err.code, stdout: err.stdout, stderr: err.stderr }
  }
}

const lines = (s: string) => s.split('\n').map((l) => l.trim()).filter(Boolean)

describe('partners validate', { timeout: 90_000 }, () => {
  let cfg: TempConfig
  afterEach(() => cfg?.close())

  /** One good supplier with a fixture, plus whatever the test changes. */
  function good(): TempConfig {
    cfg = tempConfig()
    cfg.write('partners/acme.yaml', supplierYaml('acme', 'ACME'))
    cfg.write('fixtures/acme/855-basic.expected.json', '{"kind":"po_ack"}\n')
    return cfg
  }

  it('a good config dir passes (exit 0)', async () => {
    const r = await validate(good().dir)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^ok: 1 partner\(s\), \d+ map\(s\)$/m)
  })

  it('an unknown key fails start-up and validate with file:line:col: key path: message on one line', async () => {
    good().write('partners/acme.yaml', supplierYaml('acme', 'ACME').replace("  qty: { overPct: '5'", "  colour: blue\n  qty: { overPct: '5'"))
    const r = await validate(cfg.dir)
    expect(r.code).toBe(2)
    expect(lines(r.stderr)).toContain('partners/acme.yaml:14:3: matching.colour: unknown key "colour"')
    // Start-up loads the same way and refuses the same file.
    expect(() => loadConfig(cfg.dir)).toThrow(ConfigInvalid)
    try {
      loadConfig(cfg.dir)
    } catch (e) {
      expect((e as ConfigInvalid).errors).toEqual([{ file: 'partners/acme.yaml', path: 'matching.colour', message: 'unknown key "colour"', line: 14, col: 3 }])
    }
  })

  it('invalid YAML names the file and the parser message', async () => {
    good().write('partners/acme.yaml', 'id: acme\nname: [unclosed\nstatus: live\n')
    const r = await validate(cfg.dir)
    expect(r.code).toBe(2)
    const hit = lines(r.stderr).find((l) => l.startsWith('partners/acme.yaml:'))
    expect(hit).toMatch(/^partners\/acme\.yaml:\d+:\d+: \(root\): invalid YAML: .+/)
  })

  it('a duplicate identity across partners names both partners', async () => {
    good().write('partners/zeta.yaml', supplierYaml('zeta', 'acme'))
    cfg.write('fixtures/zeta/855.expected.json', '{}\n')
    const r = await validate(cfg.dir)
    expect(r.code).toBe(2)
    expect(lines(r.stderr)).toContain('partners/zeta.yaml:5:9: identities.x12.0: identity ZZ/ACME is also used by partner "acme"')
  })

  it('a document with no map is an error naming the document and the maps looked for', async () => {
    good().write('partners/acme.yaml', supplierYaml('acme', 'ACME').replace("docType: '810' }", "docType: '810' }\n  - { direction: in, standard: x12, version: '004010', docType: '860' }"))
    const r = await validate(cfg.dir)
    expect(r.code).toBe(1)
    expect(lines(r.stderr)).toEqual(['partners/acme.yaml:13:5: documents.3: no map for in x12 004010 860 (looked for x12-004010/860.in@acme, x12-004010/860.in)'])
  })

  it('an explicit map that does not exist fails start-up with the key path', async () => {
    good().write('partners/acme.yaml', supplierYaml('acme', 'ACME').replace("docType: '855' }", "docType: '855', map: x12-004010/855.in@nobody }"))
    const r = await validate(cfg.dir)
    expect(r.code).toBe(2)
    expect(lines(r.stderr)).toContain('partners/acme.yaml:10:77: documents.0.map: map "x12-004010/855.in@nobody" does not exist under maps/')
  })

  it('a YAML syntax error has the line and column of the problem', async () => {
    good().write('partners/acme.yaml', 'id: acme\nname: [unclosed\nstatus: live\n')
    const r = await validate(cfg.dir)
    expect(r.code).toBe(2)
    const hit = lines(r.stderr).find((l) => l.startsWith('partners/acme.yaml'))
    expect(hit).toMatch(/^partners\/acme\.yaml:[23]:\d+: \(root\): invalid YAML: .+/)
  })

  it('schema errors carry the line:column of their YAML node, with "did you mean" for keys and enum values', async () => {
    const yaml = supplierYaml('acme', 'ACME')
      .replace('status: live', 'status: liv')
      .replace("  qty: { overPct: '5', underPct: '100' }", "  qty: { overPcts: '5', underPct: '100' }")
      .replace("x12: { ack: '997' }", "x12: { ack: '998', separatrs: { element: '*', component: '>', segment: '~' } }")
    good().write('partners/acme.yaml', yaml)
    const r = await validate(cfg.dir)
    expect(r.code).toBe(2)
    const lineOf = (needle: string) => yaml.split('\n').findIndex((l) => l.includes(needle)) + 1
    const colOf = (needle: string, what: string) => yaml.split('\n')[lineOf(needle) - 1].indexOf(what) + 1
    const out = lines(r.stderr)
    expect(out).toContain(`partners/acme.yaml:${lineOf('status:')}:${colOf('status:', 'liv')}: status: invalid option: expected one of "testing"|"live"|"disabled"; did you mean "live"?`)
    expect(out).toContain(`partners/acme.yaml:${lineOf('overPcts')}:${colOf('overPcts', 'overPcts')}: matching.qty.overPcts: unknown key "overPcts"; did you mean "overPct"?`)
    expect(out).toContain(`partners/acme.yaml:${lineOf('separatrs')}:${colOf('separatrs', 'separatrs')}: x12.separatrs: unknown key "separatrs"; did you mean "separators"?`)
    expect(out.find((l) => l.includes(': x12.ack: '))).toMatch(new RegExp(`^partners/acme\\.yaml:${lineOf('separatrs')}:${colOf('separatrs', "'998'")}: x12\\.ack: invalid option: expected one of "997"\\|"999"\\|"none"`))
    // Every line of the report has a position.
    for (const l of out.filter((x) => x.startsWith('partners/'))) expect(l).toMatch(/^partners\/acme\.yaml:\d+:\d+: /)
  })

  it('onboarding errors found after the schema (duplicate identity, missing map) have line:column too', async () => {
    good().write('partners/zeta.yaml', supplierYaml('zeta', 'acme'))
    cfg.write('fixtures/zeta/855.expected.json', '{}\n')
    const r = await validate(cfg.dir)
    expect(lines(r.stderr)).toContain('partners/zeta.yaml:5:9: identities.x12.0: identity ZZ/ACME is also used by partner "acme"')
  })

  it('numbers are accepted where a decimal string is meant, converted exactly; non-finite numbers are refused', async () => {
    const yaml = supplierYaml('acme', 'ACME').replace("  qty: { overPct: '5', underPct: '100' }", '  qty: { overPct: 5, underPct: 2.5, overAbs: 0.10000000000000000001 }\n  price: { tolerancePct: 1e-7 }')
    good().write('partners/acme.yaml', yaml)
    const r = await validate(cfg.dir)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const { registry } = loadConfig(cfg.dir)
    expect(registry.get('acme')!.matching.qty).toMatchObject({ overPct: '5', underPct: '2.5', overAbs: '0.10000000000000000001' })
    expect(registry.get('acme')!.matching.price.tolerancePct).toBe('0.0000001')

    cfg.write('partners/acme.yaml', yaml.replace('overPct: 5,', 'overPct: .inf,'))
    const bad = await validate(cfg.dir)
    expect(bad.code).toBe(2)
    expect(lines(bad.stderr).find((l) => l.includes('matching.qty.overPct'))).toMatch(/^partners\/acme\.yaml:\d+:\d+: matching\.qty\.overPct: must be a finite number/)
  })

  it('map files get line:column too: YAML syntax errors and unknown keys', async () => {
    good().write('maps/x12-004010/855.in@acme.yaml', 'extends: x12-004010/855.in\nfields:\n  poNumber: [unclosed\n')
    cfg.write('maps/x12-004010/856.in@acme.yaml', 'extends: x12-004010/856.in\nfieldz:\n  poNumber: BSN/02\n')
    const r = await validate(cfg.dir)
    expect(r.code).toBe(2)
    const out = lines(r.stderr)
    expect(out).toContain('x12-004010/856.in@acme.yaml:2:1: (root): Unrecognized key: "fieldz"')
    expect(out.find((l) => l.startsWith('x12-004010/855.in@acme.yaml'))).toMatch(/^x12-004010\/855\.in@acme\.yaml:4:1: \(root\): YAML: .+[^:]$/)
  })
})
