-- A parse job weighs its payload in 16 KiB units now (src/pipeline/receive.ts parseWeight; it was
-- 64 KiB, and MiB before that) and a worker's batch holds up to 64 units, so a batch still takes
-- at most 1 MiB of payloads and a file of 1 MiB or more comes alone. Parse jobs queued under an
-- earlier unit weigh too little for that: they are weighed again here.
update jobs j set weight = greatest(1, ceil(p.size / 16384.0))::int
from payloads p
where j.stage = 'parse' and j.state in ('created', 'retry', 'active') and p.id = j.payload->>'messageId';
