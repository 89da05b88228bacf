/**
 * Partner overlays (`extends`): override, add and remove by field path; `required` from an
 * overlay becomes an issue naming the path and the overlay's rule; the content hash follows.
 */
import { describe, expect, it } from 'vitest'
import { resolveMaps, runInbound, runOutbound, type MapSource } from '../../src/mapping/index.ts'
import { x12 } from './split.ts'

const base = {
  direction: 'in',
  source: { standard: 'x12', version: '004010', docType: '850' },
  target: 'purchase_order',
  fields: {
    poNumber: { from: 'BEG/03', required: true },
    orderDate: { from: 'BEG/05', transform: 'date_ccyymmdd' },
    currency: 'CUR[01=BY]/02',
    parties: {
      each: 'N1',
      until: ['PO1'],
      fields: { role: { from: 'N1/01', transform: 'code_list', arg: { BY: 'buyer', ST: 'ship_to' } }, id: 'N1/04', name: 'N1/02' },
    },
    lines: {
      each: 'PO1',
      fields: {
        lineNo: 'PO1/01',
        'quantity.value': { from: 'PO1/02', transform: 'decimal' },
        'quantity.uom': { from: 'PO1/03', transform: 'uom_x12' },
        'item.buyerPart': { from: 'PO1', transform: 'qualified_pair', arg: 'BP' },
      },
    },
  },
}

const overlay = {
  extends: 'x12-004010/850.in',
  fields: {
    currency: { default: 'CAD' }, // add an attribute: default
    'parties.id': 'N1/03', // override the path, keep everything else
    'lines.item.vendorPart': { from: 'PO1', transform: 'qualified_pair', arg: 'VN' }, // add a field
    'lines.item.buyerPart': null, // remove a field
    orderDate: { required: true }, // tighten: the partner's guide requires it
  },
}

const msg = x12('ST*850*0001~BEG*00*SA*4500012345**20250301~N1*BY*Buyer Inc*XX*B1~PO1*1*5*CA*2**BP*ABC*VN*V-9~SE*5*0001~')

function load(extra: MapSource[] = []) {
  return resolveMaps([
    { id: 'x12-004010/850.in', file: 'x12-004010/850.in.yaml', raw: base },
    { id: 'x12-004010/850.in@acme', file: 'x12-004010/850.in@acme.yaml', raw: overlay },
    ...extra,
  ])
}

