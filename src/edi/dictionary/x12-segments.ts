/**
 * X12 segment definitions used by 850/855/856/810/997/999 (X12.3 element dictionary, X12.6
 * syntax notes). `SPECS` is the 004010 table; `OVERRIDES_005010` holds the 005010 changes that
 * matter to validation, and `ONLY_005010` the segments 004010 does not have (999).
 * Not the whole standard: the segments real supply-chain files use (see corpus/SOURCES.md).
 *
 * 004010 → 005010 differences encoded here:
 * - 127 Reference Identification AN 1/30 → 1/50: REF02, N902, SAC13, CAD08, C040-02/04/06;
 * - 364 Communication Number AN 1/80 → 1/256: PER04/06/08;
 * - N4: N407 (1715 Country Subdivision Code) is new, with syntax notes E0207 and C0704
 *   (N402 and N404 become conditional); 004010 N4 ends at N406;
 * - 997: AK103 (480) and AK203 (1705) are new; 719 Segment Position in Transaction Set
 *   (AK302) N0 1/6 → 1/10; C030 (AK401) gains C030-03 (1686 repeating data element position);
 *   AK502..506 (718) code list (004010 has no 18; see x12-codes.ts);
 * - IK3/IK4/IK5/CTX and C998/C999 exist only for the 005010 999.
 * Known but not encoded (not sure enough of the exact 005010 values, or outside the sets):
 * - the envelope (ISA/GS/ST/SE/GE/IEA) is one table for both versions: ST03 (1705) is 005010
 *   only but stays in the shared ST definition the reader uses for every version;
 * - element 723 (AK403) codes 12/13 and element 716 (AK905) list changes between versions;
 * - new trailing elements some 005010 segments gained (MEA, PRF, BSN, PID) and changed code
 *   lists (353, 92, 587, 735, 88) — every code list here is the 004010 one;
 * - segment name changes (REF "Reference Information") that do not affect validation.
 */
import * as C from './x12-codes.ts'
import {
  compileSegment,
  pairs,
  parseElementSpec,
  type SegmentSpec,
  type X12ElementDef,
  type X12SegmentDef,
} from './x12-types.ts'

function composite(specs: string): readonly X12ElementDef[] {
  return specs.split(',').map((s) => parseElementSpec(s, {}))
}

type Composites = Record<string, readonly X12ElementDef[]>

/** Composites we meet: C001 unit of measure, C040 reference id, C030 for acks (004010). */
const COMPOSITES_004010: Composites = {
  C001: composite(
    'M ID 2/2 355, O R 1/15 1018, O R 1/10 649, X ID 2/2 355, X R 1/15 1018, X R 1/10 649, X ID 2/2 355, X R 1/15 1018, X R 1/10 649, X ID 2/2 355, X R 1/15 1018, X R 1/10 649, X ID 2/2 355, X R 1/15 1018, X R 1/10 649'
  ),
  C040: composite('M ID 2/3 128, M AN 1/30 127, X ID 2/3 128, X AN 1/30 127, X ID 2/3 128, X AN 1/30 127'),
  C030: composite('M N0 1/2 722, O N0 1/2 1528'),
}

/** 005010: 127 grew to 1/50, C030 has the repetition position, C998/C999 serve the 999 CTX. */
const COMPOSITES_005010: Composites = {
  ...COMPOSITES_004010,
  C040: composite('M ID 2/3 128, M AN 1/50 127, X ID 2/3 128, X AN 1/50 127, X ID 2/3 128, X AN 1/50 127'),
  C030: composite('M N0 1/2 722, O N0 1/2 1528, O N0 1/4 1686'),
  C998: composite('M AN 1/35 9999, O AN 1/35 9998'),
  C999: composite('M N0 1/4 725, O N0 1/4 725'),
}

/** The same code list at several element positions, plus other lists: `{ 2: list, 3: list, ... }`. */
function codesAt(positions: number[], list: string, others: Record<number, string> = {}): Record<number, string> {
  const out: Record<number, string> = { ...others }
  for (const p of positions) out[p] = list
  return out
}

const generic = (n: number): string => Array.from({ length: n }, () => 'O AN 1/80').join(', ')

