/**
 * Deterministic end-to-end workload for bench/e2e.bench.ts: open ERP purchase orders and the EDI
 * the demo suppliers send against them (X12 856 + 810 from demo-x12-supplier, EDIFACT D96A
 * DESADV + INVOIC from demo-edifact-supplier). Every ASN ships what its PO ordered in cartons
 * with unique, valid SSCCs; every invoice bills the same quantities at the PO price, so a correct
 * pipeline matches them all. Numbers derive from the set index: same arguments, same bytes.
 */

export type E2eKind = '856' | '810' | 'DESADV' | 'INVOIC'
export const E2E_KINDS: readonly E2eKind[] = ['856', '810', 'DESADV', 'INVOIC']

const X12_PARTNER = 'demo-x12-supplier'
const EDIFACT_PARTNER = 'demo-edifact-supplier'

export const x12Po = (n: number): string => String(4_700_000_000 + n)
export const edifactPo = (n: number): string => String(4_800_000_000 + n)

/** GS1 mod-10 check digit of the digits given (weights 3, 1, 3 … from the right). */
export function gs1Check(digits: string): number {
  let sum = 0
  for (let i = digits.length - 1, w = 3; i >= 0; i--, w = w === 3 ? 1 : 3) sum += Number(digits[i]) * w
  return (10 - (sum % 10)) % 10
}

/** The 18-digit SSCC number `serial` of company prefix 0614141 (extension digit 0). */
export function sscc(serial: number): string {
  const body = `00614141${String(serial).padStart(9, '0')}`
  return body + gs1Check(body)
}

/** ERP CSV (src/erp/import.ts) with `count` open POs per partner, the lines the EDI refers to. */
export function erpCsv(count: number): string {
  const rows = ['po_number,line,supplier,buyer_part,vendor_part,gtin,quantity,uom,unit_price,currency,pack_size,ship_to,requested_date']
  for (let n = 0; n < count; n++) {
    const x = x12Po(n)
    rows.push(
      `${x},10,${X12_PARTNER},ABC-100,V-77,00614141000111,24,EA,12.50,USD,,0614141000012,2025-03-06`,
      `${x},20,${X12_PARTNER},ABC-200,V-88,00614141000128,10,CA,40.00,USD,12,0614141000012,2025-03-06`,
      `${x},30,${X12_PARTNER},ABC-300,V-99,00614141000135,48,EA,2.25,USD,,0614141000012,2025-03-06`
    )
    const e = edifactPo(n)
    rows.push(
      `${e},1,${EDIFACT_PARTNER},BP-1001,SA-501,4006381333931,100,PCE,3.20,EUR,,5400000000010,2025-03-11`,
      `${e},2,${EDIFACT_PARTNER},BP-1002,SA-502,4006381333948,40,PCE,7.50,EUR,,5400000000010,2025-03-11`
    )
  }
  return rows.join('\n') + '\n'
}

const ctl9 = (n: number): string => String(n).padStart(9, '0')

/** One X12 856 set for PO `n`: one tare with three packs, one item each (4 SSCCs). */
function x12Asn(n: number): string[] {
  const st = ctl9(n + 1)
  const base = n * 4
  return [
    `ST*856*${st}`, `BSN*00*ASN-${n}*20250305*1430`,
    'HL*1**S', 'TD1*CTN25*3****G*182.4*LB', 'TD5**2*ODFL**Old Dominion Freight Line', `REF*BM*BOL${n}`,
    'DTM*011*20250305*1430', 'DTM*017*20250307',
    'N1*SF*Demo Industrial Supply Co.*92*DEMOSUPPLY', 'N1*ST*Ourco DC East*UL*0614141000012',
    'HL*2*1*O', `PRF*${x12Po(n)}`,
    'HL*3*2*T', `MAN*GM*00${sscc(base)}`,
    'HL*4*3*P', `MAN*GM*00${sscc(base + 1)}`, 'HL*5*4*I', 'LIN*10*BP*ABC-100*VP*V-77', 'SN1**24*EA',
    'HL*6*3*P', `MAN*GM*00${sscc(base + 2)}`, 'HL*7*6*I', 'LIN*20*BP*ABC-200*VP*V-88', 'SN1**10*CA', 'PO4*12',
    'HL*8*3*P', `MAN*GM*00${sscc(base + 3)}`, 'HL*9*8*I', 'LIN*30*BP*ABC-300*VP*V-99', 'SN1**48*EA',
    'CTT*9',
  ]
}

/** One X12 810 set for PO `n`, billing what the ASN shipped at the PO prices (808.00 USD). */
function x12Invoice(n: number): string[] {
  const st = ctl9(n + 1)
  return [
    `ST*810*${st}`, `BIG*20250306*INV-${n}*20250301*${x12Po(n)}`, 'CUR*SE*USD',
    'N1*RI*Demo Industrial Supply Co.*92*DEMOSUPPLY', 'N1*BT*Ourco Inc.*92*OURCO',
    'IT1*10*24*EA*12.5**BP*ABC-100*VP*V-77', 'IT1*20*10*CA*40**BP*ABC-200*VP*V-88', 'IT1*30*48*EA*2.25**BP*ABC-300*VP*V-99',
    'TDS*80800', 'CTT*3',
  ]
}

/**
 * An X12 interchange of `count` sets of one kind starting at set `first`, one group. `file`
 * numbers the interchange and group control numbers (unique per file within a run).
 */
