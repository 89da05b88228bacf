/**
 * TA1 interchange acknowledgments a partner sends us (X12.5; the reader keeps those between ISA
 * and the first GS on ParsedInterchange.ta1): what TA101..TA105 say, and the TA105 note codes
 * (I18) as data. Our own TA1s are written by ack.ts from ISSUE_CODES (issues.ts); this table is
 * what a partner's TA105 means when one comes back.
 */
import type { TransactionStatus } from '../types.ts'

/** X12 I18 Interchange Note Code (TA105) → meaning. */
export const TA1_NOTE_CODES: Readonly<Record<string, string>> = {
  '000': 'no error',
  '001': 'the interchange control number in the header and trailer do not match (the header value is used in the acknowledgment)',
  '002': 'this standard as noted in the control standards identifier is not supported',
  '003': 'this version of the controls is not supported',
  '004': 'the segment terminator is invalid',
  '005': 'invalid interchange ID qualifier for sender',
  '006': 'invalid interchange sender ID',
  '007': 'invalid interchange ID qualifier for receiver',
  '008': 'invalid interchange receiver ID',
  '009': 'unknown interchange receiver ID',
  '010': 'invalid authorization information qualifier value',
  '011': 'invalid authorization information value',
  '012': 'invalid security information qualifier value',
  '013': 'invalid security information value',
  '014': 'invalid interchange date value',
  '015': 'invalid interchange time value',
  '016': 'invalid interchange standards identifier value',
  '017': 'invalid interchange version ID value',
  '018': 'invalid interchange control number value',
  '019': 'invalid acknowledgment requested value',
  '020': 'invalid test indicator value',
  '021': 'invalid number of included groups value',
  '022': 'invalid control structure',
  '023': 'improper (premature) end-of-file (transmission)',
  '024': 'invalid interchange content (e.g. an invalid GS segment)',
  '025': 'duplicate interchange control number',
  '026': 'invalid data element separator',
  '027': 'invalid component element separator',
  '028': 'invalid delivery date in deferred delivery request',
  '029': 'invalid delivery time in deferred delivery request',
  '030': 'invalid delivery time code in deferred delivery request',
  '031': 'invalid grade of service code',
}

/** TA104 (I17): A accepted, E accepted with errors noted, R rejected. */
export const TA1_ACK_CODES: Readonly<Record<string, TransactionStatus>> = {
  A: 'accepted',
  E: 'accepted_with_errors',
  R: 'rejected',
}

export interface Ta1Reading {
  /** TA101: the ISA13 of ours it answers (a shorter number zero-padded to the 9 digits of I12). */
  controlNumber: string
  /** TA102 (YYMMDD) / TA103 (HHMM): our ISA09 / ISA10, as the partner echoed them. */
  date: string
  time: string
  /** TA104 and TA105 as written. */
  code: string
  note: string
  /** TA104 read: an unknown code counts as rejected (we cannot tell that it was accepted). */
  status: TransactionStatus
  /** Readable: `TA104 R, TA105 024: invalid interchange content (...)`. */
  text: string
}

/**
 * @example
 * readTa1(['000000901', '250302', '0915', 'R', '024']).status // 'rejected'
 */
export function readTa1(elements: readonly string[]): Ta1Reading {
  const at = (i: number) => (elements[i] ?? '').trim()
  const ctl = at(0)
  const code = at(3)
  const note = at(4)
  const status = TA1_ACK_CODES[code] ?? 'rejected'
  const what = TA1_ACK_CODES[code] ? `TA104 ${code}` : `TA104 '${code}' (not A, E or R)`
  const meaning = note ? (TA1_NOTE_CODES[note] ?? 'not an X12 interchange note code') : 'no note code'
  return {
    controlNumber: /^\d{1,9}$/.test(ctl) ? ctl.padStart(9, '0') : ctl,
    date: at(1),
    time: at(2),
    code,
    note,
    status,
    text: `${what}, TA105 ${note || '(none)'}: ${meaning}`,
  }
}
