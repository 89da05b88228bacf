/**
 * `edi-gateway partners new <id> [flags]`: scaffolds partners/<id>.yaml for a partner in
 * `status: testing`, non-interactive, from flags: transports, identities, documents. An AS2
 * certificate given with --as2-cert is checked (PEM X.509) and copied to certs/<id>/as2.pem;
 * without one the AS2 block is left as a commented TODO so the profile validates now and the
 * connection can be tried as soon as the certificate arrives. Prints the next steps.
 * Nothing is written when any flag is wrong (exit 2).
 */
import { X509Certificate } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { loadEnv } from '../config/env.ts'
import { loadPartnerFile } from '../config/registry.ts'
import { formatConfigError } from '../config/registry.ts'
import { UserError } from '../lib/errors.ts'
import type { Args } from '../cli.ts'

const STANDARDS = { x12: ['004010', '005010'], edifact: ['D96A', 'D01B'], json: ['v1'] } as const
type Std = keyof typeof STANDARDS
const TRANSPORTS = ['as2', 'sftp', 'api'] as const
type Transport = (typeof TRANSPORTS)[number]
const KINDS = ['supplier', 'customer', '3pl', 'warehouse']

const str = (a: Args, k: string): string | undefined => {
  const v = a.flags[k]
  if (v === true) throw new UserError(`--${k} needs a value`)
  return v
}
const list = (v: string | undefined) => (v ? v.split(',').map((x) => x.trim()).filter(Boolean) : [])
/** `env:ACME_SUPPLY_API_KEY` style names from a partner id. */
const envName = (id: string, what: string) => `${id.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_${what}`

export interface NewPartner {
  id: string
  yaml: string
  /** Files to write besides the profile (certificate), relative to the config root. */
  extra: { path: string; bytes: Buffer }[]
  next: string[]
}

