-- The rebuildable entity cache, in its own file (attached as schema `cache`): the seven
-- entity tables and the pull checkpoints. Run at every open (every statement is IF NOT
-- EXISTS), so a cache file moved aside because it was corrupt comes back empty and the
-- next sync pulls everything again. server_payload holds the server's version while
-- conflicted = 1 (the local payload is kept until the user resolves the conflict).
-- The sort and search indexes are made by indexes.py (ensure_indexes, at every open).

CREATE TABLE IF NOT EXISTS cache.messages (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, updated_at INTEGER NOT NULL, payload TEXT NOT NULL, conflicted INTEGER NOT NULL DEFAULT 0, server_payload TEXT);
CREATE TABLE IF NOT EXISTS cache.customers (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, updated_at INTEGER NOT NULL, payload TEXT NOT NULL, conflicted INTEGER NOT NULL DEFAULT 0, server_payload TEXT);
CREATE TABLE IF NOT EXISTS cache.calendar (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, updated_at INTEGER NOT NULL, payload TEXT NOT NULL, conflicted INTEGER NOT NULL DEFAULT 0, server_payload TEXT);
CREATE TABLE IF NOT EXISTS cache.tasks (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, updated_at INTEGER NOT NULL, payload TEXT NOT NULL, conflicted INTEGER NOT NULL DEFAULT 0, server_payload TEXT);
CREATE TABLE IF NOT EXISTS cache.deals (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, updated_at INTEGER NOT NULL, payload TEXT NOT NULL, conflicted INTEGER NOT NULL DEFAULT 0, server_payload TEXT);
CREATE TABLE IF NOT EXISTS cache.tickets (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, updated_at INTEGER NOT NULL, payload TEXT NOT NULL, conflicted INTEGER NOT NULL DEFAULT 0, server_payload TEXT);
CREATE TABLE IF NOT EXISTS cache.meetings (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, updated_at INTEGER NOT NULL, payload TEXT NOT NULL, conflicted INTEGER NOT NULL DEFAULT 0, server_payload TEXT);

-- Pull checkpoint per (entity, org), written in the same transaction as the page it follows.
CREATE TABLE IF NOT EXISTS cache.sync_state (
    entity TEXT NOT NULL,
    org_id TEXT NOT NULL,
    cursor TEXT,
    etag TEXT,
    last_modified TEXT,
    last_sync_at INTEGER,
    last_error TEXT,
    PRIMARY KEY (entity, org_id)
);
