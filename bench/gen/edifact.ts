/**
 * Deterministic EDIFACT generator for the benchmark: a DESADV (CPS → PAC → GIN SSCC → LIN) or an
 * ORDERS (SG25 LIN/PIA/IMD/QTY/MOA/PRI) interchange of roughly `bytes` bytes, valid against our
 * D.96A dictionary, with release characters in free text (`?+`, `?:`, `?'`, `??`) so the
 * escape path is exercised. Same seed, same bytes.
 */

import { prng } from './prng.ts'

export { prng }

export interface GenOptions {
  type: 'DESADV' | 'ORDERS'
  /** Approximate output size in bytes. */
  bytes: number
  seed?: number
  /** Segment separator suffix: '' (one line), '\n' or '\r\n'. */
  lineBreak?: string
}

const WORDS = ['Widget', 'Box', 'Pallet', 'Carton', 'Steel', 'Blue', 'Large', 'Mini', 'Pack', 'Roll']
// Every one of these has to be released: element, component, terminator, release itself.
const SPECIAL = ['?+', '?:', "?'", '??']

export function generateEdifact(o: GenOptions): Buffer {
  const rnd = prng(o.seed ?? 42)
  const lb = o.lineBreak ?? '\n'
  const int = (n: number) => Math.floor(rnd() * n)
  const digits = (n: number) => {
    let s = ''
    for (let i = 0; i < n; i++) s += String(int(10))
    return s
  }
  /** Free text of at most `max` data characters (a release pair counts as one). */
  const text = (max = 35) => {
    let s = ''
    let len = 0
    const n = 2 + int(4)
    for (let i = 0; i < n; i++) {
      const w = WORDS[int(WORDS.length)]
      const sp = rnd() < 0.5 ? SPECIAL[int(4)] : ''
      const add = (i ? 1 : 0) + w.length + (sp ? 1 : 0)
      if (len + add > max) break
      s += (i ? ' ' : '') + w + sp
      len += add
    }
    return s
  }
  const parts: string[] = []
  let size = 0
  const push = (seg: string) => {
    const s = seg + "'" + lb
    parts.push(s)
    size += s.length
  }
  // UNA: the sixth service character is the terminator itself, so no extra `'` follows.
  parts.push("UNA:+.? '" + lb)
  size = parts[0].length
  push(`UNB+UNOC:3+5412345000013:14+4012345500004:14+240101:1200+${o.type}BENCH++${o.type}`)
  let m = 0
  while (size < o.bytes) {
    m++
    const ref = `M${m}`
    const start = parts.length
    push(`UNH+${ref}+${o.type}:D:96A:UN:EAN008`)
    if (o.type === 'DESADV') {
      push(`BGM+351+DES${digits(8)}+9`)
      push(`DTM+137:2024${String(1 + int(12)).padStart(2, '0')}15:102`)
      push(`DTM+11:20240116:102`)
      push(`RFF+ON:PO${digits(6)}`)
      push(`NAD+SU+${digits(13)}::9++${text()}`)
      push(`NAD+BY+${digits(13)}::9`)
      push(`NAD+DP+${digits(13)}::9`)
      push('CPS+1')
      push('PAC+2++201::9')
      let cps = 1
      const pallets = 1 + int(3)
      let lines = 0
      for (let p = 0; p < pallets; p++) {
        push(`CPS+${++cps}+1`)
        push('PAC+1++201::9')
        push(`MEA+PD+AAB+KGM:${int(900)}.${int(10)}`)
        push('PCI+33E')
        push(`GIN+BJ+${digits(18)}`)
        const n = 2 + int(6)
        for (let l = 0; l < n; l++) {
          push(`LIN+${++lines}++${digits(13)}:SRV`)
          push(`PIA+1+${text(30)}:SA`)
          push(`IMD+F++:::${text(30)}`)
          push(`QTY+12:${1 + int(99)}`)
        }
      }
      push(`CNT+2:${lines}`)
    } else {
      push(`BGM+220+PO${digits(8)}+9`)
      push('DTM+137:20240101:102')
      push('DTM+2:20240110:102')
      push(`FTX+ZZZ+1++${text(60)}`)
      push(`RFF+CT:${digits(6)}`)
      push(`NAD+BY+${digits(13)}::9++${text(30)}`)
      push(`NAD+SU+${digits(13)}::9`)
      push('CUX+2:EUR:9')
      const n = 3 + int(20)
      for (let l = 1; l <= n; l++) {
        push(`LIN+${l}++${digits(13)}:SRV`)
        push(`PIA+1+${digits(6)}:SA`)
        push(`IMD+F++:::${text(30)}`)
        push(`QTY+21:${1 + int(500)}`)
        push(`MOA+203:${int(10000)}.${digits(2)}`)
        push(`PRI+AAA:${int(100)}.${digits(2)}`)
      }
      push('UNS+S')
      push(`CNT+2:${n}`)
    }
    push(`UNT+${parts.length - start + 1}+${ref}`)
  }
  push(`UNZ+${m}+${o.type}BENCH`)
  return Buffer.from(parts.join(''), 'latin1')
}
