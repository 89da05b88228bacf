/**
 * X12 code lists read outside the dictionaries. They come from the generated dictionary data
 * (generated/x12-004010.ts, scripts/gen-x12-dictionary.ts), never typed by hand: the code lists
 * the validator checks live on the element definitions themselves (x12-segments.ts).
 */
import { X12_004010 } from './generated/x12-004010.ts'

/**
 * 479 Functional Identifier Code (GS01, AK101), the whole 004010 list: a GS01 outside it cannot
 * be echoed in AK101. Every GS01 of the GS01 → ST01 table (x12-groups.ts) is in it.
 */
export const FUNCTIONAL_ID_479: string = X12_004010.codes['479']
