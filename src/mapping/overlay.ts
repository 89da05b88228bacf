/**
 * Partner overlays (`extends`): a partner map lists only what differs from its base, like bots'
 * partner-specific translations. Field trees are first normalised (dotted keys such as
 * `shipTo.id` become nested groups), then merged by field path:
 *   - a string replaces the leaf's `from` and keeps its transform/required/default;
 *   - an object merges attribute by attribute (`transform: null` drops one attribute);
 *   - `null` removes the field;
 *   - groups merge their `fields` recursively.
 * Outbound segment lists merge by segment `id`: same id → merge (elements by key, `null` drops
 * one), `remove: true` → delete, `after: <id>` → insert after that segment, else append.
 * Works on raw YAML objects; the merged result is validated against MapSpec afterwards.
 */

type Raw = Record<string, unknown>

const isObj = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v)
export const isGroupNode = (v: unknown): v is Raw => isObj(v) && ('fields' in v || 'each' in v)

export class OverlayError extends Error {
  path: string
  constructor(path: string, message: string) {
    super(message)
    this.path = path
  }
}

/** Expand dotted keys into nested groups, recursively. */
export function normalizeFields(fields: unknown, at = 'fields'): Raw {
  if (!isObj(fields)) throw new OverlayError(at, 'must be a map of field name → path or spec')
  const out: Raw = {}
  for (const [key, raw] of Object.entries(fields)) {
    let val = raw
    if (isGroupNode(val)) val = { ...val, fields: normalizeFields(val.fields ?? {}, `${at}.${key}`) }
    const parts = key.split('.')
    let target = out
    for (let i = 0; i < parts.length - 1; i++) {
      const p = parts[i]
      const cur = target[p]
      if (cur === undefined) target[p] = { fields: {} }
      else if (!isGroupNode(cur)) throw new OverlayError(`${at}.${key}`, `"${parts.slice(0, i + 1).join('.')}" is a field, not a group`)
      target = (target[p] as Raw).fields as Raw
    }
    const last = parts[parts.length - 1]
    target[last] = target[last] === undefined ? val : mergeNode(target[last], val)
  }
  return out
}

const REMOVE = Symbol('remove')

function mergeAttrs(base: Raw, over: Raw): Raw {
  const out: Raw = { ...base }
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k]
    else out[k] = v
  }
  return out
}

function mergeNode(base: unknown, over: unknown): unknown {
  if (over === null) return REMOVE
  if (base === undefined) return over
  if (typeof over === 'string') return isObj(base) && !isGroupNode(base) ? { ...(base as Raw), from: over } : over
  if (isGroupNode(over)) {
    if (!isGroupNode(base)) return over
    const { fields, ...rest } = over
    return { ...mergeAttrs(base, rest), fields: mergeFields(base.fields as Raw, (fields ?? {}) as Raw) }
  }
  if (isObj(over)) {
    if (typeof base === 'string') return mergeAttrs({ from: base }, over)
    if (isGroupNode(base)) return over
    return mergeAttrs(base as Raw, over)
  }
  return over
}

export function mergeFields(base: Raw, over: Raw): Raw {
  const out: Raw = { ...base }
  for (const [k, v] of Object.entries(over)) {
    const m = mergeNode(out[k], v)
    if (m === REMOVE) delete out[k]
    else out[k] = m
  }
  return out
}

/** Leaf field paths (`lines.quantity.value`) where `required` is set, with its value. */
export function requiredRules(fields: Raw, prefix = ''): Map<string, boolean> {
  const out = new Map<string, boolean>()
  for (const [k, v] of Object.entries(fields)) {
    const path = prefix + k
    if (isGroupNode(v)) {
      if (typeof v.required === 'boolean') out.set(path, v.required)
      for (const [p, r] of requiredRules(v.fields as Raw, `${path}.`)) out.set(p, r)
    } else if (isObj(v) && typeof v.required === 'boolean') out.set(path, v.required)
  }
  return out
}

/* ---------- outbound segment lists ---------- */

function findById(items: Raw[], id: string): { list: Raw[]; index: number } | undefined {
  for (let i = 0; i < items.length; i++) {
    if (items[i].id === id) return { list: items, index: i }
    if (Array.isArray(items[i].segments)) {
      const hit = findById(items[i].segments as Raw[], id)
      if (hit) return hit
    }
  }
  return undefined
}

function cloneItems(items: Raw[]): Raw[] {
  return items.map((it) => (Array.isArray(it.segments) ? { ...it, segments: cloneItems(it.segments as Raw[]) } : { ...it }))
}

export function mergeSegments(base: unknown, over: unknown): Raw[] {
  if (!Array.isArray(base) || !Array.isArray(over)) throw new OverlayError('segments', 'must be a list')
  const out = cloneItems(base as Raw[])
  over.forEach((raw, n) => {
    if (!isObj(raw)) throw new OverlayError(`segments.${n}`, 'must be a segment or group')
    const { remove, after, ...item } = raw
    const id = item.id
    const hit = typeof id === 'string' ? findById(out, id) : undefined
    if (remove === true) {
      if (!hit) throw new OverlayError(`segments.${n}`, `no segment with id "${String(id)}" to remove`)
      hit.list.splice(hit.index, 1)
    } else if (hit) {
      const b = hit.list[hit.index]
      const merged = mergeAttrs(b, item)
      if (isObj(b.elements) && isObj(item.elements)) merged.elements = mergeAttrs(b.elements, item.elements)
      hit.list[hit.index] = merged
    } else if (typeof after === 'string') {
      const at = findById(out, after)
      if (!at) throw new OverlayError(`segments.${n}`, `no segment with id "${after}" to insert after`)
      at.list.splice(at.index + 1, 0, item)
    } else out.push(item)
  })
  return out
}

/** Merge an overlay file onto its resolved base (both raw). */
export function mergeMap(base: Raw, over: Raw): Raw {
  const out: Raw = { ...base }
  for (const [k, v] of Object.entries(over)) {
    if (k === 'extends') continue
    if (k === 'fields') out.fields = mergeFields(normalizeFields(base.fields ?? {}), normalizeFields(v, 'fields'))
    else if (k === 'segments') out.segments = mergeSegments(base.segments, v)
    else if ((k === 'source' || k === 'target' || k === 'lookups') && isObj(v) && isObj(base[k]))
      out[k] = { ...(base[k] as Raw), ...v }
    else if (v === null) delete out[k]
    else out[k] = v
  }
  return out
}
