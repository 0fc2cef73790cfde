-- Move the entity cache and the pull checkpoints out of the main file into the cache file
-- (attached as `cache`, its tables already created by cache.sql). The main file keeps what
-- the server cannot give back: outbox, audit queue, meta (active org, plugin state). A corrupt
-- cache can then be moved aside and pulled again without touching a queued write.
-- INSERT OR IGNORE: a cache file that already holds a row keeps it (it is the newer copy).

INSERT OR IGNORE INTO cache.messages (id, org_id, updated_at, payload, conflicted, server_payload) SELECT id, org_id, updated_at, payload, conflicted, server_payload FROM main.messages;
DROP TABLE main.messages;
INSERT OR IGNORE INTO cache.customers (id, org_id, updated_at, payload, conflicted, server_payload) SELECT id, org_id, updated_at, payload, conflicted, server_payload FROM main.customers;
DROP TABLE main.customers;
INSERT OR IGNORE INTO cache.calendar (id, org_id, updated_at, payload, conflicted, server_payload) SELECT id, org_id, updated_at, payload, conflicted, server_payload FROM main.calendar;
DROP TABLE main.calendar;
INSERT OR IGNORE INTO cache.tasks (id, org_id, updated_at, payload, conflicted, server_payload) SELECT id, org_id, updated_at, payload, conflicted, server_payload FROM main.tasks;
DROP TABLE main.tasks;
INSERT OR IGNORE INTO cache.deals (id, org_id, updated_at, payload, conflicted, server_payload) SELECT id, org_id, updated_at, payload, conflicted, server_payload FROM main.deals;
DROP TABLE main.deals;
INSERT OR IGNORE INTO cache.tickets (id, org_id, updated_at, payload, conflicted, server_payload) SELECT id, org_id, updated_at, payload, conflicted, server_payload FROM main.tickets;
DROP TABLE main.tickets;
INSERT OR IGNORE INTO cache.meetings (id, org_id, updated_at, payload, conflicted, server_payload) SELECT id, org_id, updated_at, payload, conflicted, server_payload FROM main.meetings;
DROP TABLE main.meetings;
INSERT OR IGNORE INTO cache.sync_state (entity, org_id, cursor, etag, last_modified, last_sync_at, last_error) SELECT entity, org_id, cursor, etag, last_modified, last_sync_at, last_error FROM main.sync_state;
DROP TABLE main.sync_state;
