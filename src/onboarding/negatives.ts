/**
 * Negative cases generated from a good sample: each one breaks exactly one thing the gateway
 * must catch, for one transaction at a time (the interchange is rebuilt around that single
 * ST/UNH, so a case's findings belong to it alone).
 *
 * How the bytes are made: every case edits the PARSED segments and re-serialises them with the
 * engines' own writers (writeX12 / writeEdifactText), which recompute SE01/UNT and the trailers.
 * The one exception is the bad control count, which must survive the writer: it is a byte edit
 * of the writer's output (SE01 / UNT 0074 plus one), on the line the writer emitted for it.
 */
import type { MatchingConfig } from '../config/partner.ts'
import { encodeText } from '../edi/edifact/charset.ts'
import { writeEdifactText } from '../edi/edifact/write.ts'
import type { Element, ParsedGroup, ParsedInterchange, ParsedTransaction, Segment } from '../edi/types.ts'
import { writeX12 } from '../edi/x12/write.ts'
import { add, mul, round } from '../lib/decimal.ts'
import { gs1CheckDigit } from '../matching/index.ts'

export const NEGATIVE_KINDS = ['missing_segment', 'control_count', 'wrong_qualifier', 'unknown_item', 'qty_tolerance'] as const
export type NegativeKind = (typeof NEGATIVE_KINDS)[number]

export const NEGATIVE_TITLES: Record<NegativeKind, string> = {
  missing_segment: 'missing mandatory segment',
  control_count: 'bad control count',
  wrong_qualifier: 'wrong qualifier',
  unknown_item: 'unknown item',
  qty_tolerance: 'quantity off tolerance',
}

/** The finding codes that count as "caught" for each kind. */
export const EXPECTED: Record<NegativeKind, string[]> = {
  missing_segment: ['segment_missing'],
  control_count: ['transaction_count_mismatch'],
  // Dictionaries with a code list for N101/NAD 3035 reject it; otherwise the map's role lookup does.
  wrong_qualifier: ['element_invalid_code', 'transform_failed', 'canonical_invalid'],
  // Line number still pointing at a PO line → item_substituted; no usable line reference → item_unknown.
  unknown_item: ['item_unknown', 'item_substituted', 'line_unknown'],
  qty_tolerance: ['qty_out_of_tolerance', 'qty_over_remaining', 'invoice_qty_over_shipped'],
}

export interface NegativeCase {
  kind: NegativeKind
  docType: string
  controlNumber: string
  /** What was changed, in words, with the segment. */
  mutation: string
  expect: string[]
  /** A catching finding must point at this segment tag (its `at`), when set. */
  atSegment?: string
  /** Matching rules need ERP data to fire. */
  needsErp: boolean
  bytes: Buffer
}

export type Generated = NegativeCase | { kind: NegativeKind; docType: string; controlNumber: string; notApplicable: string }

/** The segment each document type cannot do without (X12 table 1 header / EDIFACT BGM). */
const MANDATORY: Record<string, string> = { '850': 'BEG', '855': 'BAK', '856': 'BSN', '810': 'BIG', '860': 'BCH', '865': 'BCA' }
/** X12 item segment → index of the first qualifier of its ID pairs (PO106, IT106, LIN02). */
const X12_ITEM: Record<string, number> = { PO1: 5, IT1: 5, LIN: 1 }
/** X12 quantity: 855 acknowledged ACK02, 856 shipped SN102, 810 invoiced IT102, 850 ordered PO102. */
const X12_QTY: Record<string, string> = { '855': 'ACK', '856': 'SN1', '810': 'IT1', '850': 'PO1' }
/** EDIFACT QTY 6063 the matching compares, by preference: ORDRSP 113 (to be delivered, else 21), DESADV 12, INVOIC 47. */
const EDIFACT_QTY: Record<string, string[]> = { ORDRSP: ['113', '21'], DESADV: ['12'], INVOIC: ['47'], ORDERS: ['21'] }
const GTIN_QUALIFIERS = new Set(['UP', 'UK', 'EN', 'UA', 'SRV'])

const clone = (segs: Segment[]): Segment[] => segs.map((s) => ({ ...s, elements: s.elements.map((e) => [...e]) }))
const line = (s: Segment) => `line ${s.pos.line}`

/** A valid GTIN of the same length that no PO carries (all 9s, GS1 check digit). */
function otherGtin(v: string): string {
  const n = Math.max(8, v.length)
  const body = '9'.repeat(n - 1)
  return body + gs1CheckDigit(body)
}

/** Twice the most the profile's tolerance allows, so no sensible tolerance accepts it. */
export function offTolerance(qty: string, cfg: MatchingConfig['qty']): string {
  const factor = add('2', mul(cfg.overPct, '0.02'))
  const extra = cfg.overAbs ? mul(cfg.overAbs, '2') : '0'
  return round(add(add(mul(qty, factor), extra), '1'), 0)
}

