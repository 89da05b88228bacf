import { describe, expect, it } from 'vitest'
import { evalJson, parseJsonPath, parseSegPath, PathError } from '../../src/mapping/path.ts'
import { indexSegments, matchFirst, readSeg, sourceAddress } from '../../src/mapping/scope.ts'
import { edifact, x12 } from './split.ts'

describe('segment paths', () => {
  it('parses element, qualifier, component and absolute forms', () => {
    expect(parseSegPath('BEG/03')).toMatchObject({ tag: 'BEG', element: 3, component: 0, conds: [], absolute: false })
    expect(parseSegPath('N1[01=ST]/04')).toMatchObject({ tag: 'N1', element: 4, conds: [{ element: 1, component: 0, values: ['ST'] }] })
    expect(parseSegPath('PO1/07-2')).toMatchObject({ element: 7, component: 2 })
    expect(parseSegPath('DTM[1-1=137]/1-2')).toMatchObject({ conds: [{ element: 1, component: 1, values: ['137'] }], element: 1, component: 2 })
    expect(parseSegPath('DTM[1-1=137]/1-*')).toMatchObject({ component: -1 })
    expect(parseSegPath('HL[03=T|P]')).toMatchObject({ element: 0, conds: [{ values: ['T', 'P'] }] })
    expect(parseSegPath('/CUR[01=BY]/02')).toMatchObject({ absolute: true, tag: 'CUR' })
    expect(parseSegPath('CPS[02=]')).toMatchObject({ conds: [{ element: 2, values: [''] }] })
  })

  it('rejects malformed paths with a message naming the path', () => {
    for (const bad of ['beg/03', 'BEG/', 'BEG/0', 'N1[01ST]/04', 'BEG/x', 'N1[01=ST/04', 'DTM[1-*=1]/2'])
      expect(() => parseSegPath(bad), bad).toThrow(PathError)
    expect(() => parseSegPath('BEG/x')).toThrow(/BEG\/x/)
  })

  it('reads values by qualifier and component, and names the occurrence for provenance', () => {
    const doc = indexSegments(x12('ST*850*1~N1*BY*Buyer~N1*ST*Store 12*92*0012~PO1*1*2*EA*3**BP*A>B~SE*5*1~'))
    const p = parseSegPath('N1[01=ST]/04')
    const i = matchFirst(doc, p, 0, doc.segs.length)
    expect(readSeg(doc.segs[i], p)).toBe('0012')
    expect(sourceAddress(doc, i, p.suffix)).toBe('N1[2]/04')
    const comp = parseSegPath('PO1/07-2')
    expect(readSeg(doc.segs[matchFirst(doc, comp, 0, 9)], comp)).toBe('B')
    expect(readSeg(doc.segs[i], parseSegPath('N1/09'))).toBeUndefined()
  })

  it('reads EDIFACT composites', () => {
    const doc = indexSegments(edifact("UNH+1+ORDERS:D:96A:UN'DTM+2:20250310:102'DTM+137:20250301:102'UNT+4+1'"))
    const p = parseSegPath('DTM[1-1=137]/1-2')
    expect(readSeg(doc.segs[matchFirst(doc, p, 0, 4)], p)).toBe('20250301')
    const all = parseSegPath('DTM[1-1=137]/1-*')
    expect(readSeg(doc.segs[matchFirst(doc, all, 0, 4)], all)).toEqual(['137', '20250301', '102'])
  })
})

describe('JSON paths', () => {
  const root = { v: { items: [{ qty: 1, sku: 'A' }, { qty: 2, sku: 'B' }], ref: 'B', x: { y: 'z' } }, p: '$' }
  const ctx = { root, cur: root }

  it('selects keys, indexes, wildcards with concrete paths', () => {
    expect(evalJson(parseJsonPath('$.items[*].qty'), ctx)).toEqual([
      { v: 1, p: '$.items[0].qty' },
      { v: 2, p: '$.items[1].qty' },
    ])
    expect(evalJson(parseJsonPath('$.items[1].sku'), ctx)).toEqual([{ v: 'B', p: '$.items[1].sku' }])
    expect(evalJson(parseJsonPath('x.y'), ctx)).toEqual([{ v: 'z', p: '$.x.y' }])
    expect(evalJson(parseJsonPath('$.missing.key'), ctx)).toEqual([])
  })

  it('filters by a literal or by a value from the current item', () => {
    expect(evalJson(parseJsonPath("$.items[?sku='A'].qty"), ctx)).toEqual([{ v: 1, p: '$.items[0].qty' }])
    expect(evalJson(parseJsonPath('$.items[?sku=@.ref].qty'), ctx)).toEqual([{ v: 2, p: '$.items[1].qty' }])
  })

  it('rejects malformed JSON paths', () => {
    for (const bad of ['$.items[', '$.items[x]', '$..a', '$.items[?=1]']) expect(() => parseJsonPath(bad), bad).toThrow(PathError)
  })
})
