/**
 * Transports and their routes/stages, wired for `serve`: AS2 routes and job stages, the hosted
 * SFTP server and pollers, the supplier/ops API and console. Each piece is added here as it lands.
 */
import type { HttpContext, RouteInstaller } from '../http/context.ts'
import { installMetrics } from '../http/metrics.ts'
import { installOpenApi } from '../http/openapi.ts'
import { installApi } from '../http/routes/api.ts'
import { installConsole } from '../http/routes/console.ts'
import { installOps } from '../http/routes/ops.ts'
import type { PipelineDeps } from '../pipeline/deps.ts'
import type { StageHandler } from '../pipeline/worker.ts'
import type { Gateway } from './gateway.ts'

export interface Started {
  sftpPort?: number
  notes: string[]
  stop(): Promise<void>
}

export function extraStages(_deps: PipelineDeps): Record<string, StageHandler> {
  return {}
}

export async function startTransports(_gw: Gateway, _ctx: HttpContext): Promise<Started> {
  return { notes: [], stop: async () => {} }
}

export function installExtras(_gw: Gateway, _ctx: HttpContext, _s: Started): RouteInstaller[] {
  return [installApi, installOps, installConsole, installOpenApi, installMetrics]
}
