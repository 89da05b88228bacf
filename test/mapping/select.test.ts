import { describe, expect, it } from 'vitest'
import { resolveMaps, selectMap } from '../../src/mapping/index.ts'

const m = (docType: string) => ({
  direction: 'in',
  source: { standard: 'x12', version: '004010', docType },
  target: 'asn',
  fields: { shipmentId: 'BSN/02' },
})
const { maps, errors } = resolveMaps([
  { id: 'x12-004010/856.in', file: 'a', raw: m('856') },
  { id: 'x12-004010/856.in@acme', file: 'b', raw: { extends: 'x12-004010/856.in', fields: { shipmentId: { required: true } } } },
  { id: 'x12-004010/856.in@special', file: 'c', raw: { extends: 'x12-004010/856.in' } },
])
const q = { direction: 'in', standard: 'x12', version: '004010', docType: '856' } as const

describe('map selection: explicit > @partner > base > no_map', () => {
  it('loads', () => expect(errors).toEqual([]))

  it('an explicit map in the profile wins over the partner map', () => {
    const sel = selectMap(maps, { id: 'acme', documents: [{ ...q, map: 'x12-004010/856.in@special' }] }, q)
    expect(sel).toMatchObject({ ok: true, by: 'explicit', map: { id: 'x12-004010/856.in@special' } })
  })

  it('then <doc>@<partner>', () => {
    expect(selectMap(maps, { id: 'acme', documents: [q] }, q)).toMatchObject({ ok: true, by: 'partner', map: { id: 'x12-004010/856.in@acme' } })
  })

  it('then the base map', () => {
    expect(selectMap(maps, { id: 'other' }, q)).toMatchObject({ ok: true, by: 'base', map: { id: 'x12-004010/856.in' } })
  })

  it('nothing found is a no_map result, not a throw', () => {
    const sel = selectMap(maps, { id: 'acme' }, { ...q, version: '005010' })
    expect(sel).toEqual({
      ok: false,
      reason: { code: 'no_map', partnerId: 'acme', direction: 'in', standard: 'x12', version: '005010', docType: '856' },
      tried: ['x12-005010/856.in@acme', 'x12-005010/856.in'],
    })
    expect(selectMap(maps, { id: 'acme' }, { ...q, direction: 'out' }).ok).toBe(false)
  })

  it('an explicit map that does not exist falls through to the next rule and is reported in tried', () => {
    const sel = selectMap(maps, { id: 'acme', documents: [{ ...q, map: 'x12-004010/856.in@gone' }] }, q)
    expect(sel).toMatchObject({ ok: true, by: 'partner' })
  })
})
