/**
 * `node bin/run-ts.js scripts/gen-x12-dictionary.ts`: writes the X12 dictionaries
 * (src/edi/dictionary/generated/x12-004010.ts, x12-005010.ts) and the cross-check table
 * (test/edi/x12/x12-crosscheck.json) from public machine-readable definitions fetched into
 * /work/.mirror (MIRROR=... to point elsewhere). Nothing fetched is committed: only the facts
 * extracted here (segment lists, element types and lengths, syntax notes, code lists).
 *
 * Sources (each read at a pinned commit with `git show`):
 * - olmelabs/EdiEngine (MIT): the 004010 segment, element, composite and transaction set maps
 *   (C# classes). Primary for 004010.
 * - bots-edi/bots-grammars: 005010 transaction set structures and segment records (element
 *   positions, max lengths, M/C). Primary for 005010 structures; its 004010 grammars are the
 *   second source of the cross-check (segments per set, element lengths per position).
 * - azoner/pyx12 (BSD-3-Clause): map/dataele.xml (element dictionary: type, min/max) as the
 *   second source for element definitions; map/999.5010.xml for the 005010 999 segments (IK3,
 *   IK4, IK5, CTX: element references) and its ack code lists.
 *
 * X12_COMPARE=1 also prints where EdiEngine's and bots' 004010 set structures differ (usage, max
 * use, loop shape): what upgradeMandatory applies and the cross-check test explains.
 *
 * 005010 elements are derived: a segment's element at a position keeps its 004010 reference and
 * type, takes the 005010 maximum length from bots, and new trailing positions get the reference
 * from DIFF_005010 below (documented changes) or stay unnamed with the bots type/length.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { writeDictionary } from './x12-dictionary-files.ts'

const MIRROR = process.env.MIRROR ?? '/work/.mirror'

interface Source {
  repo: string
  commit: string
  license: string
  paths: string[]
}

const EDIENGINE: Source = {
  repo: 'olmelabs/EdiEngine',
  commit: 'f0b2cb9269fec6597908f4c8c955f98f2f3658b9',
  license: 'MIT',
  paths: ['EdiStandards/X12_004010/Segments/Segments.cs', 'EdiStandards/X12_004010/DataElements/DataElements.cs', 'EdiStandards/X12_004010/DataElements/CompositeDataElements.cs', 'EdiStandards/X12_004010/Maps/M_<set>.cs'],
}
const BOTS: Source = {
  repo: 'bots-edi/bots-grammars',
  commit: '6c1d8a5429a3c11282403d18351cdd38d9f6018a',
  license: 'no license file in the repository; bots itself is GPL-3.0. Only facts of the standard (segment order, max use, element lengths) are taken',
  paths: ['x12/5010/<set>005010.py', 'x12/5010/records005010.py', 'x12/4010/<set>004010.py', 'x12/4010/records004010.py'],
}
const PYX12: Source = {
  repo: 'azoner/pyx12',
  commit: '8893c59ffd95ccc213cc7661757dc4298b9f430a',
  license: 'BSD-3-Clause',
  paths: ['pyx12/map/dataele.xml', 'pyx12/map/999.5010.xml'],
}

function gitShow(src: Source, path: string): string {
  const dir = join(MIRROR, src.repo.replace('/', '+'), 'repo')
  return execFileSync('git', ['-C', dir, 'show', `${src.commit}:${path}`], { encoding: 'utf8', maxBuffer: 64 << 20 }).replace(/\r\n/g, '\n')
}

const SETS: Record<string, string> = {
  '850': 'Purchase Order',
  '855': 'Purchase Order Acknowledgment',
  '856': 'Ship Notice/Manifest',
  '810': 'Invoice',
  '860': 'Purchase Order Change Request - Buyer Initiated',
  '865': 'Purchase Order Change Acknowledgment/Request - Seller Initiated',
  '846': 'Inventory Inquiry/Advice',
  '997': 'Functional Acknowledgment',
  '999': 'Implementation Acknowledgment',
}
const ENVELOPE = ['GS', 'GE', 'ST', 'SE', 'IEA']
/** Elements whose code list the dictionary checks: what drives processing and the acks. */
// 143 (ST01, AK201) is not here: a set we have no dictionary for is only envelope-checked, and
// checkSt judges ST01's form.
const CODE_ELEMENTS = ['353', '92', '587', '668', '735', '736', '88', '479', '455', '717', '715', '718', '716', '720', '723']

