/**
 * Named pure transforms maps refer to by name (DESIGN 2.6: no inline code in YAML). Each takes
 * the raw value a path read (text, a component array, a whole Segment, or a JSON value) and an
 * optional `arg` checked at load time. A value that cannot be converted throws TransformError;
 * the engines turn that into an issue naming the field, so it stays data for the caller.
 */
import type { Segment } from '../edi/types.ts'
import { normalize } from '../lib/decimal.ts'
import { EDIFACT_TO_REC20, REC20_TO_EDIFACT, REC20_TO_X12, X12_TO_REC20 } from './uom.ts'

export class TransformError extends Error {}

export interface TransformCtx {
  lookups: Record<string, Record<string, string>>
  /** Set by segment-level transforms to the element they read (`/07`), for provenance. */
  sub?: string
}

export interface TransformDef {
  fn: (v: unknown, arg: any, ctx: TransformCtx) => unknown
  /** Validates `arg` at load time; returns an error message or undefined. */
  check?: (arg: unknown, lookups: Record<string, unknown>) => string | undefined
}

const str = (v: unknown): string => {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v)
  if (Array.isArray(v)) return v.map(str).join('')
  throw new TransformError(`expected text, got ${typeof v}`)
}

const isSegment = (v: unknown): v is Segment =>
  v !== null && typeof v === 'object' && 'tag' in v && Array.isArray((v as Segment).elements)

function isoDate(y: string, m: string, d: string, raw: string): string {
  const mm = Number(m)
  const dd = Number(d)
  const days = new Date(Date.UTC(Number(y), mm, 0)).getUTCDate()
  if (!(mm >= 1 && mm <= 12 && dd >= 1 && dd <= days)) throw new TransformError(`not a valid date: "${raw}"`)
  return `${y}-${m}-${d}`
}

/** X12 dates are CCYYMMDD (DTM02, BEG05) or YYMMDD (4010 ISA09 style, some partners). */
function dateDigits(raw: string): string {
  const s = raw.trim()
  if (/^\d{8}$/.test(s)) return isoDate(s.slice(0, 4), s.slice(4, 6), s.slice(6, 8), raw)
  if (/^\d{6}$/.test(s)) {
    // X12.5 date window: YY < 50 is 20YY
    const yy = Number(s.slice(0, 2))
    return isoDate(`${yy < 50 ? 20 : 19}${s.slice(0, 2)}`, s.slice(2, 4), s.slice(4, 6), raw)
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(s)) return isoDate(s.slice(0, 4), s.slice(5, 7), s.slice(8, 10), raw)
  throw new TransformError(`not a date (CCYYMMDD or YYMMDD): "${raw}"`)
}

function hhmm(raw: string): string {
  const s = raw.trim()
  if (!/^\d{4}(\d{2})?$/.test(s) || Number(s.slice(0, 2)) > 23 || Number(s.slice(2, 4)) > 59)
    throw new TransformError(`not a time (HHMM[SS]): "${raw}"`)
  return s.length === 6 ? `${s.slice(0, 2)}:${s.slice(2, 4)}:${s.slice(4, 6)}` : `${s.slice(0, 2)}:${s.slice(2, 4)}`
}

/**
 * EDIFACT DTM C507: [2005 qualifier, 2380 value, 2379 format]. 2379: 102 CCYYMMDD,
 * 101 YYMMDD, 203 CCYYMMDDHHMM, 204 CCYYMMDDHHMMSS, 718 CCYYMMDD-CCYYMMDD (first date kept).
 */
function edifactDate(v: unknown, withTime: boolean): string {
  const parts = Array.isArray(v) ? v.map(str) : [str(v)]
  const [value, fmt] = parts.length >= 2 ? [parts[1], parts[2] || '102'] : [parts[0], '102']
  switch (fmt) {
    case '102':
    case '101':
      return dateDigits(value)
    case '718':
      return dateDigits(value.slice(0, 8))
    case '203':
    case '204': {
      if (!/^\d{12}(\d{2})?$/.test(value)) throw new TransformError(`DTM 2379=${fmt} expects CCYYMMDDHHMM[SS]: "${value}"`)
      const d = dateDigits(value.slice(0, 8))
      return withTime ? `${d}T${hhmm(value.slice(8))}` : d
    }
    default:
      throw new TransformError(`unsupported DTM date format 2379=${fmt}`)
  }
}

/**
 * Decimal text → canonical decimal string. Accepts a decimal comma (ISO 9735 UNA decimal mark),
 * a leading `+`, and implied decimals (X12 type N2: `12345` → `123.45`, arg `N2`).
 */
function decimal(v: unknown, arg?: string): string {
  let s = str(v).trim().replace(',', '.').replace(/^\+/, '')
  if (s.startsWith('.')) s = `0${s}`
  if (s.startsWith('-.')) s = `-0${s.slice(1)}`
  if (s.endsWith('.')) s = s.slice(0, -1)
  if (!/^-?\d+(\.\d+)?$/.test(s)) throw new TransformError(`not a decimal number: "${str(v)}"`)
  const implied = arg ? Number(arg.slice(1)) : 0
  if (implied > 0) {
    if (s.includes('.')) throw new TransformError(`type ${arg} has implied decimals, got "${s}"`)
    const neg = s.startsWith('-')
    const digits = (neg ? s.slice(1) : s).padStart(implied + 1, '0')
    s = `${neg ? '-' : ''}${digits.slice(0, -implied)}.${digits.slice(-implied)}`
  }
  return normalize(s)
}

