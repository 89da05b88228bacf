/**
 * MapSpec: the file format of maps/<standard>-<version>/<docType>.<in|out>[@<partner>].yaml.
 * The mapping layer owns it (DESIGN 2.6). Strict objects everywhere so a typo in a key is an error
 * naming the file and the path, never a silently ignored setting. Paths inside strings are parsed
 * later (path.ts) at load time, transforms are checked against the registry in transforms.ts.
 */
import { z } from 'zod'

export const CANONICAL_KINDS = ['purchase_order', 'po_ack', 'asn', 'invoice'] as const
export const CanonicalKindName = z.enum(CANONICAL_KINDS)

/** Where the message comes from (inbound) or goes to (outbound). */
export const MessageRef = z.strictObject({
  standard: z.enum(['x12', 'edifact', 'json']),
  /** X12 `004010`, EDIFACT `D96A`, JSON `v1`. */
  version: z.string().min(1),
  /** `850`, `DESADV`, or a JSON document name such as `shipment_confirmation`. */
  docType: z.string().min(1),
})

/** A condition on the raw source value (before transforms). All given tests must hold. */
export const Condition = z.strictObject({
  path: z.string(),
  eq: z.string().optional(),
  in: z.array(z.string()).optional(),
  /** true: the path has a non-empty value; false: it has none. */
  exists: z.boolean().optional(),
  /** Negate the whole condition. */
  not: z.boolean().optional(),
})

const Scalar = z.union([z.string(), z.number(), z.boolean()])

/** A transform step: a name from transforms.ts, optionally with its argument. */
export const TransformStep = z.union([
  z.string(),
  z.strictObject({ name: z.string(), arg: z.unknown().optional() }),
])

/** One canonical field read from the source. A bare string is shorthand for `{ from: <path> }`. */
export const Leaf = z.strictObject({
  /** Source path; a list collects every listed path into an array (address lines). */
  from: z.union([z.string(), z.array(z.string())]).optional(),
  /** Every occurrence of `from` instead of the first (MSG notes) → an array. */
  all: z.boolean().optional(),
  const: Scalar.optional(),
  transform: z.union([TransformStep, z.array(TransformStep)]).optional(),
  /** Argument of a single named `transform`. */
  arg: z.unknown().optional(),
  default: Scalar.optional(),
  /** Implementation-guide rule: absent → issue `required_missing` naming path and rule. */
  required: z.boolean().optional(),
  when: Condition.optional(),
})

export interface GroupT {
  each?: string
  until?: string[]
  members?: string[]
  tree?: { id: string; parent: string }
  groupBy?: string
  when?: z.infer<typeof Condition>
  required?: boolean
  fields: Record<string, FieldNodeT>
}
export type FieldNodeT = string | z.infer<typeof Leaf> | GroupT

/**
 * A nested object (no `each`) or a repeating structure (`each`): one output element per loop
 * instance. Loop instance = the start segment and what follows it up to the next start segment,
 * an `until` tag, or the first tag not in `members`. `tree` links instances by id/parent
 * elements (X12 856 HL01/HL02, DESADV CPS 7164/7166) instead of by position.
 */
export const Group: z.ZodType<GroupT> = z.lazy(() =>
  z.strictObject({
    each: z.string().optional(),
    until: z.array(z.string()).optional(),
    members: z.array(z.string()).optional(),
    tree: z.strictObject({ id: z.string(), parent: z.string() }).optional(),
    /** JSON only: one instance per distinct value of this path; `@group[*]` iterates the members. */
    groupBy: z.string().optional(),
    when: Condition.optional(),
    /** A loop that must yield at least one instance. */
    required: z.boolean().optional(),
    fields: z.record(z.string(), FieldNode),
  })
)

export const FieldNode: z.ZodType<FieldNodeT> = z.lazy(() => z.union([z.string(), Leaf, Group]))

/** Lookup tables: inline `{ code: value }`, or the name of maps/lookups/<name>.yaml. */
export const Lookups = z.record(z.string(), z.union([z.record(z.string(), z.string()), z.string()]))

/* ---------- outbound ---------- */