// ---------------------------------------------------------------- data format (see x12-data.ts)
type Usage = 'M' | 'O' | 'X'
/** `[type, min, max]` */
type ElementData = [string, number, number]
/** `'M 353'`, `'O C001'`, `'X 127'`, `'O C998 *10'` (repeat), `'O - AN 1 30'` (no reference). */
type ElementUse = string
interface SegmentData {
  e: ElementUse[]
  r?: string[]
}
/** Segment `[tag, usage, max]` or loop `[id, usage, max, children]`. */
type Node = [string, 'M' | 'O', number] | [string, 'M' | 'O', number, Node[]]
interface Dict {
  elements: Record<string, ElementData>
  composites: Record<string, ElementUse[]>
  segments: Record<string, SegmentData>
  sets: Record<string, { name: string; body: Node[] }>
  codes: Record<string, string>
}
const MANY = 999_999

// ---------------------------------------------------------------- EdiEngine (004010)
const refOf = (cls: string): string => cls.replace(/^E_0*/, '').replace(/^E_/, '') || '0'

function classBodies(cs: string, base: string): Map<string, string> {
  const out = new Map<string, string>()
  const re = new RegExp(`public class (\\w+) : ${base}\\s*\\{`, 'g')
  const starts: Array<[string, number]> = []
  for (let m; (m = re.exec(cs)); ) starts.push([m[1], m.index])
  starts.forEach(([name, at], i) => out.set(name, cs.slice(at, i + 1 < starts.length ? starts[i + 1][1] : cs.length)))
  return out
}

/**
 * EdiEngine element definitions that both other sources contradict (bots 004010 records at every
 * position the element is used, and pyx12's dictionary): the longer length is taken, so a value
 * the standard allows is never refused. Found by test/edi/x12/dictionary-crosscheck.test.ts.
 */
const CORRECTIONS_004010: Record<string, ElementData> = {
  '739': ['R', 1, 20], // Measurement Value (EdiEngine: R 1/18)
  '740': ['R', 1, 20], // Range Minimum (EdiEngine: R 1/18)
  '741': ['R', 1, 20], // Range Maximum (EdiEngine: R 1/18)
  '1551': ['AN', 1, 4096], // Textual Data, MTX02/03 (EdiEngine: AN 1/760; bots 4096)
}

/**
 * Codes added to a 004010 list on purpose (not a fact of 004010): our 997 writes AK403 12 (too
 * many repetitions) and 13 (too many components) whatever the inbound version, since 004010 has
 * no code for either (723 stops at 10); the list that checks AK403 has to accept what we write.
 */
const ADDED_CODES_004010: Record<string, string[]> = { '723': ['12', '13'] }

