/**
 * Query and body schemas of the operations API; shared by the handlers and /openapi.json.
 * Free-text filters are bounded and refuse NUL, which PostgreSQL text cannot store, so a hostile
 * value is a 422 or an empty result, never a 500.
 */
import { z } from 'zod'

const Text = z.string().min(1).max(200).refine((s) => !s.includes('\u0000'), 'must not contain NUL')
const When = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/, 'an ISO 8601 date or date-time')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not a valid date')

export const MessagesQuery = z.object({
  partner: Text.optional(),
  transport: Text.optional(),
  type: Text.optional().describe('doc type (850, DESADV) or document kind (asn, invoice, po_ack)'),
  status: Text.optional(),
  from: When.optional(),
  to: When.optional(),
  po: Text.optional().describe('PO number'),
  control: Text.optional().describe('interchange, group or transaction control number'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
})

export const ExceptionsQuery = z.object({
  /** `active`: open or assigned, the console's default queue. */
  state: z.enum(['open', 'assigned', 'resolved', 'ignored', 'active']).optional(),
  /** Only items assigned to this person ("mine"). */
  assignee: Text.optional(),
  /** `true`: only items nobody is assigned to. */
  unassigned: z.enum(['true', 'false']).optional(),
  queue: Text.optional(),
  code: Text.optional(),
  partner: Text.optional(),
  document: Text.optional(),
  message: Text.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
})

export const AssignBody = z.object({ assignee: Text, note: z.string().max(2000).optional() })
export const NoteBody = z.object({ note: z.string().max(2000).optional() })

export const PurchaseOrdersListQuery = z.object({
  partner: Text.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
})