export const OutValue = z.union([
  z.string().describe('a constant written as is'),
  z.strictObject({
    /**
     * Canonical path relative to the current item (`quantity.value`), `$.` from the root. A list
     * takes the first path that has a value (`[statusCode, status]`: the partner's own code
     * when we kept it, else ours).
     */
    from: z.union([z.string(), z.array(z.string())]).optional(),
    const: z.string().optional(),
    transform: z.union([TransformStep, z.array(TransformStep)]).optional(),
    arg: z.unknown().optional(),
    default: z.string().optional(),
    /** Tree numbering (HL01/HL02, CPS): this node's id or its parent's. */
    node: z.enum(['self', 'parent']).optional(),
  }),
])

export const OutPairs = z.strictObject({
  /** Element position of the first qualifier (PO106 → 6, LIN02 → 2). */
  at: z.union([z.number().int().positive(), z.string()]),
  list: z.array(z.strictObject({ q: z.string(), from: z.string(), transform: TransformStep.optional() })),
})

export const OutSegment = z.strictObject({
  /** Name used by overlays to address this segment. */
  id: z.string().optional(),
  tag: z.string().regex(/^[A-Z0-9]{2,3}$/),
  /** Element address (`3`, `03`, `1-2` for a component) → value. */
  elements: z.record(z.string(), OutValue).default({}),
  /** Qualifier/value pairs packed from `at` leaving no gaps (PO106/07, LIN02/03 ...). */
  pairs: OutPairs.optional(),
  when: Condition.optional(),
  /** Write even when every element is empty. */
  always: z.boolean().optional(),
})

export interface OutGroupT {
  id?: string
  each?: string
  node?: string
  when?: z.infer<typeof Condition>
  segments: OutItemT[]
}
export type OutItemT = z.infer<typeof OutSegment> | OutGroupT

/** Segments repeated per item of `each`; `node` numbers the instances as a tree (HL, CPS). */
export const OutGroup: z.ZodType<OutGroupT> = z.lazy(() =>
  z.strictObject({
    id: z.string().optional(),
    each: z.string().optional(),
    node: z.string().optional(),
    when: Condition.optional(),
    segments: z.array(OutItem),
  })
)
export const OutItem: z.ZodType<OutItemT> = z.lazy(() => z.union([OutSegment, OutGroup]))

const Common = {
  $schema: z.string().optional(),
  /** Derived from the file name; when present it must match. */
  id: z.string().optional(),
  description: z.string().optional(),
  /** Id of the map this one overlays (resolved before validation). */
  extends: z.string().optional(),
  lookups: Lookups.optional(),
}

export const InMapSpec = z.strictObject({
  ...Common,
  direction: z.literal('in'),
  source: MessageRef,
  target: CanonicalKindName,
  /** JSON only: path to the documents in a payload (`$.shipmentConfirmations[*]`). */
  split: z.string().optional(),
  fields: z.record(z.string(), FieldNode),
})

export const OutMapSpec = z.strictObject({
  ...Common,
  direction: z.literal('out'),
  source: CanonicalKindName,
  target: MessageRef,
  segments: z.array(OutItem),
})

export const MapSpec = z.discriminatedUnion('direction', [InMapSpec, OutMapSpec])

export type MapSpec = z.infer<typeof MapSpec>
export type InMapSpec = z.infer<typeof InMapSpec>
export type OutMapSpec = z.infer<typeof OutMapSpec>
export type Condition = z.infer<typeof Condition>
export type Leaf = z.infer<typeof Leaf>
export type TransformStep = z.infer<typeof TransformStep>
export type OutSegment = z.infer<typeof OutSegment>
export type OutValue = z.infer<typeof OutValue>
export type MessageRefT = z.infer<typeof MessageRef>

/** `x12-004010/850.in@acme` → its parts; null when the id is malformed. */
export function parseMapId(
  id: string
): { standard: string; version: string; docType: string; direction: 'in' | 'out'; partner?: string } | null {
  const m = /^(x12|edifact|json)-([^/]+)\/([^.@/]+)\.(in|out)(?:@([a-z0-9][a-z0-9-]*))?$/.exec(id)
  if (!m) return null
  return { standard: m[1], version: m[2], docType: m[3], direction: m[4] as 'in' | 'out', partner: m[5] }
}

/** The JSON Schema written to maps/_schema.json (editor autocompletion via yaml-language-server). */
export function mapJsonSchema(): unknown {
  return z.toJSONSchema(MapSpec, { unrepresentable: 'any', io: 'input' })
}