function ediEngineElements(): { elements: Record<string, ElementData>; codes: Record<string, string> } {
  const cs = gitShow(EDIENGINE, EDIENGINE.paths[1])
  const elements: Record<string, ElementData> = {}
  const codes: Record<string, string> = {}
  for (const [cls, body] of classBodies(cs, 'MapSimpleDataElement')) {
    const t = /DataType\.(\w+)/.exec(body)?.[1] ?? 'AN'
    // EdiEngine writes R with a digit (R2..R9) for some reals: X12.6 has one R type.
    const type = /^R\d$/.test(t) ? 'R' : t
    const min = Number(/MinLength = (\d+)/.exec(body)?.[1] ?? 1)
    const max = Number(/MaxLength = (\d+)/.exec(body)?.[1] ?? min)
    const ref = refOf(cls)
    elements[ref] = CORRECTIONS_004010[ref] ?? [type, min, max]
    if (CODE_ELEMENTS.includes(ref)) {
      const values: string[] = []
      for (const m of body.matchAll(/AllowedValues\.AddRange\(new\[\] \{([^}]*)\}/g)) values.push(...[...m[1].matchAll(/"([^"]*)"/g)].map((x) => x[1]))
      codes[ref] = [...new Set([...values, ...(ADDED_CODES_004010[ref] ?? [])])].join(' ')
    }
  }
  return { elements, codes }
}

function contentOf(body: string): Array<{ name: string; req: 'M' | 'O'; max: number }> {
  const out: Array<{ name: string; req: 'M' | 'O'; max: number }> = []
  const m = /Content\.AddRange\(new \w+\[\] \{([\s\S]*?)\}\);/.exec(body)
  if (!m) return out
  for (const e of m[1].matchAll(/new\s+(\w+)(?:\(\w*\))?\s*\{\s*ReqDes = RequirementDesignator\.(\w+)(?:, MaxOccurs = (\d+))?\s*\}/g)) {
    out.push({ name: e[1], req: e[2] === 'Mandatory' ? 'M' : 'O', max: e[3] ? Number(e[3]) : 1 })
  }
  return out
}

function ediEngineSegments(): { segments: Map<string, { elements: Array<{ ref: string; req: 'M' | 'O' }>; notes: string[] }>; composites: Record<string, ElementUse[]> } {
  const segs = new Map<string, { elements: Array<{ ref: string; req: 'M' | 'O' }>; notes: string[] }>()
  for (const [tag, body] of classBodies(gitShow(EDIENGINE, EDIENGINE.paths[0]), 'MapSegment')) {
    const flat = [...(/SyntaxNotes\.AddRange\(new\[\] \{([^}]*)\}/.exec(body)?.[1] ?? '').matchAll(/"(\w+)"/g)].map((x) => x[1])
    const elements = contentOf(body).map((c) => ({ ref: /^C\d{3}$/.test(c.name) ? c.name : refOf(c.name), req: c.req }))
    segs.set(tag, { elements, notes: flat })
  }
  const composites: Record<string, ElementUse[]> = {}
  for (const [name, body] of classBodies(gitShow(EDIENGINE, EDIENGINE.paths[2]), 'MapCompositeDataElement')) {
    const notes = [...(/SyntaxNotes\.AddRange\(new\[\] \{([^}]*)\}/.exec(body)?.[1] ?? '').matchAll(/"(\w+)"/g)].map((x) => x[1])
    composites[name] = withConditionals(contentOf(body).map((c) => ({ ref: refOf(c.name), req: c.req })), notes)
  }
  for (const seg of segs.values()) seg.notes = elementNotes(seg.elements, seg.notes, composites)
  return { segments: segs, composites }
}

/**
 * EdiEngine numbers syntax note positions over the segment flattened into components (a C001
 * counts 15), so a note after a composite names the wrong element: MEA's R03050608 reads
 * R03192022. Positions are mapped back to elements; a note naming a component inside a
 * composite is the composite's own note repeated on the segment (REF P0607 = C040 P0304) and is
 * dropped, as is a note naming a position the segment does not have.
 */
const DROPPED_NOTES: string[] = []
function elementNotes(elements: Array<{ ref: string }>, notes: string[], composites: Record<string, ElementUse[]>): string[] {
  const byFlat = new Map<number, number | null>()
  let f = 1
  elements.forEach((e, i) => {
    const n = /^C\d{3}$/.test(e.ref) ? (composites[e.ref]?.length ?? 1) : 1
    byFlat.set(f, i + 1)
    for (let k = 1; k < n; k++) byFlat.set(f + k, null)
    f += n
  })
  const out: string[] = []
  for (const note of notes) {
    const pos: number[] = []
    for (let i = 1; i < note.length; i += 2) pos.push(Number(note.slice(i, i + 2)))
    const mapped = pos.map((p) => byFlat.get(p))
    if (mapped.some((p) => p === undefined || p === null)) {
      DROPPED_NOTES.push(`${note} (${elements.length} elements)`)
      continue
    }
    const text = note[0] + mapped.map((p) => String(p).padStart(2, '0')).join('')
    if (!out.includes(text)) out.push(text)
  }
  return out
}

/** X12.6: an optional element named in a syntax note is conditional (X); EdiEngine writes O. */
function withConditionals(elements: Array<{ ref: string; req: 'M' | 'O' }>, notes: string[]): ElementUse[] {
  const inNotes = new Set<number>()
  for (const n of notes) for (let i = 1; i < n.length; i += 2) inNotes.add(Number(n.slice(i, i + 2)))
  return elements.map((e, i) => `${e.req === 'M' ? 'M' : inNotes.has(i + 1) ? 'X' : 'O'} ${e.ref}`)
}

function ediEngineSet(id: string): Node[] {
  const cs = gitShow(EDIENGINE, `EdiStandards/X12_004010/Maps/M_${id}.cs`)
  const loops = classBodies(cs, 'MapLoop')
  const build = (cls: string): Node[] =>
    contentOf(loops.get(cls) as string).map((c): Node => {
      const max = c.max >= MANY ? MANY : c.max
      if (!c.name.startsWith('L_')) return [c.name, c.req, max]
      const children = build(c.name)
      return [children[0][0], c.req, max, children]
    })
  return build(`M_${id}`)
}

// ---------------------------------------------------------------- bots (005010, cross-check)
interface BotsField {
  id: string
  req: 'M' | 'C'
  min: number
  max: number
  type: string
  sub?: BotsField[]
}

/** Parses the `recorddefs` dict of a bots records file (a Python literal). */
function botsRecords(text: string): Map<string, BotsField[]> {
  const out = new Map<string, BotsField[]>()
  const recRe = /^'(\w+)': \[\n([\s\S]*?)^\],/gm
  for (const m of text.matchAll(recRe)) {
    const fields: BotsField[] = []
    let comp: BotsField | undefined
    for (const line of m[2].split('\n')) {
      const simple = /\['([\w.]+)', '([MC])', (?:\((\d+),(\d+)\)|(\d+)),'(\w+)'\]/.exec(line)
      const open = /\['(\w+)', '([MC])', \[$/.exec(line.trim())
      if (open) {
        comp = { id: open[1], req: open[2] as 'M' | 'C', min: 0, max: 0, type: 'C', sub: [] }
        fields.push(comp)
      } else if (simple) {
        const f: BotsField = { id: simple[1], req: simple[2] as 'M' | 'C', min: simple[3] ? Number(simple[3]) : 1, max: Number(simple[4] ?? simple[5]), type: simple[6] }
        if (f.id === 'BOTSID') continue
        if (comp && f.id.includes('.')) comp.sub?.push(f)
        else fields.push(f)
      } else if (/^\s*\]\],?$/.test(line)) comp = undefined
    }
    out.set(m[1], fields)
  }
  return out
}

function botsSet(version: '4010' | '5010', id: string): Node[] {
  const text = gitShow(BOTS, `x12/${version}/${id}00${version}.py`)
  // Rewrite the structure literal into JSON: {ID: 'X', MIN: 0, MAX: 1, LEVEL: [...]}.
  const lit = text.slice(text.indexOf('structure = [') + 'structure = '.length)
  const json = lit
    .replace(/\bID:/g, '"ID":')
    .replace(/\bMIN:/g, '"MIN":')
    .replace(/\bMAX:/g, '"MAX":')
    .replace(/\bLEVEL:/g, '"LEVEL":')
    .replace(/'/g, '"')
    .replace(/,(\s*[\]}])/g, '$1')
  interface B {
    ID: string
    MIN: number
    MAX: number
    LEVEL?: B[]
  }
  const root = JSON.parse(json) as B[]
  const conv = (nodes: B[]): Node[] =>
    nodes
      .filter((n) => n.ID !== 'SE')
      .map((n): Node => {
        const usage = n.MIN > 0 ? 'M' : 'O'
        const max = n.MAX >= 99_999 ? MANY : n.MAX
        if (!n.LEVEL) return [n.ID, usage, max]
        // bots puts a loop's trigger as the node itself and its other segments in LEVEL.
        return [n.ID, usage, max, [[n.ID, 'M', 1], ...conv(n.LEVEL)]]
      })
  return conv(root[0].LEVEL ?? [])
}

