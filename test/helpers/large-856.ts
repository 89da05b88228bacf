/**
 * A deterministic X12 856 file of about `bytes` bytes from the demo X12 supplier (ISA06
 * DEMOSUPPLY), produced piece by piece: the benchmark's generator (bench/gen/x12.ts: deep HL
 * trees, valid against our dictionaries, 200 sets per interchange) with the demo partner's
 * envelope ids in place of its own. Same size, same bytes, every run. Plus the child process that
 * receives and parses it with a capped heap, and what it left in the database.
 */
import { spawn } from 'node:child_process'
import { chunksX12 } from '../../bench/gen/x12.ts'
import type { TestDb } from './db.ts'

export const SETS_PER_INTERCHANGE = 200

export async function* large856(bytes: number): AsyncGenerator<Buffer> {
  for (const piece of chunksX12({ type: '856', bytes, seed: 856, perGroup: SETS_PER_INTERCHANGE })) {
    yield Buffer.from(piece.replaceAll('*PARTNER        *', '*DEMOSUPPLY     *').replaceAll('*PARTNERAPP*OURAPP*', '*DEMOSUPPLY*OURCO*'), 'latin1')
  }
}

export interface ChildReport {
  messageId: string
  size: number
  receiveMs: number
  parseMs: number
  vmHwmKb: number
}

export function runLargeChild(db: TestDb, bytes: number, heapMb: number): Promise<{ code: number; out: string; report?: ChildReport }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, 'bin/run-ts.js', 'test/helpers/large-payload-child.ts'], {
      env: { ...process.env, DATABASE_URL: db.url, DATABASE_SCHEMA: db.schema, LARGE_BYTES: String(bytes) },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{"messageId"'))
      resolve({ code: code ?? -1, out: out.slice(-3000), report: line ? (JSON.parse(line) as ChildReport) : undefined })
    })
  })
}

/** Sets in the generated file, counted from the same generator. */
export async function countSets(bytes: number): Promise<number> {
  let n = 0
  for await (const piece of large856(bytes)) n += piece.toString('latin1').split('\nST*856*').length - 1
  return n
}

/** What the parse stage left in the database for the message: sets, their jobs, the 997s. */
export async function parsedState(db: TestDb, messageId: string) {
  const [payload] = await db.sql<{ status: string; outcome: { transactions: number; interchanges: number } }[]>`
    select status, outcome from payloads where id = ${messageId}`
  const txs = await db.sql<{ status: string; n: number; segments: number }[]>`
    select status, count(*)::int as n, min(jsonb_array_length(segments))::int as segments from transactions
    where payload_id = ${messageId} group by status`
  const [jobs] = await db.sql<{ n: number }[]>`select count(*)::int as n from jobs where stage = 'translate' and payload->>'messageId' = ${messageId}`
  const documents = await db.sql<{ kind: string; status: string; n: number }[]>`select kind, status, count(*)::int as n from documents
    where payload_id = ${messageId} group by 1, 2 order by 1, 2`
  const acks = await db.sql<{ doc_type: string; text: string }[]>`select d.doc_type, convert_from(d.bytes, 'LATIN1') as text
    from deliveries d join interchanges i on d.parent_table = 'interchanges' and d.parent_id = i.id
    where d.kind = 'ack' and i.payload_id = ${messageId}`
  // AK9*A*<included>*<received>*<accepted>: the 997s account for every set.
  const acked = acks.reduce((n, a) => n + Number(/AK9\*A\*\d+\*\d+\*(\d+)~/.exec(a.text)?.[1] ?? 0), 0)
  // Every exception of the payload (listExceptions pages at 100), by code.
  const exceptions = await db.sql<{ code: string; n: number }[]>`select code, count(*)::int as n from exceptions
    where payload_id = ${messageId} group by 1 order by 1`
  return { payload, txs, translateJobs: jobs.n, documents, acks: acks.map((a) => a.doc_type), acked, exceptions }
}
