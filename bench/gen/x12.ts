/**
 * Deterministic X12 generator for the benchmark: 004010 856 ship notices with deep HL trees
 * (S → O → T tare → P pack → I item) or 850 purchase orders with many PO1 loops, valid against
 * our dictionaries. Same seed, same bytes. `chunksX12` yields pieces so a 1 GB file can be
 * written without holding it in memory.
 */

import { prng } from './prng.ts'

export { prng }

export interface X12GenOptions {
  type: '856' | '850'
  /** Approximate output size in bytes. */
  bytes: number
  seed?: number
  /** After each terminator: '' (one line), '\n' or '\r\n'. */
  lineBreak?: string
  /** Transaction sets per functional group (each interchange has one group). */
  perGroup?: number
}

const WORDS = ['WIDGET', 'BOX', 'PALLET', 'CARTON', 'STEEL', 'BLUE', 'LARGE', 'MINI', 'PACK', 'ROLL']
const pad = (n: number, w: number): string => String(n).padStart(w, '0')
/**
 * MAN*GM value: AI 00 and an 18-digit SSCC (extension 0, company prefix 01234, `kind` digit,
 * 10-digit serial: set number x 1000 + HL number, unique in the file) with its GS1 check digit.
 */
function manGm(kind: number, ctl: string, hl: number): string {
  const body = `001234${kind}${pad(Number(ctl) * 1000 + hl, 10)}`
  let sum = 0
  for (let i = body.length - 1, w = 3; i >= 0; i--, w = w === 3 ? 1 : 3) sum += Number(body[i]) * w
  return `00${body}${(10 - (sum % 10)) % 10}`
}

function asn(rand: () => number, ctl: string): string[] {
  const segs = ['ST*856*' + ctl, `BSN*00*SHP${ctl}*20240104*0930*0001`, 'DTM*011*20240104']
  let hl = 0
  const add = (parent: number, level: string, body: string[]): number => {
    hl++
    segs.push(`HL*${hl}*${parent || ''}*${level}`, ...body)
    return hl
  }
  const s = add(0, 'S', ['TD1*CTN*20****G*300*LB', 'TD5**2*UPSN', `REF*BM*BOL${ctl}`, 'N1*ST*STORE 12*92*0012', 'N3*1 MAIN ST', 'N4*SPRINGFIELD*IL*62701*US'])
  const orders = 2 + Math.floor(rand() * 3)
  for (let o = 0; o < orders; o++) {
    const oid = add(s, 'O', [`PRF*PO${ctl}${o}***20240102`, `REF*IV*INV${ctl}${o}`])
    const tares = 1 + Math.floor(rand() * 2)
    for (let t = 0; t < tares; t++) {
      const tid = add(oid, 'T', [`MAN*GM*${manGm(0, ctl, hl)}`])
      const packs = 3 + Math.floor(rand() * 5)
      for (let p = 0; p < packs; p++) {
        const pid = add(tid, 'P', ['PO4*1*12*EA', `MAN*GM*${manGm(1, ctl, hl)}`])
        const items = 1 + Math.floor(rand() * 3)
        for (let i = 0; i < items; i++) {
          const w = WORDS[Math.floor(rand() * WORDS.length)]
          add(pid, 'I', [`LIN**BP*ITEM-${Math.floor(rand() * 99999)}*UP*0${pad(Math.floor(rand() * 1e11), 11)}`, `SN1**${1 + Math.floor(rand() * 48)}*EA`, `PID*F****${w} ${w}`])
        }
      }
    }
  }
  segs.push(`CTT*${hl}`)
  segs.push(`SE*${segs.length + 1}*${ctl}`)
  return segs
}

function po(rand: () => number, ctl: string): string[] {
  const segs = ['ST*850*' + ctl, `BEG*00*SA*PO${ctl}**20240102`, 'CUR*BY*USD', 'REF*DP*038', 'DTM*002*20240115', 'N1*ST*STORE 12*92*0012', 'N3*1 MAIN ST', 'N4*SPRINGFIELD*IL*62701*US']
  const lines = 20 + Math.floor(rand() * 60)
  for (let l = 1; l <= lines; l++) {
    const w = WORDS[Math.floor(rand() * WORDS.length)]
    segs.push(`PO1*${l}*${1 + Math.floor(rand() * 500)}*EA*${(rand() * 100).toFixed(2)}*PE*BP*ITEM-${Math.floor(rand() * 99999)}*UP*0${pad(Math.floor(rand() * 1e11), 11)}`, `PID*F****${w} ${w}`, 'PO4*4*4*EA', `DTM*002*2024${pad(1 + Math.floor(rand() * 12), 2)}15`)
  }
  segs.push(`CTT*${lines}`, `SE*${segs.length + 2}*${ctl}`)
  return segs
}

/** Yields the file in pieces of about one interchange each. */
export function* chunksX12(o: X12GenOptions): Generator<string> {
  const rand = prng(o.seed ?? 42)
  const t = '~' + (o.lineBreak ?? '\n')
  const perGroup = o.perGroup ?? 200
  const fid = o.type === '856' ? 'SH' : 'PO'
  let written = 0
  let icn = 0
  let tx = 0
  while (written < o.bytes) {
    icn++
    const parts = [
      `ISA*00*          *00*          *ZZ*PARTNER        *ZZ*OURCO          *240102*1200*U*00401*${pad(icn, 9)}*0*P*>`,
      `GS*${fid}*PARTNERAPP*OURAPP*20240102*1200*${icn}*X*004010`,
    ]
    let n = 0
    for (; n < perGroup && written < o.bytes; n++) {
      const segs = o.type === '856' ? asn(rand, pad(++tx, 9)) : po(rand, pad(++tx, 9))
      parts.push(...segs)
      written += segs.reduce((a, s) => a + s.length + t.length, 0)
    }
    parts.push(`GE*${n}*${icn}`, `IEA*1*${pad(icn, 9)}`)
    yield parts.join(t) + t
  }
}

export function generateX12(o: X12GenOptions): Buffer {
  return Buffer.from([...chunksX12(o)].join(''), 'latin1')
}