export function scaffoldPartner(a: Args, configDir: string): NewPartner {
  const id = a.positional[1]
  if (!id) throw new UserError('usage: edi-gateway partners new <id> [--standard x12|edifact|json] [--in 855,856] [--transports as2,sftp,api] (edi-gateway partners new --help)')
  if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) throw new UserError(`partner id "${id}" must be lowercase letters, digits and dashes`)
  const standard = (str(a, 'standard') ?? 'x12') as Std
  if (!(standard in STANDARDS)) throw new UserError(`--standard must be one of ${Object.keys(STANDARDS).join(', ')}`)
  const version = str(a, 'version') ?? STANDARDS[standard][0]
  if (!(STANDARDS[standard] as readonly string[]).includes(version)) throw new UserError(`--version for ${standard} must be one of ${STANDARDS[standard].join(', ')}`)
  const kind = str(a, 'kind') ?? (standard === 'json' ? '3pl' : 'supplier')
  if (!KINDS.includes(kind)) throw new UserError(`--kind must be one of ${KINDS.join(', ')}`)
  const transports = list(str(a, 'transports') ?? (standard === 'json' ? 'api' : 'as2')) as Transport[]
  const badT = transports.find((t) => !TRANSPORTS.includes(t))
  if (badT) throw new UserError(`unknown transport "${badT}" (one of ${TRANSPORTS.join(', ')})`)
  const inbound = list(str(a, 'in'))
  const outbound = list(typeof a.flags.out === 'string' ? a.flags.out : undefined)
  const docRe = standard === 'json' ? /^[a-z][a-z0-9_]*$/ : standard === 'x12' ? /^\d{3}$/ : /^[A-Z]{6}$/
  const badDoc = [...inbound, ...outbound].find((d) => !docRe.test(d))
  if (badDoc) throw new UserError(`document type "${badDoc}" is not ${standard === 'x12' ? 'an X12 set like 856' : standard === 'edifact' ? 'an EDIFACT message like DESADV' : 'a JSON document type like asn'}`)
  const file = join(configDir, 'partners', `${id}.yaml`)
  if (existsSync(file) && a.flags.force !== true) throw new UserError(`partners/${id}.yaml already exists (--force to overwrite)`)

  const x12Id = str(a, 'x12-id')
  if (x12Id && !/^[^:\s]{1,2}:[^:\s]{1,15}$/.test(x12Id)) throw new UserError('--x12-id is QUALIFIER:ID, e.g. ZZ:ACMESUPPLY (ISA05:ISA06)')
  const edifactId = str(a, 'edifact-id')
  if (edifactId && !/^([^:\s]{1,4}:)?[^:\s]{1,35}$/.test(edifactId)) throw new UserError('--edifact-id is [QUALIFIER:]ID, e.g. 14:5412345000013')
  const as2Id = str(a, 'as2-id')
  const certFile = str(a, 'as2-cert')
  const extra: NewPartner['extra'] = []
  const certRel = `certs/${id}/as2.pem`
  if (certFile) {
    if (!transports.includes('as2')) throw new UserError('--as2-cert given but as2 is not among --transports')
    let pem: Buffer
    try {
      pem = readFileSync(certFile)
      const cert = new X509Certificate(pem)
      if (new Date(cert.validTo) < new Date()) throw new UserError(`${certFile}: the certificate expired on ${cert.validTo}`)
    } catch (err) {
      if (err instanceof UserError) throw err
      const code = (err as NodeJS.ErrnoException).code
      throw new UserError(`${certFile}: ${code === 'ENOENT' ? 'no such file' : 'not a PEM X.509 certificate'}`)
    }
    extra.push({ path: certRel, bytes: pem })
  }

  const q = (s: string) => `'${s.replace(/'/g, "''")}'`
  const lines: string[] = [
    '# yaml-language-server: $schema=./_schema.json',
    `# Scaffolded by \`edi-gateway partners new ${id}\`. Fill in the TODOs, then: edi-gateway partners validate`,
    `id: ${id}`,
    `name: ${q(str(a, 'name') ?? id)}`,
    '# testing: processed and acknowledged, never reaches the ERP or warehouses. live needs fixtures.',
    'status: testing',
    `kind: ${kind}`,
    'identities:',
  ]
  if (standard === 'x12') {
    if (x12Id) {
      const [qual, ident] = x12Id.split(':')
      lines.push(`  x12: [{ qualifier: ${q(qual)}, id: ${q(ident)} }]`, `  gs: [${q(ident)}]`)
    } else lines.push("  x12: []        # TODO: their ISA sender, e.g. [{ qualifier: 'ZZ', id: 'THEIRID' }] (--x12-id ZZ:THEIRID)")
  }
  if (standard === 'edifact') {
    if (edifactId) {
      const parts = edifactId.split(':')
      const [qual, ident] = parts.length === 2 ? parts : [undefined, parts[0]]
      lines.push(`  edifact: [{ ${qual ? `qualifier: ${q(qual)}, ` : ''}id: ${q(ident)} }]`)
    } else lines.push("  edifact: []    # TODO: their UNB sender, e.g. [{ qualifier: '14', id: '5412345000013' }] (--edifact-id 14:...)")
  }
  if (transports.includes('as2')) lines.push(as2Id ? `  as2: [${q(as2Id)}]` : '  as2: []        # TODO: their AS2 id (--as2-id)')
  if (transports.includes('api')) lines.push(`  apiKeys: ['env:${envName(id, 'API_KEY')}']   # the key they send as Bearer; set ${envName(id, 'API_KEY')}`)
  if (standard !== 'json') lines.push(`# TODO: how they know us (the envelopes we send), e.g. us: { ${standard === 'x12' ? "x12: { qualifier: 'ZZ', id: 'OURCO' }, gs: 'OURCO'" : "edifact: { qualifier: '14', id: '<our GLN>' }"}${transports.includes('as2') ? ", as2: 'OURCO-AS2'" : ''} }`)
  if (transports.includes('as2')) {
    if (certFile) {
      lines.push('as2:', `  cert: ${certRel}`, '  requireSigned: true', '  # url: https://their-as2.example/receive   # TODO to send them documents', '  mdn: { mode: sync, signed: true }')
    } else {
      lines.push(
        `# TODO AS2: put their public certificate (PEM) in ${certRel}, or run`,
        `#   edi-gateway partners new ${id} --force --as2-cert <their.pem> ...`,
        '# then uncomment:',
        '# as2:',
        `#   cert: ${certRel}`,
        '#   requireSigned: true',
        '#   url: https://their-as2.example/receive',
        '#   mdn: { mode: sync, signed: true }'
      )
    }
  }
  if (transports.includes('sftp')) {
    lines.push('sftp:', '  mailbox:', `    password: env:${envName(id, 'SFTP_PASSWORD')}   # or authorizedKeys: [certs/${id}/sftp.pub]`)
  }
  const out = outbound.length ? (transports.includes('as2') && certFile ? 'as2' : transports.includes('sftp') ? 'sftp_mailbox' : transports.includes('api') ? 'api' : 'none') : 'none'
  lines.push(`outbound: ${out}`)
  if (standard === 'x12') lines.push(`x12: { version: '${version}', ack: '997' }`)
  if (standard === 'edifact') lines.push(`edifact: { version: ${version} }`)
  lines.push('documents:')
  if (!inbound.length && !outbound.length) lines.push('  []   # TODO: what they send (--in) and what we send them (--out)')
  for (const d of inbound) lines.push(`  - { direction: in, standard: ${standard}, version: '${version}', docType: ${q(d)} }`)
  for (const d of outbound) lines.push(`  - { direction: out, standard: ${standard}, version: '${version}', docType: ${q(d)} }`)
  lines.push('matching:', "  qty: { overPct: '0', underPct: '0' }   # tolerances: numbers like 5 work too", "  price: { tolerancePct: '0' }")
  const yaml = `${lines.join('\n')}\n`

  // What we write must load: the same check start-up runs on the file.
  const check = loadPartnerFile(`partners/${id}.yaml`, yaml)
  if (check.errors.length) throw new Error(`scaffold does not validate (a defect): ${check.errors.map(formatConfigError).join('; ')}`)

  const envs = [
    ...(transports.includes('api') ? [`${envName(id, 'API_KEY')}=<the key you give them>`] : []),
    ...(transports.includes('sftp') ? [`${envName(id, 'SFTP_PASSWORD')}=<their SFTP password>`] : []),
  ]
  const next = [
    `edit partners/${id}.yaml: the TODOs (identities, AS2 certificate, where we send)`,
    ...(transports.includes('as2') && !certFile ? [`AS2: get their public certificate into ${certRel} (or rerun with --force --as2-cert FILE) and uncomment the as2 block`] : []),
    ...(envs.length ? [`start the gateway with ${envs.join(' ')}`] : []),
    'edi-gateway partners validate',
    'let them send test files (AS2 /as2, SFTP inbox/, or POST /api/v1/...): status testing keeps them away from the ERP',
    `edi-gateway partners certify ${id} <dir-of-their-samples> --write-fixtures   (checks the samples; writes fixtures/${id}/ after you confirm)`,
    `when certify says READY and fixtures/${id}/ exists: set status: live`,
  ]
  return { id, yaml, extra, next }
}

export async function newPartnerCommand(a: Args): Promise<number> {
  const configDir = loadEnv().configDir
  const p = scaffoldPartner(a, configDir)
  mkdirSync(join(configDir, 'partners'), { recursive: true })
  for (const f of p.extra) {
    mkdirSync(join(configDir, f.path, '..'), { recursive: true })
    writeFileSync(join(configDir, f.path), f.bytes)
  }
  const file = join(configDir, 'partners', `${p.id}.yaml`)
  writeFileSync(file, p.yaml)
  console.log(`wrote ${relative(configDir, file)}${p.extra.map((f) => `\nwrote ${f.path}`).join('')}  (under ${configDir})`)
  console.log('\nnext steps:')
  p.next.forEach((s, i) => console.log(`  ${i + 1}. ${s}`))
  return 0
}
