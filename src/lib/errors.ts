/**
 * GatewayError: for defects and infrastructure failures only (database down, partner endpoint
 * timeout, a bug). Document problems are data (EdiIssue, ExceptionReason) and never thrown.
 */
export class GatewayError extends Error {
  readonly code: string
  readonly retryable: boolean
  constructor(code: string, message: string, opts: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, { cause: opts.cause })
    this.name = 'GatewayError'
    this.code = code
    this.retryable = opts.retryable ?? true
  }
}

/** A mistake by the person at the keyboard (bad flag, missing file): one line, no stack. */
export class UserError extends Error {
  readonly exitCode: number
  constructor(message: string, exitCode = 2) {
    super(message)
    this.name = 'UserError'
    this.exitCode = exitCode
  }
}

export interface SerializedError {
  name: string
  message: string
  code?: string
  stack?: string
  cause?: SerializedError
}

/** Turn anything thrown into plain JSON for exception rows and logs. */
export function serializeError(err: unknown, depth = 0): SerializedError {
  if (err instanceof Error) {
    const out: SerializedError = { name: err.name, message: err.message }
    const code = (err as { code?: unknown }).code
    if (typeof code === 'string') out.code = code
    if (err.stack) out.stack = err.stack.split('\n').slice(0, 8).join('\n')
    if (err.cause !== undefined && depth < 3) out.cause = serializeError(err.cause, depth + 1)
    return out
  }
  return { name: 'NonError', message: String(err) }
}
