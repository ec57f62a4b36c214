-- CSV import (issue #14): uploaded files (kept 24 hours, read only by the uploader),
-- import batches (Import history), the per-batch change log that undo reads, and
-- saved column mappings (presets). Customers get a phone number.

ALTER TABLE customers ADD COLUMN phone TEXT NOT NULL DEFAULT '';

CREATE TABLE import_uploads (
    id         INTEGER PRIMARY KEY,
    agent_id   INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    file_name  TEXT    NOT NULL,
    size       BIGINT  NOT NULL,
    content    BLOB    NOT NULL,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL
);
CREATE INDEX import_uploads_expires ON import_uploads (expires_at);
CREATE INDEX import_uploads_agent ON import_uploads (agent_id, id);

-- status: running until the import's one transaction commits (done) or rolls back
-- (failed); a running batch that no process is working on was interrupted.
CREATE TABLE import_batches (
    id          INTEGER PRIMARY KEY,
    agent_id    INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    agent_name  TEXT    NOT NULL DEFAULT '',
    file_name   TEXT    NOT NULL,
    -- JSON: orgdesk_core::api::import::ImportOptions
    options     TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('running', 'done', 'failed', 'undone')),
    failure     TEXT    NOT NULL DEFAULT '',
    -- JSON: orgdesk_core::api::import::BatchCounts
    counts      TEXT    NOT NULL DEFAULT '{}',
    created_at  BIGINT  NOT NULL,
    finished_at BIGINT,
    undone_at   BIGINT,
    undone_by   TEXT,
    -- While running: the progress, and when the process running it last wrote it
    -- (every few seconds, on PostgreSQL, where several processes may share the
    -- database). A running batch no process has written for a minute was interrupted.
    progress_done  BIGINT NOT NULL DEFAULT 0,
    progress_total BIGINT NOT NULL DEFAULT 0,
    heartbeat_at   BIGINT
);

-- What one import did, for undo: kind is customer_created, organization_created,
-- customer_updated or organization_updated; before and after are JSON of the fields
-- it changed (after: what it wrote, to tell whether someone edited it since).
CREATE TABLE import_changes (
    id        INTEGER PRIMARY KEY,
    batch_id  INTEGER NOT NULL REFERENCES import_batches (id) ON DELETE CASCADE,
    kind      TEXT    NOT NULL CHECK (kind IN ('customer_created', 'organization_created', 'customer_updated', 'organization_updated')),
    target_id BIGINT  NOT NULL,
    before    TEXT    NOT NULL DEFAULT '{}',
    after     TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX import_changes_batch ON import_changes (batch_id, kind, id);

CREATE TABLE import_presets (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT    NOT NULL,
    name_key             TEXT    NOT NULL UNIQUE,
    -- JSON: [orgdesk_core::api::import::PresetColumn]
    columns              TEXT    NOT NULL,
    existing             TEXT    NOT NULL CHECK (existing IN ('skip', 'fill_empty', 'overwrite')),
    create_organizations BOOLEAN NOT NULL DEFAULT 0,
    agent_id             INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    created_at           BIGINT  NOT NULL
);
