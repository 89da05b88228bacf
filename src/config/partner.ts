/**
 * Partner profile: partners/<id>.yaml. Strict everywhere (z.strictObject), so a typo in a key is
 * an error that names the file and the path instead of a silently ignored setting. Secrets are
 * `env:`/`file:` references only. `_schema.json` for editors is generated from this schema.
 */
import { z } from 'zod'
import { Decimal } from '../canonical/common.ts'
import { SECRET_REF } from '../lib/secrets.ts'

const SecretRef = z.string().regex(SECRET_REF, 'secrets must be references like env:NAME or file:path, never inline values')
const Pct = Decimal.describe('percent, as a decimal string')

export const X12Id = z.strictObject({
  /** ISA05/ISA07 qualifier: ZZ, 01 (DUNS), 08, 12 ... */
  qualifier: z.string().min(1).max(2),
  id: z.string().min(1).max(15),
})
export const EdifactId = z.strictObject({
  /** UNB S002/S003 0007 code qualifier: 14 (GLN), ZZZ, 1 (DUNS) ...; optional as partners often omit it. */
  qualifier: z.string().max(4).optional(),
  id: z.string().min(1).max(35),
})

export const Separators = z.strictObject({
  element: z.string().length(1),
  component: z.string().length(1),
  segment: z.string().min(1).max(2),
  repetition: z.string().length(1).optional(),
  release: z.string().length(1).optional(),
  decimal: z.enum(['.', ',']).optional(),
})

const DocType = z.string().regex(/^(\d{3}|[A-Z]{6})$/, 'an X12 set (850) or an EDIFACT message type (ORDERS)')

/**
 * A partner's implementation guide for one document (src/edi/guide.ts): narrows what the
 * standard allows, checked after the base validation and reported in the 997/999/CONTRL.
 * Positions are segment tag + 2-digit element (+ `-` 2-digit component): `BEG01`, `REF04-01`,
 * `BGM01-01`.
 */
export const GuidePosition = z.string().regex(/^[A-Z][A-Z0-9]{1,2}\d{2}(-\d{2})?$/, 'a segment tag + 2-digit element position (+ -2-digit component): BEG01, BGM01-01')
export const Guide = z.strictObject({
  /** Segment tags that must occur at least once. */
  requiredSegments: z.array(z.string().regex(/^[A-Z][A-Z0-9]{1,2}$/)).optional(),
  /** Segment tags the partner never sends or accepts. */
  forbiddenSegments: z.array(z.string().regex(/^[A-Z][A-Z0-9]{1,2}$/)).optional(),
  /** The only codes accepted at a position: `{ BEG01: ['00'], N101: ['ST', 'BY'] }`. */
  codes: z.record(GuidePosition, z.array(z.string().min(1)).min(1)).optional(),
})

export const DocumentEntry = z.strictObject({
  direction: z.enum(['in', 'out']),
  standard: z.enum(['x12', 'edifact', 'json']),
  /** X12 `004010`/`005010`, EDIFACT `D96A`/`D01B`, JSON `v1`. */
  version: z.string(),
  docType: z.union([DocType, z.string().regex(/^[a-z][a-z0-9_]*$/)]),
  /** Explicit map id (maps/<id>.yaml without extension). Default: most specific match. */
  map: z.string().optional(),
  /** Hours within which we expect the functional ack for a document we send (overdue → exception). */
  ackDeadlineHours: z.number().positive().optional(),
  /** Inbound only: the partner's implementation guide for this document (see Guide). */
  guide: Guide.optional(),
})