const SPECS: Record<string, SegmentSpec> = {
  // Envelope (X12.5): the envelope code checks ISA itself; GS/ST/SE/GE/IEA go through here.
  GS: {
    name: 'Functional Group Header',
    elements: 'M ID 2/2 479, M AN 2/15 142, M AN 2/15 124, M DT 8/8 373, M TM 4/8 337, M N0 1/9 28, M ID 1/2 455, M AN 1/12 480',
    codes: { 1: C.FUNCTIONAL_ID_479, 7: C.AGENCY_455 },
  },
  GE: { name: 'Functional Group Trailer', elements: 'M N0 1/6 97, M N0 1/9 28' },
  // ST03 is 005010 only; kept here because the reader checks every version's ST with this table.
  ST: { name: 'Transaction Set Header', elements: 'M ID 3/3 143, M AN 4/9 329, O AN 1/35 1705' },
  SE: { name: 'Transaction Set Trailer', elements: 'M N0 1/10 96, M AN 4/9 329' },
  IEA: { name: 'Interchange Control Trailer', elements: 'M N0 1/5 I16, M N0 9/9 I12' },
  // Headers of the business sets
  BEG: {
    name: 'Beginning Segment for Purchase Order',
    elements: 'M ID 2/2 353, M ID 2/2 92, M AN 1/22 324, O AN 1/30 328, M DT 8/8 373, O AN 1/30 367, O ID 2/2 587, O ID 2/2 1019, O ID 2/2 1166, O ID 2/2 1232, O ID 2/2 786, O ID 2/2 640',
    codes: { 1: C.PURPOSE_353, 2: C.PO_TYPE_92 },
  },
  BAK: {
    name: 'Beginning Segment for Purchase Order Acknowledgment',
    elements: 'M ID 2/2 353, M ID 2/2 587, M AN 1/22 324, M DT 8/8 373, O AN 1/30 328, O AN 1/45 326, O AN 1/30 367, O AN 1/22 324, O DT 8/8 373, O ID 2/2 640, O ID 2/2 1019, O ID 2/2 1166',
    codes: { 1: C.PURPOSE_353, 2: C.ACK_TYPE_587 },
  },
  BSN: {
    name: 'Beginning Segment for Ship Notice',
    elements: 'M ID 2/2 353, M AN 2/30 396, M DT 8/8 373, M TM 4/8 337, O ID 4/4 1005, X ID 2/2 640, O ID 1/2 641, O ID 1/2 640',
    codes: { 1: C.PURPOSE_353 },
  },
  BIG: {
    name: 'Beginning Segment for Invoice',
    elements: 'M DT 8/8 373, M AN 1/22 76, O DT 8/8 373, O AN 1/22 324, O AN 1/30 328, O AN 1/30 327, O ID 2/2 640, O ID 2/2 353, O ID 1/2 306, O AN 1/22 76',
    codes: { 8: C.PURPOSE_353 },
  },
  // Common header / detail segments
  CUR: {
    name: 'Currency',
    elements: `M ID 2/3 98, M ID 3/3 100, O R 4/10 280, O ID 2/3 98, O ID 3/3 100, O ID 3/3 669, X ID 3/3 374, X DT 8/8 373, X TM 4/8 337, ${generic(12)}`,
  },
  REF: {
    name: 'Reference Identification',
    elements: 'M ID 2/3 128, X AN 1/30 127, X AN 1/80 352, O C040',
    rules: 'R0203',
  },
  PER: {
    name: 'Administrative Communications Contact',
    elements: 'M ID 2/2 366, O AN 1/60 93, X ID 2/2 365, X AN 1/80 364, X ID 2/2 365, X AN 1/80 364, X ID 2/2 365, X AN 1/80 364, O AN 1/20 443',
    rules: 'P0304 P0506 P0708',
  },
  FOB: {
    name: 'F.O.B. Related Instructions',
    elements: 'M ID 2/2 146, X ID 2/2 309, O AN 1/80 352, O ID 2/2 334, X ID 3/3 335, X ID 1/2 309, O AN 1/80 352, O ID 2/2 54, O AN 1/80 352',
    rules: 'C0302',
  },
  CSH: {
    name: 'Sales Requirements',
    elements: 'O ID 1/2 563, X ID 1/2 306, X R 1/15 610, O AN 1/35 508, X DT 8/8 373, O ID 1/2 560, O R 1/10 954, O N2 1/15 610, O ID 1/1 962',
  },
  ITD: {
    name: 'Terms of Sale/Deferred Terms of Sale',
    elements: 'O ID 2/2 336, O ID 1/2 333, O R 1/6 338, O DT 8/8 370, O N0 1/3 351, O DT 8/8 446, O N0 1/3 386, O N2 1/10 362, O DT 8/8 388, O N2 1/10 389, O R 1/5 342, O AN 1/80 352, O N0 1/2 765, O ID 1/1 107, O R 1/10 954',
  },
  DTM: {
    name: 'Date/Time Reference',
    elements: 'M ID 3/3 374, X DT 8/8 373, X TM 4/8 337, O ID 2/2 623, X ID 2/3 1250, X AN 1/35 1251',
    rules: 'R020305 C0403 P0506',
  },
  PKG: {
    name: 'Marking, Packaging, Loading',
    elements: 'X ID 1/1 349, O ID 2/2 753, O ID 2/3 559, X AN 1/7 754, X AN 1/80 352, O ID 2/2 400',
  },
  TD1: {
    name: 'Carrier Details (Quantity and Weight)',
    elements: 'O AN 3/5 103, X N0 1/7 80, O ID 1/1 23, X ID 1/3 22, X AN 1/50 79, O ID 1/2 187, X R 1/10 81, X ID 2/2 355, O R 1/8 183, X ID 2/2 355',
    rules: 'C0102 C0504 C0607 P0708 P0910',
  },
  TD5: {
    name: 'Carrier Details (Routing Sequence/Transit Time)',
    elements: 'O ID 1/2 133, X ID 1/2 66, X AN 2/80 67, X ID 1/2 91, X AN 1/35 387, X ID 2/2 368, X ID 1/2 309, X AN 1/30 310, O ID 2/2 731, X ID 2/2 732, X R 1/4 733, X ID 2/2 284, O ID 2/2 284, O ID 2/2 284, O ID 2/3 26',
    rules: 'P0203 C0708 C1011',
  },
  TD3: {
    name: 'Carrier Details (Equipment)',
    elements: 'X ID 2/2 40, O AN 1/4 206, X AN 1/10 207, O ID 1/2 187, X R 1/10 81, X ID 2/2 355, O N0 1/8 102, O ID 2/2 407, O AN 2/15 225, O ID 1/4 24',
  },
  TD4: {
    name: 'Carrier Details (Special Handling, or Hazardous Materials, or Both)',
    elements: 'X ID 2/3 152, X ID 1/1 208, X AN 2/10 209, X AN 1/80 352, O ID 1/1 1073',
  },
  N9: {
    name: 'Reference Identification',
    elements: 'M ID 2/3 128, X AN 1/30 127, X AN 1/45 369, O DT 8/8 373, O TM 4/8 337, O ID 2/2 623, O C040',
    rules: 'R0203',
  },
  MSG: { name: 'Message Text', elements: 'M AN 1/264 933, X ID 2/2 934, O N0 1/9 1470' },
  NTE: { name: 'Note/Special Instruction', elements: 'O ID 3/3 363, M AN 1/80 352' },
  N1: {
    name: 'Name',
    elements: 'M ID 2/3 98, X AN 1/60 93, X ID 1/2 66, X AN 2/80 67, O ID 2/2 706, O ID 2/3 98',
    rules: 'R0203 P0304',
  },
  N2: { name: 'Additional Name Information', elements: 'M AN 1/60 93, O AN 1/60 93' },
  N3: { name: 'Address Information', elements: 'M AN 1/55 166, O AN 1/55 166' },
  N4: {
    name: 'Geographic Location',
    elements: 'O AN 2/30 19, O ID 2/2 156, O ID 3/15 116, O ID 2/3 26, X ID 1/2 309, O AN 1/30 310',
    rules: 'C0605',
  },
  TAX: {
    name: 'Tax Reference',
    elements: `X AN 1/20 325, X ID 2/2 309, X AN 1/30 310, ${generic(13)}`,
  },
  SAC: {
    name: 'Service, Promotion, Allowance, or Charge Information',
    elements: 'M ID 1/1 248, X ID 4/4 1300, X ID 2/2 559, X AN 1/10 1301, O N2 1/15 610, X ID 1/1 378, X R 1/6 332, X R 1/9 118, X ID 2/2 355, X R 1/15 380, O R 1/15 380, O ID 2/2 331, O AN 1/30 127, O AN 1/16 770, X AN 1/80 352, O ID 2/3 819',
    rules: 'R0203 P0304 P0607 P0910',
  },
  CTP: {
    name: 'Pricing Information',
    elements: 'O ID 2/2 687, X ID 3/3 236, X R 1/17 212, X R 1/15 380, X C001, O ID 3/3 648, O R 1/10 649, O R 1/15 782, O AN 1/30 639, O ID 1/2 499, O ID 1/3 289',
  },
  PID: {
    name: 'Product/Item Description',
    elements: 'M ID 1/1 349, O ID 2/3 750, X ID 2/3 559, X AN 1/12 751, X AN 1/80 352, O ID 2/2 752, O AN 1/15 822, O ID 1/1 1073, O ID 2/3 819',
    rules: 'C0403 R0405 C0703 C0804 C0905',
  },
  MEA: {
    name: 'Measurements',
    elements: 'O ID 2/2 737, O ID 1/3 738, X R 1/20 739, X C001, X R 1/20 740, X R 1/20 741, O ID 2/2 935, X R 1/20 936, O ID 1/2 752, O ID 1/2 1373',
  },
  PO4: {
    name: 'Item Physical Details',
    elements: 'O R 1/6 356, O R 1/8 357, X ID 2/2 355, X AN 3/5 103, O ID 1/2 187, X R 1/9 384, X ID 2/2 355, X R 1/9 385, X ID 2/2 355, X R 1/8 82, X R 1/8 189, X R 1/8 65, X ID 2/2 355, O R 1/6 810, O ID 1/1 752, O AN 1/45 350, O AN 1/45 350, O N0 1/3 1470',
    rules: 'C0302 C0506 P0809',
  },
  TC2: { name: 'Commodity', elements: 'M ID 1/1 23, M AN 1/30 22' },
  AMT: { name: 'Monetary Amount', elements: 'M ID 1/3 522, M R 1/18 782, O ID 1/1 478' },
  CTT: {
    name: 'Transaction Totals',
    elements: 'M N0 1/6 354, O R 1/10 347, X R 1/10 81, X ID 2/2 355, X R 1/8 183, X ID 2/2 355, O AN 1/80 352',
    rules: 'P0304 P0506',
  },
  // 850 / 855 detail
  PO1: {
    name: 'Baseline Item Data',
    elements: `O AN 1/20 350, X R 1/15 330, O ID 2/2 355, X R 1/17 212, O ID 2/2 639, ${pairs(10)}`,
    rules: 'C0302 C0504 P0607 P0809 P1011 P1213 P1415 P1617 P1819 P2021 P2223 P2425',
  },
  SLN: {
    name: 'Subline Item Detail',
    elements: `M AN 1/20 350, O AN 1/20 350, M ID 1/1 662, X R 1/15 380, X C001, X R 1/17 212, O ID 2/2 639, O ID 1/1 662, ${pairs(10)}`,
    rules: 'P0405 C0706 C0806 P0910 P1112 P1314 P1516 P1718 P1920 P2122 P2324 P2526 P2728',
  },
  SCH: {
    name: 'Line Item Schedule',
    elements: 'M R 1/15 380, O ID 2/2 355, X ID 2/3 98, X AN 1/60 93, M ID 3/3 374, M DT 8/8 373, O TM 4/8 337, X ID 3/3 374, X DT 8/8 373, X TM 4/8 337, O AN 1/45 326, O AN 1/20 350, O ID 1/2 1700',
    rules: 'L080910 C0908 C1008',
  },
  ACK: {
    name: 'Line Item Acknowledgment',
    elements: `M ID 2/2 668, X R 1/15 380, X ID 2/2 355, X ID 3/3 374, O DT 8/8 373, O AN 1/30 326, ${pairs(10)}, O ID 2/3 559, O AN 1/15 822, X AN 1/30 1271`,
    codes: { 1: C.LINE_STATUS_668 },
    rules: 'P0203 C0405',
  },
  // 856
  HL: {
    name: 'Hierarchical Level',
    elements: 'M AN 1/12 628, O AN 1/12 734, M ID 1/2 735, O ID 1/1 736',
    codes: { 3: C.HL_LEVEL_735, 4: C.HL_CHILD_736 },
  },
  LIN: {
    name: 'Item Identification',
    elements: `O AN 1/20 350, M ID 2/2 235, M AN 1/48 234, ${pairs(14)}`,
  },
  SN1: {
    name: 'Item Detail (Shipment)',
    elements: 'O AN 1/20 350, M R 1/10 382, M ID 2/2 355, O R 1/15 646, X R 1/15 330, X ID 2/2 355, O ID 2/2 728, O ID 2/2 668',
    rules: 'P0506',
  },
  PRF: {
    name: 'Purchase Order Reference',
    elements: 'M AN 1/22 324, O AN 1/30 328, O AN 1/30 327, O DT 8/8 373, O AN 1/30 367, O ID 2/2 92',
  },
  MAN: {
    name: 'Marks and Numbers',
    elements: 'M ID 1/2 88, M AN 1/48 87, O AN 1/48 87, X ID 1/2 88, X AN 1/48 87, O AN 1/48 87',
    codes: { 1: C.MARKS_88 },
    rules: 'P0405 C0604',
  },
  // 810
  IT1: {
    name: 'Baseline Item Data (Invoice)',
    elements: `O AN 1/20 350, X R 1/10 358, X ID 2/2 355, X R 1/17 212, O ID 2/2 639, ${pairs(10)}`,
    rules: 'P020304 P0607 P0809 P1011 P1213 P1415 P1617 P1819 P2021 P2223 P2425',
  },
  TDS: { name: 'Total Monetary Value Summary', elements: 'M N2 1/15 610, O N2 1/15 610, O N2 1/15 610, O N2 1/15 610' },
  CAD: {
    name: 'Carrier Detail',
    elements: 'O ID 1/2 91, X AN 2/4 206, X AN 1/10 207, X ID 2/4 140, X AN 1/35 387, O ID 2/2 368, X ID 2/3 128, X AN 1/30 127, O ID 2/2 284',
    rules: 'R0405 P0708',
  },
  ISS: {
    name: 'Invoice Shipment Summary',
    elements: 'X R 1/10 382, X ID 2/2 355, X R 1/10 81, X ID 2/2 355, X R 1/8 183, X ID 2/2 355, O R 1/15 380, O ID 2/2 355',
    rules: 'P0102 P0304 P0506',
  },
  TXI: {
    name: 'Tax Information',
    elements: 'M ID 2/2 963, X R 1/18 782, X R 1/10 954, X ID 1/2 955, X AN 1/30 956, X ID 1/1 441, O ID 1/1 1325, O R 1/9 828, O AN 1/20 325, O ID 2/2 350',
    rules: 'R020306 C0405 C0804',
  },
  // 997 / 999 (X12.5 functional acknowledgments)
  AK1: {
    name: 'Functional Group Response Header',
    elements: 'M ID 2/2 479, M N0 1/9 28',
    codes: { 1: C.FUNCTIONAL_ID_479 },
  },
  AK2: {
    name: 'Transaction Set Response Header',
    elements: 'M ID 3/3 143, M AN 4/9 329',
  },
  AK3: {
    name: 'Data Segment Note',
    elements: 'M ID 2/3 721, M N0 1/6 719, O AN 1/4 447, O ID 1/3 720',
    codes: { 4: C.SEGMENT_ERROR_720 },
  },
  AK4: {
    name: 'Data Element Note',
    elements: 'M C030, O N0 1/4 725, M ID 1/3 723, O AN 1/99 724',
    codes: { 3: C.ELEMENT_ERROR_723 },
  },
  AK5: {
    name: 'Transaction Set Response Trailer',
    elements: 'M ID 1/1 717, O ID 1/3 718, O ID 1/3 718, O ID 1/3 718, O ID 1/3 718, O ID 1/3 718',
    codes: codesAt([2, 3, 4, 5, 6], C.TX_ERROR_718_004010, { 1: C.TX_ACK_717 }),
  },
  AK9: {
    name: 'Functional Group Response Trailer',
    elements: 'M ID 1/1 715, M N0 1/6 97, M N0 1/6 123, M N0 1/6 2, O ID 1/3 716, O ID 1/3 716, O ID 1/3 716, O ID 1/3 716, O ID 1/3 716',
    codes: { 1: C.GROUP_ACK_715, 5: C.GROUP_ERROR_716, 6: C.GROUP_ERROR_716, 7: C.GROUP_ERROR_716, 8: C.GROUP_ERROR_716, 9: C.GROUP_ERROR_716 },
  },
}

