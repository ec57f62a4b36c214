-- Agents, sessions, settings, and the customer/organization core that later features extend.
-- Timestamps are Unix milliseconds (BIGINT) in both dialects.

CREATE TABLE agents (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'agent')),
    password_hash TEXT    NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT 1,
    created_at    BIGINT  NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    agent_id   INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    csrf_token TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL
);
CREATE INDEX sessions_agent_id ON sessions (agent_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE organizations (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    -- lower-cased name: names are unique regardless of case
    name_key   TEXT    NOT NULL UNIQUE,
    created_at BIGINT  NOT NULL
);

CREATE TABLE organization_domains (
    domain          TEXT    PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE
);
CREATE INDEX organization_domains_org ON organization_domains (organization_id);

CREATE TABLE customers (
    id         INTEGER PRIMARY KEY,
    email      TEXT    NOT NULL UNIQUE,
    first_name TEXT    NOT NULL DEFAULT '',
    last_name  TEXT    NOT NULL DEFAULT '',
    created_at BIGINT  NOT NULL
);

-- One row per customer who belongs to an organization (none = unassigned).
CREATE TABLE memberships (
    customer_id     INTEGER PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    position        TEXT    NOT NULL DEFAULT '',
    role            TEXT    NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'manager'))
);
CREATE INDEX memberships_org ON memberships (organization_id, customer_id);
