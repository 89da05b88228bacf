/**
 * `partners certify` takes only what the partner sends us: the document types its profile marks
 * inbound. A fixture directory also holds what we send them (850 canonical input and expected
 * EDI) and expected JSON; those are listed as "not samples", never run as inbound samples. The
 * shipped demo partners certify from their own fixture directories.
 */
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/app/gateway.ts'
import { certifyPartner } from '../../src/onboarding/certify.ts'
import { repoRoot, tempConfig, type TempConfig } from './config-dir.ts'

const run = promisify(execFile)

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [join(repoRoot, 'bin/edi-gateway.js'), ...args], { cwd: repoRoot, env: { ...process.env, LOG_LEVEL: 'silent' }, maxBuffer: 32 << 20 })
    return { code: 0, stdout: r.stdout, stderr: r.stderr }
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string }
    return { code: err.code, stdout: err.stdout, stderr: err.stderr }
  }
}

describe('partners certify: inbound samples only', { timeout: 120_000 }, () => {
  let cfg: TempConfig | undefined
  afterEach(() => cfg?.close())

  for (const partner of ['demo-x12-supplier', 'demo-edifact-supplier', 'demo-json-supplier', 'demo-3pl']) {
    it(`the shipped ${partner} certifies from fixtures/${partner} (exit 0, READY)`, async () => {
      const r = await cli(['partners', 'certify', partner, `fixtures/${partner}`, '--today=2025-03-10'])
      expect(r.stdout).toMatch(new RegExp(`^READY: ${partner}`, 'm'))
      expect(r.stdout).not.toMatch(/NOT READY/)
      expect(r.code).toBe(0)
    })
  }

  it('the outbound 850 fixtures of the X12 supplier are listed as not samples, with why', async () => {
    const { registry, maps } = loadConfig(repoRoot)
    const report = await certifyPartner({ registry, maps, partnerId: 'demo-x12-supplier', dir: join(repoRoot, 'fixtures/demo-x12-supplier'), today: '2025-03-10' })
    expect(report.ready).toBe(true)
    expect(report.samples.map((s) => s.file)).toEqual(['855-po-4500012345.edi', '856-asn-20250305-01.edi', '810-inv-7781.edi'])
    expect(report.skipped).toEqual([
      { file: '850.po-4500012345.canonical.json', reason: 'canonical input of an outbound fixture (what we send), not a sample' },
      { file: '850.po-4500012345.expected.txt', reason: 'expected output of a fixture, not a sample' },
    ])
  })

  it('an interchange carrying a document type the profile marks outbound is skipped by direction', async () => {
    cfg = tempConfig({ partners: ['demo-x12-supplier'] })
    const asn = readFileSync(join(repoRoot, 'fixtures/demo-x12-supplier/856-asn-20250305-01.edi'), 'latin1')
    cfg.write('samples/856.edi', asn)
    // The same interchange relabelled as an 850: something we send this partner, never receive.
    cfg.write('samples/850-copy.edi', asn.replace('GS*SH*', 'GS*PO*').replace('ST*856*', 'ST*850*'))
    const { registry, maps } = loadConfig(cfg.dir)
    const report = await certifyPartner({ registry, maps, partnerId: 'demo-x12-supplier', dir: join(cfg.dir, 'samples'), today: '2025-03-10' })
    expect(report.samples.map((s) => s.file)).toEqual(['856.edi'])
    expect(report.skipped).toEqual([{ file: '850-copy.edi', reason: '850 is a document we send to demo-x12-supplier (documents: direction out), not one it sends us' }])
    expect(report.blockers).toEqual([])
  })
})
