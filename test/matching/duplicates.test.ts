import { describe, expect, it } from 'vitest'
import { checkResend, contentHash, stableJson } from '../../src/matching/duplicates.ts'
import { asn, item, prov } from './fixtures.ts'

describe('business-key duplicates', () => {
  it('content hash ignores control numbers and key order', () => {
    const a = asn([item('1', '5')], { provenance: prov('856', '000000001') })
    const b = asn([item('1', '5')], { provenance: prov('856', '000000999') })
    expect(contentHash(a)).toBe(contentHash(b))
    expect(stableJson({ b: 1, a: [2, undefined], c: undefined })).toBe('{"a":[2,null],"b":1}')
  })
  it('new, duplicate, changed resend', () => {
    const a = asn([item('1', '5')])
    const prior = [{ businessKey: 'asn:SH-0042', contentHash: contentHash(a), documentId: 'd1' }]
    expect(checkResend(a, []).kind).toBe('new')
    expect(
      checkResend(asn([item('1', '5')], { provenance: prov('856', '7') }), prior)
    ).toMatchObject({ kind: 'duplicate', first: { documentId: 'd1' } })
    expect(checkResend(asn([item('1', '6')]), prior)).toMatchObject({
      kind: 'changed_resend',
      first: { documentId: 'd1' },
    })
    expect(checkResend(asn([item('1', '5')], { shipmentId: 'SH-9' }), prior).kind).toBe('new')
  })
})
