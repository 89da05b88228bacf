/**
 * The map engine's public surface. Message × MapSpec → canonical (inbound), canonical × MapSpec
 * → segments (outbound). See maps/README in DESIGN 2.6 for the file format.
 */
import type { MappingIssue } from './inbound.ts'

export { loadMaps, writeMapSchema } from './loader.ts'
export { resolveMaps, type ResolvedMap, type MapSource, type MapError } from './resolve.ts'
export { selectMap, type MapQuery, type PartnerMaps, type Selection } from './select.ts'
export { runInbound, splitJson, type InboundInput, type InboundMeta, type InboundResult, type MappingIssue } from './inbound.ts'
export { runOutbound, type OutboundResult, type OutSegmentData } from './outbound.ts'
export { MapSpec, mapJsonSchema, parseMapId } from './spec.ts'
export { parsePath, parseSegPath, parseJsonPath, PathError } from './path.ts'
export { TRANSFORMS } from './transforms.ts'

/** Issues in the shape of ExceptionReason `canonical_invalid.issues` ({ path, message, source }). */
export function issueRows(issues: MappingIssue[]): { path: string; message: string; source?: string }[] {
  return issues.map((i) => {
    switch (i.code) {
      case 'required_missing':
        return { path: i.field, source: i.at ? `${i.at}: ${i.source}` : i.source, message: `required by ${i.rule}, but ${i.source} is absent` }
      case 'transform_failed':
        return { path: i.field, source: i.source, message: `${i.transform}: ${i.message}` }
      case 'canonical_invalid':
        return { path: i.field, source: i.source, message: i.message }
    }
  })
}