export const As2Config = z.strictObject({
  /** Partner certificate (PEM, public) used to verify their signatures and encrypt to them. */
  cert: z.string(),
  /** Reject inbound messages that are not signed / not encrypted. */
  requireSigned: z.boolean().default(true),
  requireEncrypted: z.boolean().default(false),
  /** Sending to the partner. */
  url: z.string().url().optional(),
  sign: z.enum(['sha1', 'sha256', 'sha384', 'sha512', 'none']).default('sha256'),
  encrypt: z
    .enum(['aes128-cbc', 'aes192-cbc', 'aes256-cbc', 'des3', 'aes128-gcm', 'aes256-gcm', 'none'])
    .default('aes256-cbc'),
  compress: z.boolean().default(false),
  mdn: z
    .strictObject({
      mode: z.enum(['sync', 'async', 'none']).default('sync'),
      signed: z.boolean().default(true),
      /** Hours to wait for an async MDN before opening an exception. */
      deadlineHours: z.number().positive().default(4),
    })
    .default({ mode: 'sync', signed: true, deadlineHours: 4 }),
  basicAuth: SecretRef.optional(),
  timeoutSeconds: z.number().positive().default(60),
  // ── receiving limits (hardening) ──
  /**
   * Where this partner may ask for asynchronous MDNs (Receipt-Delivery-Option). Each entry is an
   * exact http(s) URL, or a prefix when it ends with `/` (a bare origin is a prefix for the whole
   * site). Empty: no async MDN is ever sent; the MDN comes back in the HTTP response instead.
   */
  asyncMdnUrls: z.array(z.string().url().regex(/^https?:\/\//i, 'an http(s) URL')).default([]),
  /** AS2 messages per minute from this partner (token bucket); default env AS2_RATE_LIMIT. */
  rateLimitPerMinute: z.number().int().positive().optional(),
  /** Largest AS2 message body from this partner in bytes; default env AS2_BODY_LIMIT. */
  maxBodyBytes: z.number().int().positive().optional(),
  // ── inbound security policy (docs/as2-security.md) ──
  /** Accept signatures with SHA-1 (digest or signature hash). Off: SHA-1 collisions are practical. */
  allowSha1: z.boolean().default(false),
  /** Most one compressed layer may inflate to, in MiB (zlib stops there). */
  maxDecompressedMb: z.number().int().positive().max(4096).default(64),
  /**
   * The same signature under a new Message-ID within this many seconds of its first arrival is let
   * through to the content duplicate checks (the same file signed twice in one second gives the
   * same bytes); later it is refused as a replay. 0: always refused.
   */
  replayGraceSeconds: z.number().int().min(0).max(3600).default(30),
})

export const SftpPoll = z.strictObject({
  host: z.string(),
  port: z.number().int().positive().default(22),
  user: z.string(),
  /** Private key (OpenSSH/PEM) reference. */
  key: SecretRef.optional(),
  password: SecretRef.optional(),
  /** Expected host key: `ssh-ed25519 AAAA...` line or a file under certs/. Known-hosts checking is on by default. */
  hostKey: z.string().optional(),
  path: z.string().default('/'),
  pattern: z.string().default('*'),
  intervalSeconds: z.number().positive().default(60),
  after: z.enum(['delete', 'move', 'leave']).default('move'),
  /** Target directory for `after: move`. */
  moveTo: z.string().optional(),
  /** Remote directory we upload outbound files to (temp name, then rename). */
  pushPath: z.string().optional(),
})

export const SftpConfig = z.strictObject({
  /** Hosted mailbox on our ssh2 server; the account name defaults to the partner id. */
  mailbox: z
    .strictObject({
      user: z.string().optional(),
      /** OpenSSH public key lines, or paths under certs/ to files of them. */
      authorizedKeys: z.array(z.string()).default([]),
      password: SecretRef.optional(),
      /** Connections at once for this account (default: SFTP_PARTNER_CONNECTIONS). */
      maxConnections: z.number().int().positive().optional(),
    })
    .optional(),
  poll: z.array(SftpPoll).default([]),
  /** Largest file this partner may upload to its mailbox, in bytes (default: SFTP_MAX_FILE_BYTES). */
  maxFileBytes: z.number().int().positive().optional(),
})

export const WarehouseDestination = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('webhook'),
    name: z.string(),
    url: z.string().url(),
    /** HMAC-SHA256 signing secret. */
    secret: SecretRef,
  }),
  z.strictObject({ type: z.literal('sftp'), name: z.string(), partner: z.string(), path: z.string().default('outbox/') }),
  z.strictObject({ type: z.literal('x12_856'), name: z.string(), partner: z.string() }),
])

export const MatchingConfig = z.strictObject({
  /** Item identity fallback order when the PO line number does not correlate. */
  itemKey: z.array(z.enum(['buyer_part', 'vendor_part', 'gtin'])).default(['buyer_part', 'vendor_part', 'gtin']),
  qty: z
    .strictObject({
      overPct: Pct.default('0'),
      underPct: Pct.default('0'),
      overAbs: Decimal.optional(),
      underAbs: Decimal.optional(),
    })
    .default({ overPct: '0', underPct: '0' }),
  price: z.strictObject({ tolerancePct: Pct.default('0'), toleranceAbs: Decimal.optional() }).default({ tolerancePct: '0' }),
  /** Days a ship date may fall outside the PO window. */
  dateToleranceDays: z.number().int().nonnegative().default(0),
  /**
   * Days from shipping to arrival, for an ASN that states only a ship date: the ship date plus
   * these days is compared with the PO's requested delivery date. Default 0.
   */
  transitDays: z.number().int().nonnegative().optional(),
})