// ---------------------------------------------------------------- pyx12
function pyx12Elements(): Record<string, ElementData> {
  const xml = gitShow(PYX12, PYX12.paths[0])
  const out: Record<string, ElementData> = {}
  for (const m of xml.matchAll(/<data_ele ele_num="(\w+)" data_type="(\w+)" min_len="(\d+)" max_len="(\d+)"/g)) out[m[1]] = [m[2], Number(m[3]), Number(m[4])]
  return out
}

interface PyxElement {
  xid: string
  ref: string
  codes: string[]
  repeat: number
  sub: PyxElement[]
}

/** Element references and valid codes of each segment of the pyx12 999 map. */
function pyx12Segments999(): Map<string, PyxElement[]> {
  const xml = gitShow(PYX12, PYX12.paths[1])
  const out = new Map<string, PyxElement[]>()
  for (const m of xml.matchAll(/<segment xid="(\w+)">([\s\S]*?)<!--End of \1 segment-->/g)) {
    if (out.has(m[1])) continue
    const els: PyxElement[] = []
    // Composites: <composite xid="CTX01"> ... </composite>; simple: <element xid="IK501">.
    const re = /<(element|composite)(?: xid="([\w-]+)")?>([\s\S]*?)<\/\1>/g
    for (const e of m[2].matchAll(re)) {
      if (e[1] === 'composite') {
        const sub: PyxElement[] = [...e[3].matchAll(/<element xid="([\w-]+)">([\s\S]*?)<\/element>/g)].map((s) => ({ xid: s[1], ref: /<data_ele>(\w+)</.exec(s[2])?.[1] ?? '', codes: [], repeat: 1, sub: [] }))
        els.push({ xid: e[2], ref: /<data_ele>(\w+)</.exec(e[3])?.[1] ?? '', codes: [], repeat: Number(/<repeat>(\d+)</.exec(e[3])?.[1] ?? 1), sub })
      } else {
        const codes = [...e[3].matchAll(/<code>([^<]*)<\/code>/g)].map((c) => c[1])
        els.push({ xid: e[2], ref: /<data_ele>(\w+)</.exec(e[3])?.[1] ?? '', codes, repeat: Number(/<repeat>(\d+)</.exec(e[3])?.[1] ?? 1), sub: [] })
      }
    }
    out.set(m[1], els)
  }
  return out
}

