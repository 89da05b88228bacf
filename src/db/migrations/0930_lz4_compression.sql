-- Issue 18: the large values (documents' JSON, the raw bytes received and sent) are compressed
-- with lz4 where the server has it. A document is about 3.5 kB of jsonb, over the 2 kB at which
-- a row is compressed; with the default pglz, compressing it was about a quarter of the
-- document insert's cost in the end-to-end bench. Only new values are compressed this way; old
-- ones are read as they are. A server built without lz4 (embedded PGlite) keeps pglz, and so
-- does one older than PostgreSQL 14, which has no SET COMPRESSION (the statements run through
-- EXECUTE so that their syntax error is raised, and caught, here).
do $$
begin
  execute 'alter table documents alter column doc set compression lz4';
  execute 'alter table transactions alter column segments set compression lz4';
  execute 'alter table transactions alter column body set compression lz4';
  execute 'alter table payload_chunks alter column data set compression lz4';
  execute 'alter table deliveries alter column bytes set compression lz4';
exception when feature_not_supported or syntax_error then
  raise notice 'lz4 column compression is not available on this server: values stay compressed with pglz';
end
$$;