/** GS1 mod-10 check digit over all digits but the last (weights 3,1,3,... from the right). */
export function gs1CheckDigitValid(digits: string): boolean {
  let sum = 0
  for (let i = digits.length - 2, w = 3; i >= 0; i--, w = 4 - w) sum += Number(digits[i]) * w
  return (10 - (sum % 10)) % 10 === Number(digits[digits.length - 1])
}

/**
 * MAN02 / GIN 7402 may carry the GS1 application identifier 00 in front of the 18 digits.
 * Inbound, a wrong check digit is kept as sent: the document is still an ASN, and matching raises
 * `sscc_invalid` for the warehouse with the correct digit (src/matching/warehouse.ts).
 */
function sscc(v: unknown): string {
  let s = str(v).trim().replace(/^\(00\)/, '')
  if (s.length === 20 && s.startsWith('00')) s = s.slice(2)
  if (!/^\d{18}$/.test(s)) throw new TransformError(`SSCC must be 18 digits: "${str(v)}"`)
  return s
}

/** Outbound, we never write a label the receiving dock cannot scan. */
function ssccChecked(v: unknown): string {
  const s = sscc(v)
  if (!gs1CheckDigitValid(s)) throw new TransformError(`SSCC check digit is wrong: "${s}"`)
  return s
}

/**
 * Pairs of (qualifier, value) elements: PO106/07, PO108/09 ... (X12 235/234 product id pairs).
 * `q` may list alternatives (`VP|VN`); `start` is the first qualifier's position (PO1: 6, LIN: 2).
 */
function qualifiedPair(v: unknown, arg: string | { q: string; start?: number }, ctx: TransformCtx): string | undefined {
  if (!isSegment(v)) throw new TransformError('qualified_pair needs a whole segment (from: PO1)')
  const { q, start = 6 } = typeof arg === 'string' ? { q: arg } : arg
  const qs = q.split('|')
  for (let i = start - 1; i + 1 < v.elements.length; i += 2) {
    if (qs.includes(v.elements[i]?.[0]) && v.elements[i + 1]?.[0]) {
      ctx.sub = `/${String(i + 2).padStart(2, '0')}`
      return v.elements[i + 1][0]
    }
  }
  return undefined
}

/** EDIFACT composites carrying (id, code) such as PIA C212 7140:7143: the id whose code is `q`. */
function qualifiedComponent(v: unknown, arg: string | { q: string; start?: number }, ctx: TransformCtx) {
  if (!isSegment(v)) throw new TransformError('qualified_component needs a whole segment (from: PIA)')
  const { q, start = 2 } = typeof arg === 'string' ? { q: arg } : arg
  const qs = q.split('|')
  for (let i = start - 1; i < v.elements.length; i++) {
    const el = v.elements[i]
    if (el && qs.includes(el[1]) && el[0]) {
      ctx.sub = `/${i + 1}-1`
      return el[0]
    }
  }
  return undefined
}

function table(name: string, v: unknown, t: Record<string, string>): string {
  const k = str(v).trim()
  if (k in t) return t[k]
  if ('*' in t) return t['*']
  void name
  return k
}

const isRecord = (a: unknown): a is Record<string, string> =>
  a !== null && typeof a === 'object' && !Array.isArray(a) && Object.values(a).every((x) => typeof x === 'string')

const needTable = (a: unknown) => (isRecord(a) ? undefined : 'arg must be a map of code → value')
const optImplied = (a: unknown) =>
  a === undefined || (typeof a === 'string' && /^N[0-9]$/.test(a)) ? undefined : 'arg must be N0..N9'
const needQual = (a: unknown) =>
  typeof a === 'string' || (a !== null && typeof a === 'object' && typeof (a as { q?: unknown }).q === 'string')
    ? undefined
    : 'arg must be a qualifier or { q, start }'

function fromIso(v: unknown): string {
  const s = str(v)
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) throw new TransformError(`not an ISO date: "${s}"`)
  return s.slice(0, 4) + s.slice(5, 7) + s.slice(8, 10)
}

