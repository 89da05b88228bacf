/**
 * A small pool of worker threads that run the CMS work of inbound AS2 messages (decrypt,
 * decompress, verify: unwrapMessage) off the event loop. One hostile body once held the loop for
 * minutes and then exhausted the heap, taking /healthz and every other partner with it. Here it
 * costs one worker: each has a heap cap (`maxOldGenerationSizeMb`) and a time limit, and a worker
 * that runs out of either is replaced while the job is answered as refused.
 */
import type { KeyObject } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { CertInfo } from './cms.ts'
import type { Headers } from './mime.ts'
import type { UnwrapOptions, UnwrapResult, Unwrapped } from './unwrap.ts'

export interface CmsRequest {
  id: number
  outer: Headers
  body: Uint8Array
  /** Our private key travels once per worker (cloning a KeyObject re-parses it); then only its id. */
  keyId: number
  key?: KeyObject
  certPem: string
  partnerCertPem: string
  opts: Omit<UnwrapOptions, 'now'>
  /** Receipt time, epoch ms. */
  now: number
}

export type CmsReply = { id: number; result: UnwrapResult } | { id: number; error: string }

/** The worker could not give a verdict: out of memory, out of time, or it crashed. */
export class CmsWorkerError extends Error {
  override name = 'CmsWorkerError'
  readonly reason: 'memory' | 'timeout' | 'crashed'
  constructor(reason: CmsWorkerError['reason'], message: string) {
    super(message)
    this.reason = reason
  }
}

export interface CmsPoolOptions {
  /** Worker threads (default: 2, or 1 on a single core). */
  size?: number
  /** Heap cap per worker in MiB (default 384). */
  maxOldGenerationSizeMb?: number
  /** Time one message may take (default 60 s). */
  timeoutMs?: number
}

export interface CmsPool {
  unwrap(outer: Headers, body: Buffer, keys: { key: KeyObject; cert: CertInfo; partnerCert: CertInfo }, opts?: UnwrapOptions): Promise<UnwrapResult>
  close(): Promise<void>
}

interface Slot {
  worker: Worker
  job?: Pending
  timer?: NodeJS.Timeout
  /** Key ids this worker already holds. */
  keys: Set<number>
}

interface Pending {
  req: CmsRequest
  resolve: (r: UnwrapResult) => void
  reject: (e: Error) => void
}

const BOOT = new URL('./cms-worker-boot.mjs', import.meta.url)

/** Structured clone turns Buffers into Uint8Arrays; make the fields we read Buffers again. */
function revive(r: UnwrapResult): UnwrapResult {
  const buf = (u: Uint8Array | undefined) => (u ? Buffer.from(u.buffer, u.byteOffset, u.byteLength) : undefined)
  const fix = <T extends Partial<Unwrapped>>(m: T): T => ({ ...m, payload: buf(m.payload), micInput: buf(m.micInput) })
  if (r.ok) return { ok: true, message: fix(r.message) as Unwrapped }
  return r.partial ? { ...r, partial: fix(r.partial) } : r
}

/**
 * @example
 * const pool = createCmsPool({ size: 2 })
 * const r = await pool.unwrap(outerHeaders, body, { key, cert, partnerCert }, { allowSha1: false })
 */
export function createCmsPool(o: CmsPoolOptions = {}): CmsPool {
  const size = Math.max(1, o.size ?? Math.min(2, availableParallelism()))
  const heapMb = o.maxOldGenerationSizeMb ?? 384
  const timeoutMs = o.timeoutMs ?? 60_000
  const slots: Slot[] = []
  const queue: Pending[] = []
  let nextId = 1
  let closed = false
  const keyIds = new WeakMap<KeyObject, number>()
  const keyObjects = new Map<number, KeyObject>()
  let nextKeyId = 1

  const spawn = (): Slot => {
    const worker = new Worker(BOOT, { resourceLimits: { maxOldGenerationSizeMb: heapMb } })
    worker.unref() // an idle pool never keeps the process alive
    const slot: Slot = { worker, keys: new Set() }
    worker.on('message', (reply: CmsReply) => {
      const job = slot.job
      if (!job || job.req.id !== reply.id) return
      finish(slot)
      if ('error' in reply) job.reject(new CmsWorkerError('crashed', reply.error))
      else job.resolve(revive(reply.result))
      pump()
    })
    const fail = (err: Error) => {
      const i = slots.indexOf(slot)
      if (i < 0) return // already replaced (a timeout terminates, then exit fires)
      slots.splice(i, 1)
      const job = slot.job
      finish(slot)
      if (job) {
        const code = (err as { code?: string }).code
        job.reject(code === 'ERR_WORKER_OUT_OF_MEMORY' ? new CmsWorkerError('memory', `the CMS worker ran out of its ${heapMb} MiB heap`) : err instanceof CmsWorkerError ? err : new CmsWorkerError('crashed', err.message))
      }
      pump()
    }
    worker.on('error', fail)
    worker.on('exit', (code) => fail(new CmsWorkerError('crashed', `the CMS worker exited (${code})`)))
    slots.push(slot)
    return slot
  }

  const finish = (slot: Slot) => {
    if (slot.timer) clearTimeout(slot.timer)
    slot.timer = undefined
    slot.job = undefined
    slot.worker.unref()
  }

  const pump = () => {
    if (closed) return
    while (queue.length) {
      let slot = slots.find((s) => !s.job)
      if (!slot && slots.length < size) slot = spawn()
      if (!slot) return
      const job = queue.shift() as Pending
      slot.job = job
      slot.worker.ref() // a job in flight keeps the process alive until answered
      const s = slot
      slot.timer = setTimeout(() => {
        const j = s.job
        const i = slots.indexOf(s)
        if (i >= 0) slots.splice(i, 1)
        finish(s)
        j?.reject(new CmsWorkerError('timeout', `the CMS work took longer than ${timeoutMs} ms`))
        void s.worker.terminate()
        pump()
      }, timeoutMs)
      const withKey = slot.keys.has(job.req.keyId) ? job.req : { ...job.req, key: keyObjects.get(job.req.keyId) }
      slot.keys.add(job.req.keyId)
      slot.worker.postMessage(withKey)
    }
  }

  return {
    unwrap(outer, body, keys, opts = {}) {
      if (closed) return Promise.reject(new Error('CMS pool closed'))
      const { now, ...rest } = opts
      let keyId = keyIds.get(keys.key)
      if (keyId === undefined) {
        keyId = nextKeyId++
        keyIds.set(keys.key, keyId)
        keyObjects.set(keyId, keys.key)
      }
      const req: CmsRequest = {
        id: nextId++,
        outer,
        body,
        keyId,
        certPem: keys.cert.pem,
        partnerCertPem: keys.partnerCert.pem,
        opts: rest,
        now: (now ?? new Date()).getTime(),
      }
      return new Promise<UnwrapResult>((resolve, reject) => {
        queue.push({ req, resolve, reject })
        pump()
      })
    },
    async close() {
      closed = true
      for (const p of queue.splice(0)) p.reject(new Error('CMS pool closed'))
      await Promise.all(slots.splice(0).map((s) => (finish(s), s.worker.terminate())))
    },
  }
}

let shared: CmsPool | undefined

/** The process-wide pool the AS2 routes use unless given their own. */
export function sharedCmsPool(): CmsPool {
  shared ??= createCmsPool()
  return shared
}
