-- What an inbound ack is matched against (src/pipeline/acks.ts). An ack answers one standard at
-- one reference level: a 997/999 names our group (GS06, AK102), a TA1 our interchange (ISA13,
-- TA101), a CONTRL our interchange (UNB 0020, UCI 0020) and its messages (UNH 0062, UCM 0062).
-- control_number alone (GS06 for X12, UNB 0020 for EDIFACT) let an X12 997 reconcile an EDIFACT
-- ORDERS that happened to carry the same number, and vice versa.
alter table deliveries add column standard text;
alter table deliveries add column interchange_control text;
alter table deliveries add column group_control text;
alter table deliveries add column message_control text;

-- Outbound documents so far were written by src/pipeline/outbound.ts, whose content type names
-- the standard and whose control_number is GS06 (X12) or UNB 0020 (EDIFACT).
update deliveries set standard = case content_type
    when 'application/edi-x12' then 'x12' when 'application/edifact' then 'edifact' end
  where kind = 'document';
-- X12 856s for a warehouse partner (src/pipeline/match.ts) are answered by that partner's 997s.
update deliveries set standard = 'x12' where kind = 'warehouse' and content_type = 'application/edi-x12';
update deliveries set group_control = control_number where kind in ('document', 'warehouse') and standard = 'x12';
update deliveries set interchange_control = control_number where kind = 'document' and standard = 'edifact';
-- ISA13 of X12 sent so far, from the bytes: the ISA is fixed width (ISA13 = bytes 91..99), so a
-- TA1 for an interchange still waiting for its acks finds it.
update deliveries set interchange_control = substring(convert_from(bytes, 'LATIN1') from 91 for 9)
  where kind in ('document', 'warehouse') and standard = 'x12' and bytes is not null and length(bytes) >= 106
    and substring(convert_from(bytes, 'LATIN1') from 1 for 3) = 'ISA';

create index deliveries_ack_interchange_idx on deliveries (partner_id, standard, interchange_control) where kind in ('document', 'warehouse');
create index deliveries_ack_group_idx on deliveries (partner_id, standard, group_control) where kind in ('document', 'warehouse');
