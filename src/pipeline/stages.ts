/**
 * The stage table: job name → handler. `parse → translate → match` run inside a transaction with
 * their job's completion; `deliver` does network I/O and runs outside one. Transports add their
 * own stages (as2_mdn, as2_send ...) through `extra`.
 */
import { z } from 'zod'
import type { StageHandler } from './worker.ts'
import type { PipelineDeps } from './deps.ts'
import { parseStage } from './parse.ts'
import { parseBatch } from './parse-batch.ts'
import { translateMany, translateStage } from './translate.ts'
import { matchMany, matchStage } from './match.ts'
import { deliverStage } from './deliver.ts'

const MessageJob = z.object({ messageId: z.string() })
const TransactionJob = z.object({ transactionId: z.string() })
const DocumentJob = z.object({ documentId: z.string() })
const DeliveryJob = z.object({ deliveryId: z.string() })

export const STAGES = ['parse', 'translate', 'match', 'deliver'] as const

export function pipelineStages(deps: PipelineDeps, extra: Record<string, StageHandler> = {}): Record<string, StageHandler> {
  return {
    parse: {
      run: async (q, p) => void (await parseStage(deps, q, MessageJob.parse(p).messageId)),
      // A batch of payloads (small files under a backlog): parsed at the same time, their sets
      // translated and matched together (parse-batch.ts).
      runMany: (q, jobs) => parseBatch(deps, q, jobs.map((j) => MessageJob.parse(j.payload).messageId)),
    },
    translate: {
      run: async (q, p) => void (await translateStage(deps, q, TransactionJob.parse(p).transactionId)),
      runMany: async (q, jobs) => void (await translateMany(deps, q, jobs.map((j) => TransactionJob.parse(j.payload).transactionId))),
    },
    match: {
      run: async (q, p) => void (await matchStage(deps, q, DocumentJob.parse(p).documentId)),
      runMany: async (q, jobs) => void (await matchMany(deps, q, jobs.map((j) => DocumentJob.parse(j.payload).documentId))),
    },
    deliver: { transactional: false, run: (q, p, job) => deliverStage(deps, q, DeliveryJob.parse(p).deliveryId, job) },
    ...extra,
  }
}
