import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildContrl, parseEdifact, readContrl, reconcileContrl } from '../../../src/edi/edifact/index.ts'
import { edi, interchange, ORDERS_BODY, txs } from './helpers.ts'

const golden = join(import.meta.dirname, 'golden')
const now = new Date(Date.UTC(2024, 4, 17, 9, 5))
const opts = { reference: 'OUR0001', now }

/** Compares with golden/<name>.edi; UPDATE_GOLDEN=1 rewrites the file (review the diff!). */
function matchGolden(name: string, bytes: Buffer) {
  const file = join(golden, `${name}.edi`)
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, bytes)
  expect(existsSync(file), `${file} missing: run with UPDATE_GOLDEN=1 and review it`).toBe(true)
  expect(bytes.toString('latin1')).toBe(readFileSync(file, 'latin1'))
}

const bad = ORDERS_BODY.map((s) => s.replace('QTY+21:48', 'QTY+21:1020A')).filter((s) => !s.startsWith('DTM'))

describe('CONTRL', () => {
  it('acknowledges every message of a clean interchange (golden)', () => {
    const r = parseEdifact(interchange([{ body: ORDERS_BODY }, { body: ORDERS_BODY, ref: 'M2' }]))
    const out = buildContrl(r.interchanges[0], opts)
    expect(out.interchangeAction).toBe('7')
    matchGolden('contrl-accepted', out.bytes)
  })

  it('rejects only the bad message, with UCS/UCD detail (golden)', () => {
    const r = parseEdifact(interchange([{ body: ORDERS_BODY }, { body: bad, ref: 'BAD' }]))
    const out = buildContrl(r.interchanges[0], opts)
    matchGolden('contrl-one-rejected', out.bytes)
    const text = out.bytes.toString('latin1')
    expect(text).toContain("UCM+1+ORDERS:D:96A:UN+7'")
    expect(text).toContain("UCM+BAD+ORDERS:D:96A:UN+4'")
    expect(text).toContain("UCS+3+13'") // DTM (mandatory) missing, reported at the next segment (NAD)
    expect(text).toContain("UCD+37+1:2'") // QTY 6060 not numeric
  })

  it('reports UNG groups with UCF and UNZ trailer errors in UCI, with non-default separators (golden)', () => {
    const buf = Buffer.concat([
      Buffer.from('UNA=*.? ~'),
      Buffer.from(
        ['UNB*UNOC=3*SENDER=14*RECEIVER=14*240101=1200*REF9', 'UNG*ORDERS*S*R*240101=1200*G1*UN*D=96A', 'UNH*1*ORDERS=D=96A=UN', ...ORDERS_BODY.map((s) => s.replace(/\+/g, '*').replace(/:/g, '=')), 'UNT*11*1', 'UNE*1*G1', 'UNZ*2*REF9']
          .map((s) => s + '~')
          .join('')
      ),
    ])
    const r = parseEdifact(buf)
    const out = buildContrl(r.interchanges[0], opts)
    expect(out.interchangeAction).toBe('7')
    matchGolden('contrl-group-unz-mismatch', out.bytes)
    expect(out.bytes.toString('latin1')).toMatch(/^UNA=\*\.\? ~UNB\*/)
  })

  it('rejects the whole interchange when UNB is unusable (golden)', () => {
    const r = parseEdifact(interchange([{ body: ORDERS_BODY }], 'UNB+UNOC:3++RECEIVER:14+240101:1200+REF1'))
    const out = buildContrl(r.interchanges[0], { ...opts, sender: { id: 'US', qualifier: '14' }, receiver: { id: 'THEM', qualifier: '14' } })
    expect(out.interchangeAction).toBe('4')
    matchGolden('contrl-interchange-rejected', out.bytes)
  })

  it('reads back its own CONTRL and reconciles our message references', () => {
    const r = parseEdifact(interchange([{ body: ORDERS_BODY }, { body: bad, ref: 'BAD' }]))
    const ack = parseEdifact(buildContrl(r.interchanges[0], opts).bytes)
    const tx = txs(ack)[0]
    expect(tx.type).toBe('CONTRL')
    expect(tx.issues.filter((i) => i.severity === 'error')).toEqual([])
    const rep = readContrl(tx)
    expect(rep).toMatchObject({ interchangeRef: 'REF1', interchange: 'accepted' })
    expect(rep.messages.map((m) => [m.ref, m.status])).toEqual([
      ['1', 'accepted'],
      ['BAD', 'rejected'],
    ])
    expect(rep.messages[1].errors).toContainEqual({ segment: 6, element: 1, component: 2, code: '37' })
    expect(reconcileContrl(rep, ['1', 'BAD', 'NOT-LISTED'])).toEqual({ accepted: ['1', 'NOT-LISTED'], rejected: ['BAD'] })
  })

  it('an interchange-level rejection rejects every message we sent', () => {
    const text = edi(['UNB+UNOC:3+THEM+US+240101:1200+9', 'UNH+1+CONTRL:D:3:UN', 'UCI+OUR7+US+THEM+4+23', 'UNT+3+1', 'UNZ+1+9'])
    const rep = readContrl(txs(parseEdifact(text))[0])
    expect(rep).toMatchObject({ interchangeRef: 'OUR7', interchange: 'rejected', error: '23' })
    expect(reconcileContrl(rep, ['A', 'B'])).toEqual({ accepted: [], rejected: ['A', 'B'] })
  })
  it('echoes a message type holding `*` (syntax 4, written without UNA) in a CONTRL that reads back whole (fuzz case 1207/79699)', () => {
    const src = Buffer.from("UNA:+,? 'UNB+UNOA:4+12345678:8+WBDZDD:ZZ+081012:025+807'UNH+1+ORDE*S:D:96A:UN:EAN008'BGM+220::9+801715918011+9+NA'UNT+3+1'UNZ+1+807'", 'latin1')
    // With the partner profile's separators (the defaults): no UNA, so `*` is the repetition separator.
    const out = buildContrl(parseEdifact(src).interchanges[0], { ...opts, delimiters: {} })
    expect(out.bytes.toString('latin1').startsWith('UNB+UNOA:4+')).toBe(true)
    const back = parseEdifact(out.bytes)
    expect(back.issues.filter((i) => i.severity === 'error')).toEqual([])
    const ucm = txs(back)[0].segments.find((s) => s.tag === 'UCM')!
    expect(ucm.elements[1].slice(0, 4)).toEqual(['ORDE*S', 'D', '96A', 'UN'])
  })
  it('echoes a message type its repertoire cannot hold as `?` in a CONTRL that reads back whole (fuzz case 1207/92031)', () => {
    // UNOE (ISO 8859-5) declared, a message type with é: read as UTF-8 (mislabelled), echoed in UCM.
    const src = Buffer.from("UNB+UNOE:3+5400000000003:14+5412345000013:14+210722:1404+1'UNH+1+ORéERS:D:01B:UN'BGM+220+1+9'UNT+3+1'UNZ+1+1'", 'utf8')
    const out = buildContrl(parseEdifact(src).interchanges[0], { ...opts, delimiters: {} })
    const back = parseEdifact(out.bytes)
    expect(back.issues.filter((i) => i.severity === 'error')).toEqual([])
    const ucm = txs(back)[0].segments.find((s) => s.tag === 'UCM')!
    expect(ucm.elements[1].slice(0, 4)).toEqual(['OR?ERS', 'D', '01B', 'UN'])
  })
  it('answers in a syntax it knows when the UNB syntax identifier is garbage (fuzz case 4242/94524)', () => {
    // UNA sets `=` as the component separator, so S001 is "U:OA" version 3: its `:` is data.
    const src = Buffer.from("UNA=*.? ~UNB*U:OA=3*00545656=1*006415160=1*060515=1434*778~UNH*1*INVOIC=D=97B=UN~BGM*380*342459*9~UNT*3*1~UNZ*1*778~", 'latin1')
    const out = buildContrl(parseEdifact(src).interchanges[0], { ...opts, delimiters: {} })
    const text = out.bytes.toString('latin1')
    expect(text.startsWith('UNB+UNOC:3+')).toBe(true)
    expect(parseEdifact(out.bytes).issues.filter((i) => i.severity === 'error')).toEqual([])
    // A known identifier and version 4 are kept.
    const v4 = buildContrl(parseEdifact(Buffer.from("UNB+UNOB:4+A:1+B:1+20240101:1200+9'UNH+1+INVOIC:D:97B:UN'BGM+380+1+9'UNT+3+1'UNZ+1+9'", 'latin1')).interchanges[0], { ...opts, delimiters: {} })
    expect(v4.bytes.toString('latin1').startsWith('UNB+UNOB:4+')).toBe(true)
  })
})
