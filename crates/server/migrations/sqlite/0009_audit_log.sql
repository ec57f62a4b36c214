-- The audit log: who did what, to what, when and from where. Entries are kept
-- (no route deletes them). Actor email and target label are snapshots taken when
-- it happened, so they outlive renames and deletions. Pages are read newest first
-- (by id), optionally filtered by action or by actor.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    created_at   BIGINT  NOT NULL,
    actor_id     INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    actor_email  TEXT    NOT NULL DEFAULT '',
    action       TEXT    NOT NULL,
    target_kind  TEXT,
    target_id    BIGINT,
    target_label TEXT    NOT NULL DEFAULT '',
    source       TEXT    NOT NULL DEFAULT '',
    -- JSON, at most 64 KiB
    detail       TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
-- Both filters at once.
CREATE INDEX audit_log_actor_action ON audit_log (actor_id, action, id);
