/** Liveness (/healthz) and readiness (/readyz: database reachable + age of the oldest queued job). */
import type { RouteInstaller } from '../context.ts'

export const installHealth: RouteInstaller = (app, ctx) => {
  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  app.get('/readyz', async (c) => {
    try {
      const [r] = await ctx.sql<{ age: number | null; depth: number }[]>`
        select extract(epoch from now() - min(run_after))::float8 as age, count(*)::int as depth
        from jobs where state in ('created', 'retry') and run_after <= now()`
      return c.json({ status: 'ready', database: 'ok', queueDepth: r.depth, oldestQueuedJobSeconds: r.age ?? 0 })
    } catch (err) {
      // The driver's text names hosts, ports and schemas: it goes to the log, not to the caller.
      ctx.log.error('readiness check: database error', { error: (err as Error).message })
      return c.json({ status: 'not_ready', database: 'unavailable' }, 503)
    }
  })
}
