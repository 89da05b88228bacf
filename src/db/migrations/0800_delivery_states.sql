-- Issue 16: one state model for every delivery channel (src/pipeline/deliver.ts has the table):
--   pending → queued → sent → acknowledged, or failed; `stored` when nothing is configured.
-- `delivered` said only "the transport call returned", whatever the channel, and `available`
-- (API pull) was a queue by another name. `history` keeps each state a row went through, so
-- lineage shows what happened and when, not only where it ended.
alter table deliveries add column history jsonb not null default '[]'::jsonb;

-- What existing rows were, dated by their last change.
update deliveries set history = jsonb_build_array(jsonb_build_object('status', status, 'at', updated_at, 'attempts', attempts));

-- `available`: waiting for the partner to pull it.
-- `delivered`, by what the channel had actually seen:
--   api      only POST .../received set it: the partner confirmed → acknowledged
--   webhook  a 2xx answer → acknowledged
--   as2      the AS2 sender's own row says (a `delivered` row of an AS2 delivery was only queued)
--   sftp     file written: sent; acknowledged when the partner downloaded it from the hosted
--            outbox, or a functional ack (997/999/CONTRL/TA1) reconciled it
update deliveries d set status = case
    when d.status = 'available' then 'queued'
    when d.destination = 'api' or d.destination like 'webhook:%' then 'acknowledged'
    when d.destination = 'as2' then coalesce((
      select case o.status when 'delivered' then 'acknowledged' when 'negative' then 'failed' when 'failed' then 'failed'
          when 'queued' then 'queued' else 'sent' end
        from as2_outbound o where o.delivery_id = d.id order by o.created_at desc limit 1), 'queued')
    when exists (select 1 from sftp_outbox_files f where f.delivery_id = d.id and f.downloaded_at is not null) then 'acknowledged'
    when d.ack_status in ('accepted', 'accepted_with_errors', 'rejected') then 'acknowledged'
    else 'sent' end,
  history = d.history || jsonb_build_array(jsonb_build_object('status', 'migrated', 'at', now()))
where d.status in ('delivered', 'available');
update deliveries set history = history || jsonb_build_array(jsonb_build_object('status', status, 'at', now(), 'attempts', attempts))
  where history -> -1 ->> 'status' = 'migrated';

-- Every writer (deliver stage, AS2 sender, API pull, SFTP outbox tracking, ack reconciliation)
-- changes `status` in its own statement; the trigger records each change, so none can forget.
create function deliveries_history() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' or new.status is distinct from old.status then
    new.history := coalesce(new.history, '[]'::jsonb) || jsonb_build_array(jsonb_strip_nulls(jsonb_build_object(
      'status', new.status, 'at', clock_timestamp(), 'attempts', new.attempts,
      'error', case when new.status = 'failed' then new.last_error end)));
  end if;
  return new;
end
$$;
create trigger deliveries_history before insert or update of status on deliveries
  for each row execute function deliveries_history();
