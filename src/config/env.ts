/**
 * Environment → Env, parsed once at boot. Every setting has a default that makes
 * `npm install && npm start` work on a fresh machine (embedded database in ./data, demo partners
 * from the repository).
 */
import { resolve } from 'node:path'
import { z } from 'zod'
import { UserError } from '../lib/errors.ts'

const Port = z.coerce.number().int().min(0).max(65535)

export const EnvSchema = z.object({
  /** PostgreSQL URL. Unset: embedded PGlite in DATA_DIR/pg. */
  DATABASE_URL: z.string().optional(),
  /** Schema for the gateway's tables (default public). */
  DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('public'),
  /** Connection pool size on PostgreSQL (embedded always 1). */
  DATABASE_POOL: z.coerce.number().int().min(1).max(100).default(10),
  DATA_DIR: z.string().default('./data'),
  /** Root holding partners/, maps/, certs/ (default: the current directory). */
  CONFIG_DIR: z.string().default('.'),
  HOST: z.string().default('0.0.0.0'),
  PORT: Port.default(8080),
  SFTP_PORT: Port.default(2222),
  /** `off` disables the hosted SFTP server. */
  SFTP: z.enum(['on', 'off']).default('on'),
  /** Hosted SFTP limits (src/transports/sftp/limits.ts); unset: the defaults there. */
  SFTP_MAX_CONNECTIONS: z.coerce.number().int().positive().optional(),
  SFTP_PARTNER_CONNECTIONS: z.coerce.number().int().positive().optional(),
  SFTP_AUTH_TRIES: z.coerce.number().int().positive().optional(),
  SFTP_LOCKOUT_AFTER: z.coerce.number().int().positive().optional(),
  SFTP_LOCKOUT_SECONDS: z.coerce.number().positive().optional(),
  SFTP_LOGIN_TIMEOUT_SECONDS: z.coerce.number().positive().optional(),
  SFTP_MAX_HANDLES: z.coerce.number().int().positive().optional(),
  SFTP_MAX_FILE_BYTES: z.coerce.number().int().positive().optional(),
  /** Operator token for the operations API and console. Unset: a random one is printed at start. */
  OPERATOR_TOKEN: z.string().min(24, 'must be at least 24 characters (use a random token)').optional(),
  /** Concurrent job loops per process (PostgreSQL only; embedded always 1). */
  WORKERS: z.coerce.number().int().min(0).max(64).default(4),
  /** Days a completed job is kept as history (message detail); 0 keeps them for ever. */
  JOBS_RETENTION_DAYS: z.coerce.number().int().min(0).max(36500).default(30),
  /** Base of the exponential retry backoff, ms. */
  RETRY_BASE_MS: z.coerce.number().int().positive().default(1000),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** HTTPS: both set → the HTTP server speaks TLS. */
  TLS_CERT_FILE: z.string().optional(),
  TLS_KEY_FILE: z.string().optional(),
  /** Our AS2 id when a partner profile names no `us.as2`. */
  AS2_ID: z.string().default('OURCO-AS2'),
  /** Public base URL of this gateway (async MDNs are requested at PUBLIC_URL/as2/mdn). */
  PUBLIC_URL: z.string().url().optional(),
  /**
   * `auto`: on a database with no purchase orders yet, import CONFIG_DIR/fixtures/erp/*.csv (the
   * demo POs that fit the demo partners) so `npm start` is a working demo. `off` never does.
   */
  DEMO_SEED: z.enum(['auto', 'off']).default('auto'),
  /** Max request body in bytes (AS2 and API). */
  BODY_LIMIT: z.coerce.number().int().positive().default(50 * 1024 * 1024),
  // ── hardening: limits and the metrics endpoint ──
  /** Max AS2 message body in bytes (a profile's as2.maxBodyBytes overrides it per partner). */
  AS2_BODY_LIMIT: z.coerce.number().int().positive().default(20 * 1024 * 1024),
  /** AS2 messages per minute per partner (AS2-From; all unknown ids share one bucket). */
  AS2_RATE_LIMIT: z.coerce.number().int().positive().default(600),
  /** AS2 requests per minute per source address. */
  AS2_SOURCE_RATE_LIMIT: z.coerce.number().int().positive().default(1200),
  /** Reverse proxies in front of the gateway whose X-Forwarded-For is trusted for the source address (0: none). */
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  /** Failed credentials (operator token, API keys) per minute per source address before 429. */
  AUTH_FAILURE_LIMIT: z.coerce.number().int().positive().default(30),
  /** Bearer token for /metrics only (the operator token works too). */
  METRICS_TOKEN: z.string().min(24, 'must be at least 24 characters (use a random token)').optional(),
  /** The database gauges of /metrics are refreshed in the background at most this often. */
  METRICS_REFRESH_SECONDS: z.coerce.number().int().min(1).default(30),
  /** Largest payload the parse stage reads, in bytes; larger ones become a payload_too_large exception. */
  MAX_PAYLOAD_BYTES: z.coerce.number().int().positive().default(2 * 1024 ** 3),
})

export type Env = z.infer<typeof EnvSchema> & { dataDir: string; configDir: string }

/** Parse the environment; a bad value is a UserError naming the variable (one line, exit code 2). */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const r = EnvSchema.safeParse(source)
  if (!r.success) {
    // Never echo the value: it may be a secret.
    throw new UserError(`invalid environment: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
  }
  const e = r.data
  return { ...e, dataDir: resolve(e.DATA_DIR), configDir: resolve(e.CONFIG_DIR) }
}
