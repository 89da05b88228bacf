/** Plain-language text for exception reasons (placeholder until the full catalogue lands). */
import { REASONS, type ExceptionReason } from './reasons.ts'

export function explain(reason: ExceptionReason): string {
  const { code, ...rest } = reason
  return `${REASONS[code].title}: ${JSON.stringify(rest)}`
}
