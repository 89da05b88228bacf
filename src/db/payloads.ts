/**
 * Raw payloads exactly as received, in 1 MiB chunks. Insert happens in the caller's transaction
 * so the bytes, the row and the first job commit together.
 */
import { createHash } from 'node:crypto'
import type { Q } from './sql.ts'

export const CHUNK = 1 << 20

export interface PayloadRow {
  id: string
  received_at: Date
  transport: string
  partner_id: string | null
  filename: string | null
  content_type: string | null
  external_id: string | null
  sha256: string
  size: string
  standard: string | null
  status: string
  test: boolean
  meta: Record<string, unknown>
  outcome: Record<string, unknown> | null
}

async function* chunks(body: Buffer | AsyncIterable<Uint8Array>): AsyncIterable<Buffer> {
  if (Buffer.isBuffer(body)) {
    for (let i = 0; i < body.length; i += CHUNK) yield body.subarray(i, i + CHUNK)
    return
  }
  let pending: Uint8Array[] = []
  let size = 0
  for await (const c of body) {
    pending.push(new Uint8Array(c.buffer, c.byteOffset, c.byteLength))
    size += c.byteLength
    while (size >= CHUNK) {
      const all = Buffer.concat(pending)
      yield all.subarray(0, CHUNK)
      pending = [all.subarray(CHUNK)]
      size = pending[0].byteLength
    }
  }
  if (size > 0) yield Buffer.concat(pending)
}

/** Writes the chunks; returns the sha256 and size. The row must already exist. */
export async function writeChunks(q: Q, id: string, body: Buffer | AsyncIterable<Uint8Array>) {
  const hash = createHash('sha256')
  let size = 0
  let seq = 0
  for await (const c of chunks(body)) {
    hash.update(c)
    size += c.length
    await q`insert into payload_chunks (payload_id, seq, data) values (${id}, ${seq++}, ${c})`
  }
  return { sha256: hash.digest('hex'), size }
}

export async function readPayload(q: Q, id: string): Promise<Buffer> {
  const rows = await q<{ data: Buffer }[]>`select data from payload_chunks where payload_id = ${id} order by seq`
  return Buffer.concat(rows.map((r) => r.data))
}

export async function getPayload(q: Q, id: string): Promise<PayloadRow | undefined> {
  const [row] = await q<PayloadRow[]>`select * from payloads where id = ${id}`
  return row
}

/**
 * The row and, only while it is still `received` (not yet parsed), its bytes as a stream of the
 * stored chunks: the first comes with the row in one statement, the others one select each,
 * the next fetched while the caller works on the current one. Memory is two chunks whatever the
 * payload's size. `chunks` is undefined once the payload is parsed.
 */
export async function getPayloadForParse(q: Q, id: string): Promise<PayloadForParse | undefined> {
  return (await getPayloadsForParse(q, [id])).get(id)
}

export type PayloadForParse = { row: PayloadRow; chunks?: AsyncIterable<Buffer> }

/** getPayloadForParse for a batch of payloads: every row and first chunk in ONE statement. */
export async function getPayloadsForParse(q: Q, ids: readonly string[]): Promise<Map<string, PayloadForParse>> {
  const rows = await q<(PayloadRow & { chunk: Buffer | null })[]>`
    select p.*, c.data as chunk from payloads p
    left join payload_chunks c on c.payload_id = p.id and c.seq = 0 and p.status = 'received'
    where p.id = any(${ids as string[]}::text[])`
  return new Map(rows.map(({ chunk, ...row }) => [row.id, { row, chunks: row.status === 'received' ? streamChunks(q, row.id, chunk, Number(row.size)) : undefined }]))
}

async function* streamChunks(q: Q, id: string, first: Buffer | null, size: number): AsyncGenerator<Buffer> {
  const fetch = (seq: number) =>
    q<{ data: Buffer }[]>`select data from payload_chunks where payload_id = ${id} and seq = ${seq}`.then((r) => r[0]?.data)
  let cur: Buffer | undefined = first ?? undefined
  let read = 0
  for (let seq = 1; cur !== undefined && cur.length > 0; seq++) {
    read += cur.length
    const next = read < size ? fetch(seq) : undefined
    // A caller that stops early leaves the prefetch unawaited: never an unhandled rejection.
    next?.catch(() => {})
    yield cur
    cur = next === undefined ? undefined : await next
  }
}

export interface PayloadStatus {
  status?: string
  standard?: string | null
  partnerId?: string | null
  test?: boolean
  outcome?: unknown
}

/**
 * Several payloads' setPayloadStatus in ONE statement (a batch of parse jobs' outcomes). The ids
 * are also given as an array: the planner estimates jsonb_to_recordset at 100 rows whatever it
 * holds, and against a few thousand payloads it chose a hash join over a scan of the whole table
 * (2,000 rows read to update 16); `id = any(…)` is estimated from the array and probes the key.
 */
export async function setPayloadStatuses(q: Q, patches: readonly (PayloadStatus & { id: string })[]): Promise<void> {
  if (patches.length === 0) return
  const rows = patches.map((p) => ({ id: p.id, status: p.status ?? null, standard: p.standard ?? null, partner_id: p.partnerId ?? null, test: p.test ?? null, outcome: p.outcome ?? null }))
  await q`update payloads p set
      status = coalesce(v.status, p.status),
      standard = coalesce(v.standard, p.standard),
      partner_id = coalesce(v.partner_id, p.partner_id),
      test = coalesce(v.test, p.test),
      outcome = coalesce(v.outcome, p.outcome),
      updated_at = now()
    from jsonb_to_recordset(${q.json(rows as never)}) as v(id text, status text, standard text, partner_id text, test boolean, outcome jsonb)
    where p.id = v.id and p.id = any(${rows.map((r) => r.id)}::text[])`
}

export async function setPayloadStatus(q: Q, id: string, patch: PayloadStatus): Promise<void> {
  await q`update payloads set
      status = coalesce(${patch.status ?? null}, status),
      standard = coalesce(${patch.standard ?? null}, standard),
      partner_id = coalesce(${patch.partnerId ?? null}, partner_id),
      test = coalesce(${patch.test ?? null}, test),
      outcome = coalesce(${patch.outcome === undefined ? null : q.json(patch.outcome as never)}, outcome),
      updated_at = now()
    where id = ${id}`
}
