/**
 * What each acknowledgment answers: its standard and the envelope level its reference names
 * (X12.5: 997/999 AK102 = the GS06 acknowledged, TA1 TA101 = the ISA13; ISO 9735: CONTRL UCI 0020
 * = the UNB 0020, its UCM lines name UNH 0062s). A document of the other standard, or a number at
 * another level, is never the one acknowledged, whatever its control number.
 */
export const ACK_ANSWERS = {
  '997': { standard: 'x12', level: 'group' },
  '999': { standard: 'x12', level: 'group' },
  TA1: { standard: 'x12', level: 'interchange' },
  CONTRL: { standard: 'edifact', level: 'interchange' },
} as const satisfies Record<string, { standard: 'x12' | 'edifact'; level: 'interchange' | 'group' }>

export type AckKind = keyof typeof ACK_ANSWERS
