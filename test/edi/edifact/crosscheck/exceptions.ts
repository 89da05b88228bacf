/**
 * Differences between the generated dictionaries (php-edifact/edifact-mapping) and the second
 * source (BizTalk schemas, microsoft/Integration), each explained. Nothing else may differ.
 */
export interface CrossCheckException {
  version: 'D96A' | 'D01B'
  /** Matches disagreement lines (`D96A table ORDERS SG25/QTY#1: C99 | C10`). */
  match: RegExp
  why: string
}

const UNS_0081 = 'UNS 0081 (section identification) is a service element (UNSL): the BizTalk schemas declare it a1 without a code list; ISO 9735 lists D and S, which our data enforces'

export const EXCEPTIONS: CrossCheckException[] = [
  { version: 'D96A', match: /^D96A code 0081: [DS] \| absent$/, why: UNS_0081 },
  { version: 'D01B', match: /^D01B code 0081: [DS] \| absent$/, why: UNS_0081 },
]