/** 005010 changes relative to 004010 for the segments above (see the header comment). */
const OVERRIDES_005010: Record<string, Partial<SegmentSpec>> = {
  REF: { elements: 'M ID 2/3 128, X AN 1/50 127, X AN 1/80 352, O C040' },
  N9: { elements: 'M ID 2/3 128, X AN 1/50 127, X AN 1/45 369, O DT 8/8 373, O TM 4/8 337, O ID 2/2 623, O C040' },
  PER: {
    elements: 'M ID 2/2 366, O AN 1/60 93, X ID 2/2 365, X AN 1/256 364, X ID 2/2 365, X AN 1/256 364, X ID 2/2 365, X AN 1/256 364, O AN 1/20 443',
  },
  N4: {
    elements: 'O AN 2/30 19, X ID 2/2 156, O ID 3/15 116, X ID 2/3 26, X ID 1/2 309, O AN 1/30 310, X ID 1/3 1715',
    rules: 'E0207 C0605 C0704',
  },
  SAC: {
    elements: 'M ID 1/1 248, X ID 4/4 1300, X ID 2/2 559, X AN 1/10 1301, O N2 1/15 610, X ID 1/1 378, X R 1/6 332, X R 1/9 118, X ID 2/2 355, X R 1/15 380, O R 1/15 380, O ID 2/2 331, O AN 1/50 127, O AN 1/16 770, X AN 1/80 352, O ID 2/3 819',
  },
  CAD: {
    elements: 'O ID 1/2 91, X AN 2/4 206, X AN 1/10 207, X ID 2/4 140, X AN 1/35 387, O ID 2/2 368, X ID 2/3 128, X AN 1/50 127, O ID 2/2 284',
  },
  AK1: { elements: 'M ID 2/2 479, M N0 1/9 28, O AN 1/12 480' },
  AK2: { elements: 'M ID 3/3 143, M AN 4/9 329, O AN 1/35 1705' },
  AK3: { elements: 'M ID 2/3 721, M N0 1/10 719, O AN 1/4 447, O ID 1/3 720' },
  AK5: { codes: codesAt([2, 3, 4, 5, 6], C.TX_ERROR_718, { 1: C.TX_ACK_717 }) },
}