export const PartnerProfile = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes'),
  name: z.string(),
  /** `testing`: processed and acknowledged, never reaches the ERP or warehouses. */
  status: z.enum(['testing', 'live', 'disabled']),
  kind: z.enum(['supplier', 'customer', '3pl', 'warehouse']).default('supplier'),
  identities: z
    .strictObject({
      x12: z.array(X12Id).default([]),
      /** GS02 application sender codes. */
      gs: z.array(z.string()).default([]),
      edifact: z.array(EdifactId).default([]),
      as2: z.array(z.string()).default([]),
      /** API keys for the JSON API (references only; only a hash is kept in memory). */
      apiKeys: z.array(SecretRef).default([]),
    })
    .default({ x12: [], gs: [], edifact: [], as2: [], apiKeys: [] }),
  /** How the partner knows us: the envelope values we send them. */
  us: z
    .strictObject({
      x12: X12Id.optional(),
      gs: z.string().optional(),
      edifact: EdifactId.optional(),
      as2: z.string().optional(),
    })
    .default({}),
  as2: As2Config.optional(),
  sftp: SftpConfig.optional(),
  /** Which transport carries what we send them (acks, 855, 850 ...). */
  outbound: z.enum(['as2', 'sftp', 'sftp_mailbox', 'api', 'none']).default('none'),
  x12: z
    .strictObject({
      separators: Separators.default({ element: '*', component: '>', segment: '~' }),
      /**
       * X12 cannot release a delimiter: a document whose data holds one (a `*` in an item
       * description) is refused with a `document_unwritable` exception, unless this names the
       * character written in its place (often a space). Envelope values are never changed.
       */
      replaceDelimitersWith: z.string().regex(/^[\x20-\x7e\xa0-\xff]$/, 'one printable Latin-1 character').optional(),
      version: z.enum(['004010', '005010']).default('004010'),
      ack: z.enum(['997', '999', 'none']).default('997'),
      /** TA1: `auto` when ISA14=1 or the envelope is broken. */
      ta1: z.enum(['auto', 'always', 'never']).default('auto'),
      ackDeadlineHours: z.number().positive().default(24),
    })
    .optional(),
  edifact: z
    .strictObject({
      separators: Separators.default({ element: '+', component: ':', segment: "'", release: '?', decimal: '.' }),
      syntax: z.string().default('UNOC:3'),
      version: z.enum(['D96A', 'D01B']).default('D96A'),
      /** Send CONTRL: `always`, or only `requested` by UNB 0031. */
      contrl: z.enum(['always', 'requested', 'never']).default('requested'),
      ackDeadlineHours: z.number().positive().default(24),
    })
    .optional(),
  documents: z.array(DocumentEntry).default([]),
  /**
   * Duplicate interchange control numbers (ISA13 / UNB 0020) from this sender within the window
   * are never processed twice: `reject` sends no ack, `flag` acknowledges and opens an exception.
   * `groups` / `transactions` also check GS06 / UNG 0048 and ST02 / UNH 0062 across interchanges
   * (off by default: many partners restart those numbers in every interchange).
   */
  duplicates: z
    .strictObject({
      windowDays: z.number().int().positive().default(30),
      policy: z.enum(['reject', 'flag']).default('reject'),
      groups: z.boolean().default(false),
      transactions: z.boolean().default(false),
    })
    .default({ windowDays: 30, policy: 'reject', groups: false, transactions: false }),
  /** ISA15=T / UNB 0035=1 from a live partner: treat as test (no ERP), reject, or process as live. */
  testIndicator: z.enum(['treat_as_test', 'reject', 'process']).default('treat_as_test'),
  matching: MatchingConfig.default({
    itemKey: ['buyer_part', 'vendor_part', 'gtin'],
    qty: { overPct: '0', underPct: '0' },
    price: { tolerancePct: '0' },
    dateToleranceDays: 0,
  }),
  warehouse: z.strictObject({ destinations: z.array(WarehouseDestination).default([]) }).default({ destinations: [] }),
  /** API requests per minute for this partner. */
  rateLimitPerMinute: z.number().int().positive().default(600),
  exceptions: z.strictObject({ notify: z.array(z.string()).default([]) }).default({ notify: [] }),
})

export type PartnerProfile = z.infer<typeof PartnerProfile>
export type DocumentEntry = z.infer<typeof DocumentEntry>
export type As2Config = z.infer<typeof As2Config>
export type SftpConfig = z.infer<typeof SftpConfig>
export type SftpPoll = z.infer<typeof SftpPoll>
export type MatchingConfig = z.infer<typeof MatchingConfig>
export type WarehouseDestination = z.infer<typeof WarehouseDestination>
