/**
 * Transaction set structures (segment order, loops, usage, max use) for 850, 855, 856, 810,
 * 997 and 999, as published in the X12 004010 and 005010 tables. Positions follow the
 * standard's table order; a subset: segments real partners send (see corpus/SOURCES.md).
 * Each set's GS01 comes from the GS01 → ST01 table (x12-groups.ts).
 *
 * 004010 and 005010 share one structure per set; what differs between them is in the segment
 * tables (x12-segments.ts: element lengths, new elements, syntax notes, ack code lists), and the
 * 999 exists only from 005010 on. Known but not encoded here: segments and max-use changes the
 * 005010 tables bring to these sets beyond that subset (we do not carry the full 005010 tables,
 * so a segment they added is reported as not in the set).
 */
import { functionalIdOf } from './x12-groups.ts'
import { SEGMENTS_004010, SEGMENTS_005010 } from './x12-segments.ts'
import { loop, MANY, s, type X12StructureNode, type X12TransactionDef } from './x12-types.ts'

const n1Loop = (extra: X12StructureNode[] = []): X12StructureNode =>
  loop('N1', 'O', 200, [s('N1', 'M'), s('N2', 'O', 2), s('N3', 'O', 2), s('N4'), s('REF', 'O', 12), s('PER', 'O', 3), ...extra])

const sacLoop = loop('SAC', 'O', 25, [s('SAC', 'M'), s('CUR')])
const n9Loop = loop('N9', 'O', 1000, [s('N9', 'M'), s('DTM', 'O', 10), s('MSG', 'O', 1000)])
const schLoop = loop('SCH', 'O', 200, [s('SCH', 'M'), s('TD1'), s('TD5'), s('TD3'), s('TD4'), s('REF', 'O', 12)])
const ctpLoop = loop('CTP', 'O', MANY, [s('CTP', 'M'), s('CUR')])
const pidLoop = loop('PID', 'O', 1000, [s('PID', 'M'), s('MEA', 'O', 10)])

/** Header segments shared by 850 and 855 after BEG/BAK (004010 table 1, positions 040..360). */
const poHeader: X12StructureNode[] = [
  s('CUR'),
  s('REF', 'O', MANY),
  s('PER', 'O', 3),
  s('TAX', 'O', MANY),
  s('FOB', 'O', MANY),
  s('CTP', 'O', MANY),
  s('CSH', 'O', 5),
  sacLoop,
  s('ITD', 'O', MANY),
  s('DTM', 'O', 10),
  s('PID', 'O', 200),
  s('MEA', 'O', 40),
  s('PKG', 'O', 200),
  s('TD1', 'O', 2),
  s('TD5', 'O', 12),
  s('TD3', 'O', 12),
  s('TD4', 'O', 5),
  s('MAN', 'O', 10),
  s('TXI', 'O', MANY),
  n9Loop,
  n1Loop([s('FOB'), s('TD1', 'O', 2), s('TD5', 'O', 12), s('TD3', 'O', 12), s('TD4', 'O', 5), s('PKG', 'O', 200)]),
]

/** PO1 loop detail shared by 850 and 855 (004010 table 2). */
const po1Detail = (ack: boolean): X12StructureNode[] => [
  s('PO1', 'M'),
  s('LIN', 'O', MANY),
  s('CUR'),
  ctpLoop,
  s('MEA', 'O', 40),
  pidLoop,
  s('PKG', 'O', 200),
  s('PO4', 'O', MANY),
  s('REF', 'O', MANY),
  s('PER', 'O', 3),
  sacLoop,
  s('CSH', 'O', 5),
  s('ITD', 'O', 2),
  s('TAX', 'O', 3),
  s('FOB', 'O', MANY),
  s('DTM', 'O', 10),
  s('TC2', 'O', MANY),
  s('TD1'),
  s('TD5', 'O', 12),
  s('TD3'),
  s('TD4', 'O', 5),
  s('MAN', 'O', 10),
  s('MSG', 'O', 12),
  s('TXI', 'O', MANY),
  ...(ack ? [loop('ACK', 'O', 104, [s('ACK', 'M'), s('DTM', 'O', 10)])] : []),
  schLoop,
  n9Loop,
  n1Loop(),
  loop('SLN', 'O', 1000, [s('SLN', 'M'), s('MSG', 'O', 100), s('PID', 'O', 1000), s('PO4', 'O', 5), s('DTM', 'O', 10), s('CTP', 'O', 25), s('SAC', 'O', 25), s('REF', 'O', MANY)]),
]

const ctt = loop('CTT', 'O', 1, [s('CTT', 'M'), s('AMT')])

const PO_850: X12StructureNode[] = [
  s('BEG', 'M'),
  ...poHeader,
  loop('PO1', 'M', 100000, po1Detail(false)),
  ctt,
  s('AMT'),
]

const POACK_855: X12StructureNode[] = [
  s('BAK', 'M'),
  ...poHeader,
  loop('PO1', 'O', 100000, po1Detail(true)),
  ctt,
]

