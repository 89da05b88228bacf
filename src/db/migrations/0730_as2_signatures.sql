-- AS2 replay detection (docs/as2-security.md): the fingerprint of each inbound signature
-- (SHA-256 over the content digest and the signature value) and the Message-ID that first
-- carried it. The primary key makes the claim atomic: of two concurrent messages with the same
-- signature under different Message-IDs, one insert wins and the other is a replay.
create table as2_signatures (
  partner_id    text not null,
  fingerprint   text not null,
  message_id    text not null,
  created_at    timestamptz not null default now(),
  primary key (partner_id, fingerprint)
);
