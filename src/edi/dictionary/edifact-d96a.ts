/**
 * UN/EDIFACT D.96A message structures (UNTDID segment tables) for ORDERS, ORDRSP, DESADV and
 * INVOIC, as data. Group numbers follow from the depth-first numbering (ORDERS LIN = SG25,
 * DESADV CPS = SG10 with PAC/PCI(GIN) below it and LIN under CPS). EANCOM 1997 subsets
 * (EAN007..EAN010) only narrow these, so EANCOM messages validate against them.
 */
import { message } from './edifact-dsl.ts'
import { SEGMENTS_D96A } from './edifact-segments.ts'

// Shared detail blocks (identical in the messages that use them).
const NAD_GROUP = '[NAD C99; LOC C25; FII C5; [RFF C10; DTM C5]; [DOC C5; DTM C5]; [CTA C5; COM C5]]'
const ALC_GROUP =
  '[ALC C15; ALI C5; DTM C5; [QTY C1; RNG C1]; [PCD C1; RNG C1]; [MOA C2; RNG C1]; [RTE C1; RNG C1]; [TAX C5; MOA C1]]'
const ALC_GROUP_INVOIC =
  '[ALC C15; ALI C5; [RFF C5; DTM C5]; [QTY C1; RNG C1]; [PCD C1; RNG C1]; [MOA C2; RNG C1]; [RTE C1; RNG C1]; [TAX C5; MOA C1]]'

const ORDERS_HEAD = `BGM M1; DTM M35; PAI C1; ALI C5; IMD C1; FTX C99;
  [RFF C10; DTM C5];
  ${NAD_GROUP};
  [TAX C5; MOA C1; LOC C5];
  [CUX C5; PCD C5; DTM C5];
  [PAT C10; DTM C5; PCD C1; MOA C1];
  [TDT C10; [LOC C10; DTM C5]];
  [TOD C5; LOC C2];
  [PAC C10; MEA C5; [PCI C5; RFF C1; DTM C5; GIN C10]];
  [EQD C10; HAN C5; MEA C5; FTX C5];
  [SCC C10; FTX C5; RFF C5; [QTY C10; DTM C5]];
  [APR C25; DTM C5; RNG C1];
  ${ALC_GROUP};
  [RCS C25; RFF C5; DTM C5; FTX C5]`

const ORDERS_LINE = `[LIN C200000; PIA C25; IMD C99; MEA C99; QTY C99; PCD C5; ALI C5; DTM C35; MOA C10;
    GIN C127; GIR C1000; QVR C1; DOC C5; PAI C1; FTX C99;
    [PAT C10; DTM C5; PCD C1; MOA C1];
    [PRI C25; CUX C1; APR C1; RNG C1; DTM C5];
    [RFF C10; DTM C5];
    [PAC C10; MEA C5; QTY C5; [PCI C10; RFF C1; DTM C5; GIN C10]];
    [LOC C9999; QTY C1; DTM C5];
    [TAX C10; MOA C1; LOC C5];
    ${NAD_GROUP};
    ${ALC_GROUP};
    [TDT C10; [LOC C10; DTM C5]];
    [TOD C5; LOC C2];
    [EQD C10; HAN C5; MEA C5; FTX C5];
    [SCC C100; FTX C5; RFF C5; [QTY C10; DTM C5]];
    [RCS C25; RFF C5; DTM C5; FTX C5];
    [STG C10; [QTY C3; DTM C1]]]`

const SUMMARY = 'UNS M1; MOA C12; CNT C10; [ALC C15; ALI C1; MOA C2]'

export const ORDERS_D96A = message('ORDERS', 'D96A', `${ORDERS_HEAD}; ${ORDERS_LINE}; ${SUMMARY}`, SEGMENTS_D96A)

/** ORDRSP shares ORDERS' layout in D96A (the response mirrors the order), so LIN is SG26. */
export const ORDRSP_D96A = message(
  'ORDRSP',
  'D96A',
  `${ORDERS_HEAD.replace('FTX C99;', 'FTX C99; [RFF C10; DTM C5; FTX C5];').replace('[RFF C10; DTM C5];', '')}; ${ORDERS_LINE}; ${SUMMARY}`,
  SEGMENTS_D96A
)

export const DESADV_D96A = message(
  'DESADV',
  'D96A',
  `BGM M1; DTM C10; ALI C5; MEA C5; MOA C5;
  [RFF C10; DTM C1];
  [NAD C99; LOC C10; [RFF C10; DTM C1]; [CTA C10; COM C5]];
  [TOD C10; LOC C5; FTX C5];
  [TDT C10; PCD C1; [LOC C10; DTM C5]];
  [EQD C10; MEA C5; SEL C25; EQA C5; HAN C5; [TPL C10; MEA C10]];
  [CPS C9999; FTX C5;
    [PAC C9999; MEA C10; QTY C10; [HAN C10; FTX C10]; [PCI C1000; RFF C1; DTM C5; GIN C10]];
    [LIN C9999; PIA C10; IMD C25; MEA C10; QTY C10; ALI C10; GIN C100; GIR C100; DTM C5; FTX C5; MOA C5;
      [RFF C10; DTM C1];
      [DGS C10; QTY C1; FTX C5];
      [LOC C100; NAD C1; DTM C1; [QTY C10]];
      [SGP C100; QTY C10];
      [PCI C10; MEA C10; DTM C5; [GIN C10; DLM C100]];
      [QVR C10; DTM C5; RFF C1]]];
  CNT C5`,
  SEGMENTS_D96A
)

export const INVOIC_D96A = message(
  'INVOIC',
  'D96A',
  `BGM M1; DTM M35; PAI C1; ALI C5; IMD C1; FTX C10; LOC C10; GIS C10; DGS C1; GIR C10;
  [RFF C99; DTM C5];
  ${NAD_GROUP.replace('[RFF C10;', '[RFF C9999;')};
  [TAX C5; MOA C1; LOC C5];
  [CUX C5; DTM C5];
  [PAT C10; DTM C5; PCD C1; MOA C1];
  [TDT C10; [LOC C10; DTM C5]];
  [TOD C5; LOC C2];
  [PAC C1000; MEA C5; [PCI C5; RFF C1; DTM C5; GIN C10]];
  ${ALC_GROUP_INVOIC};
  [RCS C100; RFF C5; DTM C5; FTX C5];
  [AJT C1; FTX C5];
  [INP C1; FTX C1; DTM C5];
  [LIN C9999999; PIA C25; IMD C10; MEA C5; QTY C5; PCD C1; ALI C5; DTM C35; GIN C1000; GIR C1000; QVR C1; EDT C5; FTX C5;
    [MOA C5; CUX C1];
    [PAT C10; DTM C5; PCD C1; MOA C1];
    [PRI C25; CUX C1; APR C1; RNG C1; DTM C5];
    [RFF C10; DTM C5];
    [PAC C10; MEA C10; [PCI C10; RFF C1; DTM C5; GIN C10]];
    [LOC C9999; QTY C100; DTM C1];
    [TAX C99; MOA C1; LOC C5];
    ${NAD_GROUP};
    ${ALC_GROUP_INVOIC};
    [TDT C10; [LOC C10; DTM C5]];
    [TOD C5; LOC C2];
    [RCS C100; RFF C5; DTM C5; FTX C5]];
  UNS M1; CNT C10;
  [MOA M100; [RFF C1; DTM C5]];
  [TAX C10; MOA C2];
  [ALC C15; ALI C1; MOA C2]`,
  SEGMENTS_D96A
)
