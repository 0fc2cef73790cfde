-- The first schema: the entity cache, the pull checkpoints, the outbox, the audit outbox, meta.
-- Times are integer milliseconds since the epoch; payloads are JSON text.

-- Entity cache, one table per entity. server_payload holds the server's version while
-- conflicted = 1 (the local payload is kept until the user resolves the conflict).
CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, updated_at INTEGER NOT NULL, payload TEXT NOT NULL, conflicted INTEGER NOT NULL DEFAULT 0, server_payload TEXT);
CREATE TABLE IF NOT EXISTS customers (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, updated_at INTEGER NOT NULL, payload TEXT NOT NULL, conflicted INTEGER NOT NULL DEFAULT 0, server_payload TEXT);
CREATE TABLE IF NOT EXISTS calendar (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, updated_at INTEGER NOT NULL, payload TEXT NOT NULL, conflicted INTEGER NOT NULL DEFAULT 0, server_payload TEXT);
CREATE TABLE IF NOT EXISTS tasks (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, updated_at INTEGER NOT NULL, payload TEXT NOT NULL, conflicted INTEGER NOT NULL DEFAULT 0, server_payload TEXT);
CREATE TABLE IF NOT EXISTS deals (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, updated_at INTEGER NOT NULL, payload TEXT NOT NULL, conflicted INTEGER NOT NULL DEFAULT 0, server_payload TEXT);
CREATE TABLE IF NOT EXISTS tickets (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, updated_at INTEGER NOT NULL, payload TEXT NOT NULL, conflicted INTEGER NOT NULL DEFAULT 0, server_payload TEXT);
CREATE TABLE IF NOT EXISTS meetings (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, updated_at INTEGER NOT NULL, payload TEXT NOT NULL, conflicted INTEGER NOT NULL DEFAULT 0, server_payload TEXT);
CREATE INDEX IF NOT EXISTS messages_org_updated ON messages (org_id, updated_at);
CREATE INDEX IF NOT EXISTS customers_org_updated ON customers (org_id, updated_at);
CREATE INDEX IF NOT EXISTS calendar_org_updated ON calendar (org_id, updated_at);
CREATE INDEX IF NOT EXISTS tasks_org_updated ON tasks (org_id, updated_at);
CREATE INDEX IF NOT EXISTS deals_org_updated ON deals (org_id, updated_at);
CREATE INDEX IF NOT EXISTS tickets_org_updated ON tickets (org_id, updated_at);
CREATE INDEX IF NOT EXISTS meetings_org_updated ON meetings (org_id, updated_at);

-- Pull checkpoint per (entity, org), written in the same transaction as the page it follows.
CREATE TABLE IF NOT EXISTS sync_state (
    entity TEXT NOT NULL,
    org_id TEXT NOT NULL,
    cursor TEXT,
    etag TEXT,
    last_modified TEXT,
    last_sync_at INTEGER,
    last_error TEXT,
    PRIMARY KEY (entity, org_id)
);

-- The outbox of local writes. AUTOINCREMENT: ids order the writes and are never reused,
-- even after prune_synced removed the newest rows.
CREATE TABLE IF NOT EXISTS sync_queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id TEXT NOT NULL UNIQUE,
    org_id TEXT NOT NULL,
    qtype TEXT NOT NULL CHECK (qtype IN ('crm', 'email', 'calendar')),
    entity TEXT,
    op TEXT CHECK (op IN ('create', 'update', 'delete')),
    entity_id TEXT,
    payload TEXT,
    base_updated_at INTEGER,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'inflight', 'failed', 'synced')),
    attempt INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at INTEGER,
    lease_until INTEGER,
    claim TEXT,
    wf_id TEXT,
    step_index INTEGER,
    conflicted INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sync_queue_org_status ON sync_queue (org_id, status, updated_at);
CREATE INDEX IF NOT EXISTS sync_queue_workflow ON sync_queue (wf_id, step_index, status);
-- The lease scan walks pending ids in order ...
CREATE INDEX IF NOT EXISTS sync_queue_pending ON sync_queue (id) WHERE status = 'pending';
-- ... probes for an earlier unsynced write to the same entity id (and apply_page looks up
-- the ids with open local writes) in the small set of unsynced rows ...
CREATE INDEX IF NOT EXISTS sync_queue_open ON sync_queue (entity, entity_id, id, status)
    WHERE status != 'synced' OR conflicted = 1;
-- ... and finds expired leases without reading the rest.
CREATE INDEX IF NOT EXISTS sync_queue_inflight ON sync_queue (lease_until) WHERE status = 'inflight';

-- The audit outbox: a single flusher takes pending events (marking them 'sending').
CREATE TABLE IF NOT EXISTS audit_queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending')),
    attempt INTEGER NOT NULL DEFAULT 0,
    earliest_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_queue_status ON audit_queue (status, id);

-- Small state: the active org, the user profile JSON.
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
