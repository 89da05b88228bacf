-- AS2 (RFC 4130) protocol state. The payload bytes themselves live in payloads/payload_chunks
-- (pipeline receive()); these tables hold what the protocol needs on top.

-- Inbound messages we stored, with the disposition we gave them: a resend of the same
-- Message-ID from the same partner is answered with it again (never processed twice).
create table as2_inbound (
  partner_id    text not null,
  message_id    text not null,
  payload_id    text not null,
  disposition   text not null,
  mic           text,
  mic_alg       text,
  mdn_mode      text not null,              -- sync | async | none
  mdn_status    text not null,              -- sent | pending | delivered | failed | none
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (partner_id, message_id)
);

-- Asynchronous MDNs waiting to be POSTed (job as2_mdn).
create table as2_mdn_outbox (
  id            text primary key,
  partner_id    text not null,
  message_id    text not null,
  url           text not null,
  headers       jsonb not null,
  body          bytea not null,
  status        text not null default 'pending',   -- pending | delivered | failed
  attempts      integer not null default 0,
  last_error    text,
  created_at    timestamptz not null default now(),
  delivered_at  timestamptz
);
create index as2_mdn_outbox_msg_idx on as2_mdn_outbox (partner_id, message_id);

-- Messages we send (job as2_send) and the MDN each got.
create table as2_outbound (
  message_id     text primary key,
  delivery_id    text not null,
  partner_id     text not null,
  filename       text not null,
  content_type   text not null,
  doc_type       text not null,
  bytes          bytea not null,
  status         text not null default 'queued',   -- queued | awaiting_mdn | delivered | negative | failed | mdn_overdue
  url            text,
  mic            text,
  mic_alg        text,
  mdn_signed     boolean not null default true,
  attempts       integer not null default 0,
  last_error     text,
  mdn_status     text,                              -- delivered | negative | mic_mismatch | bad_signature
  mdn_disposition text,
  mdn_detail     text,
  sent_at        timestamptz,
  mdn_at         timestamptz,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now()
);
create index as2_outbound_delivery_idx on as2_outbound (delivery_id);
create index as2_outbound_status_idx on as2_outbound (status, sent_at);
