/**
 * EDI validation issues: data, never thrown. Names follow the X12 997/999 code lists (AK3/AK4,
 * IK3/IK4, AK5/IK5, AK9) and TA1 (I18), and each code also carries its UN/EDIFACT CONTRL syntax
 * error code (data element 0085), so one issue list can produce any of the three acknowledgements.
 */
import type { Position } from './types.ts'

/** Where an issue sits in the envelope hierarchy; decides which ack segment reports it. */
export type IssueLevel = 'file' | 'interchange' | 'group' | 'transaction' | 'segment' | 'element'

export interface EdiIssue {
  code: EdiIssueCode
  level: IssueLevel
  severity: 'error' | 'warning'
  /** Plain-language explanation naming the segment/element and what is wrong. */
  message: string
  /** Segment tag the issue is about (`PO1`, `UNT`). */
  segment?: string
  position?: Position
  /** 1-based element position within the segment (X12 AK401/IK401, EDIFACT 0098). */
  element?: number
  /** 1-based component position within a composite. */
  component?: number
  /** Data element reference number (`0062`, `324`) when known. */
  ref?: string
  /** The offending value, truncated for display. */
  value?: string
  /** Loop identifier (X12 AK303/IK303) when known. */
  loop?: string
  /**
   * What made this segment or element required or forbidden, when it is another segment or
   * element than the one in error (X12 999 CTX "SITUATIONAL TRIGGER", CTX02..CTX06).
   */
  trigger?: IssueTrigger
}

/**
 * The trigger of an issue (X12 999 CTX): the segment that started the loop iteration a missing
 * mandatory segment belongs to, or the present element whose syntax note (X12.6 P/C/L/E) the
 * element in error breaks.
 */
export interface IssueTrigger {
  /** Segment tag of the trigger (CTX02). */
  segment: string
  /** Where the trigger segment is (CTX03 is computed from `position.index`). */
  position: Position
  /** Loop the trigger segment sits in (CTX04). */
  loop?: string
  /** 1-based position of the trigger element in its segment (CTX05), for element triggers. */
  element?: number
  /** Data element reference number of the trigger element (CTX06). */
  ref?: string
}

/**
 * code → { x12: the AK3/AK4/AK5/AK9/TA1 code, contrl: CONTRL 0085 code }.
 * `x12Kind` says which X12 list the number belongs to.
 */
