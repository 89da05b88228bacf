/**
 * Generates the EDIFACT dictionaries (src/edi/dictionary/edifact-data-*.ts) from public,
 * machine-readable UNTDID definitions, and the cross-check table the tests compare them with
 * (test/edi/edifact/crosscheck/*.json) from a second, independent source.
 *
 *   node bin/run-ts.js scripts/gen-edifact-dictionary.ts [--mirror /work/.mirror]
 *
 * Primary source: php-edifact/edifact-mapping (XML per directory: segments.xml, codes.xml,
 * service_codes_v3.xml, messages/*.xml; Service_V3/V4 for CONTRL).
 * Second source: microsoft/Integration, BizTalk Server/Schema/EDIFACT/<dir>/EFACT_<dir>_<msg>.xsd.
 * Both are read from git mirrors (never copied into the repository); only the facts of the
 * standard (tags, ids, statuses, repeats, representations, codes) are written out, in our own
 * notation (edifact-dsl.ts), with the repository, path and commit of each source in the header.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const repoRoot = resolve(import.meta.dirname, '..')
const argMirror = process.argv.indexOf('--mirror')
const MIRROR = argMirror > 0 ? process.argv[argMirror + 1] : '/work/.mirror'

const PHP = { repo: 'php-edifact/edifact-mapping', license: 'LGPL-3.0 (data: facts of UN/EDIFACT UNTDID)', dir: join(MIRROR, 'php-edifact+edifact-mapping/repo') }
const MS = { repo: 'microsoft/Integration', license: 'MIT', dir: join(MIRROR, 'microsoft+Integration/repo') }

const DIRECTORIES = ['D96A', 'D01B'] as const
const MESSAGES = ['ORDERS', 'ORDRSP', 'DESADV', 'INVOIC', 'ORDCHG', 'INVRPT', 'APERAK'] as const
/** CONTRL per syntax version: UNH S009 D:3 (syntax 3) and 4:1 (syntax 4), keyed as readUnh reads them. */
const CONTRL = [
  { key: 'D3', dir: 'Service_V3' },
  { key: '41', dir: 'Service_V4' },
] as const

/**
 * Coded data elements whose UNCL code list is enforced: the code-list responsible agency (3055,
 * a closed list of agencies) and the section identification (0081, D or S); in CONTRL the action
 * (0083). Qualifier and code lists grow from release to release and senders routinely use a later
 * release's codes under an older UNH version: they are not enforced, so the base validation never
 * rejects what a neighbouring release allows (EANCOM or partner guides may narrow further).
 */
const ENFORCED = ['3055', '0081'] as const
const ENFORCED_SERVICE = ['0083'] as const

/**
 * Known defects of the primary source, corrected here and nowhere else. Each was found by the
 * cross-check (test/edi/edifact/dictionary-crosscheck.test.ts) and is what both the BizTalk
 * schemas and the D.96A edition of the same file say (UNTDID did not change these elements).
 */
const CORRECTIONS: Record<string, { composites: Record<string, string>; tables: Record<string, [string, string][]> }> = {
  D01B: {
    composites: {
      // php-edifact D01B drops the first/last components of these composites.
      C502: '6313 C an..3, 6321 C an..3, 6155 C an..17, 6154 C an..70',
      C819: '3229 C an..9, 1131 C an..17, 3055 C an..3, 3228 C an..70',
      C829: '5495 C an..3, 1082 C an..6',
      // ... and loses the fixed lengths (n4 UNDG number, n3 flashpoint, an4 hazard code).
      C223: '7106 C n3, 6411 C an..3',
      C234: '7124 C n4, 7088 C an..8',
      C235: '8158 C an..4, 8186 C an4',
    },
    tables: {
      // ... and cuts a digit off the line-item repeats.
      ORDERS: [['[LIN C20000;', '[LIN C200000;']],
      ORDRSP: [['[LIN C20000;', '[LIN C200000;']],
      ORDCHG: [['[LIN C20000;', '[LIN C200000;']],
      INVOIC: [['[LIN C99999;', '[LIN C9999999;']],
      INVRPT: [['[LIN C99999;', '[LIN C9999999;']],
    },
  },
}

function correct(version: string, d: Directory): void {
  const c = CORRECTIONS[version]
  if (!c) return
  for (const [id, comps] of Object.entries(c.composites)) {
    if (d.composites[id] === undefined) throw new Error(`${version}: correction for unknown composite ${id}`)
    if (d.composites[id] === comps) throw new Error(`${version}: correction for ${id} no longer needed`)
    d.composites[id] = comps
  }
  for (const [m, edits] of Object.entries(c.tables)) {
    for (const [from, to] of edits) {
      if (!d.messages[m].includes(from)) throw new Error(`${version} ${m}: correction ${from} does not apply`)
      d.messages[m] = d.messages[m].replace(from, to)
    }
  }
}

