/**
 * Onboarding a partner before its mapping is done: a `testing` partner validates without golden
 * fixtures (fixtures are required to go live), `partners new` scaffolds a profile that validates
 * as written, and `partners certify --write-fixtures` turns the first real samples into the
 * fixtures only after a person confirms (--confirm, or y at the terminal prompt).
 */
import { execFile, spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/app/gateway.ts'
import { runCase } from '../mapping/fixture-cases.ts'
import { repoRoot, sampleAs, supplierYaml, tempConfig, type TempConfig } from './config-dir.ts'

const run = promisify(execFile)

async function cli(args: string[], configDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [join(repoRoot, 'bin/edi-gateway.js'), ...args], { cwd: repoRoot, env: { ...process.env, CONFIG_DIR: configDir, LOG_LEVEL: 'silent' }, maxBuffer: 32 << 20 })
    return { code: 0, stdout: r.stdout, stderr: r.stderr }
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string }
    return { code: err.code, stdout: err.stdout, stderr: err.stderr }
  }
}

const lines = (s: string) => s.split('\n').map((l) => l.trim()).filter(Boolean)

describe('onboarding a partner before its mapping is done', { timeout: 120_000 }, () => {
  let cfg: TempConfig
  afterEach(() => cfg?.close())

  it('a testing partner with documents but no fixtures validates; live without fixtures does not', async () => {
    cfg = tempConfig()
    cfg.write('partners/acme.yaml', supplierYaml('acme', 'ACME').replace('status: live', 'status: testing'))
    const ok = await cli(['partners', 'validate'], cfg.dir)
    expect(ok.stderr).toBe('')
    expect(ok.code).toBe(0)
    cfg.write('partners/acme.yaml', supplierYaml('acme', 'ACME'))
    const live = await cli(['partners', 'validate'], cfg.dir)
    expect(live.code).toBe(1)
    expect(lines(live.stderr)[0]).toMatch(/^partners\/acme\.yaml:\d+:\d+: documents\.0: map x12-004010\/855\.in has no fixture with expected JSON under fixtures\/acme\/ \(required for status: live/)
  })

  it('partners new scaffolds a testing profile that validates, imports the AS2 certificate, prints next steps', async () => {
    cfg = tempConfig()
    const r = await cli(
      ['partners', 'new', 'acme-new', '--name', 'ACME New Supply', '--in', '855,856,810', '--out', '850', '--transports', 'as2,sftp', '--x12-id', 'ZZ:ACMENEW', '--as2-id', 'ACMENEW-AS2', '--as2-cert', join(repoRoot, 'certs/demo-x12-supplier/as2.pem')],
      cfg.dir
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^wrote partners\/acme-new\.yaml$/m)
    expect(r.stdout).toMatch(/^wrote certs\/acme-new\/as2\.pem/m)
    expect(r.stdout).toMatch(/next steps:\n\s+1\. /)
    expect(r.stdout).toMatch(/partners certify acme-new <dir-of-their-samples> --write-fixtures/)
    expect(readFileSync(join(cfg.dir, 'certs/acme-new/as2.pem'))).toEqual(readFileSync(join(repoRoot, 'certs/demo-x12-supplier/as2.pem')))
    const v = await cli(['partners', 'validate'], cfg.dir)
    expect(v.stderr).toBe('')
    expect(v.code).toBe(0)
    const p = loadConfig(cfg.dir).registry.get('acme-new')!
    expect(p).toMatchObject({ name: 'ACME New Supply', status: 'testing', outbound: 'as2', as2: { cert: 'certs/acme-new/as2.pem' } })
    expect(p.identities).toMatchObject({ x12: [{ qualifier: 'ZZ', id: 'ACMENEW' }], as2: ['ACMENEW-AS2'] })
    expect(p.sftp?.mailbox?.password).toBe('env:ACME_NEW_SFTP_PASSWORD')
    expect(p.documents.map((d) => `${d.direction} ${d.docType}`)).toEqual(['in 855', 'in 856', 'in 810', 'out 850'])
  })

  it('without a certificate the AS2 block is a clear TODO and the profile still validates', async () => {
    cfg = tempConfig()
    const r = await cli(['partners', 'new', 'edi-two', '--standard', 'edifact', '--in', 'DESADV', '--edifact-id', '14:5400000000001'], cfg.dir)
    expect(r.code).toBe(0)
    const yaml = readFileSync(join(cfg.dir, 'partners/edi-two.yaml'), 'utf8')
    expect(yaml).toMatch(/^# TODO AS2: put their public certificate \(PEM\) in certs\/edi-two\/as2\.pem/m)
    expect(yaml).toMatch(/^# as2:$/m)
    expect(r.stdout).toMatch(/AS2: get their public certificate into certs\/edi-two\/as2\.pem/)
    expect((await cli(['partners', 'validate'], cfg.dir)).code).toBe(0)
  })

  it('wrong flags are one line, exit 2, and nothing is written', async () => {
    cfg = tempConfig()
    for (const [args, msg] of [
      [['--transports', 'as2,ftp'], 'edi-gateway: unknown transport "ftp" (one of as2, sftp, api)'],
      [['--in', 'ASN'], 'edi-gateway: document type "ASN" is not an X12 set like 856'],
      [['--as2-cert', join(repoRoot, 'README.md')], `edi-gateway: ${join(repoRoot, 'README.md')}: not a PEM X.509 certificate`],
      [['--x12-id', 'ACME'], 'edi-gateway: --x12-id is QUALIFIER:ID, e.g. ZZ:ACMESUPPLY (ISA05:ISA06)'],
    ] as const) {
      const r = await cli(['partners', 'new', 'bad-one', ...args], cfg.dir)
      expect(r.code).toBe(2)
      expect(r.stderr.trim()).toBe(msg)
    }
    expect(readdirSync(join(cfg.dir, 'partners'))).toEqual([])
    expect(existsSync(join(cfg.dir, 'certs/bad-one'))).toBe(false)
    cfg.write('partners/taken.yaml', supplierYaml('taken', 'TAKEN'))
    const again = await cli(['partners', 'new', 'taken'], cfg.dir)
    expect(again.code).toBe(2)
    expect(again.stderr.trim()).toBe('edi-gateway: partners/taken.yaml already exists (--force to overwrite)')
  })

  it('certify --write-fixtures: refused without confirmation off a terminal; with --confirm writes fixtures the golden test accepts', async () => {
    cfg = tempConfig()
    expect((await cli(['partners', 'new', 'acme-new', '--in', '855,856,810', '--x12-id', 'ZZ:ACMENEW', '--transports', 'sftp'], cfg.dir)).code).toBe(0)
    for (const f of ['855-ack.x12', '856-asn.x12', '810-invoice.x12']) cfg.write(`samples/${f}`, sampleAs(f, 'ACMENEW'))
    const samples = join(cfg.dir, 'samples')

    const refused = await cli(['partners', 'certify', 'acme-new', samples, '--write-fixtures'], cfg.dir)
    expect(refused.code).toBe(2)
    expect(refused.stderr.trim()).toBe('edi-gateway: --write-fixtures writes only after a person confirms: add --confirm, or run it in a terminal to answer the prompt')
    expect(existsSync(join(cfg.dir, 'fixtures/acme-new'))).toBe(false)

    const r = await cli(['partners', 'certify', 'acme-new', samples, '--write-fixtures', '--confirm', '--today=2025-03-10'], cfg.dir)
    expect(r.stdout).toMatch(/^READY: acme-new/m)
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/wrote 6 file\(s\)/)
    const dir = join(cfg.dir, 'fixtures/acme-new')
    expect(readdirSync(dir).sort()).toEqual(['810-invoice.edi', '810-invoice.expected.json', '855-ack.edi', '855-ack.expected.json', '856-asn.edi', '856-asn.expected.json'])
    // The golden-fixture runner computes the same expected documents from the copied samples.
    for (const c of ['855-ack', '856-asn', '810-invoice']) {
      const kase = { partner: 'acme-new', name: `${c}.edi`, input: join(dir, `${c}.edi`), expected: join(dir, `${c}.expected.json`), kind: 'edi' as const }
      const expected = JSON.parse(readFileSync(kase.expected, 'utf8'))
      expect(runCase(kase).actual).toEqual(expected)
      expect(expected.kind).toMatch(/^(po_ack|asn|invoice)$/)
    }
    expect(readFileSync(join(dir, '856-asn.edi'), 'latin1')).toBe(sampleAs('856-asn.x12', 'ACMENEW'))

    // Now it may go live: validate passes with status live.
    cfg.write('partners/acme-new.yaml', readFileSync(join(cfg.dir, 'partners/acme-new.yaml'), 'utf8').replace('status: testing', 'status: live'))
    const v = await cli(['partners', 'validate'], cfg.dir)
    expect(v.stderr).toBe('')
    expect(v.code).toBe(0)
  })

  it('at a terminal, certify --write-fixtures asks y/N and writes nothing on N', async () => {
    cfg = tempConfig()
    expect((await cli(['partners', 'new', 'acme-new', '--in', '856', '--x12-id', 'ZZ:ACMENEW', '--transports', 'sftp'], cfg.dir)).code).toBe(0)
    cfg.write('samples/856-asn.x12', sampleAs('856-asn.x12', 'ACMENEW'))
    // `script` gives the CLI a pseudo-terminal as stdin; we answer "n".
    const cmd = `${process.execPath} ${join(repoRoot, 'bin/edi-gateway.js')} partners certify acme-new ${join(cfg.dir, 'samples')} --write-fixtures`
    const out = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const child = spawn('script', ['-qec', cmd, '/dev/null'], { cwd: repoRoot, env: { ...process.env, CONFIG_DIR: cfg.dir, LOG_LEVEL: 'silent' }, stdio: ['pipe', 'pipe', 'pipe'] })
      let text = ''
      let answered = false
      child.stdout.on('data', (d) => {
        text += d
        if (!answered && /\[y\/N\]/.test(text)) {
          answered = true
          child.stdin.write('n\n')
        }
      })
      setTimeout(() => child.kill('SIGKILL'), 60_000)
      child.on('close', (code) => resolve({ code, text }))
    })
    expect(out.text).toMatch(/Write 2 file\(s\)\? .*\[y\/N\]/)
    expect(out.text).toMatch(/nothing written/)
    expect(out.code).toBe(1)
    expect(existsSync(join(cfg.dir, 'fixtures/acme-new'))).toBe(false)
  })
})