// ---------------------------------------------------------------- build
function collectTags(nodes: Node[], into: Set<string>): Set<string> {
  for (const n of nodes) {
    if (n.length === 4) collectTags(n[3], into)
    else into.add(n[0])
  }
  return into
}

function build004010(): Dict {
  const { elements: allElements, codes } = ediEngineElements()
  const { segments, composites: allComposites } = ediEngineSegments()
  const sets: Dict['sets'] = {}
  for (const id of Object.keys(SETS)) {
    if (id === '999') continue
    const body = ediEngineSet(id)
    upgradeMandatory(body, structurePaths(botsSet('4010', id)), '', id)
    sets[id] = { name: SETS[id], body }
  }
  const tags = new Set(ENVELOPE)
  for (const s of Object.values(sets)) collectTags(s.body, tags)
  const out: Dict = { elements: {}, composites: {}, segments: {}, sets, codes: {} }
  const useElement = (ref: string) => {
    if (!allElements[ref]) throw new Error(`EdiEngine has no element ${ref}`)
    out.elements[ref] = allElements[ref]
    if (codes[ref]) out.codes[ref] = codes[ref]
  }
  for (const tag of [...tags].sort()) {
    const seg = segments.get(tag)
    if (!seg) throw new Error(`EdiEngine has no segment ${tag}`)
    for (const e of seg.elements) {
      if (/^C\d{3}$/.test(e.ref)) {
        out.composites[e.ref] = allComposites[e.ref]
        for (const c of allComposites[e.ref]) useElement(c.split(' ')[1])
      } else useElement(e.ref)
    }
    out.segments[tag] = { e: withConditionals(seg.elements, seg.notes), ...(seg.notes.length ? { r: seg.notes } : {}) }
  }
  // ST03 (1705) belongs to 005010, but the reader checks every version's ST with one table.
  out.segments.ST.e.push('O 1705')
  out.elements['1705'] = ['AN', 1, 35]
  return out
}

/**
 * Documented 004010 → 005010 differences bots' records cannot tell us (they carry no element
 * references): the references of positions 005010 added, and changed syntax notes.
 */
const DIFF_005010: { refs: Record<string, Record<number, string>>; notes: Record<string, string[]>; elements: Record<string, ElementData> } = {
  refs: {
    N4: { 7: '1715' }, // N407 Country Subdivision Code
    AK1: { 3: '480' }, // AK103 Version / Release / Industry Identifier Code
    AK2: { 3: '1705' }, // AK203 Implementation Convention Reference
  },
  notes: {
    // N402/N404 become conditional: E0207 (state or subdivision), C0704.
    N4: ['E0207', 'C0605', 'C0704'],
  },
  elements: {
    '1715': ['ID', 1, 3],
    '1705': ['AN', 1, 35],
    '1686': ['N0', 1, 4],
  },
}

