import { describe, expect, it } from 'vitest'
import { createEdifactReader, parseEdifact, summarizeEdifact } from '../../../src/edi/edifact/index.ts'
import { prng } from '../../../bench/gen/edifact.ts'
import { edi, interchange, ORDERS_BODY } from './helpers.ts'

const SEEDS = [
  interchange([{ body: ORDERS_BODY }, { type: 'DESADV', body: ['BGM+351+1+9', 'CPS+1', 'PAC+1++201::9', 'GIN+BJ+1', 'LIN+1++1:SRV'] }]),
  Buffer.from("UNA=*.? ~UNB*UNOC=3*S*R*240101=1200*1~UNH*1*INVOIC=D=97B=UN~BGM*380*1?~2*9~UNT*3*1~UNZ*1*1~"),
  Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), edi(['UNB+UNOY:4+S+R+20240101:1200+1', 'UNG+ORDERS+S+R+240101:1200+G+UN+D:01B', 'UNH+1+ORDERS:D:01B:UN', 'FTX+AAI+++Zürich?+*rep*x', 'UNT+3+1', 'UNE+1+G', 'UNZ+1+1'], '\r\n')]),
]

describe('EDIFACT fuzz (seeded truncations and byte flips)', () => {
  it('never throws out of parseEdifact, the streaming reader or the summary (2000 cases)', () => {
    const rnd = prng(20240517)
    const special = [0x27, 0x2b, 0x3a, 0x3f, 0x2a, 0x7e, 0x0a, 0x00, 0xff, 0xc3]
    let unreadable = 0
    for (let n = 0; n < 2000; n++) {
      const seed = SEEDS[n % SEEDS.length]
      let buf = Buffer.from(seed)
      const kind = n % 4
      if (kind === 0) buf = buf.subarray(0, Math.floor(rnd() * buf.length))
      else {
        const flips = 1 + Math.floor(rnd() * 6)
        for (let f = 0; f < flips; f++) {
          const at = Math.floor(rnd() * buf.length)
          buf[at] = kind === 1 ? Math.floor(rnd() * 256) : special[Math.floor(rnd() * special.length)]
        }
        if (kind === 3) buf = Buffer.concat([buf.subarray(0, Math.floor(rnd() * buf.length)), buf])
      }
      let r: ReturnType<typeof parseEdifact> | undefined
      expect(() => (r = parseEdifact(buf)), `case ${n}`).not.toThrow()
      if (r!.unreadable) unreadable++
      // A parser defect is reported as "parser defect" by parseEdifact; there must be none.
      expect(r!.issues.some((i) => i.message.startsWith('parser defect')), `case ${n}`).toBe(false)
      expect(() => summarizeEdifact(buf)).not.toThrow()
      const cut = Math.floor(rnd() * buf.length)
      const reader = createEdifactReader({}, { retain: false })
      expect(() => {
        reader.push(buf.subarray(0, cut))
        reader.push(buf.subarray(cut))
        reader.end()
      }).not.toThrow()
    }
    // Sanity: the cases are not all trivially unreadable.
    expect(unreadable).toBeLessThan(1500)
  })
})
