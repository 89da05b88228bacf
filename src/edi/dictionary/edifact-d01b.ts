/**
 * UN/EDIFACT D.01B message structures for ORDERS, ORDRSP, DESADV and INVOIC, as data.
 * ORDERS/ORDRSP follow the D.01B segment tables as exercised by the EANCOM 2002 (EAN008/EAN010)
 * samples in the corpus, which use every group (GIR, DGS, STG, CCI/CAV, AJT were added after
 * D.96A). DESADV and INVOIC keep the D.96A layout with the D.01B segment directory: their
 * changes between the two releases concern groups we do not receive (no corpus sample).
 */
import { codeMap, message } from './edifact-dsl.ts'
import { SEGMENTS_D01B } from './edifact-segments.ts'
import { DESADV_D96A, INVOIC_D96A } from './edifact-d96a.ts'

const NAD_GROUP = '[NAD C99; LOC C25; FII C5; [RFF C10; DTM C5]; [DOC C5; DTM C5]; [CTA C5; COM C5]]'
const ALC_GROUP =
  '[ALC C15; ALI C5; DTM C5; [QTY C1; RNG C1]; [PCD C1; RNG C1]; [MOA C2; RNG C1]; [RTE C1; RNG C1]; [TAX C5; MOA C1]]'

function head(afterRff: string, afterPat: string, tail: string): string {
  return `BGM M1; DTM M35; PAI C1; ALI C5; IMD C999; FTX C99; GIR C10;
  [RFF C9999; DTM C5];
  ${afterRff}
  ${NAD_GROUP};
  [TAX C5; MOA C1; LOC C5];
  [CUX C5; PCD C5; DTM C5];
  [PAT C10; DTM C5; PCD C1; MOA C1${afterPat}];
  [TDT C10; [LOC C10; DTM C5]];
  [TOD C5; LOC C2];
  [PAC C99; MEA C5; [PCI C5; RFF C1; DTM C5; GIN C10]];
  [EQD C10; HAN C5; MEA C5; FTX C5];
  [SCC C10; FTX C5; RFF C5; [QTY C10; DTM C5]];
  [APR C25; DTM C5; RNG C1];
  ${ALC_GROUP};
  [RCS C25; RFF C5; DTM C5; FTX C5]${tail}`
}

function line(afterPat: string, afterRff: string, tail: string): string {
  return `[LIN C200000; PIA C25; IMD C999; MEA C99; QTY C99; PCD C5; ALI C5; DTM C35; MOA C10;
    GIS C10; GIN C127; GIR C1000; QVR C1; DOC C5; PAI C1; MTD C99; FTX C99;
    [CCI C999; CAV C10; MEA C10];
    [PAT C10; DTM C5; PCD C1; MOA C1${afterPat}];
    [PRI C25; CUX C1; APR C5; RNG C1; DTM C5];
    [RFF C9999; DTM C5${afterRff}];
    [PAC C10; MEA C5; QTY C5; DTM C5; [RFF C1; DTM C5]; [PCI C10; RFF C1; DTM C5; GIN C10]];
    [LOC C9999; QTY C1; PCD C1; DTM C5];
    [TAX C10; MOA C1; LOC C5];
    ${NAD_GROUP};
    ${ALC_GROUP};
    [TDT C10; [LOC C10; DTM C5]];
    [TOD C5; LOC C2];
    [EQD C10; HAN C5; MEA C5; FTX C5];
    [SCC C100; FTX C5; RFF C5; [QTY C10; DTM C5]];
    [RCS C25; RFF C5; DTM C5; FTX C5];
    [STG C10; [QTY C3; MOA C1]]${tail}]`
}

const SUMMARY = 'UNS M1; MOA C12; CNT C10; [ALC C15; ALI C1; MOA C2]'

export const ORDERS_D01B = message(
  'ORDERS',
  'D01B',
  `${head('', '; GIR C10; RJL C10', '; [DGS C99; FTX C5; [CTA C5; COM C5]]')};
  ${line('; GIR C10', '; GIS C10; MOA C10', '; [DGS C99; FTX C5; [CTA C5; COM C5]]')};
  ${SUMMARY}`,
  SEGMENTS_D01B
)

export const ORDRSP_D01B = message(
  'ORDRSP',
  'D01B',
  `${head('[AJT C10; FTX C5];', '', '')};
  ${line('', '', '').replace('[PRI C25;', '[AJT C10; FTX C5]; [PRI C25;')};
  ${SUMMARY}`,
  SEGMENTS_D01B
)

export const DESADV_D01B = { ...DESADV_D96A, version: 'D01B', segments: SEGMENTS_D01B, segmentMap: codeMap(SEGMENTS_D01B) }
export const INVOIC_D01B = { ...INVOIC_D96A, version: 'D01B', segments: SEGMENTS_D01B, segmentMap: codeMap(SEGMENTS_D01B) }
