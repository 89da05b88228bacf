-- Core lineage: payload (raw bytes as received) → interchange (ISA/UNB) → transaction (ST/UNH)
-- → document (canonical) → deliveries (acks, outbound documents, warehouse/ERP events).
-- Exceptions point at the most specific row. Jobs drive the stages.

create table payloads (
  id            text primary key,
  received_at   timestamptz not null default now(),
  transport     text not null,
  partner_id    text,
  filename      text,
  content_type  text,
  external_id   text,
  sha256        text not null,
  size          bigint not null,
  standard      text,
  status        text not null default 'received',
  test          boolean not null default false,
  meta          jsonb not null default '{}'::jsonb,
  outcome       jsonb,
  updated_at    timestamptz not null default now()
);
-- A transport-level id (AS2 Message-ID, API idempotency key) is received once per partner.
create unique index payloads_external_uq on payloads (partner_id, transport, external_id)
  where external_id is not null;
create index payloads_partner_idx on payloads (partner_id, received_at desc);
create index payloads_sha_idx on payloads (sha256);

-- Raw bytes in 1 MiB chunks: durable in the same database as everything else, streamable.
create table payload_chunks (
  payload_id  text not null references payloads(id) on delete cascade,
  seq         integer not null,
  data        bytea not null,
  primary key (payload_id, seq)
);

create table interchanges (
  id              text primary key,
  payload_id      text not null references payloads(id),
  seq             integer not null,
  standard        text not null,
  partner_id      text,
  sender_qual     text,
  sender_id       text not null,
  receiver_qual   text,
  receiver_id     text not null,
  control_number  text not null,
  test            boolean not null default false,
  status          text not null,
  issues          jsonb not null default '[]'::jsonb,
  duplicate_of    text,
  created_at      timestamptz not null default now()
);
create index interchanges_dup_idx on interchanges (partner_id, standard, sender_id, control_number, created_at desc);
create index interchanges_payload_idx on interchanges (payload_id);

create table transactions (
  id              text primary key,
  payload_id      text not null references payloads(id),
  interchange_id  text references interchanges(id),
  partner_id      text,
  standard        text not null,
  doc_type        text not null,
  version         text not null,
  group_control   text,
  control_number  text not null,
  status          text not null,
  issues          jsonb not null default '[]'::jsonb,
  segments        jsonb,
  body            jsonb,
  span_start      bigint,
  span_end        bigint,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);
create index transactions_payload_idx on transactions (payload_id);
create index transactions_dup_idx on transactions (partner_id, standard, doc_type, control_number);

create table documents (
  id              text primary key,
  payload_id      text not null references payloads(id),
  transaction_id  text references transactions(id),
  partner_id      text not null,
  kind            text not null,
  business_key    text not null,
  content_hash    text not null,
  po_numbers      text[] not null default '{}',
  ssccs           text[] not null default '{}',
  doc             jsonb not null,
  map_id          text,
  map_hash        text,
  status          text not null,
  test            boolean not null default false,
  match           jsonb,
  duplicate_of    text,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);
create index documents_key_idx on documents (partner_id, kind, business_key);
create index documents_po_idx on documents using gin (po_numbers);
create index documents_sscc_idx on documents using gin (ssccs);
create index documents_status_idx on documents (kind, status);

-- Everything we send: acks (997/999/TA1/CONTRL/MDN), outbound documents, warehouse and ERP events.
create table deliveries (
  id               text primary key,
  partner_id       text,
  kind             text not null,
  doc_type         text not null,
  parent_table     text,
  parent_id        text,
  destination      text not null,
  status           text not null default 'pending',
  attempts         integer not null default 0,
  bytes            bytea,
  filename         text,
  content_type     text,
  control_number   text,
  idempotency_key  text,
  ack_status       text,
  ack_deadline     timestamptz,
  last_error       text,
  receipt          jsonb,
  created_at       timestamptz not null default now(),
  sent_at          timestamptz,
  updated_at       timestamptz not null default now()
);
create index deliveries_parent_idx on deliveries (parent_id);
create index deliveries_ack_idx on deliveries (partner_id, kind, control_number);
create index deliveries_pending_idx on deliveries (status, ack_deadline);

create table jobs (
  id            bigserial primary key,
  stage         text not null,
  payload       jsonb not null,
  state         text not null default 'created',
  run_after     timestamptz not null default now(),
  attempts      integer not null default 0,
  max_attempts  integer not null default 5,
  last_error    jsonb,
  locked_by     text,
  locked_at     timestamptz,
  dedupe_key    text,
  created_at    timestamptz not null default now(),
  completed_at  timestamptz
);
create index jobs_claim_idx on jobs (run_after, id) where state in ('created', 'retry');
create unique index jobs_dedupe_uq on jobs (dedupe_key) where dedupe_key is not null and state in ('created', 'retry', 'active');

create table exceptions (
  id               text primary key,
  code             text not null,
  queue            text not null,
  severity         text not null,
  state            text not null default 'open',
  partner_id       text,
  payload_id       text,
  transaction_id   text,
  document_id      text,
  delivery_id      text,
  reason           jsonb not null,
  explanation      text not null,
  dedupe_key       text not null,
  assigned_to      text,
  note             text,
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  resolved_at      timestamptz
);
-- Re-running a stage never opens the same exception twice.
create unique index exceptions_dedupe_uq on exceptions (dedupe_key);
create index exceptions_state_idx on exceptions (state, queue, created_at);
create index exceptions_doc_idx on exceptions (document_id);

-- Outbound control numbers per partnership (ISA13, GS06, ST02, UNB 0020, UNH 0062):
-- allocated by UPDATE ... RETURNING inside the sending transaction, so they are gap-free.
create table control_numbers (
  partner_id  text not null,
  kind        text not null,
  value       bigint not null default 0,
  primary key (partner_id, kind)
);

-- Default ERP adapter: open purchase orders kept in the gateway's own tables.
create table erp_purchase_orders (
  po_number     text primary key,
  supplier_id   text not null,
  status        text not null default 'open',
  currency      text not null default 'USD',
  ship_to       text,
  requested_date text,
  updated_at    timestamptz not null default now(),
  created_at    timestamptz not null default now()
);
create index erp_po_supplier_idx on erp_purchase_orders (supplier_id, status, po_number);

create table erp_po_lines (
  po_number      text not null references erp_purchase_orders(po_number) on delete cascade,
  line_no        text not null,
  buyer_part     text,
  vendor_part    text,
  gtin           text,
  quantity       text not null,
  uom            text not null,
  unit_price     text,
  pack_size      text,
  requested_date text,
  status         text not null default 'open',
  primary key (po_number, line_no)
);

-- ERP outbox: events for ERP consumers, read with a cursor (GET /api/v1/erp/events?after=).
create table erp_events (
  seq          bigserial primary key,
  id           text not null unique,
  type         text not null,
  partner_id   text not null,
  po_number    text,
  document_id  text not null,
  payload      jsonb not null,
  test         boolean not null default false,
  created_at   timestamptz not null default now()
);
