-- Keep the server's version of a write whose push ended in a conflict on the outbox row
-- itself: e-mail and calendar writes have no cache row to hold it.
-- The migration runner skips an ADD COLUMN whose column already exists (PRAGMA table_info).
ALTER TABLE sync_queue ADD COLUMN server_payload TEXT;