export function x12File(kind: '856' | '810', first: number, count: number, file: number): Buffer {
  const icn = ctl9(file + 1)
  const gsId = kind === '856' ? 'SH' : 'IN'
  const out: string[] = [
    `ISA*00*          *00*          *ZZ*DEMOSUPPLY     *ZZ*OURCO          *250305*1430*U*00401*${icn}*0*P*>`,
    `GS*${gsId}*DEMOSUPPLY*OURCO*20250305*1430*${file + 1}*X*004010`,
  ]
  for (let n = first; n < first + count; n++) {
    const segs = kind === '856' ? x12Asn(n) : x12Invoice(n)
    out.push(...segs, `SE*${segs.length + 1}*${ctl9(n + 1)}`)
  }
  out.push(`GE*${count}*${file + 1}`, `IEA*1*${icn}`)
  return Buffer.from(out.join('~\n') + '~\n', 'latin1')
}

/** One DESADV for PO `n`: a pallet with two cartons (3 SSCCs), both PO lines shipped in full. */
function desadv(n: number, ref: number): string[] {
  const base = 500_000_000 + n * 3
  return [
    `UNH+${ref}+DESADV:D:96A:UN:EAN008`, `BGM+351+DES-${n}+9`, 'DTM+137:20250310:102', 'DTM+11:202503100800:203', 'DTM+17:20250312:102',
    `RFF+ON:${edifactPo(n)}`, 'NAD+SU+5412345000013::9++Lieferant Demo GmbH', 'NAD+DP+5400000000010::9++Ourco DC West',
    'CPS+1', 'PAC+1++201', 'PCI+33E', `GIN+BJ+${sscc(base)}`,
    'CPS+2+1', 'PAC+1++CT', 'PCI+33E', `GIN+BJ+${sscc(base + 1)}`,
    'LIN+1++4006381333931:EN', 'PIA+1+SA-501:SA', 'QTY+12:100:PCE', `RFF+ON:${edifactPo(n)}:1`,
    'CPS+3+1', 'PAC+1++CT', 'PCI+33E', `GIN+BJ+${sscc(base + 2)}`,
    'LIN+2++4006381333948:EN', 'PIA+1+SA-502:SA', 'QTY+12:40:PCE', `RFF+ON:${edifactPo(n)}:2`,
    'CNT+2:2',
  ]
}

/** One INVOIC for PO `n`: 100 x 3.20 + 40 x 7.50 = 620.00 EUR, 19 % VAT. */
function invoic(n: number, ref: number): string[] {
  return [
    `UNH+${ref}+INVOIC:D:96A:UN:EAN008`, `BGM+380+INV-E-${n}+9`, 'DTM+137:20250311:102', `RFF+ON:${edifactPo(n)}`,
    'NAD+SU+5412345000013::9++Lieferant Demo GmbH+Industriestrasse 12+Koeln++50667+DE', 'NAD+BY+5400000000003::9++Ourco GmbH',
    'CUX+2:EUR:4',
    'LIN+1++4006381333931:EN', 'PIA+1+SA-501:SA', 'QTY+47:100:PCE', 'MOA+203:320.00', 'PRI+AAA:3.20', `RFF+ON:${edifactPo(n)}:1`,
    'LIN+2++4006381333948:EN', 'PIA+1+SA-502:SA', 'QTY+47:40:PCE', 'MOA+203:300.00', 'PRI+AAA:7.50', `RFF+ON:${edifactPo(n)}:2`,
    'UNS+S', 'CNT+2:2', 'MOA+77:737.80', 'MOA+79:620.00', 'MOA+124:117.80', 'TAX+7+VAT+++:::19+S',
  ]
}

/** An EDIFACT interchange of `count` messages of one kind starting at message `first`. */
export function edifactFile(kind: 'DESADV' | 'INVOIC', first: number, count: number, file: number): Buffer {
  const icRef = `E2E${String(file + 1).padStart(8, '0')}`
  const out: string[] = ['UNB+UNOC:3+5412345000013:14+5400000000003:14+250310:0815+' + icRef]
  for (let n = first; n < first + count; n++) {
    const ref = n + 1
    const segs = kind === 'DESADV' ? desadv(n, ref) : invoic(n, ref)
    out.push(...segs, `UNT+${segs.length + 1}+${ref}`)
  }
  out.push(`UNZ+${count}+${icRef}`)
  return Buffer.from("UNA:+.? '\n" + out.join("'\n") + "'\n", 'latin1')
}

export interface E2eFile {
  partnerId: string
  kind: E2eKind
  sets: number
  body: Buffer
}

/**
 * The files of one workload: for each of the four kinds, `sets` transaction sets split into files
 * of `perFile` sets. ASNs are listed before invoices, as suppliers send them.
 */
export function e2eFiles(sets: number, perFile: number): E2eFile[] {
  const files: E2eFile[] = []
  let file = 0
  for (const kind of E2E_KINDS) {
    for (let first = 0; first < sets; first += perFile) {
      const count = Math.min(perFile, sets - first)
      const body = kind === '856' || kind === '810' ? x12File(kind, first, count, file) : edifactFile(kind, first, count, file)
      files.push({ partnerId: kind === '856' || kind === '810' ? X12_PARTNER : EDIFACT_PARTNER, kind, sets: count, body })
      file++
    }
  }
  return files
}
