/**
 * When the pipeline owes a CONTRL (src/app/engines.ts): profile `edifact.contrl` always /
 * requested (by UNB 0031 = 1) / never, and never for an interchange of CONTRL messages.
 */
import { describe, expect, it } from 'vitest'
import { edifactEngine } from '../../src/app/engines.ts'
import { PartnerProfile } from '../../src/config/partner.ts'
import { parseEdifact } from '../../src/edi/edifact/index.ts'
import { edi, ORDERS_BODY } from '../edi/edifact/helpers.ts'

const profile = (contrl: 'always' | 'requested' | 'never'): PartnerProfile =>
  PartnerProfile.parse({
    id: 'p', name: 'p', status: 'live', kind: 'supplier',
    identities: { edifact: [{ qualifier: '14', id: 'THEM' }] },
    us: { edifact: { qualifier: '14', id: 'US' } },
    edifact: { contrl },
  })

/** An ORDERS interchange from THEM; `ack` sets UNB 0031. */
const orders = (ack: '' | '0' | '1') =>
  edi([`UNB+UNOC:3+THEM:14+US:14+240101:1200+R1${ack ? `++++${ack}` : ''}`, 'UNH+1+ORDERS:D:96A:UN', ...ORDERS_BODY, 'UNT+11+1', 'UNZ+1+R1'])

async function contrlFor(buf: Buffer, contrl: 'always' | 'requested' | 'never') {
  const r = parseEdifact(buf)
  let n = 0
  const out = await edifactEngine.acks(r, r.interchanges[0], profile(contrl), async (c) => Object.fromEntries(Object.keys(c).map((k) => [k, ++n + 100])) as never)
  return { out, allocated: n }
}

describe('CONTRL policy', () => {
  it('UNB 0031 = 1 asks for a CONTRL; it is sent under `requested`, addressed to the partner, with an allocated UNB 0020', async () => {
    expect(parseEdifact(orders('1')).interchanges[0].ackRequested).toBe(true)
    const { out, allocated } = await contrlFor(orders('1'), 'requested')
    expect(out.map((a) => a.docType)).toEqual(['CONTRL'])
    expect(allocated).toBe(1)
    expect(out[0].controlNumber).toBe('101')
    const back = parseEdifact(Buffer.from(out[0].text, 'latin1')).interchanges[0]
    expect(back).toMatchObject({ controlNumber: '101', sender: { id: 'US' }, receiver: { id: 'THEM' } })
    expect(out[0].text).toContain("UCI+R1+THEM:14+US:14+7'")
  })

  it('without UNB 0031 (or with 0) `requested` sends none and allocates nothing', async () => {
    for (const ack of ['', '0'] as const) {
      const { out, allocated } = await contrlFor(orders(ack), 'requested')
      expect(out).toEqual([])
      expect(allocated).toBe(0)
    }
  })

  it('`always` sends one without a request; `never` sends none even when asked', async () => {
    expect((await contrlFor(orders(''), 'always')).out).toHaveLength(1)
    expect((await contrlFor(orders('1'), 'never')).out).toEqual([])
  })

  it('an interchange of CONTRL messages gets no CONTRL, even when asked under `always`', async () => {
    const contrl = edi(['UNB+UNOC:3+THEM:14+US:14+240101:1200+C1++++1', 'UNH+1+CONTRL:D:3:UN', 'UCI+OUR1+US:14+THEM:14+7', 'UNT+3+1', 'UNZ+1+C1'])
    expect((await contrlFor(contrl, 'always')).out).toEqual([])
    // One ORDERS beside the CONTRL: the interchange is acknowledged as usual.
    const mixed = edi(['UNB+UNOC:3+THEM:14+US:14+240101:1200+C2', 'UNH+1+CONTRL:D:3:UN', 'UCI+OUR1+US:14+THEM:14+7', 'UNT+3+1', 'UNH+2+ORDERS:D:96A:UN', ...ORDERS_BODY, 'UNT+11+2', 'UNZ+2+C2'])
    expect((await contrlFor(mixed, 'always')).out).toHaveLength(1)
  })
})