function build005010(base: Dict): { dict: Dict; notes: string[] } {
  const notes: string[] = []
  // Every 004010 segment and element EdiEngine has (not only those of our 004010 sets): a
  // segment new to our 005010 sets may exist in 004010 elsewhere.
  const all = ediEngineSegments()
  const allEls = ediEngineElements()
  const old004010 = (tag: string): SegmentData | undefined => {
    if (base.segments[tag]) return base.segments[tag]
    const s = all.segments.get(tag)
    if (!s) return undefined
    for (const e of s.elements) {
      if (/^C\d{3}$/.test(e.ref)) {
        base.composites[e.ref] ??= all.composites[e.ref]
        for (const c of all.composites[e.ref]) base.elements[c.split(' ')[1]] ??= allEls.elements[c.split(' ')[1]]
      } else base.elements[e.ref] ??= allEls.elements[e.ref]
    }
    return { e: withConditionals(s.elements, s.notes), ...(s.notes.length ? { r: s.notes } : {}) }
  }
  const records = botsRecords(gitShow(BOTS, 'x12/5010/records005010.py'))
  const ik = pyx12Segments999()
  const dataele = pyx12Elements()
  const sets: Dict['sets'] = {}
  for (const id of Object.keys(SETS)) sets[id] = { name: SETS[id], body: botsSet('5010', id) }
  const tags = new Set(ENVELOPE)
  for (const s of Object.values(sets)) collectTags(s.body, tags)
  const out: Dict = { elements: {}, composites: {}, segments: {}, sets, codes: {} }
  const element = (ref: string, fallback?: ElementData): void => {
    const d = DIFF_005010.elements[ref] ?? base.elements[ref] ?? dataele[ref] ?? fallback
    if (!d) throw new Error(`no definition for element ${ref}`)
    out.elements[ref] = d
  }
  /** Element `ref` with its 005010 max length from bots (refs keep their 004010 min/type). */
  const sized = (ref: string, f: BotsField, where: string): string => {
    const d = base.elements[ref] ?? DIFF_005010.elements[ref] ?? dataele[ref]
    if (!d) throw new Error(`no definition for element ${ref} (${where})`)
    if (d[2] === f.max || f.type === 'C') {
      element(ref)
      return ref
    }
    // Length changed in 005010: a version-local copy of the element (`127@50`).
    const key = `${ref}@${f.max}`
    out.elements[key] = [d[0], Math.min(d[1], f.max), f.max]
    notes.push(`${where}: ${ref} max ${d[2]} → ${f.max}`)
    return key
  }
  for (const tag of [...tags].sort()) {
    const fields = records.get(tag)
    if (!fields) throw new Error(`bots 005010 has no record ${tag}`)
    const old = old004010(tag)
    const pyx = ik.get(tag)
    const rules = DIFF_005010.notes[tag] ?? old?.r
    const inNotes = new Set<number>()
    for (const n of rules ?? []) for (let i = 1; i < n.length; i += 2) inNotes.add(Number(n.slice(i, i + 2)))
    const uses: ElementUse[] = fields.map((f, i) => {
      const pos = i + 1
      const usage: Usage = f.req === 'M' ? 'M' : inNotes.has(pos) ? 'X' : 'O'
      const oldRef = old?.e[i]?.split(' ')[1]
      const ref = DIFF_005010.refs[tag]?.[pos] ?? pyx?.[i]?.ref ?? oldRef
      const where = `${tag}${String(pos).padStart(2, '0')}`
      if (f.type === 'C') {
        // A composite 004010 does not have at this position: named after its place (`CTB07`).
        const cref = ref && /^C\d{3}$/.test(ref) ? ref : where
        if (cref === where) notes.push(`${where}: composite new in 005010, no reference known`)
        const baseComp = base.composites[cref]
        const subs = (f.sub ?? []).map((sf, j) => {
          const sref = baseComp?.[j]?.split(' ')[1] ?? pyx?.[i]?.sub[j]?.ref
          const su: Usage = sf.req === 'M' ? 'M' : 'O'
          if (!sref) return `${su} - ${sf.type === 'R' ? 'R' : 'AN'} ${sf.min} ${sf.max}`
          return `${su} ${sized(sref, sf, `${where}-${j + 1}`)}`
        })
        out.composites[cref] = subs
        const rep = pyx?.[i]?.repeat ?? 1
        return `${usage} ${cref}${rep > 1 ? ` *${rep}` : ''}`
      }
      if (!ref || /^C\d{3}$/.test(ref)) {
        notes.push(`${where}: new in 005010, no reference known (bots ${f.type} ${f.min}/${f.max})`)
        return `${usage} - ${f.type === 'R' ? 'R' : f.type === 'DT' || f.type === 'TM' ? f.type : 'AN'} ${f.min} ${f.max}`
      }
      // bots types are AN (for AN and ID), R (for R and N), DT, TM: a different kind at this
      // position means 005010 moved elements, so the 004010 reference does not apply.
      const d = base.elements[ref] ?? DIFF_005010.elements[ref] ?? dataele[ref]
      const kind = d ? (d[0] === 'ID' ? 'AN' : /^N\d$/.test(d[0]) ? 'R' : d[0]) : f.type
      if (kind !== (/^N\d$/.test(f.type) ? 'R' : f.type)) {
        notes.push(`${where}: 004010 ${ref} (${d?.[0]}) does not fit bots ${f.type} ${f.min}/${f.max}: no reference`)
        return `${usage} - ${f.type} ${f.min} ${f.max}`
      }
      return `${usage} ${sized(ref, f, where)}`
    })
    out.segments[tag] = { e: uses, ...(rules?.length ? { r: rules } : {}) }
    // Ack code lists of the 005010 999 from pyx12 (717, 618, 620, 621, 715, 716).
    pyx?.forEach((p) => {
      if (p.codes.length && ['717', '618', '620', '621', '715', '716'].includes(p.ref)) out.codes[p.ref] = p.codes.join(' ')
    })
  }
  // 718/720/723 (997) are the 999 lists without their implementation (I) codes (X12.5 005010:
  // 618/620/621 = 718/720/723 + I codes); 479 and 143 stay the 004010 lists.
  const noI = (ref: string) => (out.codes[ref] ?? '').split(' ').filter((c) => c && !c.startsWith('I')).join(' ')
  out.codes['718'] = noI('618')
  out.codes['720'] = noI('620')
  out.codes['723'] = noI('621')
  for (const ref of ['479', '455']) if (base.codes[ref]) out.codes[ref] = base.codes[ref]
  // ST03 for every version (see build004010).
  if (!out.segments.ST.e[2]) out.segments.ST.e.push('O 1705')
  return { dict: out, notes }
}

