/**
 * ERP data for a certification run. Samples come without an ERP, so the sample directory may
 * hold `erp.json` or `erp.csv` in the shape `edi-gateway erp import` reads (one row per PO line,
 * src/erp/import.ts). Without it the PO rules are reported as not checked, never as passed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parsePurchaseOrders } from '../erp/import.ts'
import type { ErpPurchaseOrder } from '../erp/port.ts'
import { UserError } from '../lib/errors.ts'

export const ERP_FILES = ['erp.json', 'erp.csv'] as const

export interface SampleErp {
  /** File name the orders came from; undefined when the directory has none. */
  file?: string
  orders: ErpPurchaseOrder[]
}

/** Throws a UserError naming file, row and field when the ERP file is malformed. */
export function loadSampleErp(dir: string): SampleErp {
  const file = ERP_FILES.find((f) => existsSync(join(dir, f)))
  if (!file) return { orders: [] }
  const { orders, errors } = parsePurchaseOrders(readFileSync(join(dir, file), 'utf8'), file.endsWith('.json') ? 'json' : 'csv')
  if (errors.length) {
    throw new UserError(`${join(dir, file)}: ${errors.map((e) => `row ${e.row}${e.field ? ` ${e.field}` : ''}: ${e.message}`).join('; ')}`)
  }
  return { file, orders }
}

/** Sample files: every regular file except the ERP data, expected-JSON fixtures and notes. */
export function listSamples(dir: string): string[] {
  let names: string[]
  try {
    if (!statSync(dir).isDirectory()) throw new UserError(`${dir} is not a directory`)
    names = readdirSync(dir)
  } catch (err) {
    if (err instanceof UserError) throw err
    throw new UserError(`cannot read sample directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  return names
    .filter((n) => !n.startsWith('.') && !(ERP_FILES as readonly string[]).includes(n))
    .filter((n) => !n.endsWith('.expected.json') && !/\.(md|html)$/i.test(n) && !/^readme/i.test(n))
    .filter((n) => statSync(join(dir, n)).isFile())
    .sort()
}
