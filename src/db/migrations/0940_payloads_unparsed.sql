-- The payloads of a partner that are stored but not parsed yet, by arrival: an invoice matched
-- while another file of its partner is still being parsed waits for it instead of being held
-- (src/pipeline/invoice-wait.ts payloadsBehind). Only unparsed payloads are in the index.
create index payloads_unparsed_idx on payloads (partner_id, received_at) where status = 'received';
