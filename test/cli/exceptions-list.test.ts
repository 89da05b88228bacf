/** `edi-gateway exceptions list` (real CLI process): open by default, "no exceptions", a bad --state refused. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listExceptions, setExceptionState } from '../../src/db/exceptions.ts'
import { cliEnv, runCli } from '../helpers/cli.ts'
import { testDb, type TestDb } from '../helpers/db.ts'

describe('edi-gateway exceptions list', { timeout: 120_000 }, () => {
  let db: TestDb
  let env: Record<string, string>
  beforeAll(async () => {
    db = await testDb()
    env = cliEnv(db)
  })
  afterAll(async () => db.close())

  it('says "no exceptions" when there are none, and prints [] with --json', async () => {
    const r = await runCli(['exceptions', 'list'], env)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout.trim()).toBe('no exceptions')
    const j = await runCli(['exceptions', 'list', '--json'], env)
    expect(JSON.parse(j.stdout)).toEqual([])
  })

  it('refuses an unknown --state in one line with exit code 2', async () => {
    const r = await runCli(['exceptions', 'list', '--state', 'opne'], env)
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr.trim()).toBe('edi-gateway: unknown --state "opne": use active (open or assigned, the default), open, assigned, resolved, ignored or any')
  })

  it('lists open and assigned exceptions by default, like the console; --state any lists all', async () => {
    // Two ASNs for POs not in the ERP: two open po_not_found exceptions; one is then resolved.
    const a = await runCli(['ingest', 'fixtures/demo-x12-supplier/856-asn-20250305-01.edi'], env)
    expect(a.code).toBe(1)
    const b = await runCli(['ingest', 'fixtures/demo-edifact-supplier/desadv-des-88001.edi'], env)
    expect(b.code).toBe(1)
    const b2 = await runCli(['ingest', 'fixtures/demo-json-supplier/shipment_confirmation.sc-4500012500.json', '--partner', 'demo-json-supplier'], env)
    expect(b2.code, b2.stderr).toBe(1)
    const all = await listExceptions(db.sql, {})
    expect(all.length).toBe(3)
    await setExceptionState(db.sql, all[0].id, 'resolved', { note: 'test' })
    await setExceptionState(db.sql, all[2].id, 'assigned', { assignee: 'ana' })
    const def = JSON.parse((await runCli(['exceptions', 'list', '--json'], env)).stdout) as { id: string; state: string }[]
    expect(def.map((e) => [e.id, e.state]).sort()).toEqual([[all[1].id, 'open'], [all[2].id, 'assigned']].sort())
    const open = JSON.parse((await runCli(['exceptions', 'list', '--json', '--state', 'open'], env)).stdout) as { id: string }[]
    expect(open.map((e) => e.id)).toEqual([all[1].id])
    const any = JSON.parse((await runCli(['exceptions', 'list', '--json', '--state', 'any'], env)).stdout) as { id: string }[]
    expect(any.map((e) => e.id).sort()).toEqual(all.map((e) => e.id).sort())
    const resolved = JSON.parse((await runCli(['exceptions', 'list', '--json', '--state', 'resolved'], env)).stdout) as { id: string }[]
    expect(resolved.map((e) => e.id)).toEqual([all[0].id])
  })
})
