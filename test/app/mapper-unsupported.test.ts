/**
 * unsupported_document vs no_map, whatever the standard: a document type no inbound map reads
 * (for any partner or version) is unsupported; a type some map reads but not for this partner
 * and version is the partner's no_map.
 */
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/app/gateway.ts'
import { createMapper } from '../../src/app/mapper.ts'

const { registry, maps } = loadConfig(process.cwd())
const mapper = createMapper(maps)
const prov = { transactionControl: '0001', test: false }

describe('the mapper tells an unmapped document type from a missing map', () => {
  const edifact = [...registry.partners.values()].find((p) => p.identities.edifact?.length)
  const x12 = registry.get('demo-x12-supplier')

  it('EDIFACT ORDCHG / INVRPT: unsupported_document', () => {
    expect(edifact).toBeDefined()
    for (const docType of ['ORDCHG', 'INVRPT']) {
      const out = mapper.inbound(edifact!, { standard: 'edifact', version: 'D96A', docType, segments: [] }, prov)
      expect(out).toEqual({ ok: false, reasons: [{ code: 'unsupported_document', partnerId: edifact!.id, standard: 'edifact', version: 'D96A', docType, controlNumber: '0001' }] })
    }
  })

  it('X12 860: unsupported_document; X12 850 in a version no map has: no_map', () => {
    const a = mapper.inbound(x12!, { standard: 'x12', version: '004010', docType: '860', segments: [] }, prov)
    expect(a.ok === false && a.reasons[0].code).toBe('unsupported_document')
    const b = mapper.inbound(x12!, { standard: 'x12', version: '003060', docType: '850', segments: [] }, prov)
    expect(b.ok === false && b.reasons[0].code).toBe('no_map')
  })
})