export const TRANSFORMS: Record<string, TransformDef> = {
  trim: { fn: (v) => str(v).trim() },
  upper: { fn: (v) => str(v).toUpperCase() },
  lower: { fn: (v) => str(v).toLowerCase() },
  string: { fn: (v) => str(v) },
  decimal: { fn: (v, a) => decimal(v, a), check: optImplied },
  integer: {
    fn: (v) => {
      const n = Number(decimal(v))
      if (!Number.isInteger(n)) throw new TransformError(`not an integer: "${str(v)}"`)
      return n
    },
  },
  date_ccyymmdd: { fn: (v) => (/^\d{8}$/.test(str(v).trim()) ? dateDigits(str(v)) : fail(`not CCYYMMDD: "${str(v)}"`)) },
  date_yymmdd: { fn: (v) => (/^\d{6}$/.test(str(v).trim()) ? dateDigits(str(v)) : fail(`not YYMMDD: "${str(v)}"`)) },
  /** CCYYMMDD or YYMMDD, or an ISO date/date-time from JSON (time dropped). */
  date: { fn: (v) => dateDigits(str(v)) },
  /** [date, time] from two paths → ISO date-time (DTM02 + DTM03). */
  datetime_x12: {
    fn: (v) => {
      const [d, t] = Array.isArray(v) ? v.map(str) : [str(v)]
      return t ? `${dateDigits(d)}T${hhmm(t)}` : dateDigits(d)
    },
  },
  date_edifact: { fn: (v) => edifactDate(v, false) },
  datetime_edifact: { fn: (v) => edifactDate(v, true) },
  uom_x12: { fn: (v) => table('uom_x12', v, X12_TO_REC20) },
  uom_edifact: { fn: (v) => table('uom_edifact', v, EDIFACT_TO_REC20) },
  qualified_pair: { fn: qualifiedPair, check: needQual },
  qualified_component: { fn: qualifiedComponent, check: needQual },
  code_list: { fn: (v, a) => table('code_list', v, a), check: needTable },
  lookup: {
    fn: (v, a: string, ctx) => table(a, v, ctx.lookups[a]),
    check: (a, lookups) => (typeof a === 'string' && a in lookups ? undefined : `unknown lookup table "${String(a)}"`),
  },
  join: {
    fn: (v, a?: string) => (Array.isArray(v) ? v.map(str).filter((x) => x !== '').join(a ?? ' ') : str(v)),
  },
  first: { fn: (v) => (Array.isArray(v) ? v[0] : v) },
  /**
   * Many codes → one: every value maps (via `map`) to the same result → that result, else
   * `mixed`. SP-API item acknowledgements → the header status of a po_ack.
   */
  rollup: {
    fn: (v, a: { map: Record<string, string>; mixed: string }) => {
      const got = new Set((Array.isArray(v) ? v : [v]).map((x) => table('rollup', x, a.map)))
      return got.size === 1 ? [...got][0] : a.mixed
    },
    check: (a) => {
      const o = a as { map?: unknown; mixed?: unknown } | undefined
      return o && isRecord(o.map) && typeof o.mixed === 'string' ? undefined : 'arg must be { map: {code: value}, mixed: value }'
    },
  },
  sscc: { fn: sscc },
  /* ---- outbound (canonical → wire) ---- */
  to_ccyymmdd: { fn: fromIso },
  to_yymmdd: { fn: (v) => fromIso(v).slice(2) },
  /** ISO date-time → HHMM (X12 DTM03, the time part of EDIFACT 203). */
  to_hhmm: { fn: (v) => (/T(\d{2}):(\d{2})/.exec(str(v)) ?? fail(`no time in "${str(v)}"`)).slice(1, 3).join('') },
  to_ccyymmddhhmm: { fn: (v) => `${fromIso(v)}${/T(\d{2}):(\d{2})/.exec(str(v))?.slice(1, 3).join('') ?? '0000'}` },
  uom_to_x12: { fn: (v) => table('uom_to_x12', v, REC20_TO_X12) },
  uom_to_edifact: { fn: (v) => table('uom_to_edifact', v, REC20_TO_EDIFACT) },
  /** Decimal → X12 implied-decimal digits (`123.45`, N2 → `12345`). */
  implied_decimal: {
    fn: (v, a: string) => {
      const n = Number(a.slice(1))
      const [i, f = ''] = decimal(v).split('.')
      if (f.length > n) throw new TransformError(`"${str(v)}" has more than ${n} decimals`)
      return normalizeInt(i + f.padEnd(n, '0'))
    },
    check: (a) => (typeof a === 'string' && /^N[0-9]$/.test(a) ? undefined : 'arg must be N0..N9'),
  },
  /** SSCC with GS1 application identifier 00 (MAN02 as most 856 guides want it). */
  sscc_ai: { fn: (v) => `00${ssccChecked(v)}` },
  count: { fn: (v) => String(Array.isArray(v) ? v.length : v === undefined ? 0 : 1) },
  /** Money/quantity decimal with a fixed number of places (X12 R with `arg` places). */
  fixed: {
    fn: (v, a: number) => {
      const [i, f = ''] = decimal(v).split('.')
      return a > 0 ? `${i}.${f.padEnd(a, '0')}` : i
    },
    check: (a) => (Number.isInteger(a) ? undefined : 'arg must be the number of decimals'),
  },
}

function normalizeInt(s: string): string {
  const neg = s.startsWith('-')
  const d = (neg ? s.slice(1) : s).replace(/^0+(?=\d)/, '')
  return neg && d !== '0' ? `-${d}` : d
}

function fail(msg: string): never {
  throw new TransformError(msg)
}

