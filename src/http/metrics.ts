/**
 * /metrics in the Prometheus text exposition format (version 0.0.4), behind the operator token or
 * METRICS_TOKEN. A scrape never touches the database: business gauges are read in the background
 * (at most every METRICS_REFRESH_SECONDS, and only while someone scrapes) into a snapshot, so every
 * gateway process behind a load balancer reports the shared truth as of its last refresh
 * (edi_metrics_snapshot_age_seconds says how old); request counters (AS2/SFTP/API) are per process
 * (ctx.counters) and always current.
 * Latency is honest about what it measures: from payload receipt to the last state change of
 * each document that reached a matching decision (matched/held/waiting/released/delivered).
 */
import type { Sql } from '../db/sql.ts'
import type { Logger } from '../lib/log.ts'
import { tokenAuth } from './auth.ts'
import type { MetricsSource, RouteInstaller } from './context.ts'

/** Histogram buckets in seconds. */
export const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600]

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
const labels = (l: Record<string, string | null | undefined>) => {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${esc(v ?? '')}"`)
  return parts.length ? `{${parts.join(',')}}` : ''
}
/** Counter keys are free text from other modules; metric label values must be one clean token. */
const metricName = (s: string) => s.replace(/[^a-zA-Z0-9_]/g, '_')

export class MetricsWriter {
  lines: string[] = []
  family(name: string, type: 'gauge' | 'counter' | 'histogram', help: string): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
  }
  sample(name: string, l: Record<string, string | null | undefined>, value: number): void {
    this.lines.push(`${name}${labels(l)} ${Number.isFinite(value) ? value : 0}`)
  }
  text(): string {
    return this.lines.join('\n') + '\n'
  }
}

/** The database gauges (what the background refresh runs). */
async function collectGauges(sql: Sql): Promise<string[]> {
  const w = new MetricsWriter()
  const payloads = await sql<{ partner_id: string | null; transport: string; status: string; n: number }[]>`
    select partner_id, transport, status, count(*)::int as n from payloads group by 1, 2, 3 order by 1, 2, 3`
  w.family('edi_payloads', 'gauge', 'Stored inbound payloads by partner, transport and status.')
  for (const r of payloads) w.sample('edi_payloads', { partner: r.partner_id ?? 'unknown', transport: r.transport, status: r.status }, r.n)

  const txs = await sql<{ partner_id: string | null; standard: string; doc_type: string; status: string; n: number }[]>`
    select partner_id, standard, doc_type, status, count(*)::int as n from transactions group by 1, 2, 3, 4 order by 1, 2, 3, 4`
  w.family('edi_messages', 'gauge', 'Transaction sets / messages / JSON documents by partner, type and status.')
  for (const r of txs) w.sample('edi_messages', { partner: r.partner_id ?? 'unknown', standard: r.standard, type: r.doc_type, status: r.status }, r.n)

  const docs = await sql<{ partner_id: string; kind: string; status: string; n: number }[]>`
    select partner_id, kind, status, count(*)::int as n from documents group by 1, 2, 3 order by 1, 2, 3`
  w.family('edi_documents', 'gauge', 'Canonical documents by partner, kind and status.')
  for (const r of docs) w.sample('edi_documents', { partner: r.partner_id, kind: r.kind, status: r.status }, r.n)

  const exc = await sql<{ queue: string; code: string; severity: string; n: number; oldest: number | null }[]>`
    select queue, code, severity, count(*)::int as n, extract(epoch from now() - min(created_at))::float8 as oldest
    from exceptions where state in ('open', 'assigned') group by 1, 2, 3 order by 1, 2, 3`
  w.family('edi_exceptions_open', 'gauge', 'Exception backlog (open or assigned) by queue, code and severity.')
  for (const r of exc) w.sample('edi_exceptions_open', { queue: r.queue, code: r.code, severity: r.severity }, r.n)
  w.family('edi_exceptions_oldest_seconds', 'gauge', 'Age of the oldest open exception per queue and code.')
  for (const r of exc) w.sample('edi_exceptions_oldest_seconds', { queue: r.queue, code: r.code, severity: r.severity }, r.oldest ?? 0)

  const jobs = await sql<{ stage: string; state: string; n: number; due: number }[]>`
    select stage, state, count(*)::int as n, (count(*) filter (where run_after <= now()))::int as due
    from jobs where state <> 'completed' group by 1, 2 order by 1, 2`
  w.family('edi_queue_depth', 'gauge', 'Jobs not yet completed by stage and state (created, retry, active, failed), scheduled ones included.')
  for (const r of jobs) w.sample('edi_queue_depth', { stage: r.stage, state: r.state }, r.n)
  // The backlog, as /readyz counts it: a retry in its backoff, an invoice's recheck due in 30 s
  // (README, "An invoice waits") or a scheduled poll is not behind. A job whose worker died is
  // `active` (in edi_queue_depth) until its lease runs out, and claimable only then.
  w.family('edi_queue_due', 'gauge', 'Jobs due and waiting to be claimed (created or retry, run_after passed) by stage and state: the backlog.')
  for (const r of jobs) if (r.state === 'created' || r.state === 'retry') w.sample('edi_queue_due', { stage: r.stage, state: r.state }, r.due)

  const [lat] = await sql<{ n: number; sum: number | null }[]>`
    select count(*)::int as n, sum(extract(epoch from d.updated_at - p.received_at))::float8 as sum
    from documents d join payloads p on p.id = d.payload_id
    where d.status in ('matched', 'held', 'waiting', 'released', 'delivered')`
  w.family('edi_processing_seconds', 'histogram', 'Receipt of the payload to the matching decision of each document.')
  // Cumulative buckets (le = "less or equal"), as the exposition format requires.
  const counts = await sql<{ le: number; n: number }[]>`
    select b as le, (select count(*)::int from documents d join payloads p on p.id = d.payload_id
      where d.status in ('matched', 'held', 'waiting', 'released', 'delivered')
        and extract(epoch from d.updated_at - p.received_at) <= b) as n
    from unnest(${LATENCY_BUCKETS}::float8[]) b order by b`
  for (const b of counts) w.sample('edi_processing_seconds_bucket', { le: String(b.le) }, b.n)
  w.sample('edi_processing_seconds_bucket', { le: '+Inf' }, lat?.n ?? 0)
  w.sample('edi_processing_seconds_sum', {}, lat?.sum ?? 0)
  w.sample('edi_processing_seconds_count', {}, lat?.n ?? 0)
  return w.lines
}