// ---------------------------------------------------------------- cross-check table
function crossCheck(): unknown {
  const records = botsRecords(gitShow(BOTS, 'x12/4010/records004010.py'))
  const sets: Record<string, string[]> = {}
  const tags = new Set<string>()
  for (const id of Object.keys(SETS)) {
    if (id === '999') continue
    const t = collectTags(botsSet('4010', id), new Set())
    sets[id] = [...t].sort()
    for (const x of t) tags.add(x)
  }
  const segments: Record<string, Array<[string, number, number] | [string, Array<[string, number, number]>]>> = {}
  for (const tag of [...tags].sort()) {
    const f = records.get(tag)
    if (!f) continue
    segments[tag] = f.map((x) => (x.type === 'C' ? [x.req, (x.sub ?? []).map((s): [string, number, number] => [s.req, s.min, s.max])] : [x.req, x.min, x.max]))
  }
  return {
    comment: 'Second source for test/edi/x12/dictionary-crosscheck.test.ts; generated by scripts/gen-x12-dictionary.ts. sets004010: bots-edi/bots-grammars x12/4010 structures (segment tags per set); segments004010: bots records004010 ([M|C, min, max] per element position; min is 1 unless bots gives a fixed length); elements: azoner/pyx12 map/dataele.xml (X12 element dictionary as pyx12 carries it, 005010 lengths).',
    sources: [BOTS, PYX12].map((s) => ({ repo: s.repo, commit: s.commit, license: s.license, paths: s.paths })),
    sets004010: sets,
    segments004010: segments,
    elements: pyx12Elements(),
  }
}

// ---------------------------------------------------------------- write
function headerLines(version: string, sources: Source[], extra: string[]): string[] {
  return [
    `X12 ${version} dictionary data: GENERATED by scripts/gen-x12-dictionary.ts, do not edit.`,
    'Sources (facts of the published X12 standard as these projects carry them):',
    ...sources.map((s) => `- ${s.repo} @ ${s.commit} (${s.license}): ${s.paths.join(', ')}`),
    ...extra,
    'Format (x12-data.ts): elements ref → [type, min, max]; composites and segments list element',
    "uses 'U ref' (U = M/O/X) or 'U - type min max' (no reference known), '*n' = repeats;",
    'segments r = X12.6 syntax notes; sets body = [tag, usage, max] or [loop id, usage, max, children]',
    '(order = the position order of the published table, heading/detail/summary in one list).',
  ]
}

/** The version's data as four modules (scripts/x12-dictionary-files.ts). */
function writeTs(dir: string, version: string, dict: Dict, sources: Source[], extra: string[]): void {
  writeDictionary(dir, version, dict, headerLines(version, sources, extra))
}


/**
 * EdiEngine writes O for the segments of a loop after its trigger even where the table says M
 * (LQ in the LM loop, FA2 in FA1, AK5 in the 997 AK2 loop): where bots' 004010 grammar has the
 * same segment at the same path as mandatory, it is made M. Logged in the data header.
 */
