import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lineage } from '../../src/cli/lineage.ts'
import { testDb, type TestDb } from '../helpers/db.ts'
import { cliEnv, runCli } from '../helpers/cli.ts'

describe('edi-gateway ingest (end to end, real CLI process)', () => {
  let db: TestDb
  let env: Record<string, string>
  beforeAll(async () => {
    db = await testDb()
    env = cliEnv(db)
    const imp = await runCli(['erp', 'import', 'fixtures/erp/demo-purchase-orders.csv'], env)
    expect(imp.code, imp.stderr).toBe(0)
    expect(imp.stdout).toMatch(/imported 4 purchase order\(s\): 4 new/)
  })
  afterAll(async () => db.close())

  it('takes a demo 856 through parse, translate and match to a stored lineage', async () => {
    const r = await runCli(['ingest', 'fixtures/demo-x12-supplier/856-asn-20250305-01.edi', '--json'], env)
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({ status: 'processed', exceptions: [] })
    expect(out.documents).toEqual([{ kind: 'asn', id: expect.stringMatching(/^doc_/), status: 'matched' }])
    const l = (await lineage(db.sql, out.messageId))!
    expect(l.payload).toMatchObject({ transport: 'cli', partnerId: 'demo-x12-supplier', status: 'parsed' })
    expect(l.interchanges.map((i) => [i.controlNumber, i.status])).toEqual([['000000102', 'parsed']])
    expect(l.transactions.map((t) => [t.docType, t.status])).toEqual([['856', 'matched']])
    expect(l.documents[0]).toMatchObject({ kind: 'asn', businessKey: 'asn:ASN-20250305-01', status: 'matched' })
    // The 997 we owe is queued for the running gateway's transports (CLI runs do not send).
    expect(l.deliveries.map((d) => [d.kind, d.docType, d.status])).toContainEqual(['ack', '997', 'pending'])
    // A validated ASN is queued for the warehouse destination of the profile.
    expect(l.deliveries.map((d) => [d.kind, d.destination])).toContainEqual(['warehouse', 'sftp:dc-east'])
    const [ev] = await db.sql<{ type: string }[]>`select type from erp_events where document_id = ${l.documents[0].id}`
    expect(ev.type).toBe('asn_validated')
  })

  it('flags a resend of the same interchange as a duplicate and does not process it twice', async () => {
    const r = await runCli(['ingest', 'fixtures/demo-x12-supplier/856-asn-20250305-01.edi', '--json'], env)
    expect(r.code).toBe(1)
    const out = JSON.parse(r.stdout)
    expect(out.status).toBe('duplicate')
    expect(out.documents).toEqual([])
    expect(out.exceptions.map((e: { code: string }) => e.code)).toEqual(['duplicate_interchange'])
    const [n] = await db.sql<{ n: number }[]>`select count(*)::int as n from documents where business_key = 'asn:ASN-20250305-01'`
    expect(n.n).toBe(1)
  })

  it('prints human output and the lineage with messages show', async () => {
    const r = await runCli(['ingest', 'fixtures/demo-x12-supplier/855-po-4500012345.edi'], env)
    expect(r.code, r.stderr).toBe(0)
    const id = /message (msg_\w+): processed/.exec(r.stdout)?.[1]
    expect(id).toBeDefined()
    const show = await runCli(['messages', 'show', id!], env)
    expect(show.code).toBe(0)
    expect(show.stdout).toMatch(/855 0001: matched/)
    // Each delivery with the states it went through (a CLI run sends nothing: still pending).
    expect(show.stdout).toMatch(/→ ack 997 to \S+: pending(\n| )/)
  })

  it('fails in one line with exit code 2 for an unreadable file or an unknown partner', async () => {
    const missing = await runCli(['ingest', 'no/such/file.edi'], env)
    expect(missing.code).toBe(2)
    expect(missing.stderr.trim()).toBe('edi-gateway: cannot read no/such/file.edi: no such file')
    const partner = await runCli(['ingest', 'fixtures/demo-x12-supplier/855-po-4500012345.edi', '--partner', 'nobody'], env)
    expect(partner.code).toBe(2)
    expect(partner.stderr.trim().split('\n')).toHaveLength(1)
    expect(partner.stderr).toMatch(/unknown partner "nobody"/)
  })

  it('names DATABASE_URL when the database is not reachable', async () => {
    const r = await runCli(['exceptions', 'list'], { ...env, DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:1/nowhere' })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/cannot reach the database at DATABASE_URL \(postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/nowhere\)/)
    expect(r.stderr).not.toMatch(/secret/)
  })
})
