/**
 * A rule defect while the parse stage matches a file (the inline pass): the pass is rolled back
 * and its sets go to translate jobs. What the pass had already queued for the documents before
 * the failing one (warehouse deliveries, their control numbers; statements that wait to be sent
 * together, src/db/coalesce.ts) must be rolled back with it, not sent afterwards on the bare
 * connection: each matched ASN ends with exactly one delivery per warehouse destination, and no
 * delivery points at a document that was rolled back.
 */
import { describe, expect, it } from 'vitest'
import { erpCsv, x12File } from '../../bench/gen/e2e.ts'
import { createTablesErp } from '../../src/db/erp.ts'
import { parsePurchaseOrders } from '../../src/erp/import.ts'
import { pipelineSuite } from '../helpers/pipeline.ts'

describe('a rule defect in the inline pass', () => {
  const s = pipelineSuite()

  it('leaves no delivery behind from the rolled-back pass, and the fallback delivers each ASN once', async () => {
    const { orders } = parsePurchaseOrders(erpCsv(4), 'csv')
    await createTablesErp(s.db.sql).upsertOrders(orders)
    const registry = s.p.deps.registry
    const realGet = registry.get.bind(registry)
    let reads = 0
    // The supplier's matching settings throw on their second read: the second ASN's rules fail
    // after the first ASN was matched and its warehouse delivery queued.
    s.p.deps.registry = Object.assign(Object.create(registry), {
      get: (id: string) => {
        const p = realGet(id)
        if (!p || id !== 'demo-x12-supplier' || reads < 0) return p
        return new Proxy(p, {
          get: (t, k, r) => {
            if (k === 'matching' && ++reads === 2) {
              reads = -1 // once: the translate and match jobs of the fallback run normally
              throw new Error('rule defect (simulated)')
            }
            return Reflect.get(t, k, r)
          },
        })
      },
    })
    try {
      const msg = await s.p.ingest({ transport: 'cli', body: x12File('856', 0, 2, 0) })
      expect(reads).toBe(-1) // the defect happened
      const docs = await s.db.sql<{ id: string; status: string }[]>`select id, status from documents where payload_id = ${msg}`
      expect(docs.map((d) => d.status)).toEqual(['matched', 'matched'])
      const deliveries = await s.db.sql<{ parent_id: string; destination: string; n: number; parent: string | null }[]>`
        select d.parent_id, d.destination, count(*)::int as n, min(doc.id) as parent from deliveries d
        left join documents doc on doc.id = d.parent_id where d.kind = 'warehouse' group by 1, 2`
      expect(deliveries.every((d) => d.parent !== null)).toBe(true)
      expect(deliveries.map((d) => d.n)).toEqual(deliveries.map(() => 1))
      expect(new Set(deliveries.map((d) => d.parent_id))).toEqual(new Set(docs.map((d) => d.id)))
    } finally {
      s.p.deps.registry = registry
    }
  })
})
