/**
 * Small, valid X12 documents for the unit tests, built with correct counts so each test can
 * break exactly one thing. Bodies follow the 004010 tables (values invented for tests).
 */
export interface Tx {
  type: string
  ctl: string
  body: string[]
}

export interface EnvelopeOptions {
  version?: string
  isaVersion?: string
  fid?: string
  isa13?: string
  gs06?: string
  term?: string
  eol?: string
  ackRequested?: '0' | '1'
  rep?: string
}

/** A 106-byte ISA with '*' and '>' (the terminator is added by `envelope`). */
export function isaText(o: EnvelopeOptions = {}): string {
  const isaVersion = o.isaVersion ?? ((o.version ?? '004010') >= '005' ? '00501' : '00401')
  const rep = o.rep ?? (isaVersion >= '00501' ? '^' : 'U')
  return `ISA*00*          *00*          *ZZ*PARTNER        *ZZ*OURCO          *240102*1200*${rep}*${isaVersion}*${o.isa13 ?? '000000101'}*${o.ackRequested ?? '0'}*P*>`
}

export function envelope(txs: Tx[], o: EnvelopeOptions = {}): string {
  const t = (o.term ?? '~') + (o.eol ?? '\n')
  const version = o.version ?? '004010'
  const gs06 = o.gs06 ?? '7001'
  const lines = [isaText(o), `GS*${o.fid ?? fidOf(txs[0]?.type)}*PARTNERAPP*OURAPP*20240102*1200*${gs06}*X*${version}`]
  for (const tx of txs) {
    lines.push(`ST*${tx.type}*${tx.ctl}`, ...tx.body, `SE*${tx.body.length + 2}*${tx.ctl}`)
  }
  lines.push(`GE*${txs.length}*${gs06}`, `IEA*1*${o.isa13 ?? '000000101'}`)
  return lines.join(t) + t
}

function fidOf(type: string | undefined): string {
  return ({ '850': 'PO', '855': 'PR', '856': 'SH', '810': 'IN', '997': 'FA', '999': 'FA' } as Record<string, string>)[type ?? ''] ?? 'PO'
}

export const PO_850 = [
  'BEG*00*SA*PO12345**20240102',
  'CUR*BY*USD',
  'REF*DP*038',
  'DTM*002*20240115',
  'N1*ST*STORE 12*92*0012',
  'N3*1 MAIN ST',
  'N4*SPRINGFIELD*IL*62701*US',
  'PO1*1*10*EA*9.25*PE*BP*ITEM-1*UP*012345678905',
  'PID*F****BLUE WIDGET',
  'PO4*4*4*EA',
  'PO1*2*5*CA*19.5**BP*ITEM-2',
  'CTT*2',
  'AMT*TT*190',
]

export const POACK_855 = [
  'BAK*00*AD*PO12345*20240103',
  'REF*CO*SO-77',
  'N1*ST*STORE 12*92*0012',
  'PO1*1*10*EA*9.25**BP*ITEM-1',
  'ACK*IA*10*EA*068*20240110',
  'PO1*2*5*CA*19.5**BP*ITEM-2',
  'ACK*IR*0*CA',
  'CTT*2',
]

export const ASN_856 = [
  'BSN*00*SHIP001*20240104*0930*0001',
  'HL*1**S',
  'TD1*CTN*2****G*30*LB',
  'TD5**2*UPSN',
  'REF*BM*BOL123',
  'DTM*011*20240104',
  'N1*ST*STORE 12*92*0012',
  'HL*2*1*O',
  'PRF*PO12345***20240102',
  'HL*3*2*P',
  'MAN*GM*00000123450000000017',
  'HL*4*3*I',
  'LIN**BP*ITEM-1*UP*012345678905',
  'SN1**10*EA',
  'HL*5*2*P',
  'MAN*GM*00000123450000000024',
  'HL*6*5*I',
  'LIN**BP*ITEM-2',
  'SN1**5*CA',
  'CTT*6',
]

export const INVOICE_810 = [
  'BIG*20240105*INV-9*20240102*PO12345',
  'N1*RE*OURCO*92*V1',
  'ITD*01*3*****30',
  'DTM*011*20240104',
  'IT1*1*10*EA*9.25**BP*ITEM-1',
  'PID*F****BLUE WIDGET',
  'IT1*2*5*CA*19.5**BP*ITEM-2',
  'TDS*19000',
  'CTT*2',
]

export const FA_997 = ['AK1*PO*7001', 'AK2*850*0001', 'AK3*PO1*9*PO1*8', 'AK4*2*330*6*X', 'AK5*R*5', 'AK2*850*0002', 'AK5*A', 'AK9*P*2*2*1']

export const IA_999 = ['AK1*PO*7001*005010', 'AK2*850*0001', 'IK3*PO1*9*PO1*8', 'CTX*SITUATIONAL TRIGGER*PO1*9', 'IK4*2*330*6*X', 'IK5*R*5', 'AK9*R*1*1*0']

export const buf = (s: string): Buffer => Buffer.from(s, 'utf8')
