/**
 * Units of measure: case vs each. Partners send X12 355 codes (EA, CA, CS, PK, BX, DZ ...) or
 * UN/ECE Recommendation 20 codes (EA, C62, H87, CS, CT, PK, BX, DZN ...). We fold both into one
 * family per unit and convert through eaches:
 * - fixed multiples (a dozen is 12 eaches, a gross 144) need no data;
 * - pack units (case, carton, pack, box, inner pack) hold `packSize` eaches, taken from the side
 *   that uses the pack unit (document line first, then the PO line / item master).
 * A pair we cannot convert is reported as `uom_unconvertible` by the caller, never thrown.
 */
import { div, mul, normalize } from '../lib/decimal.ts'
import { qnorm, smallInt } from './qty.ts'

/** Canonical unit families. `EA` is the base every conversion goes through. */
export type UnitFamily = 'EA' | 'DZ' | 'GR' | 'PR' | 'CS' | 'CT' | 'PK' | 'BX' | 'IP' | 'PL'

// X12 355 codes and UN/ECE Rec 20 codes mapped to a family. Weight, volume and length codes
// (KGM, LBR, LTR, MTR ...) are deliberately absent: they never convert to eaches without data.
const ALIASES: Record<string, UnitFamily> = {
  EA: 'EA',
  EACH: 'EA',
  C62: 'EA',
  H87: 'EA',
  PCE: 'EA',
  PC: 'EA',
  UN: 'EA',
  NAR: 'EA',
  NMB: 'EA',
  DZ: 'DZ',
  DZN: 'DZ',
  GR: 'GR',
  GRO: 'GR',
  PR: 'PR',
  PAI: 'PR',
  CA: 'CS',
  CS: 'CS',
  CASE: 'CS',
  CT: 'CT',
  CTN: 'CT',
  PK: 'PK',
  PA: 'PK',
  PCK: 'PK',
  PACK: 'PK',
  BX: 'BX',
  BOX: 'BX',
  IP: 'IP', // inner pack
  PL: 'PL',
  PF: 'PL',
  PX: 'PL', // pallet
}

/** Eaches in one unit of a fixed-multiple family. */
const FIXED: Partial<Record<UnitFamily, string>> = { EA: '1', DZ: '12', GR: '144', PR: '2' }

/** Normalise a partner unit code to its family, or the upper-cased code when unknown. */
export function unitFamily(code: string): UnitFamily | string {
  const c = code.trim().toUpperCase()
  return ALIASES[c] ?? c
}

/** Both codes name the same unit (EA vs C62, CA vs CS). */
export const sameUnit = (a: string, b: string): boolean => unitFamily(a) === unitFamily(b)

/** Eaches per unit; `packSize` applies only to pack families. Undefined when unknown. */
function eachesPer(unit: string, packSize: string | undefined): string | undefined {
  const fam = unitFamily(unit)
  const fixed = FIXED[fam as UnitFamily]
  if (fixed) return fixed
  if (fam in PACK_FAMILIES && packSize !== undefined && normalize(packSize) !== '0') return packSize
  return undefined
}
const PACK_FAMILIES: Record<string, true> = {
  CS: true,
  CT: true,
  PK: true,
  BX: true,
  IP: true,
  PL: true,
}

export interface ConvertInput {
  qty: string
  from: string
  to: string
  /** Eaches per `from` unit as the document line says (SN1/PO4 pack). */
  fromPackSize?: string
  /** Eaches per `to` unit as the PO line / item master says. */
  toPackSize?: string
}

export type Converted =
  { ok: true; qty: string } | { ok: false; from: string; to: string; packSize?: string }

/**
 * Convert `qty` from one unit to another through eaches. A pack unit with no pack size of its own
 * borrows the other side's only when that side is an each-like unit (then the other side's pack
 * size is the item master's case size); CS vs PK never borrow from each other. Division keeps 6
 * decimals.
 *
 * @example convertQty({ qty: '120', from: 'EA', to: 'CA', toPackSize: '12' }) // { ok: true, qty: '10' }
 */
export function convertQty(c: ConvertInput): Converted {
  if (sameUnit(c.from, c.to)) return { ok: true, qty: qnorm(c.qty) }
  const fromBorrow = isPack(c.to) ? undefined : c.toPackSize
  const toBorrow = isPack(c.from) ? undefined : c.fromPackSize
  const fromEach = eachesPer(c.from, c.fromPackSize ?? fromBorrow)
  const toEach = eachesPer(c.to, c.toPackSize ?? toBorrow)
  if (fromEach === undefined || toEach === undefined) {
    return { ok: false, from: c.from, to: c.to, packSize: c.toPackSize ?? c.fromPackSize }
  }
  return { ok: true, qty: scaleQty(c.qty, fromEach, toEach) }
}

/** qty × num / den; whole numbers that divide evenly skip the BigInt path (exact, see qty.ts). */
function scaleQty(qty: string, num: string, den: string): string {
  if (smallInt(qty) && smallInt(num) && smallInt(den)) {
    const p = Number(qty) * Number(num)
    if (Number.isSafeInteger(p) && p % Number(den) === 0) return String(p / Number(den))
  }
  return normalize(div(mul(qty, num), den, 6))
}

const isPack = (unit: string): boolean => unitFamily(unit) in PACK_FAMILIES

/**
 * A unit price restated per another unit: 2.00 per EA is 24.00 per CS of 12. Price per `to` =
 * price × eaches(to) / eaches(from), which is converting a quantity the other way round; exact
 * whenever the pack size divides evenly.
 */
export function convertPrice(c: ConvertInput & { qty: string }): Converted {
  const r = convertQty({
    qty: c.qty,
    from: c.to,
    to: c.from,
    fromPackSize: c.toPackSize,
    toPackSize: c.fromPackSize,
  })
  return r.ok ? r : { ok: false, from: c.from, to: c.to, packSize: r.packSize }
}
