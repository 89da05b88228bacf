import { execFile } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/app/gateway.ts'
import { certifyPartner, type CertifyReport } from '../../src/onboarding/certify.ts'
import { renderHtml } from '../../src/onboarding/html.ts'
import { testDb, type TestDb } from '../helpers/db.ts'
import { repoRoot, sampleAs, samplesDir, supplierYaml, tempConfig, type TempConfig } from './config-dir.ts'

const run = promisify(execFile)
const TODAY = '2026-03-04'

async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [join(repoRoot, 'bin/edi-gateway.js'), ...args], { cwd: repoRoot, env: { ...process.env, LOG_LEVEL: 'silent', ...env }, maxBuffer: 32 << 20 })
    return { code: 0, stdout: r.stdout, stderr: r.stderr }
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string }
    return { code: err.code, stdout: err.stdout, stderr: err.stderr }
  }
}

const rule = (r: CertifyReport, docType: string, name: string) => r.scorecard.find((d) => d.docType === docType)!.rules.find((x) => x.rule === name)!

describe('partners certify: a good partner (demo-x12-supplier samples + ERP data)', { timeout: 90_000 }, () => {
  let report: CertifyReport
  beforeAll(async () => {
    const { registry, maps } = loadConfig(repoRoot)
    report = await certifyPartner({ registry, maps, partnerId: 'demo-x12-supplier', dir: samplesDir, today: TODAY })
  })

  it('passes every stage of every sample, in document-flow order', () => {
    expect(report.blockers).toEqual([])
    expect(report.ready).toBe(true)
    expect(report.samples.map((s) => [s.file, s.ok])).toEqual([['855-ack.x12', true], ['856-asn.x12', true], ['810-invoice.x12', true]])
    for (const d of report.scorecard) {
      for (const stage of ['envelope', 'dictionary', 'partner', 'map', 'canonical', 'matching', 'ack']) {
        expect(rule(report, d.docType, stage), `${d.docType} ${stage}`).toMatchObject({ status: 'pass', passed: 1, failed: 0 })
      }
    }
    // The 856 is mapped by the partner's overlay (most specific wins), the others by the base maps.
    expect(report.samples[1].transactions[0]).toMatchObject({ mapId: 'x12-004010/856.in@demo-x12-supplier', mapBy: 'partner' })
    expect(report.samples[0].transactions[0]).toMatchObject({ mapId: 'x12-004010/855.in', mapBy: 'base' })
  })

  it('shows the 997 we would send, accepting each transaction', () => {
    for (const s of report.samples) {
      expect(s.acks).toHaveLength(1)
      expect(s.acks[0].docType).toBe('997')
      expect(s.acks[0].text).toMatch(/AK5\*A~/)
      expect(s.transactions[0].ack).toMatchObject({ docType: '997', status: 'accepted' })
    }
  })

  it('catches all five negative cases of each document with the expected rule and segment', () => {
    expect(report.negatives).toHaveLength(15)
    const by = (doc: string, kind: string) => report.negatives.find((n) => n.docType === doc && n.kind === kind)!
    for (const doc of ['855', '856', '810']) {
      for (const n of report.negatives.filter((x) => x.docType === doc)) expect(n.status, `${doc} ${n.kind}`).toBe('caught')
      expect(by(doc, 'control_count').caughtBy).toMatchObject({ code: 'transaction_count_mismatch', at: expect.stringMatching(/^SE01/) })
      // A syntax error is answered with a rejecting 997.
      expect(by(doc, 'control_count').ack).toMatchObject({ docType: '997', status: 'rejected' })
      expect(by(doc, 'wrong_qualifier').caughtBy?.at).toMatch(/^N1/)
    }
    expect(by('855', 'missing_segment').caughtBy).toMatchObject({ code: 'segment_missing', at: expect.stringMatching(/^BAK/) })
    expect(by('856', 'missing_segment').caughtBy).toMatchObject({ code: 'segment_missing', at: expect.stringMatching(/^BSN/) })
    expect(by('810', 'missing_segment').caughtBy).toMatchObject({ code: 'segment_missing', at: expect.stringMatching(/^BIG/) })
    // Without a line reference the ASN item is unknown; a quantity twice the +5% limit is caught.
    expect(by('856', 'unknown_item').caughtBy?.code).toBe('item_unknown')
    expect(by('855', 'qty_tolerance').caughtBy).toMatchObject({ code: 'qty_out_of_tolerance', at: 'ACK[1]/02' })
    expect(by('856', 'qty_tolerance').mutation).toMatch(/SN102 quantity 100 → 211/)
  })

  it('CLI: exit 0, JSON with per-rule results, self-contained HTML, and nothing written to the database', async () => {
    const db: TestDb = await testDb()
    const out = mkdtempSync(join(tmpdir(), 'certify-out-'))
    try {
      const r = await cli(['partners', 'certify', 'demo-x12-supplier', samplesDir, '--json', '--out', out, `--today=${TODAY}`], {
        CONFIG_DIR: repoRoot, DATABASE_URL: db.url, DATABASE_SCHEMA: db.schema,
      })
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      const stdout = JSON.parse(r.stdout) as CertifyReport
      const file = JSON.parse(readFileSync(join(out, 'certify.json'), 'utf8')) as CertifyReport
      expect(file.ready).toBe(true)
      expect(stdout.scorecard).toEqual(file.scorecard)
      const rules = file.scorecard.find((d) => d.docType === '856')!.rules
      expect(rules.map((x) => x.rule)).toEqual([
        'envelope', 'dictionary', 'partner', 'map', 'canonical', 'matching', 'ack',
        'negative:missing_segment', 'negative:control_count', 'negative:wrong_qualifier', 'negative:unknown_item', 'negative:qty_tolerance',
      ])
      expect(rules.every((x) => x.status === 'pass')).toBe(true)
      const html = readFileSync(join(out, 'certify.html'), 'utf8')
      expect(html).toMatch(/^<!doctype html>/)
      expect(html).toContain('Ready: every sample passes')
      expect(html).not.toMatch(/https?:\/\//)
      expect(html).not.toMatch(/<(script|link|img|iframe)\b/i)
      // No side effects: no payload, no job, no control number consumed.
      const [n] = await db.sql<{ p: number; j: number; c: number }[]>`select (select count(*)::int from payloads) as p,
        (select count(*)::int from jobs) as j, (select count(*)::int from control_numbers) as c`
      expect(n).toEqual({ p: 0, j: 0, c: 0 })
    } finally {
      rmSync(out, { recursive: true, force: true })
      await db.close()
    }
  })

  it('without ERP data reports the PO rules as not checked instead of passing them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'certify-noerp-'))
    try {
      for (const f of ['855-ack.x12', '856-asn.x12']) copyFileSync(join(samplesDir, f), join(dir, f))
      const { registry, maps } = loadConfig(repoRoot)
      const r = await certifyPartner({ registry, maps, partnerId: 'demo-x12-supplier', dir, today: TODAY })
      expect(r.erp).toEqual({ orders: 0 })
      expect(rule(r, '856', 'matching')).toMatchObject({ status: 'not_checked', notes: ['PO rules not checked (no ERP data)'] })
      expect(rule(r, '856', 'negative:qty_tolerance')).toMatchObject({ status: 'not_checked', notChecked: 1 })
      expect(rule(r, '855', 'negative:unknown_item').notes[0]).toMatch(/not checked \(no ERP data\)/)
      // The rules that need no ERP are still checked.
      expect(rule(r, '856', 'negative:control_count').status).toBe('pass')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('partners certify: a partner that is not ready', { timeout: 90_000 }, () => {
  let cfg: TempConfig
  let samples: string
  beforeAll(() => {
    cfg = tempConfig()
    cfg.write('partners/bad-supplier.yaml', supplierYaml('bad-supplier', 'BADSUPPLY'))
    // Wrong overlays: the 855 map drops the parties (so a wrong N101 goes unnoticed) and the
    // 810 map reads the invoice number from a REF the partner never sends.
    cfg.write('maps/x12-004010/855.in@bad-supplier.yaml', 'extends: x12-004010/855.in\nfields:\n  parties: null\n')
    cfg.write('maps/x12-004010/810.in@bad-supplier.yaml', "extends: x12-004010/810.in\nfields:\n  invoiceNumber: { from: 'REF[01=IV]/02', required: true }\n")
    samples = join(cfg.dir, 'samples')
    mkdirSync(samples)
    writeFileSync(join(samples, '855.x12'), sampleAs('855-ack.x12', 'BADSUPPLY'))
    // A broken sample: SE01 says 24 segments, the set has 23.
    writeFileSync(join(samples, '856.x12'), sampleAs('856-asn.x12', 'BADSUPPLY').replace('SE*23*0001', 'SE*24*0001'))
    writeFileSync(join(samples, '810.x12'), sampleAs('810-invoice.x12', 'BADSUPPLY'))
    copyFileSync(join(samplesDir, 'erp.csv'), join(samples, 'erp.csv'))
  })
  afterAll(() => cfg.close())

  it('fails with the expected rules named, segment and element included', async () => {
    const { registry, maps } = loadConfig(cfg.dir)
    const r = await certifyPartner({ registry, maps, partnerId: 'bad-supplier', dir: samples, today: TODAY })
    expect(r.ready).toBe(false)
    expect(rule(r, '856', 'dictionary')).toMatchObject({ status: 'fail', failures: [expect.objectContaining({ code: 'transaction_count_mismatch', at: expect.stringMatching(/^SE01/) })] })
    expect(rule(r, '856', 'ack')).toMatchObject({ status: 'fail', notes: ['997: rejected'] })
    expect(rule(r, '810', 'map')).toMatchObject({ status: 'fail', failures: [expect.objectContaining({ code: 'required_missing', at: 'REF[01=IV]/02' })] })
    expect(rule(r, '855', 'map').status).toBe('pass')
    const wq = rule(r, '855', 'negative:wrong_qualifier')
    expect(wq).toMatchObject({ status: 'fail', failed: 1 })
    expect(wq.failures[0].reason).toMatch(/N101 SU → ZZ .*expected element_invalid_code or transform_failed or canonical_invalid, but the broken copy passed every check/)
    // The broken samples' own negative cases cannot prove anything until they pass.
    expect(rule(r, '856', 'negative:missing_segment').status).toBe('not_applicable')
    expect(r.negatives.filter((n) => n.docType === '810').every((n) => n.status === 'not_checked')).toBe(true)
    expect(r.blockers).toHaveLength(3)
    expect(r.blockers.join('\n')).toMatch(/856\.x12: fails at dictionary \(transaction_count_mismatch at SE01/)
    expect(renderHtml(r)).toContain('NOT CAUGHT')
  })

  it('CLI exits non-zero and prints the failing rules in the table', async () => {
    const r = await cli(['partners', 'certify', 'bad-supplier', samples, `--today=${TODAY}`], { CONFIG_DIR: cfg.dir })
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^856 +syntax and dictionary +FAIL/m)
    expect(r.stdout).toMatch(/✗ 810\.x12 #0001 required_missing at REF\[01=IV\]\/02/)
    expect(r.stdout).toMatch(/^855 +negative: wrong qualifier +FAIL/m)
    expect(r.stdout).toContain('NOT READY: bad-supplier')
  })

  it('CLI: an unknown partner or a missing directory is a one-line user error (exit 2)', async () => {
    const a = await cli(['partners', 'certify', 'nobody', samples], { CONFIG_DIR: cfg.dir })
    expect(a.code).toBe(2)
    expect(a.stderr.trim()).toBe('edi-gateway: unknown partner "nobody" (known: bad-supplier)')
    const b = await cli(['partners', 'certify', 'bad-supplier', join(cfg.dir, 'nope')], { CONFIG_DIR: cfg.dir })
    expect(b.code).toBe(2)
    expect(b.stderr).toMatch(/cannot read sample directory .*nope: ENOENT/)
  })
})

// The map helper's golden fixtures double as sample sets: the raw files plus the demo ERP orders.
const FIXTURES = join(repoRoot, 'fixtures')
describe.skipIf(!existsSync(join(FIXTURES, 'erp/demo-purchase-orders.csv')))('partners certify on the fixture samples', () => {
  for (const [partner, docs] of [['demo-edifact-supplier', ['ORDRSP', 'DESADV', 'INVOIC']], ['demo-x12-supplier', ['855', '856', '810']]] as const) {
    it(`${partner}: ready, and every negative case caught (EDIFACT and X12 generators)`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'certify-fx-'))
      try {
        for (const f of readdirSync(join(FIXTURES, partner)).filter((n) => n.endsWith('.edi'))) copyFileSync(join(FIXTURES, partner, f), join(dir, f))
        copyFileSync(join(FIXTURES, 'erp/demo-purchase-orders.csv'), join(dir, 'erp.csv'))
        const { registry, maps } = loadConfig(repoRoot)
        const r = await certifyPartner({ registry, maps, partnerId: partner, dir, today: '2025-03-06' })
        expect(r.blockers).toEqual([])
        expect(r.scorecard.map((d) => d.docType)).toEqual([...docs])
        expect(r.negatives.map((n) => `${n.docType} ${n.kind} ${n.status}`)).toEqual(
          docs.flatMap((d) => ['missing_segment', 'control_count', 'wrong_qualifier', 'unknown_item', 'qty_tolerance'].map((k) => `${d} ${k} caught`))
        )
        if (partner === 'demo-edifact-supplier') {
          const n = r.negatives.find((x) => x.docType === 'DESADV' && x.kind === 'control_count')!
          expect(n.caughtBy).toMatchObject({ code: 'transaction_count_mismatch', at: expect.stringMatching(/^UNT/) })
          expect(r.samples.every((s) => s.acks[0]?.docType === 'CONTRL')).toBe(true)
        }
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })
  }
})
