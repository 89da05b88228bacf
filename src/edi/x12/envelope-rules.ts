/**
 * X12.5 envelope rules for the header and trailer segments, as pure functions: what a GS or ST
 * says about its group or set, and whether an SE/GE/IEA agrees with its header (count in 01,
 * control number in 02). The streaming reader (reader.ts) owns the nesting and the counting.
 */
import { issue, type EdiIssue } from '../issues.ts'
import type { ParsedGroup, Segment } from '../types.ts'
import { SEGMENTS_004010 } from '../dictionary/x12-segments.ts'
import { functionalIdOf } from '../dictionary/x12-groups.ts'
import type { X12SegmentDef } from '../dictionary/x12-types.ts'
import { elementText } from './split.ts'
import { validateElements } from './validate-elements.ts'

const { GS: GS_DEF, GE: GE_DEF, ST: ST_DEF, SE: SE_DEF, IEA: IEA_DEF } = SEGMENTS_004010

/**
 * GS before 004010: GS04 (373 Date) is DT 6/6, YYMMDD; CCYYMMDD (8/8) came with 004010
 * (X12.5). The GS follows its own GS08, so a 003xxx group in a 004010 interchange is not
 * refused for its 6-digit date.
 */
const GS_DEF_PRE_004010: X12SegmentDef = {
  ...GS_DEF,
  elements: GS_DEF.elements.map((e, i) => (i === 3 ? { ...e, min: 6, max: 6 } : e)),
}
const gsDefFor = (version: string): X12SegmentDef => (/^00[0-3]\d{3}/.test(version) ? GS_DEF_PRE_004010 : GS_DEF)

const TRAILERS = {
  SE: { def: SE_DEF, level: 'transaction', header: 'ST', ctl: 'ST02', what: 'segments', has: 'the set', count: 'transaction_count_mismatch', control: 'transaction_control_mismatch' },
  GE: { def: GE_DEF, level: 'group', header: 'GS', ctl: 'GS06', what: 'transaction sets', has: 'the group', count: 'group_count_mismatch', control: 'group_control_mismatch' },
  IEA: { def: IEA_DEF, level: 'interchange', header: 'ISA', ctl: 'ISA13', what: 'functional groups', has: 'the interchange', count: 'interchange_count_mismatch', control: 'interchange_control_mismatch' },
} as const

/**
 * A trailer against its header: its elements, 01 against the `count` found, 02 against the
 * header's control number. Issues go to `out`.
 */
export function checkTrailer(kind: keyof typeof TRAILERS, seg: Segment, count: number, control: string, component: string, out: EdiIssue[]): void {
  const t = TRAILERS[kind]
  validateElements(seg, t.def, undefined, out)
  const n = elementText(seg, 0, component)
  if (n !== String(count)) {
    out.push(issue(t.count, t.level, `${kind}01 says ${n} ${t.what}, ${t.has} has ${count}`, { segment: kind, position: seg.pos, element: 1, value: n }))
  }
  const ctl = elementText(seg, 1, component)
  if (ctl !== control) {
    out.push(issue(t.control, t.level, `${kind}02 '${ctl}' does not match ${t.ctl} '${control}'`, { segment: kind, position: seg.pos, element: 2, value: ctl }))
  }
}

/** A functional group as its GS opens it, with what the GS itself gets wrong. */
export function openedGroup(gs: Segment, component: string): ParsedGroup {
  const g: ParsedGroup = {
    type: elementText(gs, 0, component),
    controlNumber: elementText(gs, 5, component),
    version: elementText(gs, 7, component),
    senderId: elementText(gs, 1, component),
    receiverId: elementText(gs, 2, component),
    explicit: true,
    issues: [],
    transactions: [],
  }
  // GS element problems are noted on the group (AK9 E); a malformed GS08 rejects it.
  const found: EdiIssue[] = []
  validateElements(gs, gsDefFor(g.version), undefined, found)
  for (const i of found) g.issues.push({ ...i, level: 'group', severity: 'warning' })
  // GS01/GS06 that a 997/999 cannot echo (AK101 ID 2/2 from 479, AK102 N0 1/9): the ack writes
  // a placeholder there, so the fault itself is named in AK905 (X12.5: 1 and 6).
  if (!GS_DEF.elements[0].codes?.has(g.type)) {
    g.issues.push(issue('group_unsupported', 'group', `GS01 '${g.type}' is not a functional identifier code (479)`, { segment: 'GS', position: gs.pos, element: 1, ref: '479', value: g.type, severity: 'warning' }))
  }
  if (!/^\d{1,9}$/.test(g.controlNumber)) {
    g.issues.push(issue('group_control_invalid', 'group', `GS06 '${g.controlNumber}' is not a 1-9 digit group control number`, { segment: 'GS', position: gs.pos, element: 6, ref: '28', value: g.controlNumber, severity: 'warning' }))
  }
  if (!/^\d{6}/.test(g.version)) {
    g.issues.push(issue('group_version_unsupported', 'group', `GS08 '${g.version}' is not an X12 version/release code`, { segment: 'GS', position: gs.pos, element: 8, value: g.version }))
  }
  return g
}

/** What an ST says about its set, in the group it opens in: ST elements, ST01, ST02, the GS01 fit. */
export function checkSt(st: Segment, type: string, control: string, grp: ParsedGroup, out: EdiIssue[]): void {
  validateElements(st, ST_DEF, undefined, out)
  if (!/^\d{3}$/.test(type)) {
    out.push(issue('transaction_id_invalid', 'transaction', `ST01 '${type}' is not a transaction set identifier`, { segment: 'ST', position: st.pos, element: 1, value: type }))
  }
  if (control === '') {
    out.push(issue('transaction_control_invalid', 'transaction', 'ST02 control number is empty', { segment: 'ST', position: st.pos, element: 2 }))
  } else if (control.length < 4 || control.length > 9) {
    // AK202/IK202 (329, AN 4/9) cannot echo it: AK502 7 says why the ack shows a placeholder.
    out.push(issue('transaction_control_invalid', 'transaction', `ST02 '${control}' is not a 4-9 character control number`, { segment: 'ST', position: st.pos, element: 2, value: control }))
  }
  if (!grp.explicit) {
    // No group, so no 997/999 can answer for it (no AK1): rejected, and the TA1 says 024.
    out.push(issue('transaction_outside_group', 'transaction', `ST ${control} is outside a GS..GE functional group and cannot be acknowledged or processed`, { segment: 'ST', position: st.pos }))
    return
  }
  // X12.5: a group holds sets of its GS01 only. A GS01 outside 479 is the group's own fault
  // (group_unsupported, AK905 1), so the sets are judged against a real code only.
  const belongs = functionalIdOf(type)
  if (belongs !== undefined && belongs !== grp.type && GS_DEF.elements[0].codes?.has(grp.type)) {
    out.push(
      issue('transaction_not_in_group', 'transaction', `transaction set ${type} belongs in a '${belongs}' functional group, not in GS01 '${grp.type}'`, {
        segment: 'ST', position: st.pos, element: 1, ref: '143', value: type,
      })
    )
  }
}
