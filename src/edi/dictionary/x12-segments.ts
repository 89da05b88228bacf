/**
 * X12 segment definitions (X12.3 element dictionary, X12.6 syntax notes) for every segment of
 * the sets we carry, compiled at load from the generated data (generated/x12-<version>.ts, written by
 * scripts/gen-x12-dictionary.ts from public machine-readable definitions; each data file names
 * its sources in its header). Nothing here is typed by hand: fix the generator, not the tables.
 */
import { X12_004010 } from './generated/x12-004010.ts'
import { X12_005010 } from './generated/x12-005010.ts'
import { compileX12Dictionary } from './x12-data.ts'
import type { X12SegmentDef } from './x12-types.ts'

export const DICT_004010 = compileX12Dictionary(X12_004010)
export const DICT_005010 = compileX12Dictionary(X12_005010)

export const SEGMENTS_004010: Readonly<Record<string, X12SegmentDef>> = DICT_004010.segments
export const SEGMENTS_005010: Readonly<Record<string, X12SegmentDef>> = DICT_005010.segments
