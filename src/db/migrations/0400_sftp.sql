-- SFTP transport state (src/db/sftp.ts implements the SftpStore port of src/transports/sftp/ports.ts).

-- Leases: one poller per partner poll entry across all gateway processes. A row is held while
-- expires_at is in the future (database clock); an expired row may be taken over by anyone.
create table sftp_leases (
  name         text primary key,
  owner        text not null,
  acquired_at  timestamptz not null default now(),
  expires_at   timestamptz not null
);

-- Trust-on-first-use host keys for partner servers whose profile gives no `hostKey`.
-- The first key seen is recorded; any later different key stops polling (sftp_host_key_changed).
create table sftp_known_hosts (
  partner_id     text not null,
  host           text not null,
  port           integer not null,
  key_type       text not null,
  key_base64     text not null,
  fingerprint    text not null,
  first_seen_at  timestamptz not null default now(),
  primary key (partner_id, host, port)
);

-- `after: leave`: remote files already taken in, by their remote identity (path@size@mtime).
create table sftp_seen (
  partner_id   text not null,
  source       text not null,
  external_id  text not null,
  message_id   text not null,
  seen_at      timestamptz not null default now(),
  primary key (partner_id, source, external_id)
);

-- Files we placed in hosted outboxes, and when the partner downloaded and removed them.
create table sftp_outbox_files (
  id              text primary key,
  partner_id      text not null,
  filename        text not null,
  delivery_id     text,
  size            bigint not null,
  sha256          text not null,
  placed_at       timestamptz not null default now(),
  downloaded_at   timestamptz,
  download_count  integer not null default 0,
  removed_at      timestamptz
);
create index sftp_outbox_live_idx on sftp_outbox_files (partner_id, filename) where removed_at is null;
