/**
 * What the parse stage stores of a set it translates itself: the transaction row, without its
 * segments (the raw bytes and the set's span are the record). A set a translate job must read
 * later gets them: every set of a pass that fell back to translate jobs, and a set held for a
 * person. The fallback's documents are the ones the inline pass would have made.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { importDemoOrders, pipelineSuite } from '../helpers/pipeline.ts'

const ASN = readFileSync('fixtures/demo-x12-supplier/856-asn-20250305-01.edi', 'latin1')

/** Same document under a new interchange control number and shipment id. */
function variant(n: number): Buffer {
  const ctl = String(n).padStart(9, '0')
  return Buffer.from(ASN.replace(/(ISA\*(?:[^*]*\*){12})\d{9}/, `$1${ctl}`).replace(/IEA\*1\*\d{9}/, `IEA*1*${ctl}`)
    .replaceAll('ASN-20250305-01', `ASN-CONTENT-${n}`), 'latin1')
}

interface SetRow { status: string; segments: { tag: string }[] | null; document: { kind: string; status: string; doc: unknown } | null }

async function sets(s: ReturnType<typeof pipelineSuite>, messageId: string): Promise<SetRow[]> {
  return s.db.sql<SetRow[]>`select t.status, t.segments,
      (select jsonb_build_object('kind', d.kind, 'status', d.status, 'doc', d.doc) from documents d where d.transaction_id = t.id) as document
    from transactions t where t.payload_id = ${messageId}`
}

describe('transaction content: stored only for sets a translate job or a person needs', () => {
  const s = pipelineSuite()

  it('a set translated in the parse stage is stored without its segments', async () => {
    await importDemoOrders(s.db)
    const msg = await s.p.ingest({ transport: 'cli', body: variant(1) })
    const rows = await sets(s, msg)
    expect(rows.map((r) => ({ status: r.status, segments: r.segments, kind: r.document?.kind }))).toEqual([{ status: 'matched', segments: null, kind: 'asn' }])
  })

  it('a pass that fails stores its sets with their segments, and the translate jobs make the same document', async () => {
    const reference = (await sets(s, await s.p.ingest({ transport: 'cli', body: variant(2) })))[0]
    const real = s.p.deps.mapper.inbound
    let thrown = 0
    // A defect in the inline pass (the first call only): its sets fall back to translate jobs.
    s.p.deps.mapper.inbound = (...a) => {
      if (thrown++ === 0) throw new Error('map defect')
      return real(...a)
    }
    try {
      const msg = await s.p.ingest({ transport: 'cli', body: variant(3) })
      expect(thrown).toBe(2) // the inline pass, then the translate job
      const [row] = await sets(s, msg)
      expect(row.segments?.[0]).toMatchObject({ tag: 'ST' })
      expect(row.segments?.at(-1)).toMatchObject({ tag: 'SE' })
      expect(row.document?.kind).toBe('asn')
      // The same document as the inline pass makes, but for its own shipment id and controls.
      const norm = (d: unknown) => JSON.stringify(d).replace(/ASN-CONTENT-\d+/g, 'X').replace(/"(interchange|group|transaction)Control":"\d+"/g, '')
      expect(norm(row.document?.doc)).toBe(norm(reference.document?.doc))
    } finally {
      s.p.deps.mapper.inbound = real
    }
  })

  it('a set held for a person keeps its segments', async () => {
    const isa = (ctl: string) => `ISA*00*          *00*          *ZZ*DEMOSUPPLY     *ZZ*OURCO          *250302*0915*U*00401*${ctl}*0*P*>`
    const body = ['BIA*00*MM*INV-1*20250302', 'DTM*007*20250302', 'LIN*1*BP*ITEM-1*UP*012345678905', 'QTY*33*120*EA', 'CTT*1']
    const segs = [isa('000000904'), 'GS*IB*DEMOSUPPLY*OURCO*20250302*0915*904*X*004010', 'ST*846*0001', ...body, `SE*${body.length + 2}*0001`, 'GE*1*904', 'IEA*1*000000904']
    const msg = await s.p.ingest({ transport: 'cli', body: Buffer.from(`${segs.join('~\n')}~\n`, 'latin1') })
    const [row] = await sets(s, msg)
    expect(row.status).toBe('held')
    expect(row.document).toBeNull()
    expect(row.segments?.map((x) => x.tag)).toEqual(['ST', 'BIA', 'DTM', 'LIN', 'QTY', 'CTT', 'SE'])
  })
})