export const ISSUE_CODES = {
  // File / interchange (TA1 I18 note codes, CONTRL UCI 0085)
  envelope_unreadable: { x12Kind: 'TA1', x12: '024', contrl: '18' },
  trailing_garbage: { x12Kind: 'TA1', x12: '024', contrl: '33' },
  isa_invalid: { x12Kind: 'TA1', x12: '024', contrl: '12' },
  isa_field_width: { x12Kind: 'TA1', x12: '024', contrl: '40' },
  interchange_sender_invalid: { x12Kind: 'TA1', x12: '006', contrl: '23' },
  interchange_receiver_invalid: { x12Kind: 'TA1', x12: '008', contrl: '7' },
  interchange_date_invalid: { x12Kind: 'TA1', x12: '014', contrl: '12' },
  interchange_time_invalid: { x12Kind: 'TA1', x12: '015', contrl: '12' },
  interchange_control_invalid: { x12Kind: 'TA1', x12: '018', contrl: '12' },
  interchange_ack_request_invalid: { x12Kind: 'TA1', x12: '019', contrl: '12' },
  interchange_version_unsupported: { x12Kind: 'TA1', x12: '017', contrl: '2' },
  interchange_test_indicator_invalid: { x12Kind: 'TA1', x12: '020', contrl: '25' },
  interchange_control_mismatch: { x12Kind: 'TA1', x12: '001', contrl: '28' },
  interchange_count_mismatch: { x12Kind: 'TA1', x12: '021', contrl: '29' },
  interchange_trailer_missing: { x12Kind: 'TA1', x12: '023', contrl: '13' },
  interchange_duplicate: { x12Kind: 'TA1', x12: '025', contrl: '26' },
  charset_violation: { x12Kind: 'TA1', x12: '024', contrl: '21' },
  // Functional group (AK905 / IK905 codes, CONTRL UCF)
  group_unsupported: { x12Kind: 'AK9', x12: '1', contrl: '14' },
  group_version_unsupported: { x12Kind: 'AK9', x12: '2', contrl: '2' },
  group_trailer_missing: { x12Kind: 'AK9', x12: '3', contrl: '13' },
  group_control_mismatch: { x12Kind: 'AK9', x12: '4', contrl: '28' },
  group_count_mismatch: { x12Kind: 'AK9', x12: '5', contrl: '29' },
  group_control_invalid: { x12Kind: 'AK9', x12: '6', contrl: '12' },
  group_duplicate: { x12Kind: 'AK9', x12: '19', contrl: '26' },
  // Transaction set (AK502 / IK502 codes, CONTRL UCM)
  transaction_unsupported: { x12Kind: 'AK5', x12: '1', contrl: '14' },
  transaction_trailer_missing: { x12Kind: 'AK5', x12: '2', contrl: '13' },
  transaction_control_mismatch: { x12Kind: 'AK5', x12: '3', contrl: '28' },
  transaction_count_mismatch: { x12Kind: 'AK5', x12: '4', contrl: '29' },
  transaction_segments_in_error: { x12Kind: 'AK5', x12: '5', contrl: '18' },
  transaction_id_invalid: { x12Kind: 'AK5', x12: '6', contrl: '12' },
  // ST01 names a set that belongs in another functional group than GS01 says (850 in an IN
  // group). 6 (missing or invalid transaction set identifier) in every version; acks of version
  // 005010 and later say 18 (transaction set not in functional group): X12_CODES_005010.
  // CONTRL 0085 14 (value not supported in this position).
  transaction_not_in_group: { x12Kind: 'AK5', x12: '6', contrl: '14' },
  transaction_control_invalid: { x12Kind: 'AK5', x12: '7', contrl: '12' },
  transaction_duplicate: { x12Kind: 'AK5', x12: '23', contrl: '26' },
  // Segment (AK304 / IK304 codes, CONTRL UCS)
  segment_unrecognized: { x12Kind: 'AK3', x12: '1', contrl: '14' },
  segment_unexpected: { x12Kind: 'AK3', x12: '2', contrl: '15' },
  segment_missing: { x12Kind: 'AK3', x12: '3', contrl: '13' },
  loop_over_max: { x12Kind: 'AK3', x12: '4', contrl: '36' },
  segment_over_max: { x12Kind: 'AK3', x12: '5', contrl: '35' },
  segment_not_in_set: { x12Kind: 'AK3', x12: '6', contrl: '15' },
  segment_out_of_order: { x12Kind: 'AK3', x12: '7', contrl: '15' },
  segment_has_element_errors: { x12Kind: 'AK3', x12: '8', contrl: '18' },
  // Element (AK403 / IK403 codes, CONTRL UCD)
  element_missing: { x12Kind: 'AK4', x12: '1', contrl: '13' },
  element_conditional_missing: { x12Kind: 'AK4', x12: '2', contrl: '13' },
  element_too_many: { x12Kind: 'AK4', x12: '3', contrl: '16' },
  element_too_short: { x12Kind: 'AK4', x12: '4', contrl: '40' },
  element_too_long: { x12Kind: 'AK4', x12: '5', contrl: '39' },
  element_invalid_character: { x12Kind: 'AK4', x12: '6', contrl: '21' },
  element_invalid_code: { x12Kind: 'AK4', x12: '7', contrl: '12' },
  element_invalid_date: { x12Kind: 'AK4', x12: '8', contrl: '12' },
  element_invalid_time: { x12Kind: 'AK4', x12: '9', contrl: '12' },
  element_exclusion_violated: { x12Kind: 'AK4', x12: '10', contrl: '12' },
  element_too_many_repetitions: { x12Kind: 'AK4', x12: '12', contrl: '35' },
  element_too_many_components: { x12Kind: 'AK4', x12: '13', contrl: '16' },
  element_invalid_numeric: { x12Kind: 'AK4', x12: '6', contrl: '37' },
  element_invalid_decimal: { x12Kind: 'AK4', x12: '6', contrl: '19' },
  // EDIFACT (appended by the EDIFACT engine): una_invalid = UNA advice unusable, defaults kept
  // (0085 20 invalid service character); dictionary_substituted = no tables for this release, the
  // closest release validated it (warning); dictionary_unavailable = no tables for the message type.
  una_invalid: { x12Kind: 'TA1', x12: '024', contrl: '20' },
  dictionary_substituted: { x12Kind: 'AK5', x12: '1', contrl: '2' },
  dictionary_unavailable: { x12Kind: 'AK5', x12: '1', contrl: '14' },
  // Informational note (X12 engine): no dictionary for this set/version, envelope checked only.
  // Empty codes: never reported in a 997/999/CONTRL and never changes a status.
  transaction_not_validated: { x12Kind: 'AK5', x12: '', contrl: '' },
  // Memory bounds (EDIFACT engine, src/edi/edifact/limits.ts). transaction_too_large = a message
  // over the size limit, rejected and its body not kept; issues_truncated = one summary standing
  // for the issues past the per-message/interchange cap (exact count in `value`). CONTRL 0085 has
  // no code for either: 18 (unspecified error); X12 AK5 5 (one or more segments in error).
  transaction_too_large: { x12Kind: 'AK5', x12: '5', contrl: '18' },
  issues_truncated: { x12Kind: 'AK5', x12: '5', contrl: '18' },
  // X12 engine: an ST..SE directly in the interchange, outside any GS..GE. An envelope error:
  // TA105 024 (X12.5 I18 "invalid interchange content": an interchange holds functional groups,
  // not bare sets; 022 is about the ISA/IEA control structure itself), TA104 E (the interchange
  // and its groups stand). On the set itself it rejects it (no AK1 can acknowledge it).
  // CONTRL 0085 15 (not supported in this position) should EDIFACT ever need it.
  transaction_outside_group: { x12Kind: 'TA1', x12: '024', contrl: '15' },
  // An interchange with content but not one readable functional group or transaction set (e.g.
  // a segment terminator the reader cannot use): TA104 R, TA105 024 (invalid interchange
  // content), never a silent positive ack. CONTRL 0085 18 (unspecified error).
  interchange_no_transactions: { x12Kind: 'TA1', x12: '024', contrl: '18' },
  // Partner implementation guide (src/edi/guide.ts), checked after the base validation: the
  // standard allows what the partner's guide narrows. Reported like their base counterparts:
  // AK304/IK304 3 (missing) and 2 (unexpected), AK403/IK403 7 (invalid code value); CONTRL
  // 0085 13 (missing), 15 (not supported in this position), 12 (invalid value).
  guide_segment_missing: { x12Kind: 'AK3', x12: '3', contrl: '13' },
  guide_segment_forbidden: { x12Kind: 'AK3', x12: '2', contrl: '15' },
  guide_code_not_allowed: { x12Kind: 'AK4', x12: '7', contrl: '12' },
} as const satisfies Record<string, { x12Kind: 'TA1' | 'AK9' | 'AK5' | 'AK3' | 'AK4'; x12: string; contrl: string }>

export type EdiIssueCode = keyof typeof ISSUE_CODES

/**
 * Codes that 005010 and later acks (997 AK5 / 999 IK5) report differently, because the code
 * exists only from that version on; `ISSUE_CODES[code].x12` is the one every version knows.
 */
export const X12_CODES_005010: Readonly<Partial<Record<EdiIssueCode, string>>> = {
  transaction_not_in_group: '18',
}

/** Build an issue; keeps call sites short and the shape uniform. */
export function issue(
  code: EdiIssueCode,
  level: IssueLevel,
  message: string,
  extra: Partial<Omit<EdiIssue, 'code' | 'level' | 'message'>> = {}
): EdiIssue {
  return { code, level, severity: extra.severity ?? 'error', message, ...extra }
}

export const hasErrors = (issues: readonly EdiIssue[]): boolean =>
  issues.some((i) => i.severity === 'error')
