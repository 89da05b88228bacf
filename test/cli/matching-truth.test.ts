/**
 * Issue 16, end to end through the real CLI (`erp import`, `ingest --json`, `exceptions list`):
 * what matching tells a buyer about over-shipment across held ASNs, dates, SSCCs, unknown
 * lines, duplicates and money at stake.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gs1CheckDigit } from '../../src/matching/sscc.ts'
import { cliEnv, runCli } from '../helpers/cli.ts'
import { repoProfile, tempConfigDir } from '../helpers/config.ts'
import { testDb, type TestDb } from '../helpers/db.ts'

const dir = mkdtempSync(join(tmpdir(), 'matching-truth-'))
let ctl = 500

/** A valid SSCC-18 from a serial number. */
export function sscc(serial: number): string {
  const data = `0061414${String(serial).padStart(10, '0')}`
  return data + gs1CheckDigit(data)
}

interface Carton {
  sscc: string
  lines: { lin: string; bp?: string; vp?: string; qty: number; uom: string }[]
}

/** A small X12 856 from demo-x12-supplier: one order, cartons of items. */
function asn856(o: { shipmentId: string; po: string; shipDate: string; deliveryDate?: string; cartons: Carton[] }): string {
  const n = String(++ctl).padStart(9, '0')
  const segs = [
    `ST*856*0001`,
    `BSN*00*${o.shipmentId}*${o.shipDate}*1430`,
    `HL*1**S`,
    `TD5**2*ODFL**Old Dominion Freight Line`,
    `REF*BM*BOL-${o.shipmentId}`,
    `DTM*011*${o.shipDate}*1430`,
    ...(o.deliveryDate ? [`DTM*017*${o.deliveryDate}`] : []),
    `N1*ST*Ourco DC East*UL*0614141000012`,
    `HL*2*1*O`,
    `PRF*${o.po}`,
  ]
  let hl = 2
  for (const c of o.cartons) {
    const pack = ++hl
    segs.push(`HL*${pack}*2*P`, `MAN*GM*${c.sscc}`)
    for (const l of c.lines) {
      const ids = [l.bp ? `BP*${l.bp}` : '', l.vp ? `VP*${l.vp}` : ''].filter(Boolean).join('*')
      segs.push(`HL*${++hl}*${pack}*I`, `LIN*${l.lin}*${ids}`, `SN1**${l.qty}*${l.uom}`)
    }
  }
  segs.push(`CTT*${hl}`)
  segs.push(`SE*${segs.length + 1}*0001`)
  return [
    `ISA*00*          *00*          *ZZ*DEMOSUPPLY     *ZZ*OURCO          *250305*1430*U*00401*${n}*0*P*>`,
    `GS*SH*DEMOSUPPLY*OURCO*20250305*1430*${ctl}*X*004010`,
    ...segs,
    `GE*1*${ctl}`,
    `IEA*1*${n}`,
  ].join('~\n') + '~\n'
}

function file(name: string, text: string): string {
  const p = join(dir, name)
  writeFileSync(p, text, 'latin1')
  return p
}

const HEADER = 'po_number,line,supplier,buyer_part,vendor_part,gtin,quantity,uom,unit_price,currency,pack_size,ship_to,requested_date'

interface Outcome {
  status: string
  documents: { kind: string; id: string; status: string }[]
  exceptions: { id: string; code: string; explanation: string }[]
}