interface Mutated {
  segments: Segment[]
  mutation: string
}

function mutate(kind: NegativeKind, tx: ParsedTransaction, standard: 'x12' | 'edifact', qtyCfg: MatchingConfig['qty']): Mutated | string {
  const segs = clone(tx.segments)
  const find = (tag: string, from = 0) => segs.findIndex((s, i) => i >= from && s.tag === tag)
  switch (kind) {
    case 'missing_segment': {
      const tag = standard === 'edifact' ? 'BGM' : MANDATORY[tx.type]
      const i = tag ? find(tag) : -1
      if (i < 0) return `no known mandatory segment for ${tx.type} in the sample`
      segs.splice(i, 1)
      return { segments: segs, mutation: `removed ${tag} (${line(tx.segments[i])})` }
    }
    case 'control_count':
      return { segments: segs, mutation: `${standard === 'x12' ? 'SE01' : 'UNT 0074'} segment count increased by one` }
    case 'wrong_qualifier': {
      const tag = standard === 'x12' ? 'N1' : 'NAD'
      const i = find(tag)
      if (i < 0) return `the sample has no ${tag} segment`
      const bad = standard === 'x12' ? 'ZZ' : 'XX'
      const before = segs[i].elements[0]?.[0] ?? ''
      segs[i].elements[0] = [bad]
      return { segments: segs, mutation: `${tag} ${standard === 'x12' ? 'N101' : '3035'} ${before} → ${bad} (${line(tx.segments[i])})` }
    }
    case 'unknown_item':
      return standard === 'x12' ? unknownItemX12(segs) : unknownItemEdifact(segs)
    case 'qty_tolerance': {
      if (standard === 'x12') {
        const tag = X12_QTY[tx.type]
        const i = tag ? find(tag) : -1
        const q = i >= 0 ? segs[i].elements[1]?.[0] : undefined
        if (!q) return `the sample has no ${tag ?? 'quantity'} segment with a quantity`
        const v = offTolerance(q, qtyCfg)
        segs[i].elements[1] = [v]
        return { segments: segs, mutation: `${tag}02 quantity ${q} → ${v} (${line(tx.segments[i])})` }
      }
      const lin = find('LIN')
      const i = lin >= 0 ? edifactQty(segs, lin, tx.type) : -1
      const q = i >= 0 ? segs[i].elements[0]?.[1] : undefined
      if (!q) return `the sample has no QTY ${(EDIFACT_QTY[tx.type] ?? []).join('/')} after a LIN`
      const v = offTolerance(q, qtyCfg)
      segs[i].elements[0][1] = v
      return { segments: segs, mutation: `QTY C186 6060 ${q} → ${v} (${line(tx.segments[i])})` }
    }
  }
}

/** The first item's QTY with the preferred qualifier (within that LIN group). */
function edifactQty(segs: Segment[], lin: number, type: string): number {
  let end = segs.findIndex((s, k) => k > lin && (s.tag === 'LIN' || s.tag === 'UNS' || s.tag === 'UNT'))
  if (end < 0) end = segs.length
  const group = segs.slice(lin, end)
  for (const q of EDIFACT_QTY[type] ?? []) {
    const k = group.findIndex((s) => s.tag === 'QTY' && s.elements[0]?.[0] === q)
    if (k >= 0) return lin + k
  }
  return -1
}

function unknownItemX12(segs: Segment[]): Mutated | string {
  const i = segs.findIndex((s) => s.tag in X12_ITEM && s.elements.length > X12_ITEM[s.tag] + 1)
  if (i < 0) return 'the sample has no PO1/IT1/LIN with item identifiers'
  const s = segs[i]
  const changed: string[] = []
  for (let k = X12_ITEM[s.tag]; k + 1 < s.elements.length; k += 2) {
    const q = s.elements[k]?.[0]
    const v = s.elements[k + 1]?.[0]
    if (!q || !v) continue
    const nv = GTIN_QUALIFIERS.has(q) ? otherGtin(v) : `UNKNOWN-${v}`
    s.elements[k + 1] = [nv]
    changed.push(`${q} ${v} → ${nv}`)
  }
  if (!changed.length) return `${s.tag} carries no item identifier`
  // LIN01 (856) is only a reference to the PO line: without it the item ids decide (item_unknown).
  if (s.tag === 'LIN' && s.elements[0]?.[0]) s.elements[0] = ['']
  return { segments: segs, mutation: `${s.tag} ${changed.join(', ')} (line ${s.pos.line})` }
}

