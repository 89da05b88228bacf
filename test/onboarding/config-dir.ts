/**
 * Temporary configuration directories for onboarding tests: a copy of the repository's maps
 * (and certs) plus the partner profiles and extra map files a test writes. The repository's own
 * partners/ are not copied unless asked, so each test sees exactly the partners it declares.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const samplesDir = join(repoRoot, 'test/onboarding/samples/demo-x12-supplier')

export interface TempConfig {
  dir: string
  write(rel: string, text: string): string
  close(): void
}

export function tempConfig(opts: { partners?: string[] } = {}): TempConfig {
  const dir = mkdtempSync(join(tmpdir(), 'edi-cfg-'))
  cpSync(join(repoRoot, 'maps'), join(dir, 'maps'), { recursive: true })
  cpSync(join(repoRoot, 'certs'), join(dir, 'certs'), { recursive: true })
  mkdirSync(join(dir, 'partners'))
  for (const p of opts.partners ?? []) cpSync(join(repoRoot, 'partners', `${p}.yaml`), join(dir, 'partners', `${p}.yaml`))
  return {
    dir,
    write(rel, text) {
      const file = join(dir, rel)
      mkdirSync(dirname(file), { recursive: true })
      writeFileSync(file, text)
      return file
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** A minimal X12 supplier profile (inbound 855/856/810) with the given id and ISA id. */
export function supplierYaml(id: string, isaId: string, extra = ''): string {
  return `id: ${id}
name: ${id} (test)
status: live
identities:
  x12: [{ qualifier: 'ZZ', id: '${isaId}' }]
us:
  x12: { qualifier: 'ZZ', id: 'OURCO' }
x12: { ack: '997' }
documents:
  - { direction: in, standard: x12, version: '004010', docType: '855' }
  - { direction: in, standard: x12, version: '004010', docType: '856' }
  - { direction: in, standard: x12, version: '004010', docType: '810' }
matching:
  qty: { overPct: '5', underPct: '100' }
  dateToleranceDays: 2
${extra}`
}

/** A demo sample re-addressed from DEMOSUPPLY to another sender (ISA06 keeps its 15 columns). */
export function sampleAs(file: string, isaId: string): string {
  const text = readFileSync(join(samplesDir, file), 'latin1')
  return text.replace('DEMOSUPPLY     ', isaId.padEnd(15, ' ')).replace(/\*DEMOSUPPLY\*OURCO\*/, `*${isaId}*OURCO*`)
}