// ---------------------------------------------------------------- tiny XML reader

interface XNode {
  name: string
  attrs: Record<string, string>
  children: XNode[]
}

const ENT: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }
const unent = (s: string) => s.replace(/&(amp|lt|gt|quot|apos);/g, (_m, e: string) => ENT[e])

/** Elements and attributes only (comments, text and processing instructions are skipped). */
function parseXml(text: string): XNode {
  const root: XNode = { name: '#root', attrs: {}, children: [] }
  const stack = [root]
  const re = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<(\/?)([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*"[^"]*")*)\s*(\/?)>/g
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (!m[2]) continue
    if (m[1]) {
      stack.pop()
      continue
    }
    const attrs: Record<string, string> = {}
    for (const a of m[3].matchAll(/([\w:.-]+)\s*=\s*"([^"]*)"/g)) attrs[a[1]] = unent(a[2])
    const node: XNode = { name: m[2], attrs, children: [] }
    stack[stack.length - 1].children.push(node)
    if (!m[4]) stack.push(node)
  }
  return root
}

const git = (dir: string, ...args: string[]) => execFileSync('git', ['--git-dir', dir, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
const head = (dir: string) => git(dir, 'rev-parse', 'HEAD').trim()
const show = (dir: string, commit: string, path: string) => git(dir, 'show', `${commit}:${path}`)

// ---------------------------------------------------------------- primary: php-edifact

interface Directory {
  composites: Record<string, string>
  segments: Record<string, string>
  messages: Record<string, string>
  codes: Record<string, string>
}

const rep = (n: XNode) => {
  const t = n.attrs.type ?? 'an'
  if (n.attrs.length) return `${t}${n.attrs.length}`
  return `${t}..${n.attrs.maxlength}`
}
const req = (n: XNode) => (n.attrs.required === 'true' ? 'M' : 'C')

/** segments.xml → composite and segment notations (composites by reference). */
function readSegments(xml: string, want: Set<string>, composites: Record<string, string>, segments: Record<string, string>): void {
  const root = parseXml(xml).children[0]
  for (const s of root.children) {
    const tag = s.attrs.id
    if (s.name !== 'segment' || !want.has(tag)) continue
    const parts: string[] = []
    for (const e of s.children) {
      if (e.name === 'composite_data_element') {
        const comps = e.children.map((c) => `${c.attrs.id} ${req(c)} ${rep(c)}`).join(', ')
        const prev = composites[e.attrs.id]
        if (prev !== undefined && prev !== comps) throw new Error(`composite ${e.attrs.id} differs between segments: ${prev} / ${comps}`)
        composites[e.attrs.id] = comps
        parts.push(`${e.attrs.id} ${req(e)}`)
      } else parts.push(`${e.attrs.id} ${req(e)} ${rep(e)}`)
    }
    segments[tag] = parts.join('; ')
  }
  for (const t of want) if (!segments[t]) throw new Error(`segment ${t} not in the segment directory`)
}

/** messages/<m>.xml → message notation (UNH/UNT left out) and the tags it uses. */
function readMessage(xml: string, tags: Set<string>): string {
  const root = parseXml(xml).children[0]
  const list = (nodes: XNode[]): string =>
    nodes
      .filter((n) => (n.name === 'segment' && n.attrs.id !== 'UNH' && n.attrs.id !== 'UNT') || n.name === 'group')
      .map((n) => {
        if (n.name === 'segment') {
          tags.add(n.attrs.id)
          return `${n.attrs.id} ${req(n)}${n.attrs.maxrepeat}`
        }
        // Group: its status and repeat go on the trigger segment (edifact-dsl.ts notation).
        const kids = n.children.filter((k) => k.name === 'segment' || k.name === 'group')
        const first = kids[0]
        if (first.name !== 'segment') throw new Error(`group ${n.attrs.id} does not start with a segment`)
        tags.add(first.attrs.id)
        const rest = list(kids.slice(1))
        return `[${first.attrs.id} ${req(n)}${n.attrs.maxrepeat}${rest ? `; ${rest}` : ''}]`
      })
      .join('; ')
  return list(root.children)
}

function readCodes(xml: string, want: readonly string[], out: Record<string, string>): void {
  const root = parseXml(xml).children[0]
  for (const d of root.children) {
    if (!want.includes(d.attrs.id)) continue
    out[d.attrs.id] = d.children.map((c) => c.attrs.id).join(' ')
  }
}

function directory(version: string, commit: string): Directory {
  const base = `src/Mapping/${version}`
  const tags = new Set<string>()
  const messages: Record<string, string> = {}
  for (const m of MESSAGES) messages[m] = readMessage(show(PHP.dir, commit, `${base}/messages/${m.toLowerCase()}.xml`), tags)
  const composites: Record<string, string> = {}
  const segments: Record<string, string> = {}
  // UNS is a service segment (UNSL) the directory's segment file does not always hold.
  const uns = tags.delete('UNS')
  readSegments(show(PHP.dir, commit, `${base}/segments.xml`), tags, composites, segments)
  if (uns) segments.UNS = '0081 M a1'
  const codes: Record<string, string> = {}
  readCodes(show(PHP.dir, commit, `${base}/codes.xml`), ENFORCED, codes)
  readCodes(show(PHP.dir, commit, `${base}/service_codes_v3.xml`), ENFORCED, codes)
  for (const c of ENFORCED) if (!codes[c]) throw new Error(`${version}: no code list for ${c}`)
  const d = { composites, segments, messages, codes }
  correct(version, d)
  return d
}

function service(commit: string): Record<string, Directory> {
  const out: Record<string, Directory> = {}
  for (const { key, dir } of CONTRL) {
    const tags = new Set<string>()
    const messages = { CONTRL: readMessage(show(PHP.dir, commit, `src/Mapping/${dir}/messages/contrl.xml`), tags) }
    const composites: Record<string, string> = {}
    const segments: Record<string, string> = {}
    readSegments(show(PHP.dir, commit, `src/Mapping/${dir}/segments.xml`), tags, composites, segments)
    const codes: Record<string, string> = {}
    readCodes(show(PHP.dir, commit, 'src/Mapping/D96A/service_codes_v3.xml'), ENFORCED_SERVICE, codes)
    out[key] = { composites, segments, messages, codes }
  }
  return out
}

const sorted = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

function writeData(file: string, name: string, version: string, source: string, d: Directory): void {
  const body = `/**
 * GENERATED by scripts/gen-edifact-dictionary.ts: do not edit by hand, run the script.
 * UN/EDIFACT ${version}: ${Object.keys(d.messages).join(', ')} (segment tables), the segments and
 * composites they use, and the enforced code lists (${Object.keys(d.codes).join(', ')}).
 * Source: ${source}
 * Notation: edifact-dsl.ts (composites by reference in segments); compiled by edifact-data.ts.
 */
import type { DirectoryData } from './edifact-data.ts'

export const ${name}: DirectoryData = ${JSON.stringify({ version, source, composites: sorted(d.composites), segments: sorted(d.segments), messages: d.messages, codes: d.codes }, null, 2)}
`
  writeFileSync(file, body)
  console.log(`wrote ${file} (${body.length} bytes)`)
}

// ---------------------------------------------------------------- second source: BizTalk XSD

interface XsdIndex {
  elements: Map<string, XNode>
  types: Map<string, XNode>
}

function indexXsd(xml: string): XsdIndex {
  const schema = parseXml(xml).children.find((n) => n.name === 'xs:schema')!
  const elements = new Map<string, XNode>()
  const types = new Map<string, XNode>()
  for (const n of schema.children) {
    if (n.name === 'xs:element') elements.set(n.attrs.name, n)
    if (n.name === 'xs:simpleType') types.set(n.attrs.name, n)
  }
  return { elements, types }
}

const find = (n: XNode, name: string): XNode | undefined => n.children.find((c) => c.name === name)
const seqOf = (n: XNode): XNode[] => find(find(n, 'xs:complexType') ?? n, 'xs:sequence')?.children.filter((c) => c.name === 'xs:element') ?? []
const notes = (n: XNode): Record<string, string> => {
  const ai = find(find(n, 'xs:annotation') ?? n, 'xs:appinfo')
  return ai?.children[0]?.attrs ?? {}
}
const occ = (n: XNode) => ({ req: n.attrs.minOccurs === '0' ? 'C' : 'M', max: n.attrs.maxOccurs === 'unbounded' ? '99999' : (n.attrs.maxOccurs ?? '1') })

/** The message's segment table in our notation, from the XSD's element tree (loops = groups). */
function xsdMessage(x: XsdIndex, root: string): { table: string; segs: Map<string, XNode> } {
  const segs = new Map<string, XNode>()
  const walk = (items: XNode[]): string =>
    items
      .map((it) => {
        const o = occ(it)
        const ref = it.attrs.ref
        if (!ref) return '' // UNH/UNT are inline elements
        const target = x.elements.get(ref)!
        if (/Loop\d*$/.test(ref)) {
          const kids = seqOf(target)
          const trig = notes(kids[0]).tag_name ?? kids[0].attrs.ref
          segs.set(trig, x.elements.get(kids[0].attrs.ref)!)
          const rest = walk(kids.slice(1))
          return `[${trig} ${o.req}${o.max}${rest ? `; ${rest}` : ''}]`
        }
        const tag = notes(it).tag_name ?? ref.replace(/_\d+$/, '')
        if (!segs.has(tag)) segs.set(tag, target)
        return `${tag} ${o.req}${o.max}`
      })
      .filter(Boolean)
      .join('; ')
  return { table: walk(seqOf(x.elements.get(root)!)), segs }
}

/** `1004 C an..35` for a simple field; the id from the notes suffix (`..._1004`). */
function xsdField(x: XsdIndex, f: XNode, req: string): string {
  const id = /_(\w{4})$/.exec(notes(f).notes ?? '')?.[1] ?? '????'
  const r = find(find(f, 'xs:simpleType') ?? f, 'xs:restriction')
  if (!r || f.attrs.type) return `${id} ${req} id` // coded (EDIFACT_ID_nnnn): representation not in the XSD
  const base = r.attrs.base === 'EDIFACT_N' ? 'n' : r.attrs.base === 'EDIFACT_A' ? 'a' : 'an'
  const min = find(r, 'xs:minLength')?.attrs.value
  const max = find(r, 'xs:maxLength')?.attrs.value ?? find(r, 'xs:length')?.attrs.value
  const fixed = find(r, 'xs:length') || (min !== undefined && min === max && min !== '1')
  return `${id} ${req} ${base}${fixed ? '' : '..'}${max}`
}

function xsdSegment(x: XsdIndex, seg: XNode): string {
  return seqOf(seg)
    .map((f) => {
      const { req } = occ(f)
      if (f.attrs.ref) {
        const comp = x.elements.get(f.attrs.ref)!
        const comps = seqOf(comp).map((c) => xsdField(x, c, occ(c).req))
        return `${f.attrs.ref.replace(/_\d+$/, '')} ${req} [${comps.join(', ')}]`
      }
      return xsdField(x, f, req)
    })
    .join('; ')
}

function codesOf(x: XsdIndex, id: string): string | undefined {
  const t = x.types.get(`EDIFACT_ID_${id}`)
  if (!t) return undefined
  return find(t, 'xs:restriction')!.children.filter((c) => c.name === 'xs:enumeration').map((c) => c.attrs.value).join(' ')
}

function crossCheck(version: string, commit: string): object {
  const messages: Record<string, string> = {}
  const segments: Record<string, string> = {}
  const codes: Record<string, string> = {}
  const paths: string[] = []
  for (const m of MESSAGES) {
    const path = `BizTalk Server/Schema/EDIFACT/${version}/EFACT_${version}_${m}.xsd`
    paths.push(path)
    const x = indexXsd(show(MS.dir, commit, path))
    const { table, segs } = xsdMessage(x, `EFACT_${version}_${m}`)
    messages[m] = table
    for (const [tag, node] of segs) segments[tag] ??= xsdSegment(x, node)
    for (const c of ENFORCED) codes[c] ??= codesOf(x, c) ?? ''
  }
  return { version, source: `${MS.repo} @ ${commit} (${MS.license}): ${paths.join(', ')}`, messages, segments: sorted(segments), codes }
}

// ---------------------------------------------------------------- main

const phpCommit = head(PHP.dir)
const dataDir = join(repoRoot, 'src/edi/dictionary')
for (const v of DIRECTORIES) {
  const fixes = CORRECTIONS[v] ? `; corrected where it disagrees with UNTDID (CORRECTIONS in the script): ${Object.keys(CORRECTIONS[v].composites).join(' ')} ${Object.keys(CORRECTIONS[v].tables).map((m) => `${m} LIN repeat`).join(', ')}` : ''
  const src = `${PHP.repo} @ ${phpCommit} (${PHP.license}): src/Mapping/${v}/{segments.xml,codes.xml,service_codes_v3.xml,messages/*.xml}${fixes}`
  writeData(join(dataDir, `edifact-data-${v.toLowerCase()}.ts`), v, v, src, directory(v, phpCommit))
}
for (const [key, d] of Object.entries(service(phpCommit))) {
  const dir = CONTRL.find((c) => c.key === key)!.dir
  const src = `${PHP.repo} @ ${phpCommit} (${PHP.license}): src/Mapping/${dir}/{segments.xml,messages/contrl.xml}, src/Mapping/D96A/service_codes_v3.xml (0083)`
  writeData(join(dataDir, `edifact-data-contrl-${key.toLowerCase()}.ts`), `CONTRL_${key}`, key, src, d)
}

const msCommit = head(MS.dir)
const ccDir = join(repoRoot, 'test/edi/edifact/crosscheck')
mkdirSync(ccDir, { recursive: true })
for (const v of DIRECTORIES) {
  const file = join(ccDir, `biztalk-${v.toLowerCase()}.json`)
  writeFileSync(file, JSON.stringify(crossCheck(v, msCommit), null, 1) + '\n')
  console.log(`wrote ${file}`)
}