/** Segments of the 005010 999 (X12.5 005010 introduced it), absent from 004010. */
const ONLY_005010: Record<string, SegmentSpec> = {
  IK3: {
    name: 'Implementation Data Segment Note',
    elements: 'M ID 2/3 721, M N0 1/10 719, O AN 1/4 447, M ID 1/3 620',
    codes: { 4: C.SEGMENT_ERROR_620 },
  },
  IK4: {
    name: 'Implementation Data Element Note',
    elements: 'M C030, O N0 1/4 725, M ID 1/3 621, O AN 1/99 724',
    codes: { 3: C.ELEMENT_ERROR_621 },
  },
  IK5: {
    name: 'Implementation Transaction Set Response Trailer',
    elements: 'M ID 1/1 717, O ID 1/3 618, O ID 1/3 618, O ID 1/3 618, O ID 1/3 618, O ID 1/3 618',
    codes: codesAt([2, 3, 4, 5, 6], C.TX_ERROR_618, { 1: C.TX_ACK_717 }),
  },
  CTX: {
    name: 'Context',
    elements: 'M C998 *10, O ID 2/3 721, O N0 1/10 719, O AN 1/4 447, O C030, O C999',
  },
}

function build(specs: Record<string, SegmentSpec>, overrides: Record<string, Partial<SegmentSpec>>, composites: Composites): Record<string, X12SegmentDef> {
  const out: Record<string, X12SegmentDef> = {}
  for (const [tag, spec] of Object.entries(specs)) {
    out[tag] = compileSegment(tag, { ...spec, ...overrides[tag] }, composites)
  }
  return out
}

export const SEGMENTS_004010: Readonly<Record<string, X12SegmentDef>> = build(SPECS, {}, COMPOSITES_004010)
export const SEGMENTS_005010: Readonly<Record<string, X12SegmentDef>> = build({ ...SPECS, ...ONLY_005010 }, OVERRIDES_005010, COMPOSITES_005010)
