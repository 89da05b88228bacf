-- Workers claim several transactional jobs at once and run them in one transaction (see
-- src/pipeline/worker.ts). A job's weight bounds how much one batch may hold at a time: a parse job
-- weighs its payload's size in MiB (at least 1), so a batch never holds many large files in memory
-- at once, and a job heavier than a whole batch is claimed alone. Every other job weighs 1.
alter table jobs add column weight integer not null default 1;