function writeCounters(w: MetricsWriter, counters: Map<string, number>): void {
  w.family('edi_requests_total', 'counter', 'Requests and events seen by this process, by transport counter (AS2, SFTP, API ...).')
  for (const [k, v] of [...counters.entries()].sort()) w.sample('edi_requests_total', { counter: metricName(k) }, v)
}

/**
 * The snapshot holder behind /metrics. `start(seconds)` refreshes in the background, skipping
 * rounds in which nobody scraped (an unscraped gateway runs no metrics queries at all); one
 * refresh at a time.
 *
 * @example
 * const metrics = createMetricsSource(sql, log)
 * metrics.start(30) // serve: refresh at most every 30 s
 */
export function createMetricsSource(sql: Sql, log?: Logger): MetricsSource {
  let gauges: string[] = []
  let at = 0
  let scraped = true
  let running: Promise<void> | undefined
  let timer: ReturnType<typeof setInterval> | undefined
  const refresh = (): Promise<void> =>
    (running ??= collectGauges(sql)
      .then((lines) => {
        gauges = lines
        at = Date.now()
      })
      .finally(() => (running = undefined)))
  return {
    refresh,
    render(counters) {
      scraped = true
      const w = new MetricsWriter()
      w.lines.push(...gauges)
      writeCounters(w, counters)
      w.family('edi_metrics_snapshot_age_seconds', 'gauge', 'Age of the database gauges in this answer (-1: not read yet).')
      w.sample('edi_metrics_snapshot_age_seconds', {}, at ? (Date.now() - at) / 1000 : -1)
      return w.text()
    },
    start(seconds) {
      if (timer) return
      const tick = () => {
        if (!scraped && at) return
        scraped = false
        refresh().catch((err) => log?.warn('metrics refresh failed', { error: (err as Error).message }))
      }
      tick()
      timer = setInterval(tick, seconds * 1000)
      timer.unref()
    },
    stop() {
      if (timer) clearInterval(timer)
      timer = undefined
    },
  }
}

export const installMetrics: RouteInstaller = (app, ctx) => {
  const auth = tokenAuth([ctx.operatorToken, ...(ctx.metricsToken ? [ctx.metricsToken] : [])], ctx.authThrottle, 'operator or metrics token required (Authorization: Bearer ...)')
  app.get('/metrics', auth, (c) => c.body(ctx.metrics.render(ctx.counters), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }))
}