const UPGRADED: string[] = []
function upgradeMandatory(nodes: Node[], bots: Map<string, string>, prefix: string, set: string): void {
  nodes.forEach((n, i) => {
    const key = `${prefix}${n[0]}`
    if (n.length === 4) return upgradeMandatory(n[3].slice(1), bots, `${key}/`, set)
    if (n[1] === 'O' && bots.get(key)?.startsWith('M ')) {
      n[1] = 'M'
      UPGRADED.push(`${set} ${key}`)
    }
  })
}

/** Paths `LOOP/LOOP/TAG` → `usage max` of a structure, for comparing two sources. */
export function structurePaths(nodes: Node[], prefix = '', out = new Map<string, string>()): Map<string, string> {
  for (const n of nodes) {
    const key = `${prefix}${n[0]}`
    if (n.length === 4) {
      out.set(`${key}[loop]`, `${n[1]} ${n[2]}`)
      structurePaths(n[3].slice(1), `${key}/`, out)
    } else if (!out.has(key)) out.set(key, `${n[1]} ${n[2]}`)
  }
  return out
}
if (process.env.X12_COMPARE) {
  for (const id of Object.keys(SETS)) {
    if (id === '999') continue
    const a = structurePaths(ediEngineSet(id))
    const b = structurePaths(botsSet('4010', id))
    for (const k of new Set([...a.keys(), ...b.keys()])) if (a.get(k) !== b.get(k)) console.log(id, k, 'EdiEngine', a.get(k), 'bots', b.get(k))
  }
}

// ---------------------------------------------------------------- main
const root = join(import.meta.dirname, '..')
const d4 = build004010()
writeTs(join(root, 'src/edi/dictionary/generated'), '004010', d4, [EDIENGINE], [
  'Usage X: an optional element named in one of the segment\'s syntax notes (EdiEngine writes O).',
  'EdiEngine types R2..R9 are written R (X12.6 has one decimal type R).',
  `Corrected where bots and pyx12 both give a longer length (CORRECTIONS_004010): ${Object.keys(CORRECTIONS_004010).join(', ')}.`,
  `Codes added on purpose (ADDED_CODES_004010, not 004010 facts): ${Object.entries(ADDED_CODES_004010).map(([r, c]) => `${r}: ${c.join(' ')}`).join('; ')} (our 997 writes them).`,
  'ST03 (1705) is added: it is 005010, but the reader checks every version\'s ST with one table.',
  'Syntax note positions are mapped from EdiEngine\'s component numbering back to elements (see',
  `elementNotes in the generator); ${new Set(DROPPED_NOTES).size} notes naming a component were dropped (the composites keep them).`,
  `Made M where bots-edi/bots-grammars 004010 has them mandatory (EdiEngine writes O): ${UPGRADED.join(', ')}.`,
])
const { dict: d5, notes } = build005010(d4)
for (const ref of ['353', '92', '587', '668', '735', '736', '88']) delete d5.codes[ref]
writeTs(join(root, 'src/edi/dictionary/generated'), '005010', d5, [BOTS, EDIENGINE, PYX12], [
  'DERIVED: set structures and element positions/max lengths from bots 005010; element references,',
  'types and syntax notes from the 004010 data at the same position; IK3/IK4/IK5/CTX references and',
  'the 717/618/620/621/715/716 code lists from pyx12 999.5010.xml; 718/720/723 = those lists without',
  'their I codes; 479/455 are the 004010 lists. Documented differences applied (generator',
  'DIFF_005010): N407 = 1715, AK103 = 480, AK203 = 1705, N4 notes E0207 C0605 C0704.',
  'Business code lists (353, 92, 587, 668, 735, 736, 88) are NOT checked in 005010: no 005010 source.',
  'Changes found against 004010 (max lengths; `ref@max` is that element at its 005010 length):',
  ...[...new Set(notes)].map((n) => `  ${n}`),
])
const cc = join(root, 'test/edi/x12/x12-crosscheck.json')
mkdirSync(dirname(cc), { recursive: true })
writeFileSync(cc, `${JSON.stringify(crossCheck(), null, 1)}\n`)
console.log(`004010: ${Object.keys(d4.segments).length} segments, ${Object.keys(d4.elements).length} elements; 005010: ${Object.keys(d5.segments).length} segments, ${Object.keys(d5.elements).length} elements, ${notes.length} notes`)