function unknownItemEdifact(segs: Segment[]): Mutated | string {
  const i = segs.findIndex((s) => s.tag === 'LIN')
  if (i < 0) return 'the sample has no LIN'
  const changed: string[] = []
  const lin = segs[i]
  const c212 = lin.elements[2]
  if (c212?.[0]) {
    const nv = /^\d+$/.test(c212[0]) ? otherGtin(c212[0]) : `UNKNOWN-${c212[0]}`
    changed.push(`LIN C212 ${c212[0]} → ${nv}`)
    c212[0] = nv
  }
  for (let k = i + 1; k < segs.length && segs[k].tag === 'PIA'; k++) {
    segs[k].elements.slice(1).forEach((el: Element) => {
      if (!el[0]) return
      const nv = `UNKNOWN-${el[0]}`
      changed.push(`PIA ${el[1] ?? ''} ${el[0]} → ${nv}`)
      el[0] = nv
    })
  }
  if (!changed.length) return 'LIN/PIA carry no item identifier'
  return { segments: segs, mutation: `${changed.join(', ')} (line ${lin.pos.line})` }
}

/** GS04 wants CCYYMMDD; the parsed ISA date is YYMMDD. */
const ccyy = (d: string | undefined) => (!d ? '20000101' : d.length === 8 ? d : `20${d}`)

function serialiseX12(ic: ParsedInterchange, g: ParsedGroup, tx: ParsedTransaction, segments: Segment[]): string {
  const d = ic.delimiters
  const out = writeX12({
    sender: ic.sender, receiver: ic.receiver, controlNumber: ic.controlNumber, date: ic.date ?? '000101', time: ic.time ?? '0000',
    version: ic.syntax, test: ic.test, ackRequested: ic.ackRequested,
    separators: { element: d.element, component: d.component, segment: d.segment, repetition: d.repetition, lineBreak: '\n' },
    groups: [{
      functionalId: g.type, senderId: g.senderId ?? ic.sender.id, receiverId: g.receiverId ?? ic.receiver.id,
      date: ccyy(ic.date), time: ic.time ?? '0000', controlNumber: g.controlNumber, version: g.version,
      transactions: [{ type: tx.type, controlNumber: tx.controlNumber, implementation: tx.implementation, segments }],
    }],
  })
  if (!out.ok) throw new Error(`cannot re-serialise ${tx.type} ${tx.controlNumber}: ${out.issues.map((i) => i.message).join('; ')}`)
  return out.text
}

function serialiseEdifact(ic: ParsedInterchange, tx: ParsedTransaction, segments: Segment[]): string {
  const [id, version = '3'] = ic.syntax.split(':')
  return writeEdifactText(
    {
      syntax: { id, version }, sender: ic.sender, receiver: ic.receiver, date: ic.date ?? '000101', time: ic.time ?? '0000',
      controlNumber: ic.controlNumber, ackRequested: ic.ackRequested, test: ic.test,
      messages: [{ ref: tx.controlNumber, type: tx.type, version: tx.version, association: tx.implementation, segments: segments.filter((s) => s.tag !== 'UNH' && s.tag !== 'UNT') }],
    },
    { delimiters: ic.delimiters, lineBreak: '\n' }
  )
}

/** SE01 / UNT 0074 plus one: a byte edit on the writer's line for that trailer. */
function bumpCount(text: string, standard: 'x12' | 'edifact', el: string): string {
  const tag = standard === 'x12' ? 'SE' : 'UNT'
  const lines = text.split('\n')
  const i = lines.findIndex((l) => l.startsWith(tag + el))
  const [, count, ...rest] = lines[i].split(el)
  lines[i] = [tag, String(Number(count) + 1), ...rest].join(el)
  return lines.join('\n')
}

/** All five cases for every accepted transaction of a parsed sample. */
export function generateNegatives(ics: ParsedInterchange[], qtyCfg: MatchingConfig['qty']): Generated[] {
  const out: Generated[] = []
  for (const ic of ics) {
    for (const g of ic.groups) {
      for (const tx of g.transactions) {
        if (tx.status === 'rejected') continue
        for (const kind of NEGATIVE_KINDS) {
          const base = { kind, docType: tx.type, controlNumber: tx.controlNumber }
          const m = mutate(kind, tx, ic.standard, qtyCfg)
          if (typeof m === 'string') {
            out.push({ ...base, notApplicable: m })
            continue
          }
          let text = ic.standard === 'x12' ? serialiseX12(ic, g, tx, m.segments) : serialiseEdifact(ic, tx, m.segments)
          if (kind === 'control_count') text = bumpCount(text, ic.standard, ic.delimiters.element)
          const atSegment = kind === 'missing_segment' ? (ic.standard === 'x12' ? MANDATORY[tx.type] : 'BGM')
            : kind === 'control_count' ? (ic.standard === 'x12' ? 'SE' : 'UNT')
            : kind === 'wrong_qualifier' ? (ic.standard === 'x12' ? 'N1' : 'NAD') : undefined
          out.push({
            ...base, mutation: m.mutation, expect: EXPECTED[kind], atSegment,
            needsErp: kind === 'unknown_item' || kind === 'qty_tolerance',
            bytes: ic.standard === 'x12' ? Buffer.from(text, 'latin1') : encodeText(text, ic.syntax.split(':')[0]),
          })
        }
      }
    }
  }
  return out
}
