/**
 * Numbers written where a profile means a decimal string (`overPct: 5` for `overPct: '5'`).
 * Profiles keep amounts and percentages as decimal strings (never floats), but YAML reads an
 * unquoted 5 as a number; the loader converts such numbers exactly instead of refusing them.
 * Which fields are decimal strings is read from the schema, so a new decimal key needs nothing here.
 */
import { isMap, isScalar, isSeq, type Document } from 'yaml'
import type { z } from 'zod'
import { schemasAt } from './suggest.ts'

/**
 * A finite number as a plain decimal string, exactly as JavaScript prints it, without exponent:
 * 5 → "5", 2.5 → "2.5", 1e-7 → "0.0000001", 1e21 → "1000000000000000000000".
 */
export function numberToDecimal(n: number): string {
  const text = String(Object.is(n, -0) ? 0 : n)
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text)
  if (!m) return text
  const [, sign, int, frac = '', exp] = m
  const digits = int + frac
  const point = int.length + Number(exp)
  const body =
    point <= 0 ? `0.${'0'.repeat(-point)}${digits}`
    : point >= digits.length ? digits + '0'.repeat(point - digits.length)
    : `${digits.slice(0, point)}.${digits.slice(point)}`
  return sign + body
}

/** A decimal-string field: a string schema that takes "1.5" and "-2" and refuses "abc" and a number. */
export function isDecimalString(schema: z.ZodType): boolean {
  return (schema as unknown as { _zod: { def: { type: string } } })._zod.def.type === 'string' && schema.safeParse('1.5').success && schema.safeParse('-2').success && !schema.safeParse('abc').success
}

const PLAIN_DECIMAL = /^[-+]?\d+(\.\d+)?$/

/**
 * Rewrites, in place, every YAML number that sits where `schema` wants a decimal string into
 * that string: its source text when written as a plain decimal (exact, even past a double's 17
 * digits; a leading + dropped), else the number printed without exponent. Non-finite numbers
 * (.inf, .nan) are left for the schema to refuse.
 */
export function decimalsFromNumbers(doc: Document.Parsed, schema: z.ZodType): void {
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) walk(pair.value, [...path, isScalar(pair.key) ? String(pair.key.value) : String(pair.key)])
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]))
    } else if (isScalar(node) && typeof node.value === 'number' && Number.isFinite(node.value)) {
      const leaves = schemasAt(schema, path)
      if (!leaves.length || !leaves.every(isDecimalString)) return
      const source = node.source
      node.value = source && PLAIN_DECIMAL.test(source) ? source.replace(/^\+/, '') : numberToDecimal(node.value)
    }
  }
  walk(doc.contents, [])
}
