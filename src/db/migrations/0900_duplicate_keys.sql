-- Issue 18: duplicate checks as one statement each. A partner's interchange control number
-- (ISA13 / UNB 0020 per sender), and where its profile asks for them its group (GS06 / UNG 0048)
-- and set (ST02 / UNH 0062) control numbers, are claimed by inserting their key here: the first
-- interchange to hold a key within the partner's window owns it, and anyone else who inserts it
-- is a duplicate. The primary key decides, inside one statement, between transactions (the
-- second waits for the first to commit or roll back) and between handlers sharing one
-- transaction (the second sees the first's row). This replaces an advisory lock plus a read of
-- interchanges/transactions, which only serialised separate transactions.
--
-- key: 'icn:<standard>:<sender id>:<control>', 'grp:<standard>:<control>',
--      'txn:<standard>:<set type>:<control>'.
create table duplicate_keys (
  partner_id      text not null,
  key             text not null,
  interchange_id  text not null,
  payload_id      text not null,
  created_at      timestamptz not null default now(),
  primary key (partner_id, key)
);

-- What the old checks read, as keys: per key the latest occurrence that was not itself a
-- duplicate (the old check found one within the window exactly when the latest is within it).
insert into duplicate_keys (partner_id, key, interchange_id, payload_id, created_at)
select distinct on (partner_id, k) partner_id, k, id, payload_id, created_at
from (select partner_id, 'icn:' || standard || ':' || sender_id || ':' || control_number as k, id, payload_id, created_at
      from interchanges where partner_id is not null and status <> 'duplicate') i
order by partner_id, k, created_at desc;

insert into duplicate_keys (partner_id, key, interchange_id, payload_id, created_at)
select distinct on (partner_id, k) partner_id, k, interchange_id, payload_id, created_at
from (select partner_id, 'grp:' || standard || ':' || group_control as k, interchange_id, payload_id, created_at
      from transactions
      where partner_id is not null and interchange_id is not null and group_control is not null
        and status not in ('duplicate', 'rejected')
      union all
      select partner_id, 'txn:' || standard || ':' || doc_type || ':' || control_number, interchange_id, payload_id, created_at
      from transactions
      where partner_id is not null and interchange_id is not null and status not in ('duplicate', 'rejected')) t
order by partner_id, k, created_at desc
on conflict do nothing;

-- Only the duplicate checks read these; every interchange and set paid for them on insert.
drop index interchanges_dup_idx;
drop index transactions_dup_idx;
