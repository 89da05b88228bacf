/**
 * A partner profile's implementation guide (documents[].guide) in the pipeline: checked after
 * the base validation, before the ack, so the 997 carries it and the set is rejected.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { repoProfile, tempConfigDir } from '../helpers/config.ts'
import { pipelineSuite } from '../helpers/pipeline.ts'

const ACK_855 = readFileSync('fixtures/demo-x12-supplier/855-po-4500012345.edi', 'latin1')

const guided = () =>
  tempConfigDir({
    'demo-x12-supplier': repoProfile(
      'demo-x12-supplier',
      /- \{ direction: in, standard: x12, version: '004010', docType: '855' \}/,
      "- { direction: in, standard: x12, version: '004010', docType: '855', guide: { requiredSegments: [PER], codes: { BAK02: [AD] } } }"
    ),
  })

describe('documents[].guide narrows the base validation', () => {
  const s = pipelineSuite(() => ({ configDir: guided() }))

  it('an 855 the standard accepts but the guide does not: 997 rejects it with the guide issues', async () => {
    expect(ACK_855).toContain('BAK*00*AC*')
    const msg = await s.p.ingest({ transport: 'cli', body: Buffer.from(ACK_855, 'latin1') })
    const [tx] = await s.db.sql<{ status: string }[]>`select status from transactions where payload_id = ${msg}`
    expect(tx.status).toBe('rejected')
    const [ack] = await s.db.sql<{ bytes: Buffer }[]>`select d.bytes from deliveries d
      join interchanges i on i.id = d.parent_id where d.kind = 'ack' and i.payload_id = ${msg}`
    const text = ack.bytes.toString('latin1')
    expect(text).toContain('AK3*BAK*2**8~')
    expect(text).toContain('AK4*2**7*AC~')
    expect(text).toMatch(/AK3\*PER\*\d+\*\*3~/)
    expect(text).toContain('AK5*R*5~')
  })
})