describe('issue 16: matching tells a buyer the truth (real CLI)', { timeout: 180_000 }, () => {
  let db: TestDb
  let env: Record<string, string>
  const ingest = async (path: string, extra: Record<string, string> = {}): Promise<Outcome> => {
    const r = await runCli(['ingest', path, '--json'], { ...env, ...extra })
    expect(r.stderr).toBe('')
    return JSON.parse(r.stdout) as Outcome
  }
  const erp = async (rows: string[]) => {
    const r = await runCli(['erp', 'import', file(`erp-${++ctl}.csv`, [HEADER, ...rows].join('\n') + '\n')], env)
    expect(r.code, r.stderr).toBe(0)
  }
  beforeAll(async () => {
    db = await testDb()
    env = cliEnv(db)
  })
  afterAll(async () => db.close())

  it('counts a held ASN as shipped: a second ASN over the ordered quantity is held and names the first', async () => {
    await erp(['4500016001,1,demo-x12-supplier,HB-1,V-HB1,,20,EA,5.00,USD,,0614141000012,2025-03-10'])
    // ASN 1 ships all 20 EA but three weeks late: held on the date.
    const first = await ingest(file('held-1.edi', asn856({
      shipmentId: 'ASN-HELD-1', po: '4500016001', shipDate: '20250331', deliveryDate: '20250401',
      cartons: [{ sscc: sscc(16001), lines: [{ lin: '1', bp: 'HB-1', qty: 20, uom: 'EA' }] }],
    })))
    expect(first.documents.map((d) => d.status), JSON.stringify(first)).toEqual(["held"])
    expect(first.exceptions.map((e) => e.code)).toEqual(['date_out_of_window'])
    // ASN 2 ships another 20 EA on time: 40 announced against 20 ordered.
    const second = await ingest(file('held-2.edi', asn856({
      shipmentId: 'ASN-HELD-2', po: '4500016001', shipDate: '20250308', deliveryDate: '20250310',
      cartons: [{ sscc: sscc(16002), lines: [{ lin: '1', bp: 'HB-1', qty: 20, uom: 'EA' }] }],
    })))
    expect(second.documents.map((d) => d.status)).toEqual(['held'])
    const over = second.exceptions.find((e) => e.code === 'qty_over_remaining')
    expect(over, JSON.stringify(second.exceptions)).toBeDefined()
    expect(over!.explanation).toMatch(/shipped before 20 \(on ASN ASN-HELD-1\)/)
  })

  it('compares the ASN delivery date with the requested delivery date, or the ship date plus transit days', async () => {
    await erp(['4500016002,1,demo-x12-supplier,DT-1,V-DT1,,100,EA,5.00,USD,,0614141000012,2025-03-10'])
    const carton = (n: number) => [{ sscc: sscc(n), lines: [{ lin: '1', bp: 'DT-1', qty: 10, uom: 'EA' }] }]
    // Shipped five days early to arrive on the requested day: on time.
    const early = await ingest(file('date-1.edi', asn856({ shipmentId: 'ASN-DT-1', po: '4500016002', shipDate: '20250305', deliveryDate: '20250310', cartons: carton(16011) })))
    expect(early.documents.map((d) => d.status), JSON.stringify(early.exceptions)).toEqual(['matched'])
    // Delivery date a week late: held, and the text says which dates were compared.
    const late = await ingest(file('date-2.edi', asn856({ shipmentId: 'ASN-DT-2', po: '4500016002', shipDate: '20250314', deliveryDate: '20250317', cartons: carton(16012) })))
    expect(late.exceptions.map((e) => e.code)).toEqual(['date_out_of_window'])
    expect(late.exceptions[0].explanation).toBe(
      'ASN ASN-DT-2 of PO 4500016002: compared the ASN delivery date 2025-03-17 with the PO requested delivery date 2025-03-10 ± 2 day(s): outside.'
    )
    // Only a ship date and no transit days configured: the ship date itself is compared.
    const bare = await ingest(file('date-3.edi', asn856({ shipmentId: 'ASN-DT-3', po: '4500016002', shipDate: '20250305', cartons: carton(16013) })))
    expect(bare.exceptions.map((e) => e.code)).toEqual(['date_out_of_window'])
    expect(bare.exceptions[0].explanation).toMatch(/compared the ASN ship date 2025-03-05 \(no delivery date sent, no transit days in the profile\) with the PO requested delivery date 2025-03-10/)
    // The profile's transit days: shipped 2025-03-05 + 3 days arrives 2025-03-08, within 2 days of the 10th.
    const cfg = tempConfigDir({
      'demo-x12-supplier': repoProfile('demo-x12-supplier', /dateToleranceDays: 2\n[\s\S]*$/, 'dateToleranceDays: 2\n  transitDays: 3\n'),
    })
    const transit = await ingest(file('date-4.edi', asn856({ shipmentId: 'ASN-DT-4', po: '4500016002', shipDate: '20250305', cartons: carton(16014) })), { CONFIG_DIR: cfg })
    expect(transit.documents.map((d) => d.status), JSON.stringify(transit.exceptions)).toEqual(['matched'])
    const far = await ingest(file('date-5.edi', asn856({ shipmentId: 'ASN-DT-5', po: '4500016002', shipDate: '20250320', cartons: carton(16015) })), { CONFIG_DIR: cfg })
    expect(far.exceptions[0].explanation).toMatch(/compared the ASN ship date 2025-03-20 \+ 3 transit day\(s\) = expected arrival 2025-03-23 with the PO requested delivery date 2025-03-10/)
  })

  it('keeps an ASN with a wrong SSCC check digit, matches it and raises sscc_invalid in the warehouse queue', async () => {
    await erp(['4500016003,1,demo-x12-supplier,SS-1,V-SS1,,10,EA,5.00,USD,,0614141000012,2025-03-10'])
    const good = sscc(16021)
    const bad = sscc(16022)
    const wrong = bad.slice(0, 17) + String((Number(bad[17]) + 1) % 10)
    const r = await ingest(file('sscc-1.edi', asn856({
      shipmentId: 'ASN-SS-1', po: '4500016003', shipDate: '20250308', deliveryDate: '20250310',
      cartons: [
        { sscc: good, lines: [{ lin: '1', bp: 'SS-1', qty: 5, uom: 'EA' }] },
        { sscc: wrong, lines: [{ lin: '1', bp: 'SS-1', qty: 5, uom: 'EA' }] },
      ],
    })))
    // The document exists and was matched (quantities fine); only the label holds it.
    expect(r.documents.map((d) => d.status), JSON.stringify(r.exceptions)).toEqual(['held'])
    expect(r.exceptions.map((e) => e.code)).toEqual(['sscc_invalid'])
    const list = await runCli(['exceptions', 'list', '--json', '--queue', 'warehouse'], env)
    const rows = JSON.parse(list.stdout) as { code: string; queue: string; explanation: string }[]
    expect(rows.map((e) => [e.code, e.queue])).toEqual([['sscc_invalid', 'warehouse']])
    expect(rows[0].explanation).toBe(
      `ASN ASN-SS-1, PO 4500016003: carton 2 (SSCC ${wrong}) has a wrong check digit, it should end in ${bad[17]}; the dock cannot scan it, ask the supplier to relabel and resend the ASN.`
    )
    const [doc] = await db.sql<{ match: { quantities: { qty: string }[] } }[]>`select match from documents where business_key = 'asn:ASN-SS-1'`
    expect(doc.match.quantities.map((q) => q.qty)).toEqual(['10'])
  })

  it('line_unknown names the ASN item and its identifiers and stores them; carton texts name ASN items and the PO line', async () => {
    await erp(['4500016004,1,demo-x12-supplier,LU-1,V-LU1,,10,EA,5.00,USD,,0614141000012,2025-03-10'])
    const r = await ingest(file('unknown-1.edi', asn856({
      shipmentId: 'ASN-LU-1', po: '4500016004', shipDate: '20250308', deliveryDate: '20250310',
      cartons: [
        { sscc: sscc(16031), lines: [{ lin: '1', bp: 'LU-1', qty: 8, uom: 'EA' }] },
        { sscc: sscc(16032), lines: [{ lin: '1', bp: 'LU-1', qty: 8, uom: 'EA' }, { lin: '7', bp: 'NOPE', vp: 'V-NOPE', qty: 1, uom: 'EA' }] },
      ],
    })))
    const byCode = Object.fromEntries(r.exceptions.map((e) => [e.code, e.explanation]))
    expect(Object.keys(byCode).sort()).toEqual(['line_unknown', 'qty_over_remaining'])
    expect(byCode.line_unknown).toBe(
      'ASN ASN-LU-1 item 3 (buyer part NOPE, vendor part V-NOPE) refers to PO line 7 of PO 4500016004, which does not exist, and no item identifier matched another line of the PO; source LIN[3]/01.'
    )
    // Two cartons of one PO line: ASN items 1 and 2, both for PO line 1 (never "lines 1, 2").
    expect(byCode.qty_over_remaining).toMatch(/^ASN ASN-LU-1 items 1 and 2 \(buyer part LU-1\), both for PO line 1 of PO 4500016004: shipped 16 EA but only 10 EA remain open/)
    const [stored] = await db.sql<{ reason: Record<string, unknown> }[]>`select reason from exceptions where code = 'line_unknown'`
    expect(stored.reason).toMatchObject({ line: '3', poLineNo: '7', buyerPart: 'NOPE', vendorPart: 'V-NOPE' })
  })

  it('a resent invoice under new control numbers names supplier, invoice, PO and first receipt, and warns not to pay twice', async () => {
    const imp = await runCli(['erp', 'import', 'fixtures/erp/demo-purchase-orders.csv'], env)
    expect(imp.code, imp.stderr).toBe(0)
    const inv = readFileSync('fixtures/demo-x12-supplier/810-inv-7781.edi', 'latin1')
    const resend = (n: number) => inv.replace(/(ISA\*(?:[^*]*\*){12})\d{9}/, `$1${String(n).padStart(9, '0')}`).replace(/IEA\*1\*\d{9}/, `IEA*1*${String(n).padStart(9, '0')}`)
    const shipped = await ingest('fixtures/demo-x12-supplier/856-asn-20250305-01.edi')
    expect(shipped.documents.map((d) => d.status), JSON.stringify(shipped.exceptions)).toEqual(['matched'])
    const first = await ingest(file('inv-1.edi', resend(777001)))
    expect(first.documents.map((d) => d.status), JSON.stringify(first.exceptions)).toEqual(['matched'])
    const [{ created_at: firstAt }] = await db.sql<{ created_at: Date }[]>`select created_at from documents where business_key = 'inv:INV-7781'`
    const day = firstAt.toISOString().slice(0, 10)
    const again = await ingest(file('inv-2.edi', resend(777002)))
    expect(again.documents.map((d) => d.status)).toEqual(['duplicate'])
    const byCode = Object.fromEntries(again.exceptions.map((e) => [e.code, e.explanation]))
    expect(Object.keys(byCode).sort()).toEqual(['duplicate_document', 'invoice_duplicate'])
    expect(byCode.duplicate_document).toMatch(new RegExp(`^Invoice INV-7781 from supplier demo-x12-supplier for PO 4500012345 was resent with identical content \\(first received ${day} \\d{2}:\\d{2} UTC\\); it was not processed twice\\.$`))
    expect(byCode.duplicate_document).not.toMatch(/doc_/)
    expect(byCode.invoice_duplicate).toMatch(new RegExp(`^Invoice INV-7781 for PO 4500012345: supplier demo-x12-supplier already sent invoice number INV-7781 \\(first received ${day} \\d{2}:\\d{2} UTC\\); do not pay it twice\\.$`))
    const list = await runCli(['exceptions', 'list', '--json', '--queue', 'matching'], env)
    expect((JSON.parse(list.stdout) as { code: string }[]).map((e) => e.code)).toContain('invoice_duplicate')
  })

  it('price and quantity exceptions on an invoice state the money at stake', async () => {
    await erp(['4500016005,1,demo-x12-supplier,MN-1,V-MN1,,24,EA,12.50,USD,,0614141000012,2025-03-10'])
    const asn = await ingest(file('money-asn.edi', asn856({
      shipmentId: 'ASN-MN-1', po: '4500016005', shipDate: '20250308', deliveryDate: '20250310',
      cartons: [{ sscc: sscc(16041), lines: [{ lin: '1', bp: 'MN-1', qty: 20, uom: 'EA' }] }],
    })))
    expect(asn.documents.map((d) => d.status), JSON.stringify(asn.exceptions)).toEqual(['matched'])
    // 24 EA billed at 14.50 against 12.50 on the PO, 20 EA shipped.
    const n = String(++ctl).padStart(9, '0')
    const segs = ['ST*810*0001', 'BIG*20250310*INV-MN-1*20250301*4500016005', 'CUR*SE*USD', 'N1*RI*Demo Industrial Supply Co.*92*DEMOSUPPLY', 'IT1*1*24*EA*14.5**BP*MN-1', 'TDS*34800', 'CTT*1']
    const edi = [
      `ISA*00*          *00*          *ZZ*DEMOSUPPLY     *ZZ*OURCO          *250310*1005*U*00401*${n}*0*P*>`,
      `GS*IN*DEMOSUPPLY*OURCO*20250310*1005*${ctl}*X*004010`,
      ...segs, `SE*${segs.length + 1}*0001`, `GE*1*${ctl}`, `IEA*1*${n}`,
    ].join('~\n') + '~\n'
    const r = await ingest(file('money-inv.edi', edi))
    const byCode = Object.fromEntries(r.exceptions.map((e) => [e.code, e.explanation]))
    expect(Object.keys(byCode).sort(), JSON.stringify(r.exceptions)).toEqual(['invoice_qty_over_shipped', 'price_mismatch'])
    expect(byCode.price_mismatch).toMatch(/: \+48\.00 USD over the PO \(2\.00 USD more on each of 24 EA\)/)
    expect(byCode.invoice_qty_over_shipped).toMatch(/: 58\.00 USD billed for 4 EA not shipped/)
  })
})
