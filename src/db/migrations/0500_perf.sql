-- Indexes for the hot paths (issue 6/9 benchmarks). Applied migrations are never edited; this
-- file only adds indexes and storage settings, so it changes no result, only plans.

-- The worker's claim looks for runnable jobs (jobs_claim_idx) and, separately, for `active` jobs
-- whose lease ran out. Only a handful of jobs are ever active, but without an index of their own
-- that half of the claim scanned every job ever run (completed rows are never deleted).
create index jobs_active_idx on jobs (locked_at) where state = 'active';

-- GIN's fast-update pending list is only merged by (auto)vacuum or when it outgrows
-- gin_pending_list_limit; until then every && lookup reads the whole list. Documents are read
-- by PO number and SSCC on every match, so entries go straight into the tree instead.
alter index documents_po_idx set (fastupdate = off);
alter index documents_sscc_idx set (fastupdate = off);
