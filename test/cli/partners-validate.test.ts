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

  it('an unknown key fails start-up and validate with file: key path: message on one line', async () => {
    good().write('partners/acme.yaml', supplierYaml('acme', 'ACME').replace("  qty: { overPct: '5'", "  colour: blue\n  qty: { overPct: '5'"))
    const r = await validate(cfg.dir)
    expect(r.code).toBe(2)
    expect(lines(r.stderr)).toContain('partners/acme.yaml: matching.colour: unknown key "colour"')
    // Start-up loads the same way and refuses the same file.
    expect(() => loadConfig(cfg.dir)).toThrow(ConfigInvalid)
    try {
      loadConfig(cfg.dir)
    } catch (e) {
      expect((e as ConfigInvalid).errors).toEqual([{ file: 'partners/acme.yaml', path: 'matching.colour', message: 'unknown key "colour"' }])
    }
  })

  it('invalid YAML names the file and the parser message', async () => {
    good().write('partners/acme.yaml', 'id: acme\nname: [unclosed\nstatus: live\n')
    const r = await validate(cfg.dir)
    expect(r.code).toBe(2)
    const hit = lines(r.stderr).find((l) => l.startsWith('partners/acme.yaml: '))
    expect(hit).toMatch(/^partners\/acme\.yaml: \(root\): invalid YAML: .+/)
  })

  it('a duplicate identity across partners names both partners', async () => {
    good().write('partners/zeta.yaml', supplierYaml('zeta', 'acme'))
    cfg.write('fixtures/zeta/855.expected.json', '{}\n')
    const r = await validate(cfg.dir)
    expect(r.code).toBe(2)
    expect(lines(r.stderr)).toContain('partners/zeta.yaml: identities.x12.0: identity ZZ/ACME is also used by partner "acme"')
  })

  it('a document with no map is an error naming the document and the maps looked for', async () => {
    good().write('partners/acme.yaml', supplierYaml('acme', 'ACME').replace("docType: '810' }", "docType: '810' }\n  - { direction: in, standard: x12, version: '004010', docType: '860' }"))
    const r = await validate(cfg.dir)
    expect(r.code).toBe(1)
    expect(lines(r.stderr)).toEqual(['partners/acme.yaml: documents.3: no map for in x12 004010 860 (looked for x12-004010/860.in@acme, x12-004010/860.in)'])
  })

  it('an explicit map that does not exist fails start-up with the key path', async () => {
    good().write('partners/acme.yaml', supplierYaml('acme', 'ACME').replace("docType: '855' }", "docType: '855', map: x12-004010/855.in@nobody }"))
    const r = await validate(cfg.dir)
    expect(r.code).toBe(2)
    expect(lines(r.stderr)).toContain('partners/acme.yaml: documents.0.map: map "x12-004010/855.in@nobody" does not exist under maps/')
  })
})
