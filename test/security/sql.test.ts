/**
 * SQL is always parameterised. (1) Source check: the only raw SQL strings (`sql.unsafe`) in src/
 * are on a fixed allow-list, each with a reason; everything else goes through postgres.js tagged
 * templates, which send values as bind parameters. (2) Behaviour: hostile ids and fields through
 * the real CLI (`messages show`, `exceptions list`, `erp import`) are data: no stack trace, no
 * other row shown, nothing dropped. The HTTP routes get the same treatment in test/http/security.test.ts.
 */
import { readdirSync, readFileSync, statSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliEnv, runCli } from '../helpers/cli.ts'
import { testDb, type TestDb } from '../helpers/db.ts'
import { repoRoot } from '../helpers/gateway-process.ts'

/** file → the exact unsafe() argument expressions allowed there, and why. */
const UNSAFE_ALLOWED: Record<string, { expr: RegExp; why: string }[]> = {
  'src/db/migrate.ts': [{ expr: /^m\.sql$/, why: 'migration files from src/db/migrations, never input' }],
  'src/db/sql.ts': [
    // DATABASE_SCHEMA is validated by /^[a-z_][a-z0-9_]*$/ in config/env.ts before it gets here.
    { expr: /^`create schema if not exists "\$\{schema\}"`$/, why: 'schema name from validated env' },
    { expr: /^`set search_path to "\$\{schema\}"`$/, why: 'schema name from validated env' },
  ],
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? sources(p) : /\.(ts|js)$/.test(n) ? [p] : []
  })
}

describe('raw SQL in src/', () => {
  it('every .unsafe( call is on the allow-list', () => {
    const found: string[] = []
    for (const f of sources(join(repoRoot, 'src'))) {
      const rel = relative(repoRoot, f)
      const text = readFileSync(f, 'utf8')
      for (const m of text.matchAll(/\.unsafe\(([^)]*)\)/g)) {
        const arg = m[1].trim()
        const ok = (UNSAFE_ALLOWED[rel] ?? []).some((a) => a.expr.test(arg))
        if (!ok) found.push(`${rel}: .unsafe(${arg})`)
      }
    }
    expect(found, 'new raw SQL: use a tagged template, or add it to UNSAFE_ALLOWED with the reason').toEqual([])
  })

  it('the schema name that reaches unsafe() is validated', async () => {
    const { loadEnv } = await import('../../src/config/env.ts')
    for (const bad of ['x"; drop table jobs; --', 'Public', 'a b', '"']) expect(() => loadEnv({ DATABASE_SCHEMA: bad })).toThrow()
    expect(loadEnv({ DATABASE_SCHEMA: 't_abc_1' }).DATABASE_SCHEMA).toBe('t_abc_1')
  })
})

const HOSTILE = ["' or 1=1 --", "x'); drop table payloads; --", '%', '_', 'ü💥\u202e٣', 'msg_'.padEnd(5000, 'A')]

describe('hostile ids through the real CLI', () => {
  let db: TestDb
  let env: Record<string, string>
  let dir: string
  beforeAll(async () => {
    db = await testDb()
    env = cliEnv(db)
    dir = mkdtempSync(join(tmpdir(), 'edi-sec-'))
    const r = await runCli(['ingest', 'fixtures/demo-x12-supplier/855-po-4500012345.edi', '--json'], env)
    expect(r.code, r.stderr).toBeLessThan(2)
  })
  afterAll(async () => {
    await db?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('messages show: one line "no message", exit 2, never another message', async () => {
    const [{ n }] = await db.sql<{ n: number }[]>`select count(*)::int as n from payloads`
    expect(n).toBe(1)
    for (const id of HOSTILE) {
      const r = await runCli(['messages', 'show', id], env)
      expect(r.code, r.stderr).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(/^edi-gateway: no message /)
    }
    const [after] = await db.sql<{ n: number }[]>`select count(*)::int as n from payloads`
    expect(after.n).toBe(1)
  }, 120_000) // six CLI processes, about 4-5 s each on a loaded 2-core machine

  it('exceptions list with hostile filters matches nothing and fails nothing', async () => {
    for (const v of HOSTILE.slice(0, 3)) {
      const r = await runCli(['exceptions', 'list', '--json', '--state', 'any', '--queue', v], env)
      expect(r.code, r.stderr).toBe(0)
      expect(JSON.parse(r.stdout)).toEqual([])
      // A state is one of a fixed list: anything else is refused in one line before any query.
      const s = await runCli(['exceptions', 'list', '--json', '--state', v], env)
      expect(s.code).toBe(2)
      expect(s.stderr.trim().split('\n')).toHaveLength(1)
    }
  })

  it('erp import stores hostile field values verbatim, as data', async () => {
    const po = "PO-' or 1=1 --"
    const rows = [
      'po_number,line,supplier,buyer_part,vendor_part,gtin,quantity,uom,unit_price,currency,pack_size,ship_to,requested_date',
      `"${po}",1,demo-x12-supplier,"x'); drop table erp_po_lines; --",${'V'.repeat(3000)},,10,EA,1.00,USD,,"ü💥\u202e",2025-03-01`,
      `"${po}",2,demo-x12-supplier,%,_,,5,EA,2.00,USD,,ST,2025-03-01`,
    ]
    writeFileSync(join(dir, 'hostile.csv'), rows.join('\n') + '\n')
    const r = await runCli(['erp', 'import', join(dir, 'hostile.csv')], env)
    expect(r.code, r.stderr).toBe(0)
    const lines = await db.sql<{ line_no: string; buyer_part: string; vendor_part: string }[]>`
      select line_no, buyer_part, vendor_part from erp_po_lines where po_number = ${po} order by line_no`
    expect(lines.map((l) => [l.line_no, l.buyer_part, l.vendor_part.length])).toEqual([
      ['1', "x'); drop table erp_po_lines; --", 3000],
      ['2', '%', 1],
    ])
    const [{ n }] = await db.sql<{ n: number }[]>`select count(*)::int as n from erp_purchase_orders`
    expect(n).toBe(1)
    const [ship] = await db.sql<{ ship_to: string }[]>`select ship_to from erp_purchase_orders where po_number = ${po}`
    expect(ship.ship_to).toBe('ü💥\u202e')
  })

  // PostgreSQL text cannot hold U+0000: the ERP import reports it as a field error (exit 2 / 422).
  it('erp import: a NUL in a field is a field error, not a stack trace', async () => {
    writeFileSync(join(dir, 'nul.json'), JSON.stringify([{ po_number: 'A\u0000B', line: '1', supplier: 'demo-x12-supplier', quantity: '1', uom: 'EA' }]))
    const r = await runCli(['erp', 'import', join(dir, 'nul.json')], env)
    expect(r.code).toBe(2)
    expect(r.stderr).not.toMatch(/PostgresError|\n\s+at /)
  })
})
