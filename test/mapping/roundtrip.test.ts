/**
 * Round trip per document type and version: canonical → outbound map → X12/EDIFACT writer →
 * parser → inbound map → the same canonical document (provenance aside). Inputs are the golden
 * fixtures' canonical documents, so the data is realistic and internally consistent.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { CanonicalDoc } from '../../src/canonical/index.ts'
import { parseX12, writeX12 } from '../../src/edi/x12/index.ts'
import { parseEdifact, writeEdifact } from '../../src/edi/edifact/index.ts'
import { runInbound, runOutbound } from '../../src/mapping/index.ts'
import { fixturesDir, maps } from './fixture-cases.ts'

const load = (f: string) => JSON.parse(readFileSync(join(fixturesDir, f), 'utf8')) as CanonicalDoc
const docs: Record<string, CanonicalDoc> = {
  '850': load('demo-x12-supplier/850.po-4500012345.canonical.json'),
  '855': load('demo-x12-supplier/855-po-4500012345.expected.json'),
  '856': load('demo-x12-supplier/856-asn-20250305-01.expected.json'),
  '810': load('demo-x12-supplier/810-inv-7781.expected.json'),
  ORDERS: load('demo-edifact-supplier/ORDERS.po-4500012346.canonical.json'),
  ORDRSP: load('demo-edifact-supplier/ordrsp-po-4500012346.expected.json'),
  DESADV: load('demo-edifact-supplier/desadv-des-88001.expected.json'),
  INVOIC: load('demo-edifact-supplier/invoic-inv-e-5001.expected.json'),
}
const GS01: Record<string, string> = { '850': 'PO', '855': 'PR', '856': 'SH', '810': 'IN' }

function bare(doc: CanonicalDoc): unknown {
  const { provenance: _p, ...rest } = doc
  return rest
}

function x12Bytes(docType: string, version: string, body: { tag: string; elements: string[][] }[]): Buffer {
  const id = (v: string) => ({ qualifier: 'ZZ', id: v })
  const w = writeX12({
    sender: id('OURCO'),
    receiver: id('DEMOSUPPLY'),
    controlNumber: 1,
    date: '250301',
    time: '1200',
    version: version === '005010' ? '00501' : '00401',
    test: false,
    separators: { element: '*', component: '>', segment: '~', repetition: version === '005010' ? '^' : undefined },
    groups: [
      {
        functionalId: GS01[docType],
        senderId: 'OURCO',
        receiverId: 'DEMOSUPPLY',
        date: '20250301',
        time: '1200',
        controlNumber: '1',
        version,
        transactions: [{ type: docType, controlNumber: '0001', segments: body }],
      },
    ],
  })
  if (!w.ok) throw new Error(JSON.stringify(w.issues))
  return Buffer.from(w.text, 'latin1')
}

function edifactBytes(docType: string, version: string, body: { tag: string; elements: string[][] }[]): Buffer {
  return writeEdifact({
    syntax: { id: 'UNOC', version: '3' },
    sender: { qualifier: '14', id: '5400000000003' },
    receiver: { qualifier: '14', id: '5412345000013' },
    date: '250301',
    time: '1200',
    controlNumber: 'RT1',
    messages: [{ ref: '1', type: docType, version, agency: 'UN', association: version === 'D01B' ? 'EAN010' : 'EAN008', segments: body }],
  })
}

const cases = [
  ...['004010', '005010'].flatMap((v) => ['850', '855', '856', '810'].map((d) => ({ standard: 'x12', version: v, docType: d }))),
  ...['D96A', 'D01B'].flatMap((v) => ['ORDERS', 'ORDRSP', 'DESADV', 'INVOIC'].map((d) => ({ standard: 'edifact', version: v, docType: d }))),
]

describe('round trip: canonical → segments → writer → parser → canonical', () => {
  for (const c of cases) {
    it(`${c.standard} ${c.version} ${c.docType}`, () => {
      const out = maps().get(`${c.standard}-${c.version}/${c.docType}.out`)!
      const inn = maps().get(`${c.standard}-${c.version}/${c.docType}.in`)!
      const original = docs[c.docType]
      const segs = runOutbound(out, original)
      if (!segs.ok) throw new Error(JSON.stringify(segs.issues))
      const bytes = c.standard === 'x12' ? x12Bytes(c.docType, c.version, segs.segments) : edifactBytes(c.docType, c.version, segs.segments)
      const parsed = c.standard === 'x12' ? parseX12(bytes) : parseEdifact(bytes)
      const tx = parsed.interchanges[0].groups[0].transactions[0]
      expect(tx.issues, `${c.docType} written by our map is valid per the ${c.version} dictionary`).toEqual([])
      expect(tx.type).toBe(c.docType)
      const back = runInbound(inn, tx, { partnerId: 'rt' })
      if (!back.ok) throw new Error(JSON.stringify(back.issues))
      expect(bare(back.doc)).toEqual(bare(original))
    })
  }
})