const ASN_856: X12StructureNode[] = [
  s('BSN', 'M'),
  s('DTM', 'O', 10),
  loop('HL', 'M', 200000, [
    s('HL', 'M'),
    s('LIN'),
    s('SN1'),
    s('SLN', 'O', 1000),
    s('PRF'),
    s('PO4'),
    s('PID', 'O', 200),
    s('MEA', 'O', 40),
    s('PKG', 'O', 25),
    s('TD1', 'O', 20),
    s('TD5', 'O', 12),
    s('TD3', 'O', 12),
    s('TD4', 'O', 5),
    s('REF', 'O', MANY),
    s('PER', 'O', 3),
    s('MAN', 'O', MANY),
    s('DTM', 'O', 10),
    s('FOB'),
    n1Loop([s('FOB')]),
    s('CUR'),
    sacLoop,
  ]),
  s('CTT'),
]

const INVOICE_810: X12StructureNode[] = [
  s('BIG', 'M'),
  s('NTE', 'O', 100),
  s('CUR'),
  s('REF', 'O', 12),
  s('PER', 'O', 3),
  n1Loop(),
  s('ITD', 'O', MANY),
  s('DTM', 'O', 10),
  s('FOB'),
  s('PID', 'O', 200),
  s('MEA', 'O', 40),
  s('PKG', 'O', 25),
  n9Loop,
  loop('IT1', 'O', 200000, [
    s('IT1', 'M'),
    s('CUR'),
    s('TXI', 'O', 10),
    s('CTP', 'O', 25),
    s('MEA', 'O', 40),
    pidLoop,
    s('PKG', 'O', 25),
    s('PO4'),
    s('ITD', 'O', 2),
    s('REF', 'O', MANY),
    s('PER', 'O', 5),
    s('DTM', 'O', 10),
    s('CAD'),
    loop('SAC', 'O', 25, [s('SAC', 'M'), s('TXI', 'O', 10)]),
    loop('SLN', 'O', 1000, [s('SLN', 'M'), s('DTM'), s('REF', 'O', MANY), s('PID', 'O', 1000), s('SAC', 'O', 25), s('TXI', 'O', 10)]),
    n1Loop(),
  ]),
  s('TDS', 'M'),
  s('TXI', 'O', 10),
  s('CAD'),
  s('AMT', 'O', MANY),
  loop('SAC', 'O', 25, [s('SAC', 'M'), s('TXI', 'O', 10)]),
  loop('ISS', 'O', 100, [s('ISS', 'M'), s('PID')]),
  s('CTT'),
]

const FA_997: X12StructureNode[] = [
  s('AK1', 'M'),
  loop('AK2', 'O', MANY, [
    s('AK2', 'M'),
    loop('AK3', 'O', MANY, [s('AK3', 'M'), s('AK4', 'O', 99)]),
    s('AK5', 'M'),
  ]),
  s('AK9', 'M'),
]

const IA_999: X12StructureNode[] = [
  s('AK1', 'M'),
  loop('AK2', 'O', MANY, [
    s('AK2', 'M'),
    loop('IK3', 'O', MANY, [
      s('IK3', 'M'),
      s('CTX', 'O', 10),
      loop('IK4', 'O', 99, [s('IK4', 'M'), s('CTX', 'O', 10)]),
    ]),
    s('IK5', 'M'),
  ]),
  s('AK9', 'M'),
]

const TABLE: Array<[id: string, name: string, body: X12StructureNode[]]> = [
  ['850', 'Purchase Order', PO_850],
  ['855', 'Purchase Order Acknowledgment', POACK_855],
  ['856', 'Ship Notice/Manifest', ASN_856],
  ['810', 'Invoice', INVOICE_810],
  ['997', 'Functional Acknowledgment', FA_997],
  ['999', 'Implementation Acknowledgment', IA_999],
]

const DEFS = new Map<string, X12TransactionDef>()
for (const [version, segments] of [['004010', SEGMENTS_004010], ['005010', SEGMENTS_005010]] as const) {
  for (const [id, name, body] of TABLE) {
    // 999 exists only from 005010 on (X12.5 005010 introduced it).
    if (id === '999' && version === '004010') continue
    const functionalId = functionalIdOf(id)
    if (functionalId === undefined) throw new Error(`x12-groups.ts has no GS01 for ${id}`)
    DEFS.set(`${id}/${version}`, { id, version, functionalId, name, body, segments })
  }
}

/**
 * The dictionary for ST01 under a GS08/ST03 version string (`004010VICS`, `005010X231`):
 * the first six characters pick the release. Undefined when we carry no dictionary for it;
 * the caller then checks the envelope only.
 */
export function x12TransactionDef(type: string, version: string): X12TransactionDef | undefined {
  return DEFS.get(`${type}/${version.slice(0, 6)}`)
}

export const X12_SUPPORTED = {
  types: ['850', '855', '856', '810', '997', '999'],
  versions: ['004010', '005010'],
} as const
