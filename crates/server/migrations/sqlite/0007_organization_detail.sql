-- The organization detail panel (issue #5): a version for the panel's edit-in-place
-- conflict check, a summary, one parent, contact entries, admin-defined properties,
-- notes, files (kept in the database, 10 MiB at most) and a history of changes.
--
-- `version` guards what the panel edits in place (name, domains, summary, parent and
-- children, contacts, properties, members' positions and roles): every such write
-- names the version it saw and bumps it, in one transaction. Notes and files are
-- append-only and do not bump it.

ALTER TABLE organizations ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE organizations ADD COLUMN summary TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN parent_id INTEGER REFERENCES organizations (id) ON DELETE SET NULL;
ALTER TABLE organizations ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
UPDATE organizations SET updated_at = created_at;
CREATE INDEX organizations_parent ON organizations (parent_id, name_key);

-- The domain of each customer's email (emails are stored lower-cased), for the
-- existing customers a newly added domain matches: an index lookup, not a scan.
ALTER TABLE customers ADD COLUMN email_domain TEXT GENERATED ALWAYS AS (substr(email, instr(email, '@') + 1)) VIRTUAL;
CREATE INDEX customers_email_domain ON customers (email_domain);

-- Managers first, then by name: the panel's member list.
CREATE INDEX memberships_org_role ON memberships (organization_id, role, customer_id);

CREATE TABLE organization_contacts (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    position        BIGINT  NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('phone', 'email', 'website', 'address', 'social')),
    label           TEXT    NOT NULL DEFAULT '',
    value           TEXT    NOT NULL
);
CREATE INDEX organization_contacts_org ON organization_contacts (organization_id, position);

CREATE TABLE organization_property_definitions (
    id         INTEGER PRIMARY KEY,
    label      TEXT    NOT NULL,
    -- lower-cased label: labels are unique regardless of case
    label_key  TEXT    NOT NULL UNIQUE,
    kind       TEXT    NOT NULL,
    required   BOOLEAN NOT NULL DEFAULT FALSE,
    -- JSON array of strings (single and multiple choice)
    options    TEXT    NOT NULL DEFAULT '[]',
    position   BIGINT  NOT NULL,
    created_at BIGINT  NOT NULL
);
CREATE INDEX organization_property_definitions_position ON organization_property_definitions (position, id);

CREATE TABLE organization_property_values (
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    definition_id   INTEGER NOT NULL REFERENCES organization_property_definitions (id) ON DELETE CASCADE,
    -- JSON, normalized by orgdesk_core::properties::validate_value
    value           TEXT    NOT NULL,
    PRIMARY KEY (organization_id, definition_id)
);
CREATE INDEX organization_property_values_definition ON organization_property_values (definition_id);

CREATE TABLE organization_notes (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    agent_id        INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    body            TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL
);
CREATE INDEX organization_notes_org ON organization_notes (organization_id, id);

CREATE TABLE organization_files (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    agent_id        INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    name            TEXT    NOT NULL,
    content_type    TEXT    NOT NULL,
    size            BIGINT  NOT NULL,
    content         BLOB    NOT NULL,
    created_at      BIGINT  NOT NULL
);
CREATE INDEX organization_files_org ON organization_files (organization_id, id);

CREATE TABLE organization_history (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    agent_id        INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    action          TEXT    NOT NULL,
    summary         TEXT    NOT NULL,
    -- JSON object
    details         TEXT    NOT NULL DEFAULT '{}',
    created_at      BIGINT  NOT NULL
);
CREATE INDEX organization_history_org ON organization_history (organization_id, id);