describe('overlay semantics', () => {
  const { maps, errors } = load()

  it('resolves without errors and records the chain', () => {
    expect(errors).toEqual([])
    expect(maps.get('x12-004010/850.in@acme')!.chain).toEqual(['x12-004010/850.in@acme', 'x12-004010/850.in'])
  })

  it('overrides, adds and removes fields by path', () => {
    const b = runInbound(maps.get('x12-004010/850.in')!, msg, { partnerId: 'acme' })
    const o = runInbound(maps.get('x12-004010/850.in@acme')!, msg, { partnerId: 'acme' })
    if (!b.ok || !o.ok) throw new Error(JSON.stringify([b, o]))
    if (b.doc.kind !== 'purchase_order' || o.doc.kind !== 'purchase_order') throw new Error('kind')
    expect(b.doc.currency).toBeUndefined()
    expect(o.doc.currency).toBe('CAD')
    expect(o.doc.provenance.fields.currency).toBe('(default)')
    expect(b.doc.parties[0].id).toBe('B1')
    expect(o.doc.parties[0]).toEqual({ role: 'buyer', id: 'XX', name: 'Buyer Inc' })
    expect(b.doc.lines[0].item).toEqual({ buyerPart: 'ABC' })
    expect(o.doc.lines[0].item).toEqual({ vendorPart: 'V-9' })
    expect(o.doc.provenance.fields['lines.0.item.vendorPart']).toBe('PO1[1]/09')
    expect(o.doc.lines[0].quantity).toEqual({ value: '5', uom: 'CS' })
  })

  it('a required field from the overlay is an issue with path and the overlay rule', () => {
    const noDate = x12('ST*850*0001~BEG*00*SA*4500012345~PO1*1*5*CA***BP*X1~SE*4*0001~')
    expect(runInbound(maps.get('x12-004010/850.in')!, noDate, { partnerId: 'acme' }).ok).toBe(true)
    const r = runInbound(maps.get('x12-004010/850.in@acme')!, noDate, { partnerId: 'acme' })
    expect(r).toEqual({
      ok: false,
      issues: [{ code: 'required_missing', field: 'orderDate', source: 'BEG/05', rule: 'x12-004010/850.in@acme: orderDate.required' }],
    })
  })

  it('a required field of the base map names the base rule and the loop instance', () => {
    const noPo = x12('ST*850*0001~BEG*00*SA~SE*3*0001~')
    const r = runInbound(maps.get('x12-004010/850.in@acme')!, noPo, { partnerId: 'acme' })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.issues).toContainEqual({ code: 'required_missing', field: 'poNumber', source: 'BEG/03', rule: 'x12-004010/850.in: poNumber.required' })
  })

  it('the map hash changes when the base changes, and only then', () => {
    const again = load()
    expect(again.maps.get('x12-004010/850.in@acme')!.hash).toBe(maps.get('x12-004010/850.in@acme')!.hash)
    const changed = resolveMaps([
      { id: 'x12-004010/850.in', file: 'a', raw: { ...base, fields: { ...base.fields, currency: 'CUR[01=SE]/02' } } },
      { id: 'x12-004010/850.in@acme', file: 'b', raw: overlay },
    ])
    expect(changed.maps.get('x12-004010/850.in@acme')!.hash).not.toBe(maps.get('x12-004010/850.in@acme')!.hash)
  })

  it('outbound overlays merge segments by id, remove and insert', () => {
    const out = {
      direction: 'out',
      source: 'purchase_order',
      target: { standard: 'x12', version: '004010', docType: '850' },
      segments: [
        { id: 'beg', tag: 'BEG', elements: { '1': '00', '2': 'SA', '3': { from: 'poNumber' } } },
        { id: 'cur', tag: 'CUR', elements: { '1': 'BY', '2': { from: 'currency' } } },
      ],
    }
    const outOver = {
      extends: 'x12-004010/850.out',
      segments: [
        { id: 'beg', elements: { '2': 'NE' } },
        { id: 'cur', remove: true },
        { id: 'ref', after: 'beg', tag: 'REF', elements: { '1': 'IA', '2': 'V123' } },
      ],
    }
    const r = resolveMaps([
      { id: 'x12-004010/850.out', file: 'a', raw: out },
      { id: 'x12-004010/850.out@acme', file: 'b', raw: outOver },
    ])
    expect(r.errors).toEqual([])
    const po = { kind: 'purchase_order', poNumber: 'P1', currency: 'USD', purpose: 'original', parties: [], notes: [], lines: [], provenance: { partnerId: 'x', standard: 'json', version: 'v1', docType: 'po', test: false, fields: {} } } as never
    const seg = runOutbound(r.maps.get('x12-004010/850.out@acme')!, po)
    expect(seg).toEqual({ ok: true, segments: [{ tag: 'BEG', elements: [['00'], ['NE'], ['P1']] }, { tag: 'REF', elements: [['IA'], ['V123']] }] })
  })

  it('load errors name the file and the path', () => {
    const bad = resolveMaps([
      { id: 'x12-004010/850.in', file: 'x12-004010/850.in.yaml', raw: { ...base, fields: { poNumber: 'BEG/3x', po2: { from: 'BEG/03', transform: 'nope' } } } },
      { id: 'x12-004010/855.in@x', file: 'x12-004010/855.in@x.yaml', raw: { extends: 'x12-004010/855.in' } },
      { id: 'x12-004010/810.in', file: 'x12-004010/810.in.yaml', raw: { ...base, tpyo: 1 } },
    ])
    expect(bad.maps.size).toBe(0)
    expect(bad.errors).toContainEqual(expect.objectContaining({ file: 'x12-004010/850.in.yaml', path: 'fields.poNumber.from' }))
    expect(bad.errors).toContainEqual(expect.objectContaining({ file: 'x12-004010/850.in.yaml', path: 'fields.po2.transform', message: expect.stringContaining('unknown transform "nope"') }))
    expect(bad.errors).toContainEqual(expect.objectContaining({ file: 'x12-004010/855.in@x.yaml', path: 'extends' }))
    expect(bad.errors).toContainEqual(expect.objectContaining({ file: 'x12-004010/810.in.yaml' }))
  })
})
