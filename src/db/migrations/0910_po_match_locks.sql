-- Issue 18: the lock that orders matching per PO number (src/pipeline/match-context.ts lockPos).
-- One row per PO number ever matched, locked until commit by an INSERT ... ON CONFLICT DO UPDATE
-- whose update never happens (the conflicting rows are locked all the same). A row lock lives
-- in the row, so a large file's transaction may hold any number of them (an advisory lock per PO
-- filled the server's shared lock table); a PO the ERP does not have yet is locked too (its row
-- is inserted); and ERP imports, which update erp_purchase_orders, never wait for matching.
create table po_match_locks (
  po_number  text primary key
);
