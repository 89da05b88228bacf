/**
 * Units of measure → UN/ECE Recommendation 20 common codes, the one vocabulary canonical
 * documents use (canonical/common.ts `Uom`). Unknown codes pass through unchanged so that an odd
 * partner unit reaches the exception queue instead of being guessed.
 */

/** X12 data element 355 (unit or basis for measurement code) → Rec 20. */
export const X12_TO_REC20: Record<string, string> = {
  EA: 'EA', // each
  CA: 'CS', // case
  CT: 'CT', // carton
  BX: 'BX', // box
  PK: 'PK', // package
  PL: 'PF', // pallet (lift)
  DZ: 'DZN', // dozen
  PR: 'PR', // pair
  UN: 'C62', // unit → "one"
  LB: 'LBR', // pound
  KG: 'KGM', // kilogram
  OZ: 'ONZ', // ounce
  GA: 'GLL', // US gallon
  LT: 'LTR', // litre
  FT: 'FOT', // foot
  IN: 'INH', // inch
  YD: 'YRD', // yard
  MR: 'MTR', // metre
  CH: 'CH', // container
}

/**
 * EDIFACT 6411 is Rec 20 already. EANCOM adds PCE (piece) for counted trade units; our matching
 * treats that as an each, so PCE becomes EA (and EA is written back as PCE on EANCOM messages).
 */
export const EDIFACT_TO_REC20: Record<string, string> = {
  PCE: 'EA',
  H87: 'EA',
  KGM: 'KGM',
  LTR: 'LTR',
  MTR: 'MTR',
  CS: 'CS',
  CT: 'CT',
  PF: 'PF',
}

/** Rec 20 → X12 355, the inverse table (first X12 code wins for a Rec 20 code). */
export const REC20_TO_X12: Record<string, string> = invert(X12_TO_REC20)
export const REC20_TO_EDIFACT: Record<string, string> = { ...invert(EDIFACT_TO_REC20), EA: 'PCE' }

function invert(t: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(t)) if (!(v in out)) out[v] = k
  return out
}
