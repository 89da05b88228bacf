-- A document's business key (src/canonical businessKey: po:<number>, asn:<shipment>, inv:<number>)
-- with the same content is stored once per partner: any later copy is a `duplicate` of it. The
-- translate stage used to look for an earlier copy and insert afterwards, so two copies
-- translated at the same moment both found nothing and both went on to matching. Now the key is
-- unique among documents that are not duplicates, and translate inserts with ON CONFLICT DO
-- NOTHING: the second copy waits for the first to commit, inserts nothing, and is stored as its
-- duplicate.
--
-- A database from before may already hold such copies. The migration never fails on them: the
-- earliest stays, the later ones become duplicates of it (their transaction too), each with a
-- duplicate_document exception saying so, as translate would have done.
create temporary table doc_copies on commit drop as
  select id, first_id from (
    select id, first_value(id) over w as first_id, row_number() over w as rn
    from documents where status <> 'duplicate'
    window w as (partition by partner_id, kind, business_key, content_hash order by created_at, id)
  ) ranked
  where rn > 1;

update documents d set status = 'duplicate', duplicate_of = c.first_id, updated_at = now()
  from doc_copies c where d.id = c.id;

update transactions t set status = 'duplicate', updated_at = now()
  from documents d join doc_copies c on c.id = d.id where t.id = d.transaction_id;

insert into exceptions (id, code, queue, severity, partner_id, payload_id, transaction_id, document_id, reason,
    explanation, dedupe_key)
  select 'exc_m0700' || md5(d.id), 'duplicate_document', 'matching', 'warn', d.partner_id, d.payload_id,
    d.transaction_id, d.id,
    jsonb_build_object('code', 'duplicate_document', 'businessKey', d.business_key, 'firstDocumentId', c.first_id,
      'sameContent', true),
    'Document ' || d.business_key || ' was resent with identical content (first as ' || c.first_id
      || '); it was stored twice before this check was made atomic (migration 0700) and is now marked a duplicate.',
    'duplicate_document:0700:' || d.id
  from documents d join doc_copies c on c.id = d.id
  on conflict (dedupe_key) do nothing;

create unique index documents_business_key_uq on documents (partner_id, kind, business_key, content_hash)
  where status <> 'duplicate';
