/**
 * Every EDIFACT file of ../shared/corpus (SOURCES.md, EDIFACT part) through the parser, the
 * summary, the CONTRL builder and the chunked reader. Asserts the facts SOURCES.md lists: UNA
 * separators, release characters, UNOC/UNOE bytes, decimal commas, the UNG group and the
 * count/reference mismatches. Skips when the corpus is absent (SHARED_DIR overrides the path).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildContrl, createEdifactReader, parseEdifact, summarizeEdifact } from '../../src/edi/edifact/index.ts'
import type { ParsedInterchange, ParseResult, ParsedTransaction } from '../../src/edi/types.ts'

const repoRoot = resolve(import.meta.dirname, '../..')
const dir = join(process.env.SHARED_DIR ?? resolve(repoRoot, '../shared'), 'corpus/edifact')
const present = existsSync(dir)
if (!present) console.warn(`EDIFACT corpus not found at ${dir}: skipping (set SHARED_DIR)`)

const files = present ? readdirSync(dir).sort() : []
const load = (f: string) => readFileSync(join(dir, f))
const parse = (f: string) => parseEdifact(load(f))
const txs = (r: ParseResult): ParsedTransaction[] => r.interchanges.flatMap((x) => x.groups.flatMap((g) => g.transactions))
const issuesOf = (r: ParseResult) => [...r.issues, ...r.interchanges.flatMap((x) => [...x.issues, ...x.groups.flatMap((g) => [...g.issues, ...g.transactions.flatMap((t) => t.issues)])])]
const codes = (r: ParseResult) => issuesOf(r).map((i) => i.code)
const seg = (r: ParseResult, tag: string, n = 0) => txs(r)[0].segments.filter((s) => s.tag === tag)[n]

function inPieces(buf: Buffer, cuts: number[]): ParseResult {
  const interchanges: ParsedInterchange[] = []
  const rd = createEdifactReader({ onInterchange: (x) => interchanges.push(x) }, { retain: true })
  let from = 0
  for (const c of [...cuts, buf.length]) {
    rd.push(buf.subarray(from, c))
    from = c
  }
  const out = rd.end()
  return { standard: 'edifact', interchanges, issues: out.issues, unreadable: out.unreadable }
}

describe.skipIf(!present)('EDIFACT corpus', () => {
  it('holds the 16 files SOURCES.md lists', () => {
    expect(files).toHaveLength(16)
  })

  it.each(files)('%s: parses without crashing, one interchange, summary agrees, CONTRL builds', (f) => {
    const buf = load(f)
    const r = parseEdifact(buf)
    expect(r.unreadable).toBe(false)
    expect(r.issues.filter((i) => i.severity === 'error')).toEqual([])
    expect(r.interchanges).toHaveLength(1)
    expect(txs(r)).toHaveLength(1)
    const s = summarizeEdifact(buf)
    expect(s.transactions).toBe(1)
    expect(s.byType).toEqual({ [txs(r)[0].type]: 1 })
    const contrl = buildContrl(r.interchanges[0], { reference: '1', now: new Date(0) })
    expect(txs(parseEdifact(contrl.bytes))[0].type).toBe('CONTRL')
  })

  it('non-default UNA separators: invoic_d97b_una reads like invoic_d97b', () => {
    const una = parse('xlate__staedi__invoic_d97b_una.edi')
    expect(una.interchanges[0].delimiters).toMatchObject({ component: '=', element: '*', segment: '~', release: '?' })
    const plain = parse('xlate__staedi__invoic_d97b.edi')
    // Same message; only the supplier name differs (BÜTTNER vs GENERAL) and the released `?4`.
    expect(txs(una)[0].segments.length).toBe(txs(plain)[0].segments.length)
    expect(seg(una, 'LIN').elements).toEqual(seg(plain, 'LIN').elements)
    expect(una.interchanges[0].receiver.id).toBe('006415160') // `006?415160`: the release char is dropped
  })

  it('release characters: A?+A in example_order_ok and the escapes in ORDRSP D10A', () => {
    const r = parse('php-edifact__edifact__example_order_ok.edi')
    expect(seg(r, 'NAD').elements[3][0]).toMatch(/^A\+A K/)
    const released = txs(parse('indice-co__EDI.Net__edifact.ORDRSP.edi'))[0].segments.flatMap((s) => s.elements.flat()).filter((v) => /[+:'?]/.test(v))
    expect(released.length).toBeGreaterThan(0)
  })

  it('UNOC Latin-1 and UNOE Cyrillic bytes decode; UTF-8 under UNOC is flagged and decoded as UTF-8', () => {
    const unoc = parse('BerryWorksSoftware__edireader__ORDERS-D01B-UNOC.edi')
    expect(seg(unoc, 'BGM').elements[0][3]).toBe('Lörém ïpsü')
    expect(codes(unoc)).not.toContain('charset_violation')
    const unoe = parse('BerryWorksSoftware__edireader__ORDERS-D01B-UNOE.edi')
    expect(seg(unoe, 'BGM').elements[0][3]).toMatch(/^[\u0400-\u04ff ]+$/)
    expect(codes(unoe)).not.toContain('charset_violation')
    const utf8 = parse('php-edifact__edifact__example_utf8.edi')
    expect(seg(utf8, 'IMD').elements[2][3]).toBe('MUNCIË THE MIDDLE')
    expect(issuesOf(utf8).find((i) => i.code === 'charset_violation')).toMatchObject({ severity: 'warning' })
    // UNOA declared, UTF-8 bytes present (BÜTTNER).
    const unoa = parse('xlate__staedi__invoic_d97b.edi')
    expect(seg(unoa, 'NAD', 1).elements[3][0]).toBe('BÜTTNER WIDGET COMPANY')
    expect(codes(unoa)).toContain('charset_violation')
  })

  it('decimal commas are kept and reported in the delimiters', () => {
    const r = parse('xlate__staedi__invoic_d93a_una.edi')
    expect(r.interchanges[0].delimiters.decimal).toBe(',')
    expect(seg(r, 'MOA', 1).elements[0]).toEqual(['66', '19,9'])
    expect(issuesOf(r).filter((i) => i.code === 'element_invalid_numeric')).toEqual([])
    expect(parse('nerdocs__pydifact__order.edi').interchanges[0].delimiters.decimal).toBe(',')
  })

  it('the UNG group of orders-with-group, and its UNT=21 vs 18 segments', () => {
    const r = parse('xlate__staedi__orders-with-group.edi')
    const g = r.interchanges[0].groups[0]
    expect(g).toMatchObject({ explicit: true, type: 'ORDERS', controlNumber: '1', version: 'D96A', issues: [] })
    const t = g.transactions[0]
    expect(t).toMatchObject({ version: 'D96B', implementation: 'EAN008B', status: 'rejected' })
    expect(t.issues.find((i) => i.code === 'transaction_count_mismatch')).toMatchObject({ value: '21' })
    expect(t.issues.find((i) => i.code === 'transaction_count_mismatch')!.message).toContain('18')
    expect(r.interchanges[0]).toMatchObject({ test: true })
  })

  it('UNZ=2 but 1 message in DespatchAdvice; the DESADV itself is accepted', () => {
    const r = parse('EdiFabric__EDIFACT.NET__DespatchAdvice.txt')
    expect(r.interchanges[0].issues.find((i) => i.code === 'interchange_count_mismatch')).toMatchObject({ value: '2' })
    expect(txs(r)[0]).toMatchObject({ type: 'DESADV', implementation: 'EAN007', status: 'accepted' })
    expect(r.interchanges[0].span.start).toBe(3) // after the BOM
  })

  it('ORDRSP D10A: UNT count and reference mismatch, UNZ reference mismatch', () => {
    const r = parse('indice-co__EDI.Net__edifact.ORDRSP.edi')
    const t = txs(r)[0]
    expect(t.issues.find((i) => i.code === 'transaction_count_mismatch')).toMatchObject({ value: '17' })
    expect(t.issues.find((i) => i.code === 'transaction_control_mismatch')).toMatchObject({ value: '9IM20YSP9' })
    expect(r.interchanges[0].issues.find((i) => i.code === 'interchange_control_mismatch')).toMatchObject({ value: 'DAREFNR00001' })
    expect(t.issues.find((i) => i.code === 'dictionary_substituted')).toMatchObject({ value: 'D01B' })
  })

  it('NEGATIVE invoic_d97b_bad: bad qualifier, non-numeric QTY, `$` in price, duplicated UNS', () => {
    const r = parse('xlate__staedi__invoic_d97b_bad.edi')
    const t = txs(r)[0]
    expect(t.status).toBe('rejected')
    const found = t.issues.map((i) => `${i.code}:${i.value ?? i.segment}`)
    expect(found).toEqual(expect.arrayContaining(['element_too_long:BYZZ', 'element_invalid_numeric:1020A', 'element_invalid_numeric:$1.179', 'segment_over_max:UNS', 'charset_violation:$']))
    const clean = txs(parse('xlate__staedi__invoic_d97b.edi'))[0]
    expect(clean.issues.filter((i) => i.severity === 'error')).toEqual([])
  })

  it('good files are accepted (only warnings: old syntax versions, substituted dictionaries, charset)', () => {
    for (const f of ['EdiFabric__EDIFACT.NET__PurchaseOrder.txt', 'EdiFabric__EDIFACT.NET__PurchaseOrderResponse.txt', 'nerdocs__pydifact__invoice1.edi', 'xlate__staedi__invoic_d97b_una.edi']) {
      expect(txs(parse(f))[0].status, f).not.toBe('rejected')
    }
    // example_order_ok (ORDERS D:01B) writes four-letter measure units (GBND, PACK, SCHA) in
    // QTY 6411, which is an..3 in UNTDID D.01B (both dictionary sources agree). The hand-written
    // dictionary had widened 6411 to an..8 for this file; the generated one follows the
    // directory: those are its only findings.
    const ok = txs(parse('php-edifact__edifact__example_order_ok.edi'))[0]
    expect(new Set(ok.issues.filter((i) => i.severity === 'error').map((i) => `${i.code} ${i.segment} ${i.ref} ${i.value}`))).toEqual(
      new Set(['element_too_long QTY 6411 GBND', 'element_too_long QTY 6411 PACK', 'element_too_long QTY 6411 SCHA'])
    )
    // pydifact's order.edi has no UNZ at all.
    expect(codes(parse('nerdocs__pydifact__order.edi'))).toContain('interchange_trailer_missing')
  })

  // Every split position (two pieces) of several files, plus byte-at-a-time for one.
  const SPLIT = ['xlate__staedi__invoic_d97b_una.edi', 'EdiFabric__EDIFACT.NET__DespatchAdvice.txt', 'php-edifact__edifact__example_utf8.edi', 'nerdocs__pydifact__order.edi', 'indice-co__EDI.Net__edifact.ORDRSP.edi']
  it.each(SPLIT)('%s: identical result for a chunk boundary at every byte', (f) => {
    const buf = load(f)
    const whole = JSON.stringify(parseEdifact(buf))
    for (let i = 0; i <= buf.length; i++) {
      const got = JSON.stringify(inPieces(buf, [i]))
      if (got !== whole) expect(got, `${f} cut at ${i}`).toBe(whole)
    }
    expect(JSON.stringify(inPieces(buf, [...buf.keys()].slice(1)))).toBe(whole)
  })
})
