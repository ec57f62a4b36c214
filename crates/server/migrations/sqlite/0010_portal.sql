-- The customer portal: customers' own accounts and sessions (apart from agents'),
-- one-time links for password resets and email verification, replies and files
-- written by customers, the organization's override of the portal visibility, and
-- where an item follower came from (a manager's "follow my organization" creates
-- follows that end with the role).

ALTER TABLE customers ADD COLUMN password_hash TEXT;
ALTER TABLE customers ADD COLUMN email_verified_at BIGINT;
ALTER TABLE customers ADD COLUMN follow_organization_items BOOLEAN NOT NULL DEFAULT 0;

CREATE TABLE customer_sessions (
    token_hash  TEXT    PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    csrf_token  TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL
);
CREATE INDEX customer_sessions_customer ON customer_sessions (customer_id);
CREATE INDEX customer_sessions_expires ON customer_sessions (expires_at);

CREATE TABLE customer_tokens (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT    NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    purpose     TEXT    NOT NULL CHECK (purpose IN ('reset', 'verify')),
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    used_at     BIGINT
);
CREATE UNIQUE INDEX customer_tokens_hash ON customer_tokens (token_hash);
CREATE INDEX customer_tokens_customer ON customer_tokens (customer_id, purpose);
CREATE INDEX customer_tokens_expires ON customer_tokens (expires_at);

ALTER TABLE organizations ADD COLUMN portal_visibility TEXT CHECK (portal_visibility IN ('own', 'read', 'reply'));

ALTER TABLE item_followers ADD COLUMN source TEXT NOT NULL DEFAULT 'direct' CHECK (source IN ('direct', 'manager'));

ALTER TABLE messages ADD COLUMN author_customer_id INTEGER REFERENCES customers (id) ON DELETE SET NULL;

CREATE TABLE item_files (
    id                   INTEGER PRIMARY KEY,
    item_id              INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    uploader_agent_id    INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    uploader_customer_id INTEGER REFERENCES customers (id) ON DELETE SET NULL,
    name                 TEXT    NOT NULL,
    content_type         TEXT    NOT NULL,
    size                 BIGINT  NOT NULL,
    content              BLOB    NOT NULL,
    created_at           BIGINT  NOT NULL
);
CREATE INDEX item_files_item ON item_files (item_id, id);
