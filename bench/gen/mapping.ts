/**
 * Deterministic X12 850 and 856 transactions as Segment arrays (no parser involved), for the
 * mapping benchmark. Seeded LCG so every run maps the same documents.
 */
import type { Segment } from '../../src/edi/types.ts'

function lcg(seed: number) {
  let s = seed >>> 0
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32)
}

function gs1(base17: string): string {
  let sum = 0
  for (let i = 16, w = 3; i >= 0; i--, w = 4 - w) sum += Number(base17[i]) * w
  return base17 + ((10 - (sum % 10)) % 10)
}

const seg = (tag: string, els: (string | string[])[], index: number): Segment => ({
  tag,
  elements: els.map((e) => (Array.isArray(e) ? e : [e])),
  pos: { offset: 0, index, line: 1 },
})

/** An 850 with `lines` PO1 loops (PO1, PID, PO4). */
export function gen850(lines: number, seed = 1): Segment[] {
  const r = lcg(seed)
  const out: Segment[] = []
  const add = (tag: string, els: (string | string[])[]) => out.push(seg(tag, els, out.length))
  add('ST', ['850', '0001'])
  add('BEG', ['00', 'SA', `45${String(seed).padStart(8, '0')}`, '', '20250301'])
  add('CUR', ['BY', 'USD'])
  add('DTM', ['002', '20250315'])
  add('N1', ['BY', 'Ourco Inc.', '92', 'OURCO'])
  add('N1', ['ST', 'Ourco DC East', 'UL', '0614141000012'])
  add('N3', ['1200 Logistics Way'])
  add('N4', ['Columbus', 'OH', '43215', 'US'])
  for (let i = 1; i <= lines; i++) {
    const qty = String(1 + Math.floor(r() * 500))
    const price = (1 + Math.floor(r() * 10000) / 100).toFixed(2)
    add('PO1', [String(i * 10), qty, r() < 0.8 ? 'EA' : 'CA', price, '', 'BP', `ABC-${i}`, 'VP', `V-${i}`, 'UP', String(100000000000 + i)])
    add('PID', ['F', '', '', '', `Item ${i} description`])
    add('PO4', [String(6 + (i % 12))])
  }
  add('CTT', [String(lines)])
  add('SE', [String(out.length + 1), '0001'])
  return out
}

/** An 856: S → `orders` O → `pallets` T → `cartons` P (SSCC) → `items` I per carton. */
export function gen856(orders: number, pallets: number, cartons: number, items: number, seed = 1): Segment[] {
  const r = lcg(seed)
  const out: Segment[] = []
  const add = (tag: string, els: (string | string[])[]) => out.push(seg(tag, els, out.length))
  let hl = 0
  let serial = 0
  add('ST', ['856', '0001'])
  add('BSN', ['00', `ASN-${seed}`, '20250305', '1430'])
  const s = ++hl
  add('HL', [String(s), '', 'S'])
  add('TD5', ['', '2', 'ODFL'])
  add('REF', ['BM', `BOL${seed}`])
  add('DTM', ['011', '20250305', '1430'])
  add('N1', ['SF', 'Demo Supply', '92', 'DEMOSUPPLY'])
  for (let o = 0; o < orders; o++) {
    const oid = ++hl
    add('HL', [String(oid), String(s), 'O'])
    add('PRF', [`45${String(o).padStart(8, '0')}`])
    for (let p = 0; p < pallets; p++) {
      const pid = ++hl
      add('HL', [String(pid), String(oid), 'T'])
      add('MAN', ['GM', `00${gs1(`1061414${String(++serial).padStart(10, '0')}`)}`])
      for (let c = 0; c < cartons; c++) {
        const cid = ++hl
        add('HL', [String(cid), String(pid), 'P'])
        add('MAN', ['GM', `00${gs1(`0061414${String(++serial).padStart(10, '0')}`)}`])
        for (let i = 0; i < items; i++) {
          add('HL', [String(++hl), String(cid), 'I'])
          add('LIN', [String(10 * (i + 1)), 'BP', `ABC-${i}`, 'VP', `V-${i}`, 'LT', `L${seed}${i}`])
          add('SN1', ['', String(1 + Math.floor(r() * 48)), 'EA'])
          add('DTM', ['036', '20260131'])
        }
      }
    }
  }
  add('CTT', [String(hl)])
  add('SE', [String(out.length + 1), '0001'])
  return out
}
