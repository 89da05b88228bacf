/**
 * zod issues → application/problem+json (RFC 9457) with one entry per bad field, named by its
 * JSON path (`$.shipmentConfirmations[0].shippedItems[2].shippedQuantity.amount`) and by its
 * JSON Pointer (RFC 6901) so clients can use whichever they already handle.
 */
import type { z } from 'zod'
import { problem } from '../app.ts'

export interface FieldError {
  path: string
  pointer: string
  code: string
  message: string
}

export function jsonPath(path: readonly PropertyKey[]): string {
  return (
    '$' +
    path
      .map((k) => (typeof k === 'number' ? `[${k}]` : /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(String(k)) ? `.${String(k)}` : `[${JSON.stringify(String(k))}]`))
      .join('')
  )
}

export const jsonPointer = (path: readonly PropertyKey[]): string =>
  path.map((k) => '/' + String(k).replace(/~/g, '~0').replace(/\//g, '~1')).join('')

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((i) => ({ path: jsonPath(i.path), pointer: jsonPointer(i.path), code: i.code, message: i.message }))
}

export function validationProblem(error: z.ZodError): Response {
  const errors = fieldErrors(error).slice(0, 200)
  return problem(422, 'Validation failed', `${error.issues.length} field(s) are invalid`, { type: 'urn:edi-gateway:problem:validation', errors })
}
