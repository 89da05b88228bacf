-- Issue 18: a set's transaction row is written once. The parse stage translates and matches the
-- sets it reads before it stores their transaction rows, so each row is inserted with its final
-- status (matched, held, waiting, duplicate) instead of inserted and then updated. The document
-- that points at the row is inserted first; its foreign key is checked at commit, when the row
-- is there (a rolled-back savepoint takes its documents and their pending checks with it).
alter table documents alter constraint documents_transaction_id_fkey deferrable initially deferred;
