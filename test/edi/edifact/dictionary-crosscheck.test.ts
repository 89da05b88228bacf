/**
 * The generated EDIFACT dictionaries (src/edi/dictionary/edifact-data-*.ts, from
 * php-edifact/edifact-mapping) against a second, independent source: the BizTalk EDIFACT
 * schemas of microsoft/Integration, extracted into crosscheck/biztalk-*.json by the same
 * generator (scripts/gen-edifact-dictionary.ts). Every segment table entry, every element
 * (id, status, representation) and every enforced code list must agree, except the differences
 * listed in EXCEPTIONS below, each with the reason it is one.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DIRECTORIES } from '../../../src/edi/dictionary/edifact-index.ts'
import type { DirectoryData } from '../../../src/edi/dictionary/edifact-data.ts'
import { structure, type StructNode } from '../../../src/edi/dictionary/edifact-dsl.ts'
import { EXCEPTIONS } from './crosscheck/exceptions.ts'

interface CrossCheck {
  version: string
  source: string
  messages: Record<string, string>
  segments: Record<string, string>
  codes: Record<string, string>
}

const load = (v: string): CrossCheck => JSON.parse(readFileSync(join(import.meta.dirname, 'crosscheck', `biztalk-${v.toLowerCase()}.json`), 'utf8'))

/** `key → value` for every entry of a segment table: `ORDERS SG25/QTY#1 → C99`. */
function flattenTable(msg: string, nodes: StructNode[], path = '', out = new Map<string, string>()): Map<string, string> {
  const seen = new Map<string, number>()
  for (const n of nodes) {
    const k = n.kind === 'seg' ? n.tag : n.id
    const i = (seen.get(k) ?? 0) + 1
    seen.set(k, i)
    if (n.kind === 'seg') out.set(`${msg} ${path}${n.tag}#${i}`, `${n.req}${n.max}`)
    else {
      out.set(`${msg} ${path}${n.id}(${n.tag})`, `${n.req}${n.max}`)
      flattenTable(msg, n.children.slice(1), `${path}${n.id}/`, out)
    }
  }
  return out
}

/** Segment notation (composites inline or by reference) → `BGM 1.2 → 1131 C an..3`. */
function flattenSegment(tag: string, spec: string, composites: Record<string, string> | undefined, out: Map<string, string>): void {
  spec.split(';').forEach((part, e) => {
    const p = part.trim()
    const inline = /^(\w+) ([MC]) \[(.*)\]$/.exec(p)
    const byRef = /^([A-Z]\w{3}) ([MC])$/.exec(p)
    if (inline || byRef) {
      const m = (inline ?? byRef)!
      out.set(`${tag} ${e + 1}`, `${m[1]} ${m[2]}`)
      const comps = inline ? inline[3] : composites![m[1]]
      comps.split(',').forEach((c, k) => out.set(`${tag} ${e + 1}.${k + 1}`, c.trim()))
    } else out.set(`${tag} ${e + 1}`, p)
  })
}

/**
 * Values agree when equal; a coded element of the second source (`id`: its XSD gives the code
 * list, not the representation) agrees with any representation of the same id and status.
 */
function agree(ours: string, theirs: string): boolean {
  if (ours === theirs) return true
  const a = ours.split(' ')
  const b = theirs.split(' ')
  return b[2] === 'id' && a.length === 3 && a[0] === b[0] && a[1] === b[1]
}

function disagreements(d: DirectoryData, cc: CrossCheck): string[] {
  const out: string[] = []
  const cmp = (what: string, ours: Map<string, string>, theirs: Map<string, string>) => {
    for (const [k, v] of ours) {
      const t = theirs.get(k)
      if (t === undefined) out.push(`${d.version} ${what} ${k}: ${v} | absent`)
      else if (!agree(v, t)) out.push(`${d.version} ${what} ${k}: ${v} | ${t}`)
    }
    for (const [k, t] of theirs) if (!ours.has(k)) out.push(`${d.version} ${what} ${k}: absent | ${t}`)
  }
  for (const m of Object.keys({ ...d.messages, ...cc.messages })) {
    const a = d.messages[m] ? flattenTable(m, structure(d.messages[m])) : new Map()
    const b = cc.messages[m] ? flattenTable(m, structure(cc.messages[m])) : new Map()
    cmp('table', a, b)
  }
  const a = new Map<string, string>()
  const b = new Map<string, string>()
  for (const [t, s] of Object.entries(d.segments)) flattenSegment(t, s, d.composites, a)
  for (const [t, s] of Object.entries(cc.segments)) flattenSegment(t, s, undefined, b)
  cmp('segment', a, b)
  for (const [id, list] of Object.entries(d.codes)) {
    const ours = new Set(list.split(' '))
    const theirs = new Set((cc.codes[id] ?? '').split(' ').filter(Boolean))
    for (const c of ours) if (!theirs.has(c)) out.push(`${d.version} code ${id}: ${c} | absent`)
    for (const c of theirs) if (!ours.has(c)) out.push(`${d.version} code ${id}: absent | ${c}`)
  }
  return out
}

describe('generated EDIFACT dictionaries vs the BizTalk schemas', () => {
  for (const v of ['D96A', 'D01B']) {
    it(`${v}: segment tables, elements and code lists agree (exceptions listed and explained)`, () => {
      const d = DIRECTORIES.find((x) => x.version === v)!
      const cc = load(v)
      expect(Object.keys(cc.messages).sort()).toEqual(Object.keys(d.messages).sort())
      const found = disagreements(d, cc)
      const unexplained = found.filter((f) => !EXCEPTIONS.some((e) => e.match.test(f)))
      expect(unexplained).toEqual([])
      // An exception that matches nothing any more is stale: remove it.
      const stale = EXCEPTIONS.filter((e) => e.version === v && !found.some((f) => e.match.test(f)))
      expect(stale.map((e) => String(e.match))).toEqual([])
    })
  }

  it('the cross-check sees a difference when there is one', () => {
    const d = DIRECTORIES.find((x) => x.version === 'D96A')!
    const changed: DirectoryData = { ...d, messages: { ...d.messages, ORDERS: d.messages.ORDERS.replace('DTM M35', 'DTM M36') } }
    expect(disagreements(changed, load('D96A'))).toContain('D96A table ORDERS DTM#1: M36 | M35')
  })
})
